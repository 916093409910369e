import { createHash } from "node:crypto";
import type { Redis } from "ioredis";
import { z } from "zod";
import type { AuditNote } from "../../core/ports/audit.port.js";
import type { ApprovalResult, RequestStore, TransitionResult } from "../../core/ports/request-store.port.js";
import {
  type Decision,
  REQUEST_STATES,
  type ReplicationRequest,
  type RequestState,
} from "../../core/request/request.js";
import { auditStreamKey } from "./audit.store.js";

/**
 * Requests as JSON strings, one key each, plus an index (sorted set by creation time) for
 * `/snapshot list`. Every change runs as one Lua script: the compare-and-set on the state, and the
 * audit entry for a state change, happen together or not at all.
 *
 * KEYS[1] request, KEYS[2] audit stream. Every script ends in `record()` when the state changed.
 */
const AUDIT_HELPER = `
local function record(event, requestId, at, from, userId, detail)
  local fields = {'event', event, 'requestId', requestId, 'at', at}
  if from and from ~= '' then table.insert(fields, 'from'); table.insert(fields, from) end
  if userId and userId ~= '' then table.insert(fields, 'userId'); table.insert(fields, userId) end
  if detail and detail ~= '' then table.insert(fields, 'detail'); table.insert(fields, detail) end
  redis.call('XADD', KEYS[2], '*', unpack(fields))
end
`;

/** ARGV: allowed states (JSON), new state ('' = keep), patch (JSON), at, audit userId, audit detail. */
const TRANSITION_SCRIPT = `${AUDIT_HELPER}
local raw = redis.call('GET', KEYS[1])
if not raw then return {'not_found'} end
local request = cjson.decode(raw)
local allowed = cjson.decode(ARGV[1])
local ok = false
for _, s in ipairs(allowed) do if request.state == s then ok = true end end
if not ok then return {'wrong_state', raw} end
local from = request.state
local patch = cjson.decode(ARGV[3])
for k, v in pairs(patch) do request[k] = v end
if ARGV[2] ~= '' then request.state = ARGV[2] end
local encoded = cjson.encode(request)
redis.call('SET', KEYS[1], encoded, 'KEEPTTL')
if request.state ~= from then record(request.state, request.id, ARGV[4], from, ARGV[5], ARGV[6]) end
return {'ok', encoded}
`;

/** ARGV: userId, at (ISO, the bot's clock: also "now" for the expiry check), required. */
const APPROVE_SCRIPT = `${AUDIT_HELPER}
local raw = redis.call('GET', KEYS[1])
if not raw then return {'not_found'} end
local request = cjson.decode(raw)
if request.state ~= 'pending_approval' then return {'wrong_state', raw} end
if type(request.expiresAt) == 'string' and request.expiresAt <= ARGV[2] then return {'expired', raw} end
local approvals = request.approvals
if type(approvals) ~= 'table' then approvals = {} end
for _, a in ipairs(approvals) do
  if a.userId == ARGV[1] then return {'duplicate', raw} end
end
table.insert(approvals, {userId = ARGV[1], at = ARGV[2]})
request.approvals = approvals
request.updatedAt = ARGV[2]
local count = #approvals
local required = tonumber(ARGV[3])
local detail = count .. '/' .. required
if count >= required then
  request.state = 'approved'
  local encoded = cjson.encode(request)
  redis.call('SET', KEYS[1], encoded, 'KEEPTTL')
  record('approved', request.id, ARGV[2], 'pending_approval', ARGV[1], detail)
  return {'approved', encoded}
end
local encoded = cjson.encode(request)
redis.call('SET', KEYS[1], encoded, 'KEEPTTL')
record('approval_recorded', request.id, ARGV[2], '', ARGV[1], detail)
return {'recorded', encoded}
`;

/** KEYS[3] index. ARGV: request JSON, id, retention seconds, created (ms), oldest kept (ms), at, userId. */
const CREATE_SCRIPT = `${AUDIT_HELPER}
local created = redis.call('SET', KEYS[1], ARGV[1], 'EX', tonumber(ARGV[3]), 'NX')
if not created then return 0 end
redis.call('ZADD', KEYS[3], tonumber(ARGV[4]), ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', '(' .. ARGV[5])
record('requested', ARGV[2], ARGV[6], '', ARGV[7], '')
return 1
`;

const decisionSchema = z.object({ userId: z.string(), at: z.string(), reason: z.string().optional() });

// Lua's cjson turns an empty JSON array into an empty object; the schema restores arrays.
const emptyObjectAsArray = <T extends z.ZodType>(item: T) =>
  z.preprocess(
    (v) => (v && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length === 0 ? [] : v),
    z.array(item),
  );

const storedRequestSchema = z
  .object({
    id: z.string(),
    state: z.enum(REQUEST_STATES),
    approvals: emptyObjectAsArray(decisionSchema),
    approverProblems: emptyObjectAsArray(z.string()).optional(),
  })
  .passthrough();

/**
 * Records are written only by this store, so only what Lua's cjson can distort is checked (state,
 * and empty arrays that come back as objects); the rest is trusted as the shape this code wrote.
 */
