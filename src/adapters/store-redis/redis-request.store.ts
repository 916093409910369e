import { createHash } from "node:crypto";
import type { Redis } from "ioredis";
import type {
  ApprovalResult,
  NameReservation,
  RequestStore,
  Transition,
  TransitionResult,
} from "../../core/ports/request-store.port.js";
import { OPEN_STATES, type RequestState, statesLeadingTo } from "../../core/request/lifecycle.js";
import type { Decision, Request, RequestPatch } from "../../core/request/request.js";
import { auditStreamKey } from "./audit.store.js";
import { StoreError } from "./errors.js";
import { UNSENT_TTL_MS, unsentIndexKey } from "./outbox.store.js";
import { decodeRecord, encodeRecord, isCurrent, RECORD_VERSION, upgradeV1Record } from "./stored-request.js";

/**
 * A state change of a request with a card marks itself "unsent" in the same script (KEYS[3], the
 * outbox's `due` index, and one key per change beside it): the messages that change causes are
 * written to the outbox right after, and a change whose messages never were (the process died
 * in between) is found by the delivery round and told from its marker (docs/decisions/029).
 */
const UNSENT_HELPER = `
local function unsent(event, request, encoded)
  if type(request.card) ~= 'table' then return end
  local t = redis.call('TIME')
  local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  local member = request.id .. '|' .. tostring(request.updatedAt)
  redis.call('SET', KEYS[3] .. ':' .. member, event .. '\\n' .. encoded, 'PX', ${UNSENT_TTL_MS})
  redis.call('ZADD', KEYS[3], now, member)
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - ${UNSENT_TTL_MS})
end
`;

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
${UNSENT_HELPER}
`;

/**
 * ARGV: allowed states (JSON), expected step ('' = any), new state ('' = keep), new step, patch
 * (JSON), at, audit userId, audit detail. A record in the first version's shape is handed back
 * ('upgrade') to be rewritten first. The audit event is the state entered, or the step while running.
 */
const TRANSITION_SCRIPT = `${AUDIT_HELPER}
local raw = redis.call('GET', KEYS[1])
if not raw then return {'not_found'} end
local request = cjson.decode(raw)
if request.v ~= ${RECORD_VERSION} then return {'upgrade', raw} end
local allowed = cjson.decode(ARGV[1])
local ok = false
for _, s in ipairs(allowed) do if request.state == s then ok = true end end
if ok and ARGV[2] ~= '' and request.step ~= ARGV[2] then ok = false end
if not ok then return {'wrong_state', raw} end
local fromState = request.state
local fromStep = request.step
local patch = cjson.decode(ARGV[5])
for k, v in pairs(patch) do request[k] = v end
if ARGV[3] ~= '' then
  request.state = ARGV[3]
  if ARGV[3] == 'running' and ARGV[4] ~= '' then request.step = ARGV[4] else request.step = nil end
end
local encoded = cjson.encode(request)
redis.call('SET', KEYS[1], encoded, 'KEEPTTL')
if request.state ~= fromState or request.step ~= fromStep then
  local event = request.state
  if request.state == 'running' and request.step then event = request.step end
  local from = fromState
  if fromState == 'running' and fromStep then from = fromStep end
  record(event, request.id, ARGV[6], from, ARGV[7], ARGV[8])
  unsent(event, request, encoded)
end
return {'ok', encoded}
`;

/** Rewrites a record in today's shape, only if nobody changed it meanwhile. ARGV: old JSON, new JSON. */
const UPGRADE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL') return 1 end
return 0
`;

