import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { z } from "zod";
import type { BotConfig } from "../../config/load-config.js";
import type { JobQueue } from "../../core/ports/job-queue.port.js";
import { NEW_JOB_PRIORITY } from "./job-processor.js";
import { replicationStepJob } from "./job-types.js";

type ReplicationJob = z.output<typeof replicationStepJob.schema>;

export interface ReplicationQueueOptions {
  connection: Redis;
  prefix: string;
  config: Readonly<BotConfig>;
  /** Redis connection errors (ioredis reconnects by itself). @defaultValue ignored */
  onError?: (err: Error) => void;
}

/** Producer side: approved requests become jobs whose id is the request id (one job per request). */
export class BullmqJobQueue implements JobQueue {
  readonly queue: Queue<ReplicationJob>;

  constructor(private readonly options: ReplicationQueueOptions) {
    this.queue = new Queue<ReplicationJob>(replicationStepJob.queue, {
      connection: options.connection,
      prefix: options.prefix,
      streams: { events: { maxLen: 10_000 } },
    });
    this.queue.on("error", options.onError ?? (() => undefined));
  }

  async enqueueRequest(requestId: string): Promise<void> {
    await this.queue.add(
      replicationStepJob.name,
      { requestId },
      // New requests queue behind the ones already started (NEW_JOB_PRIORITY, job-processor.ts).
      { ...replicationStepJob.jobOptions(this.options.config), jobId: requestId, priority: NEW_JOB_PRIORITY },
    );
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}