function decode(raw: string): ReplicationRequest {
  const parsed = storedRequestSchema.parse(JSON.parse(raw));
  return parsed as unknown as ReplicationRequest;
}

/** Finished requests are kept for a while for `/snapshot status`, then Redis forgets them. */
const RETENTION_SECONDS = 90 * 24 * 3600;

export class RedisRequestStore implements RequestStore {
  private readonly auditKey: string;
  private readonly indexKey: string;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {
    this.auditKey = auditStreamKey(prefix);
    this.indexKey = `${prefix}:requests`;
  }

  private key(id: string): string {
    return `${this.prefix}:request:${id}`;
  }

  async create(request: ReplicationRequest): Promise<void> {
    const createdMs = Date.parse(request.createdAt) || Date.now();
    const created = await this.redis.eval(
      CREATE_SCRIPT,
      3,
      this.key(request.id),
      this.auditKey,
      this.indexKey,
      JSON.stringify(request),
      request.id,
      RETENTION_SECONDS,
      createdMs,
      Date.now() - RETENTION_SECONDS * 1000,
      request.createdAt,
      request.requestedBy,
    );
    if (created !== 1) throw new Error(`store.duplicate_id: request ${request.id} already exists`);
  }

  private copyNameKey(accountUin: string, region: string, name: string): string {
    return `${this.prefix}:copy-name:${accountUin}:${region}:${createHash("sha256").update(name).digest("hex")}`;
  }

  async reserveCopyName(
    accountUin: string,
    region: string,
    name: string,
    requestId: string,
  ): Promise<{ ok: true } | { ok: false; holder: string }> {
    const key = this.copyNameKey(accountUin, region, name);
    if ((await this.redis.set(key, requestId, "EX", RETENTION_SECONDS, "NX")) === "OK") return { ok: true };
    const holder = await this.redis.get(key);
    return holder === null || holder === requestId ? { ok: true } : { ok: false, holder };
  }

  async takeOverCopyName(
    accountUin: string,
    region: string,
    name: string,
    fromId: string,
    toId: string,
  ): Promise<boolean> {
    const moved = await this.redis.eval(
      "if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3]) return 1 end return 0",
      1,
      this.copyNameKey(accountUin, region, name),
      fromId,
      toId,
      RETENTION_SECONDS,
    );
    return moved === 1;
  }

  async get(id: string): Promise<ReplicationRequest | undefined> {
    const raw = await this.redis.get(this.key(id));
    return raw === null ? undefined : decode(raw);
  }

  async listRecent(limit: number): Promise<ReplicationRequest[]> {
    const ids = await this.redis.zrevrange(this.indexKey, 0, Math.max(0, limit - 1));
    if (ids.length === 0) return [];
    const raws = await this.redis.mget(...ids.map((id) => this.key(id)));
    return raws.flatMap((raw) => (raw === null ? [] : [decode(raw)]));
  }

  async transition(
    id: string,
    from: readonly RequestState[],
    to: RequestState,
    patch: Partial<ReplicationRequest> = {},
    note: AuditNote = {},
  ): Promise<TransitionResult> {
    return this.compareAndSet(id, from, to, patch, note);
  }

  async update(
    id: string,
    patch: Partial<Omit<ReplicationRequest, "state">>,
  ): Promise<ReplicationRequest | undefined> {
    const result = await this.compareAndSet(id, REQUEST_STATES, "", patch, {});
    return result.ok ? result.request : undefined;
  }

  async recordApproval(id: string, approval: Decision, required: number): Promise<ApprovalResult> {
    const reply = (await this.redis.eval(
      APPROVE_SCRIPT,
      2,
      this.key(id),
      this.auditKey,
      approval.userId,
      approval.at,
      required,
      approval.at,
    )) as [string, string?];
    const [status, raw] = reply;
    if (status === "not_found" || raw === undefined) return { kind: "not_found" };
    const request = decode(raw);
    switch (status) {
      case "approved":
        return { kind: "approved", request };
      case "recorded":
        return { kind: "recorded", request, count: request.approvals.length, required };
      case "duplicate":
        return { kind: "duplicate", request };
      case "expired":
        return { kind: "expired", request };
      default:
        return { kind: "wrong_state", request };
    }
  }

  private async compareAndSet(
    id: string,
    from: readonly RequestState[],
    to: RequestState | "",
    patch: Partial<ReplicationRequest>,
    note: AuditNote,
  ): Promise<TransitionResult> {
    const at = new Date().toISOString();
    const stamped = { ...patch, updatedAt: at };
    const reply = (await this.redis.eval(
      TRANSITION_SCRIPT,
      2,
      this.key(id),
      this.auditKey,
      JSON.stringify(from),
      to,
      JSON.stringify(stamped),
      at,
      note.userId ?? "",
      note.detail ?? "",
    )) as [string, string?];
    const [status, raw] = reply;
    if (status === "not_found") return { ok: false, reason: "not_found" };
    const request = decode(raw ?? "{}");
    if (status === "wrong_state") return { ok: false, reason: "wrong_state", request };
    return { ok: true, request };
  }
}
