import type { Redis } from "ioredis";
import type { DeliveryGuard } from "../../core/ports/delivery-guard.port.js";

/** One `SET NX` per delivery under `<prefix>:delivery:<key>`, kept for `ttlMs` (an hour by default). */
export class RedisDeliveryGuard implements DeliveryGuard {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly ttlMs = 60 * 60 * 1000,
  ) {}

  async claimFirstDelivery(key: string): Promise<boolean> {
    const answer = await this.redis.set(`${this.prefix}:delivery:${key}`, "1", "PX", this.ttlMs, "NX");
    return answer === "OK";
  }
}
