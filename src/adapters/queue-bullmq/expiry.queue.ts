import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { z } from "zod";
import { REQUEST_ID } from "../../core/ids.js";
import type { ExpiryScheduler } from "../../core/ports/expiry.port.js";

/** A queue of its own, so expiry jobs never wait behind copies (and vice versa). */
export const EXPIRY_QUEUE = "expiry";

export const expiryJobSchema = z.object({ requestId: z.string().regex(REQUEST_ID) });
export type ExpiryJob = z.output<typeof expiryJobSchema>;

/** One delayed job per pending request (job id `expire-<request id>`): scheduling twice is harmless. */
export class BullmqExpiryScheduler implements ExpiryScheduler {
  readonly queue: Queue<ExpiryJob>;

  constructor(options: { connection: Redis; prefix: string }) {
    this.queue = new Queue<ExpiryJob>(EXPIRY_QUEUE, {
      connection: options.connection,
      prefix: options.prefix,
      streams: { events: { maxLen: 1000 } },
    });
  }

  async scheduleExpiry(requestId: string, at: Date): Promise<void> {
    await this.queue.add(
      "expire",
      { requestId },
      {
        jobId: `expire-${requestId}`,
        delay: Math.max(0, at.getTime() - Date.now()),
        attempts: 5,
        backoff: { type: "exponential", delay: 1000 },
        removeOnComplete: { age: 24 * 3600 },
        removeOnFail: { age: 7 * 24 * 3600 },
      },
    );
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}
