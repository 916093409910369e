import type { Redis } from "ioredis";

/** Paces cloud calls so that every worker together stays under Tencent's per-action limits. */
export interface CallRateLimiter {
  /**
   * Resolves when a call of `action` by `account` may go out (it is counted from then on). Call
   * the permit's `finished` when the answer came back: the call then counts from its answer.
   */
  acquire(account: string, action: string): Promise<CallPermit>;
  /** Tencent answered `RequestLimitExceeded`: hold every caller of this action back for `ms`. */
  backOff(account: string, action: string, ms: number): Promise<void>;
}

export interface CallPermit {
  /** The call was answered (or failed): never throws, need not be awaited. */
  finished(): Promise<void>;
}

/**
 * Two steps per call, both on Redis's clock so that every worker shares them (docs/decisions/008):
 *
 * 1. A place in line: evenly spaced slots per (account, action), `window / limit` ms apart (a
 *    reservation form of GCRA). It spreads a burst out and keeps callers in order, so that the
 *    second step is asked about once per call, not by every waiting caller at once.
 * 2. The window itself, as Tencent counts it (N calls in any sliding 1000 ms): a log of the calls
 *    sent (a sorted set). A call goes out only while fewer than `limit` calls count in the last
 *    `window` ms, otherwise it is told when the oldest leaves the window. A call counts from the
 *    latest time it can have reached Tencent: its answer (`CallPermit.finished`); until then,
 *    from `inFlightMs` after it was let go. So a call sent late by a busy event loop, or a varying
 *    latency, can never put `limit + 1` calls into one of Tencent's seconds. The price: each call
 *    holds its place for 1000 ms plus its latency (at 5 ms, 19.8 calls/s; at 50 ms, 19). A back-off
 *    holds both steps.
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

/**
 * Returns 0 when the call was counted (it may go now), else how many ms to wait before asking
 * again. An entry's score is the latest time it may have reached Tencent: `now + inFlight` while
 * in flight, lowered to its answer's time by FINISHED_SCRIPT.
 */
const SEND_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local inflight = tonumber(ARGV[4])
local blocked = redis.call('PTTL', KEYS[2])
if blocked > 0 then return blocked end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local counted = redis.call('ZCARD', KEYS[1])
if counted >= limit then
  local oldest = redis.call('ZRANGE', KEYS[1], counted - limit, counted - limit, 'WITHSCORES')
  return math.max(1, tonumber(oldest[2]) + window - now)
end
redis.call('ZADD', KEYS[1], now + inflight, ARGV[3])
redis.call('PEXPIRE', KEYS[1], window + inflight + 1000)
return 0
`;

/**
 * The call was answered: it surely reached Tencent before now, so it counts from now — earlier than
 * its in-flight bound for a quick answer, later for a call that a busy event loop sent late.
 */
const FINISHED_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], 'XX', now, ARGV[1])
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
   * The window is 1000 + marginMs: Tencent's second, and rounding to whole ms on two clocks.
   * @defaultValue 2
   */
  marginMs?: number;
  /**
   * Until its answer, a call counts as reaching Tencent this long after it was let go: what the
   * next calls go by while it is still in flight (a call answered within a second is counted from
   * its answer anyway). @defaultValue 50
   */
  inFlightMs?: number;
}

let sequence = 0;

export class RedisCallRateLimiter implements CallRateLimiter {
  private readonly perSecond: number;
  private readonly byAction: Readonly<Record<string, number>>;
  private readonly windowMs: number;
  private readonly inFlightMs: number;
  private readonly self = `${process.pid}-${Math.random().toString(36).slice(2, 10)}`;

  constructor(private readonly options: RedisCallRateLimiterOptions) {
    this.perSecond = options.perSecond ?? 20;
    this.byAction = options.perSecondByAction ?? { ListAttachedUserAllPolicies: 5 };
    this.windowMs = 1000 + (options.marginMs ?? 2);
    this.inFlightMs = options.inFlightMs ?? 50;
  }

  limitFor(action: string): number {
    return this.byAction[action] ?? this.perSecond;
  }

  async acquire(account: string, action: string): Promise<CallPermit> {
    const [slotKey, blockKey, sentKey] = this.keys(account, action);
    const limit = this.limitFor(action);
    // Spaced for the window plus a typical answer: the line rarely runs ahead of the window.
    const intervalMs = (this.windowMs + 5) / limit;
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
          String(this.inFlightMs),
        ),
      );
      if (!(waitMs > 0)) break;
      await sleep(waitMs);
    }
    const redis = this.options.redis;
    return {
      // Lowering the entry only ever lets the next call go sooner; if it is lost, the call simply
      // counts until its in-flight bound.
      finished: () =>
        redis.eval(FINISHED_SCRIPT, 1, sentKey, callId).then(
          () => undefined,
          () => undefined,
        ),
    };
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
