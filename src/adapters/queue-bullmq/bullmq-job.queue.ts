import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { JobQueue } from "../../core/ports/job-queue.port.js";
import { REPLICATION_QUEUE, type ReplicationJob } from "./replication-job.schema.js";
import { RETRY_BACKOFF_TYPE } from "./retry-backoff.js";

export interface ReplicationQueueOptions {
  connection: Redis;
  prefix: string;
  attempts: number;
  /** Redis connection errors (ioredis reconnects by itself). @defaultValue ignored */
  onError?: (err: Error) => void;
}

/** Producer side: approved requests become jobs whose id is the request id (one job per request). */
export class BullmqJobQueue implements JobQueue {
  readonly queue: Queue<ReplicationJob>;

  constructor(private readonly options: ReplicationQueueOptions) {
    this.queue = new Queue<ReplicationJob>(REPLICATION_QUEUE, {
      connection: options.connection,
      prefix: options.prefix,
      streams: { events: { maxLen: 10_000 } },
    });
    this.queue.on("error", options.onError ?? (() => undefined));
  }

  async enqueueRequest(requestId: string): Promise<void> {
    await this.queue.add(
      "replicate",
      { requestId },
      {
        jobId: requestId,
        attempts: this.options.attempts,
        // Delays come from the worker's backoffStrategy (retry-backoff.ts, `replication.retryDelay`).
        backoff: { type: RETRY_BACKOFF_TYPE },
        removeOnComplete: { age: 7 * 24 * 3600, count: 10_000 },
        removeOnFail: { age: 30 * 24 * 3600 },
      },
    );
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}
