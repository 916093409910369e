import type { Redis } from "ioredis";
import type {
  CallPacer,
  Outbox,
  OutboxEntry,
  PostingMark,
  UnsentChange,
} from "../../core/ports/outbox.port.js";
import { decodeRecord } from "./stored-request.js";

/** How long a state change's "unsent" marker is kept when no delivery round settles it. */
export const UNSENT_TTL_MS = 24 * 3600 * 1000;

/** The index of "unsent" markers the request store writes with each state change (docs/decisions/029). */
export const unsentIndexKey = (prefix: string) => `${prefix}:outbox:due`;

/**
 * Markers older than ARGV[1] ms by Redis's clock, at most ARGV[2]: {member, value} pairs (value
 * false when the marker's own key expired). KEYS[1] the index.
 */
const DUE_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local members = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[1]), 'LIMIT', 0, tonumber(ARGV[2]))
local out = {}
for _, m in ipairs(members) do
  table.insert(out, m)
  table.insert(out, redis.call('GET', KEYS[1] .. ':' .. m))
end
return out
`;

/** Delivered keys are remembered this long, so a late re-append of the same event is ignored. */
const DONE_TTL_MS = 7 * 24 * 3600 * 1000;

/**
 * KEYS: entries (hash key → JSON), order (list of keys), done (set), pending (zset of scopes).
 * ARGV: key, JSON, now, scope, done ttl.
 */
const APPEND_SCRIPT = `
if redis.call('SISMEMBER', KEYS[3], ARGV[1]) == 1 then return 0 end
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 0 then return 0 end
redis.call('RPUSH', KEYS[2], ARGV[1])
redis.call('ZADD', KEYS[4], 'NX', ARGV[3], ARGV[4])
return 1
`;

/** KEYS: entries, order, done, pending, posting. ARGV: scope, done ttl, keys… */
const COMPLETE_SCRIPT = `
for i = 3, #ARGV do
  redis.call('HDEL', KEYS[1], ARGV[i])
  redis.call('LREM', KEYS[2], 0, ARGV[i])
  redis.call('SADD', KEYS[3], ARGV[i])
end
if #ARGV >= 3 then redis.call('PEXPIRE', KEYS[3], ARGV[2]) end
redis.call('DEL', KEYS[5])
if redis.call('LLEN', KEYS[2]) == 0 then
  redis.call('ZREM', KEYS[4], ARGV[1])
  redis.call('DEL', KEYS[1])