/** ARGV: userId, at (ISO, the bot's clock: also "now" for the expiry check), required. */
const APPROVE_SCRIPT = `${AUDIT_HELPER}
local raw = redis.call('GET', KEYS[1])
if not raw then return {'not_found'} end
local request = cjson.decode(raw)
if request.v ~= ${RECORD_VERSION} then return {'upgrade', raw} end
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
  unsent('approved', request, encoded)
  return {'approved', encoded}
end
local encoded = cjson.encode(request)
redis.call('SET', KEYS[1], encoded, 'KEEPTTL')
record('approval_recorded', request.id, ARGV[2], '', ARGV[1], detail)
unsent('approval_recorded', request, encoded)
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

/** Finished requests are kept for a while for `/snapshot status`, then Redis forgets them. */
const RETENTION_SECONDS = 90 * 24 * 3600;

export class RedisRequestStore implements RequestStore {
  private readonly auditKey: string;
  private readonly indexKey: string;
  private readonly unsentKey: string;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {
    this.auditKey = auditStreamKey(prefix);
    this.indexKey = `${prefix}:requests`;
    this.unsentKey = unsentIndexKey(prefix);
  }

  private key(id: string): string {
    return `${this.prefix}:request:${id}`;
  }

  async create(request: Request): Promise<void> {
    const createdMs = Date.parse(request.createdAt) || Date.now();
    const created = await this.redis.eval(
      CREATE_SCRIPT,
      3,
      this.key(request.id),
      this.auditKey,
      this.indexKey,
      encodeRecord(request),
      request.id,
      RETENTION_SECONDS,
      createdMs,
      Date.now() - RETENTION_SECONDS * 1000,
      request.createdAt,
      request.requestedBy,
    );
    if (created !== 1) throw new StoreError("store.duplicate_id", `request ${request.id} already exists`);
  }

  private nameKey(scope: string, name: string): string {
    return `${this.prefix}:copy-name:${scope}:${createHash("sha256").update(name).digest("hex")}`;
  }

  async reserveName(scope: string, name: string, requestId: string): Promise<NameReservation> {
    const key = this.nameKey(scope, name);
    if ((await this.redis.set(key, requestId, "EX", RETENTION_SECONDS, "NX")) === "OK") return { ok: true };
    const [holder, ttl] = await Promise.all([this.redis.get(key), this.redis.ttl(key)]);
    if (holder === null || holder === requestId) return { ok: true };
    // Reservations are made with the full retention: what is left of it says how old this one is.
    return { ok: false, holder, ageMs: Math.max(0, RETENTION_SECONDS - Math.max(0, ttl)) * 1000 };
  }

  async nextNameNumber(scope: string, name: string): Promise<number> {
    const n = await this.redis.eval(
      "local n = redis.call('INCR', KEYS[1]) redis.call('EXPIRE', KEYS[1], ARGV[1]) return n",
      1,
      `${this.prefix}:copy-name-seq:${scope}:${createHash("sha256").update(name).digest("hex")}`,
      RETENTION_SECONDS,
    );
    return Number(n);
  }

  async releaseName(scope: string, name: string, holder: string): Promise<boolean> {
    const released = await this.redis.eval(
      "if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) return 1 end return 0",
      1,
      this.nameKey(scope, name),
      holder,
    );
    return released === 1;
  }

  async takeOverName(scope: string, name: string, fromId: string, toId: string): Promise<boolean> {
    const moved = await this.redis.eval(
      "if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3]) return 1 end return 0",
      1,
      this.nameKey(scope, name),
      fromId,
      toId,
      RETENTION_SECONDS,
    );
    return moved === 1;
  }

  async get(id: string): Promise<Request | undefined> {
    const raw = await this.redis.get(this.key(id));
    return raw === null ? undefined : decodeRecord(raw);
  }

  async listRecent(limit: number): Promise<Request[]> {
    const ids = await this.redis.zrevrange(this.indexKey, 0, Math.max(0, limit - 1));
    if (ids.length === 0) return [];
    const raws = await this.redis.mget(...ids.map((id) => this.key(id)));
    return raws.flatMap((raw) => (raw === null ? [] : [decodeRecord(raw)]));
  }

  async transition(id: string, change: Transition): Promise<TransitionResult> {
    const allowed = statesLeadingTo(change.to);
    if (change.from && !allowed.includes(change.from.state)) {
      throw new StoreError(
        "store.invalid_transition",
        `the lifecycle has no move from ${change.from.state} to ${change.to}`,
      );
    }
    if (change.to === "running" && !change.step) {
      throw new StoreError("store.invalid_transition", "a running request needs its step");
    }
    return this.compareAndSet(
      id,
      change.from ? [change.from.state] : allowed,
      change.from?.step ?? "",
      change.to,
      change.step ?? "",
      change.patch ?? {},
      change.note ?? {},
    );
  }

  async update(
    id: string,
    patch: RequestPatch,
    expect?: { state: RequestState; step?: string },
  ): Promise<Request | undefined> {
    const from = expect ? OPEN_STATES.filter((s) => s === expect.state) : OPEN_STATES;
    const result = await this.compareAndSet(id, from, expect?.step ?? "", "", "", patch, {});
    return result.ok ? result.request : undefined;
  }

  async recordApproval(id: string, approval: Decision, required: number): Promise<ApprovalResult> {
    const reply = (await this.redis.eval(
      APPROVE_SCRIPT,
      3,
      this.key(id),
      this.auditKey,
      this.unsentKey,
      approval.userId,
      approval.at,
      required,
      approval.at,
    )) as [string, string?];
    const [status, raw] = reply;
    if (status === "not_found" || raw === undefined) return { kind: "not_found" };
    if (status === "upgrade") {
      await this.upgrade(id, raw);
      return this.recordApproval(id, approval, required);
    }
    const request = decodeRecord(raw);
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
    fromStep: string,
    to: RequestState | "",
    step: string,
    patch: RequestPatch,
    note: { userId?: string; detail?: string },
  ): Promise<TransitionResult> {
    const at = new Date().toISOString();
    const stamped = { ...patch, updatedAt: at };
    const reply = (await this.redis.eval(
      TRANSITION_SCRIPT,
      3,
      this.key(id),
      this.auditKey,
      this.unsentKey,
      JSON.stringify(from),
      fromStep,
      to,
      step,
      JSON.stringify(stamped),
      at,
      note.userId ?? "",
      note.detail ?? "",
    )) as [string, string?];
    const [status, raw] = reply;
    if (status === "not_found") return { ok: false, reason: "not_found" };
    if (status === "upgrade") {
      await this.upgrade(id, raw ?? "{}");
      return this.compareAndSet(id, from, fromStep, to, step, patch, note);
    }
    const request = decodeRecord(raw ?? "{}");
    if (status === "wrong_state") return { ok: false, reason: "wrong_state", request };
    return { ok: true, request };
  }

  /** Rewrites a first-version record in today's shape (a no-op when another caller did it first). */
  private async upgrade(id: string, raw: string): Promise<void> {
    const value: unknown = JSON.parse(raw);
    if (isCurrent(value)) return;
    await this.redis.eval(UPGRADE_SCRIPT, 1, this.key(id), raw, JSON.stringify(upgradeV1Record(value)));
  }
}
