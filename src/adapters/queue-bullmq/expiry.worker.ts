import { type Job, UnrecoverableError, Worker } from "bullmq";
import type { Redis } from "ioredis";
import { expireRequest } from "../../app/expire-request.flow.js";
import type { FlowDeps } from "../../app/flow-deps.js";
import type { Logger } from "../../core/ports/logger.port.js";
import { EXPIRY_QUEUE, type ExpiryJob, expiryJobSchema } from "./expiry.queue.js";

/** Runs due expiry jobs: a request still pending is expired; any other is left as it is. */
export function startExpiryWorker(options: {
  connection: Redis;
  prefix: string;
  deps: FlowDeps;
  logger: Logger;
}): Worker<ExpiryJob> {
  const worker = new Worker<ExpiryJob>(
    EXPIRY_QUEUE,
    async (job: Job<ExpiryJob>) => {
      const parsed = expiryJobSchema.safeParse(job.data);
      if (!parsed.success)
        throw new UnrecoverableError(`queue.invalid_job: expiry job ${job.id} has no valid requestId`);
      const outcome = await expireRequest(options.deps, parsed.data.requestId);
      return outcome.kind;
    },
    { connection: options.connection, prefix: options.prefix, concurrency: 5 },
  );
  worker.on("error", (err) => options.logger.error({ err }, "expiry worker error"));
  return worker;
}
