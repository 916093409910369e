import { DelayedError, type Job, UnrecoverableError, Worker } from "bullmq";
import type { Redis } from "ioredis";
import { CloudError } from "../domain/ports/cloud-api.port.js";
import type { Logger } from "../domain/ports/logger.port.js";
import type { FlowDeps } from "../flows/flow-deps.js";
import { failReplication, runReplicationStep } from "../flows/run-replication.flow.js";
import { REPLICATION_QUEUE, type ReplicationJob, replicationJobSchema } from "./replication-job.schema.js";

export interface ReplicationWorkerOptions {
  connection: Redis;
  prefix: string;
  concurrency: number;
  deps: FlowDeps;
  logger: Logger;
}

/**
 * Consumer side: each run of a job executes the request's next steps; waiting for a copy moves
 * the job back to delayed (BullMQ step-job pattern) instead of sleeping in a worker slot.
 */
export function startReplicationWorker(options: ReplicationWorkerOptions): Worker<ReplicationJob> {
  const { deps, logger } = options;
  const worker = new Worker<ReplicationJob>(
    REPLICATION_QUEUE,
    async (job: Job<ReplicationJob>, token?: string) => {
      const parsed = replicationJobSchema.safeParse(job.data);
      if (!parsed.success)
        throw new UnrecoverableError(`queue.invalid_job: job ${job.id} has no valid requestId`);
      const { requestId } = parsed.data;
      try {
        const outcome = await runReplicationStep(deps, requestId);
        if (outcome.kind === "wait") {
          await job.moveToDelayed(Date.now() + outcome.delayMs, token);
          throw new DelayedError();
        }
        return outcome.state;
      } catch (err) {
        if (err instanceof DelayedError) throw err;
        const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
        const retryable = err instanceof CloudError ? err.retryable : false;
        if (retryable && !lastAttempt) {
          logger.warn({ requestId, err, attempt: job.attemptsMade + 1 }, "transient failure; will retry");
          throw err;
        }
        await failReplication(deps, requestId, {
          code: err instanceof CloudError ? err.code : "worker.unexpected_error",
          message: retryable
            ? `Tencent Cloud kept failing after ${job.attemptsMade + 1} attempts: ${(err as Error).message}`
            : (err as Error).message,
          ...(err instanceof CloudError && err.requestId ? { cloudRequestId: err.requestId } : {}),
        });
        throw new UnrecoverableError((err as Error).message);
      }
    },
    { connection: options.connection, prefix: options.prefix, concurrency: options.concurrency },
  );
  worker.on("error", (err) => logger.error({ err }, "worker error"));
  return worker;
}
