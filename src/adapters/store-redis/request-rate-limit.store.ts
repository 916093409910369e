import type { Redis } from "ioredis";
import type { Clock } from "../../core/ports/clock.port.js";
import type { RateLimitAnswer, RequestRateLimiter } from "../../core/ports/request-rate-limit.port.js";

/**
 * A sliding window per user: one sorted set `<prefix>:ratelimit:<user>` of request times, trimmed,
 * counted and added to in one Lua call, so every app process shares it and two at once cannot both
 * take the last slot. Returns the count before adding; the request was added only if under `limit`.
 */
const TAKE = `
local key = KEYS[1]
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
local count = redis.call('ZCARD', key)
if count < limit then
  redis.call('ZADD', key, now, ARGV[4])
end
redis.call('PEXPIRE', key, window)
return count
`;

export interface RequestRateLimitOptions {
  perUser: number;
  windowMs: number;
  clock: Clock;
}

export class RedisRequestRateLimiter implements RequestRateLimiter {
  private sequence = 0;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly options: RequestRateLimitOptions,
  ) {}

  async take(userId: string): Promise<RateLimitAnswer> {
    const { perUser, windowMs, clock } = this.options;
    const now = clock.now().getTime();
    // Unique per request even within one millisecond and across processes.
    this.sequence = (this.sequence + 1) % 1_000_000;
    const member = `${now}:${process.pid}:${this.sequence}:${Math.random().toString(36).slice(2, 8)}`;
    const count = Number(
      await this.redis.eval(
        TAKE,
        1,
        `${this.prefix}:ratelimit:${userId}`,
        String(now),
        String(windowMs),
        String(perUser),
        member,
      ),
    );
    return count < perUser ? { allowed: true } : { allowed: false, count, windowMs };
  }
}
