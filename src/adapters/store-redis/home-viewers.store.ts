import type { Redis } from "ioredis";
import type { HomeViewers } from "../../core/ports/home-viewers.port.js";

/** Forgotten after this long without opening the Home: 30 days. */
const KEEP_MS = 30 * 24 * 3_600_000;

/** One sorted set per deployment: user id scored by when they last opened their Home. */
export class RedisHomeViewers implements HomeViewers {
  private readonly key: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.key = `${prefix}:home:viewers`;
  }

  async opened(userId: string, atMs: number): Promise<void> {
    await this.redis
      .multi()
      .zadd(this.key, atMs, userId)
      .zremrangebyscore(this.key, "-inf", atMs - KEEP_MS)
      .exec();
  }

  since(sinceMs: number): Promise<string[]> {
    return this.redis.zrangebyscore(this.key, sinceMs, "+inf");
  }
}
