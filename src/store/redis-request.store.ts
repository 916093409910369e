import type { Redis } from "ioredis";
import { z } from "zod";
import type { RequestStore, TransitionResult } from "../domain/ports/request-store.port.js";
import { REQUEST_STATES, type ReplicationRequest, type RequestState } from "../domain/request.js";

/**
 * Requests as JSON strings, one key each. State changes run as a Lua compare-and-set so that two
 * approvers clicking at once, or a retried delivery, can never both move a request.
 */
const TRANSITION_SCRIPT = `
local raw = redis.call('GET', KEYS[1])
if not raw then return {'not_found'} end
local request = cjson.decode(raw)
local allowed = cjson.decode(ARGV[1])
local ok = false
for _, s in ipairs(allowed) do if request.state == s then ok = true end end
if not ok then return {'wrong_state', raw} end
local patch = cjson.decode(ARGV[3])
for k, v in pairs(patch) do request[k] = v end
if ARGV[2] ~= '' then request.state = ARGV[2] end
local encoded = cjson.encode(request)
redis.call('SET', KEYS[1], encoded, 'KEEPTTL')
return {'ok', encoded}
`;

// Lua's cjson turns an empty JSON array into an empty object; the schema restores arrays.
const emptyObjectAsArray = z.preprocess(
  (v) => (v && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length === 0 ? [] : v),
  z.array(z.object({ userId: z.string(), at: z.string(), reason: z.string().optional() })),
);

const storedRequestSchema = z
  .object({
    id: z.string(),
    state: z.enum(REQUEST_STATES),
    approvals: emptyObjectAsArray,
  })
  .passthrough();

function decode(raw: string): ReplicationRequest {
  const parsed = storedRequestSchema.parse(JSON.parse(raw));
  return parsed as unknown as ReplicationRequest;
}

/** Finished requests are kept for a while for `/snapshot status`, then Redis forgets them. */
const RETENTION_SECONDS = 90 * 24 * 3600;

export class RedisRequestStore implements RequestStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(id: string): string {
    return `${this.prefix}:request:${id}`;
  }

  async create(request: ReplicationRequest): Promise<void> {
    const created = await this.redis.set(
      this.key(request.id),
      JSON.stringify(request),
      "EX",
      RETENTION_SECONDS,
      "NX",
    );
    if (created !== "OK") throw new Error(`store.duplicate_id: request ${request.id} already exists`);
  }

  async get(id: string): Promise<ReplicationRequest | undefined> {
    const raw = await this.redis.get(this.key(id));
    return raw === null ? undefined : decode(raw);
  }

  async transition(
    id: string,
    from: readonly RequestState[],
    to: RequestState,
    patch: Partial<ReplicationRequest> = {},
  ): Promise<TransitionResult> {
    return this.compareAndSet(id, from, to, patch);
  }

  async update(
    id: string,
    patch: Partial<Omit<ReplicationRequest, "state">>,
  ): Promise<ReplicationRequest | undefined> {
    const result = await this.compareAndSet(id, REQUEST_STATES, "", patch);
    return result.ok ? result.request : undefined;
  }

  private async compareAndSet(
    id: string,
    from: readonly RequestState[],
    to: RequestState | "",
    patch: Partial<ReplicationRequest>,
  ): Promise<TransitionResult> {
    const stamped = { ...patch, updatedAt: new Date().toISOString() };
    const reply = (await this.redis.eval(
      TRANSITION_SCRIPT,
      1,
      this.key(id),
      JSON.stringify(from),
      to,
      JSON.stringify(stamped),
    )) as [string, string?];
    const [status, raw] = reply;
    if (status === "not_found") return { ok: false, reason: "not_found" };
    const request = decode(raw ?? "{}");
    if (status === "wrong_state") return { ok: false, reason: "wrong_state", request };
    return { ok: true, request };
  }
}
