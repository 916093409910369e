import type { Redis } from "ioredis";

/** Paces cloud calls so that every worker together stays under Tencent's per-action limits. */
export interface CallRateLimiter {
  /** Resolves when a call of `action` by `account` may go out (it is counted from then on). */
  acquire(account: string, action: string): Promise<void>;
  /** Tencent answered `RequestLimitExceeded`: hold every caller of this action back for `ms`. */
  backOff(account: string, action: string, ms: number): Promise<void>;
}

/**
 * Two steps per call, both on Redis's clock so that every worker shares them (docs/decisions/008):
 *
 * 1. A place in line: evenly spaced slots per (account, action), `window / limit` ms apart (a
 *    reservation form of GCRA). It spreads a burst out and keeps callers in order, so that the
 *    second step is asked about once per call, not by every waiting caller at once.
 * 2. The window itself, as Tencent counts it: a log of the calls actually sent (a sorted set of
 *    send times). A call goes out only while fewer than `limit` were sent in the last `window` ms;
 *    otherwise it is told when the oldest of them leaves the window. A caller whose timer fired
 *    late (a busy event loop) is counted when it really leaves, so late and punctual calls can
 *    never bunch into one of Tencent's seconds. A back-off holds both steps.
 */
const RESERVE_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local interval = tonumber(ARGV[1])
local slot = tonumber(redis.call('GET', KEYS[1]) or '0')
if slot < now then slot = now end
local blocked = redis.call('PTTL', KEYS[2])
if blocked > 0 and slot < now + blocked then slot = now + blocked end
redis.call('SET', KEYS[1], string.format('%.3f', slot + interval), 'PX', math.floor(slot - now + interval + 60000))
return math.ceil(slot - now)
`;

/** Returns 0 when the call was counted (it may go now), else how many ms to wait before asking again. */
const SEND_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local blocked = redis.call('PTTL', KEYS[2])
if blocked > 0 then return blocked end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local sent = redis.call('ZCARD', KEYS[1])
if sent >= limit then
  local oldest = redis.call('ZRANGE', KEYS[1], sent - limit, sent - limit, 'WITHSCORES')
  return math.max(1, tonumber(oldest[2]) + window - now + 1)
end
redis.call('ZADD', KEYS[1], now, ARGV[3])
redis.call('PEXPIRE', KEYS[1], window + 1000)
return 0
`;

export interface RedisCallRateLimiterOptions {
  redis: Redis;
  /** Key prefix (the bot's `redisPrefix`). */
  prefix: string;
  /** Calls per second per action per account. @defaultValue 20 */
  perSecond?: number;
  /** Limits that replace `perSecond` for some actions. @defaultValue `{ ListAttachedUserAllPolicies: 5 }` */
  perSecondByAction?: Readonly<Record<string, number>>;
  /**
   * The window is 1000 + marginMs: a call reaches Tencent a little after it was counted here, and
   * the difference varies by a few ms from call to call; the margin absorbs that variation (not the
   * latency itself). At 25 ms, 20 calls take 1.025 s: 19.5 calls/s. @defaultValue 25
   */
  marginMs?: number;
}

let sequence = 0;

export class RedisCallRateLimiter implements CallRateLimiter {
  private readonly perSecond: number;
  private readonly byAction: Readonly<Record<string, number>>;
  private readonly windowMs: number;
  private readonly self = `${process.pid}-${Math.random().toString(36).slice(2, 10)}`;

  constructor(private readonly options: RedisCallRateLimiterOptions) {
    this.perSecond = options.perSecond ?? 20;
    this.byAction = options.perSecondByAction ?? { ListAttachedUserAllPolicies: 5 };
    this.windowMs = 1000 + (options.marginMs ?? 25);
  }

  limitFor(action: string): number {
    return this.byAction[action] ?? this.perSecond;
  }

  async acquire(account: string, action: string): Promise<void> {
    const [slotKey, blockKey, sentKey] = this.keys(account, action);
    const limit = this.limitFor(action);
    const intervalMs = this.windowMs / limit;
    const place = Number(
      await this.options.redis.eval(RESERVE_SCRIPT, 2, slotKey, blockKey, String(intervalMs)),
    );
    if (place > 0) await sleep(place);
    const callId = `${this.self}-${++sequence}`;
    for (;;) {
      const waitMs = Number(
        await this.options.redis.eval(
          SEND_SCRIPT,
          2,
          sentKey,
          blockKey,
          String(limit),
          String(this.windowMs),
          callId,
        ),
      );
      if (!(waitMs > 0)) return;
      await sleep(waitMs);
    }
  }

  async backOff(account: string, action: string, ms: number): Promise<void> {
    const [, blockKey] = this.keys(account, action);
    await this.options.redis.set(blockKey, "1", "PX", Math.max(1, Math.round(ms)));
  }

  private keys(account: string, action: string): [string, string, string] {
    const base = `${this.options.prefix}:cloud-rate:${account}:${action}`;
    return [base, `${base}:blocked`, `${base}:sent`];
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
