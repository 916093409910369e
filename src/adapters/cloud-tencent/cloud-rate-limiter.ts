import type { Redis } from "ioredis";

/** Paces cloud calls so that every worker together stays under Tencent's per-action limits. */
export interface CallRateLimiter {
  /** Resolves when a call of `action` by `account` may go out (it is counted from then on). */
  acquire(account: string, action: string): Promise<void>;
  /** Tencent answered `RequestLimitExceeded`: hold every caller of this action back for `ms`. */
  backOff(account: string, action: string, ms: number): Promise<void>;
}

/**
 * Evenly spaced slots per (account, action) — a reservation form of GCRA on Redis's clock, so every
 * worker shares one schedule. Each caller atomically takes the next free slot and is told how long
 * to wait for it; slots are `interval` ms apart, so no burst ever leaves at once (bursts arrive
 * bunched and would overrun Tencent's own one-second window). A back-off pushes the next slot out.
 */
const RESERVE_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local interval = tonumber(ARGV[1])
local slot = tonumber(redis.call('GET', KEYS[1]) or '0')
if slot < now then slot = now end
local blocked = redis.call('PTTL', KEYS[2])
if blocked > 0 and slot < now + blocked then slot = now + blocked end
redis.call('SET', KEYS[1], tostring(slot + interval), 'PX', math.floor(slot - now + interval + 60000))
return slot - now
`;

const MAX_LATE_RESERVATIONS = 5;

export interface RedisCallRateLimiterOptions {
  redis: Redis;
  /** Key prefix (the bot's `redisPrefix`). */
  prefix: string;
  /** Calls per second per action per account. @defaultValue 20 */
  perSecond?: number;
  /** Limits that replace `perSecond` for some actions. @defaultValue `{ ListAttachedUserAllPolicies: 5 }` */
  perSecondByAction?: Readonly<Record<string, number>>;
  /**
   * Slots are (1000 + marginMs) / limit ms apart: a call reaches Tencent a little after its slot,
   * and jitter must not squeeze 21 calls into Tencent's own second (20 calls take 1.25 s). @defaultValue 250
   */
  marginMs?: number;
}

export class RedisCallRateLimiter implements CallRateLimiter {
  private readonly perSecond: number;
  private readonly byAction: Readonly<Record<string, number>>;
  private readonly windowMs: number;

  constructor(private readonly options: RedisCallRateLimiterOptions) {
    this.perSecond = options.perSecond ?? 20;
    this.byAction = options.perSecondByAction ?? { ListAttachedUserAllPolicies: 5 };
    this.windowMs = 1000 + (options.marginMs ?? 250);
  }

  limitFor(action: string): number {
    return this.byAction[action] ?? this.perSecond;
  }

  async acquire(account: string, action: string): Promise<void> {
    const [slotKey, blockKey] = this.keys(account, action);
    const intervalMs = Math.ceil(this.windowMs / this.limitFor(action));
    for (let late = 0; ; late++) {
      const waitMs = Number(
        await this.options.redis.eval(RESERVE_SCRIPT, 2, slotKey, blockKey, String(intervalMs)),
      );
      if (!(waitMs > 0)) return;
      const dueAt = Date.now() + waitMs;
      await sleep(waitMs);
      // A busy event loop wakes timers late, and late calls leave together with the punctual
      // ones: a call more than one slot late takes a fresh slot instead (a few times at most).
      if (Date.now() - dueAt <= intervalMs || late >= MAX_LATE_RESERVATIONS) return;
    }
  }

  async backOff(account: string, action: string, ms: number): Promise<void> {
    const [, blockKey] = this.keys(account, action);
    await this.options.redis.set(blockKey, "1", "PX", Math.max(1, Math.round(ms)));
  }

  private keys(account: string, action: string): [string, string] {
    const base = `${this.options.prefix}:cloud-rate:${account}:${action}`;
    return [base, `${base}:blocked`];
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