end
return 1
`;

const RELEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/**
 * The outbox in Redis under `<prefix>:outbox:<scope>:*`, with one sorted set of scopes waiting
 * (`<prefix>:outbox:pending`, scored by when they started waiting). Entries survive any restart;
 * each script keeps an entry's three keys consistent.
 */
export class RedisOutbox implements Outbox {
  private readonly pendingKey: string;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {
    this.pendingKey = `${prefix}:outbox:pending`;
  }

  private keys(scope: string) {
    const base = `${this.prefix}:outbox:${scope}`;
    return {
      entries: `${base}:entries`,
      order: `${base}:order`,
      done: `${base}:done`,
      posting: `${base}:posting`,
      lease: `${base}:lease`,
      value: (name: string) => `${base}:v:${name}`,
    };
  }

  async append(scope: string, entry: OutboxEntry): Promise<boolean> {
    const k = this.keys(scope);
    const added = await this.redis.eval(
      APPEND_SCRIPT,
      4,
      k.entries,
      k.order,
      k.done,
      this.pendingKey,
      entry.key,
      JSON.stringify(entry),
      String(entry.at),
      scope,
    );
    return added === 1;
  }

  async pendingScopes(limit: number): Promise<string[]> {
    return this.redis.zrange(this.pendingKey, "0", String(limit - 1));
  }

  async entries(scope: string): Promise<OutboxEntry[]> {
    const k = this.keys(scope);
    const order = await this.redis.lrange(k.order, 0, -1);
    if (order.length === 0) return [];
    const values = await this.redis.hmget(k.entries, ...order);
    const out: OutboxEntry[] = [];
    for (const value of values) {
      if (value === null) continue;
      try {
        out.push(JSON.parse(value) as OutboxEntry);
      } catch {
        // A value this code did not write is skipped, never delivered.
      }
    }
    return out;
  }

  async lease(scope: string, ms: number): Promise<string | undefined> {
    const token = `${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2, 10)}`;
    const ok = await this.redis.set(this.keys(scope).lease, token, "PX", ms, "NX");
    return ok === "OK" ? token : undefined;
  }

  async release(scope: string, token: string): Promise<void> {
    await this.redis.eval(RELEASE_SCRIPT, 1, this.keys(scope).lease, token);
  }

  async markPosting(scope: string, mark: PostingMark): Promise<void> {
    await this.redis.set(this.keys(scope).posting, JSON.stringify(mark), "PX", DONE_TTL_MS);
  }

  async posting(scope: string): Promise<PostingMark | undefined> {
    const raw = await this.redis.get(this.keys(scope).posting);
    if (!raw) return undefined;
    try {
      return JSON.parse(raw) as PostingMark;
    } catch {
      return undefined;
    }
  }

  async complete(scope: string, keys: readonly string[]): Promise<void> {
    const k = this.keys(scope);
    await this.redis.eval(
      COMPLETE_SCRIPT,
      5,
      k.entries,
      k.order,
      k.done,
      this.pendingKey,
      k.posting,
      scope,
      String(DONE_TTL_MS),
      ...keys,
    );
  }

  async dueChanges(olderThanMs: number, limit: number): Promise<UnsentChange[]> {
    const index = unsentIndexKey(this.prefix);
    const reply = (await this.redis.eval(DUE_SCRIPT, 1, index, String(olderThanMs), String(limit))) as Array<
      string | null
    >;
    const out: UnsentChange[] = [];
    for (let i = 0; i + 1 < reply.length; i += 2) {
      const marker = reply[i] as string;
      const value = reply[i + 1] ?? "";
      const cut = value.indexOf("\n");
      try {
        if (cut < 0) throw new Error("no marker value");
        out.push({ marker, event: value.slice(0, cut), request: decodeRecord(value.slice(cut + 1)) });
      } catch {
        // Expired, or not written by this code: nothing to tell from it.
        await this.settleChange(marker);
      }
    }
    return out;
  }

  async settleChange(marker: string): Promise<void> {
    const index = unsentIndexKey(this.prefix);
    await this.redis.multi().del(`${index}:${marker}`).zrem(index, marker).exec();
  }

  async knownKeys(scope: string): Promise<string[]> {
    const k = this.keys(scope);
    const [waiting, done] = await Promise.all([this.redis.hkeys(k.entries), this.redis.smembers(k.done)]);
    return [...waiting, ...done];
  }

  async getValue(scope: string, name: string): Promise<string | undefined> {
    return (await this.redis.get(this.keys(scope).value(name))) ?? undefined;
  }

  async setValue(scope: string, name: string, value: string, ttlMs: number): Promise<void> {
    await this.redis.set(this.keys(scope).value(name), value, "PX", Math.max(1, Math.ceil(ttlMs)));
  }
}

/**
 * A token bucket as GCRA on Redis's clock (`TIME` inside the script), one key per scope: every
 * process reserves from the same schedule. KEYS[1] the theoretical arrival time; ARGV: interval
 * ms, tolerance ms ((burst − 1) × interval), max wait ms, hold ms (0: a reservation).
 */
const PACE_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local hold = tonumber(ARGV[4])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
if hold > 0 then
  if tat < now + hold + tolerance then tat = now + hold + tolerance end
  redis.call('SET', KEYS[1], tostring(tat), 'PX', math.floor(tat - now + 60000))
  return 0
end
local allowed = tat - tolerance
if allowed - now > tonumber(ARGV[3]) then return -1 end
redis.call('SET', KEYS[1], tostring(tat + interval), 'PX', math.floor(tat + interval - now + 60000))
if allowed < now then return 0 end
return allowed - now
`;

export class RedisCallPacer implements CallPacer {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async reserve(
    scope: string,
    rate: { perSecond: number; burst: number },
    maxWaitMs: number,
  ): Promise<number | undefined> {
    const interval = 1000 / rate.perSecond;
    const delay = Number(
      await this.redis.eval(
        PACE_SCRIPT,
        1,
        `${this.prefix}:pace:${scope}`,
        String(interval),
        String(Math.max(0, rate.burst - 1) * interval),
        String(Math.max(0, Math.floor(maxWaitMs))),
        "0",
      ),
    );
    return delay < 0 ? undefined : delay;
  }

  async hold(scope: string, rate: { perSecond: number; burst: number }, ms: number): Promise<void> {
    const interval = 1000 / rate.perSecond;
    await this.redis.eval(
      PACE_SCRIPT,
      1,
      `${this.prefix}:pace:${scope}`,
      String(interval),
      String(Math.max(0, rate.burst - 1) * interval),
      "0",
      String(Math.max(1, Math.ceil(ms))),
    );
  }
}
