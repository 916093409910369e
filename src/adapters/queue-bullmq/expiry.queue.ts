import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { z } from "zod";
import type { BotConfig } from "../../config/load-config.js";
import type { ExpiryScheduler } from "../../core/ports/expiry.port.js";
import { expiryJob } from "./job-types.js";

type ExpiryJob = z.output<typeof expiryJob.schema>;

/** One delayed job per pending request (job id `expire-<request id>`): scheduling twice is harmless. */
export class BullmqExpiryScheduler implements ExpiryScheduler {
  readonly queue: Queue<ExpiryJob>;

  constructor(
    private readonly options: {
      connection: Redis;
      prefix: string;
      config: Readonly<BotConfig>;
      /** Redis connection errors (ioredis reconnects by itself). @defaultValue ignored */
      onError?: (err: Error) => void;
    },
  ) {
    this.queue = new Queue<ExpiryJob>(expiryJob.queue, {
      connection: options.connection,
      prefix: options.prefix,
      streams: { events: { maxLen: 1000 } },
    });
    this.queue.on("error", options.onError ?? (() => undefined));
  }

  async scheduleExpiry(requestId: string, at: Date): Promise<void> {
    await this.queue.add(
      expiryJob.name,
      { requestId },
      {
        ...expiryJob.jobOptions(this.options.config),
        jobId: `expire-${requestId}`,
        delay: Math.max(0, at.getTime() - Date.now()),
      },
    );
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}
