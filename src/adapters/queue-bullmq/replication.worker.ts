import { DelayedError, type Job, Queue, RateLimitError, UnrecoverableError, Worker } from "bullmq";
import type { Redis } from "ioredis";
import type { FlowDeps } from "../../app/flow-deps.js";
import { failRequest, runRequestStep } from "../../app/run-request-step.flow.js";
import { CloudError, isThrottled } from "../../core/ports/cloud-api.port.js";
import type { Logger } from "../../core/ports/logger.port.js";
import { pollCopiesInFlight } from "../../kinds/snapshot-copy/copy-watch.flow.js";
import { REPLICATION_QUEUE, type ReplicationJob, replicationJobSchema } from "./replication-job.schema.js";
import { computeRetryDelay, RETRY_BACKOFF_TYPE } from "./retry-backoff.js";

export const COPY_WATCH_QUEUE = "copy-watch";
const COPY_WATCH_SCHEDULER = "poll-copies-in-flight";

export interface ReplicationWorkerOptions {
  /** A connection with `maxRetriesPerRequest: null`: commands wait out a Redis restart. */
  connection: Redis;
  prefix: string;
  concurrency: number;
  deps: FlowDeps;
  logger: Logger;
  /** BullMQ `lockDuration`: a dead worker's job is taken over after this. @defaultValue 30000 */
  lockDuration?: number;
  /** BullMQ `stalledInterval`. @defaultValue 30000 */
  stalledInterval?: number;
  /** BullMQ `maxStalledCount`: crashes one job may survive. @defaultValue 10 */
  maxStalledCount?: number;
  /** After `RequestLimitExceeded` reaches a job: the whole queue pauses this long. @defaultValue 1000 */
  rateLimitPauseMs?: number;
}

export interface RunningReplicationWorker {
  worker: Worker<ReplicationJob>;
  /** Follows every copy in flight in batches (one poll job per round, whichever worker takes it). */
  poller: Worker;
  /** Stops taking jobs; waits for the current steps up to `graceMs`, then releases them. */
  close(graceMs: number): Promise<void>;
}

/**
 * Consumer side: each run of a job executes the request's next steps; waiting for a copy moves
 * the job back to delayed (BullMQ step-job pattern) instead of sleeping in a worker slot.
 * Transient errors retry with capped exponential backoff and jitter (retry-backoff.ts); a
 * `RequestLimitExceeded` that gets through the shared call limiter pauses the whole queue.
 */
export function startReplicationWorker(options: ReplicationWorkerOptions): RunningReplicationWorker {
  const { deps, logger, connection, prefix } = options;
  const replicationQueue = new Queue(REPLICATION_QUEUE, { connection, prefix });
  const copyWatchQueue = new Queue(COPY_WATCH_QUEUE, { connection, prefix });
  const { retryDelay, retryMaxDelay } = deps.config.replication;
  // Connection errors during a Redis outage surface here; ioredis reconnects by itself.
  replicationQueue.on("error", (err) => logger.warn({ err: err.message }, "replication queue: redis error"));
  copyWatchQueue.on("error", (err) => logger.warn({ err: err.message }, "copy-watch queue: redis error"));

  const worker = new Worker<ReplicationJob>(
    REPLICATION_QUEUE,
    async (job: Job<ReplicationJob>, token?: string) => {
      const parsed = replicationJobSchema.safeParse(job.data);
      if (!parsed.success)
        throw new UnrecoverableError(`queue.invalid_job: job ${job.id} has no valid requestId`);
      const { requestId } = parsed.data;
      try {
        const outcome = await runRequestStep(deps, requestId);
        if (outcome.kind === "wait") {
          await job.moveToDelayed(Date.now() + outcome.delayMs, token);
          throw new DelayedError();
        }
        return outcome.state;
      } catch (err) {
        if (err instanceof DelayedError) throw err;
        if (isThrottled(err)) {
          // The shared limiter should prevent this; when it happens anyway, every job waits.
          logger.warn({ requestId, code: err.code }, "cloud rate limit reached; pausing the queue");
          await replicationQueue.rateLimit(options.rateLimitPauseMs ?? 1000);
          throw new RateLimitError();
        }
        // Unexpected errors (a Redis hiccup, a bug) are retried like transient cloud errors: the
        // request is never dropped, and after the last attempt it fails with the reason.
        const retryable = err instanceof CloudError ? err.retryable : true;
        const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
        if (retryable && !lastAttempt) {
          logger.warn(
            {
              requestId,
              code: err instanceof CloudError ? err.code : undefined,
              err,
              attempt: job.attemptsMade + 1,
            },
            "transient failure; will retry",
          );
          throw err;
        }
        await failRequest(deps, requestId, {
          code: err instanceof CloudError ? err.code : "worker.unexpected_error",
          ...(err instanceof CloudError ? { cloud: err.classification } : {}),
          message: retryable
            ? `Still failing after ${job.attemptsMade + 1} attempts: ${(err as Error).message}`
            : (err as Error).message,
          ...(err instanceof CloudError && err.requestId ? { cloudRequestId: err.requestId } : {}),
        });
        throw new UnrecoverableError((err as Error).message);
      }
    },
    {
      connection,
      prefix,
      concurrency: options.concurrency,
      lockDuration: options.lockDuration ?? 30_000,
      stalledInterval: options.stalledInterval ?? 30_000,
      maxStalledCount: options.maxStalledCount ?? 10,
      // Needed for queue.rateLimit() to take effect; far above what the cloud limits allow.
      limiter: { max: 10_000, duration: 1000 },
      settings: {
        backoffStrategy: (attemptsMade: number, type?: string) =>
          type === RETRY_BACKOFF_TYPE
            ? computeRetryDelay(attemptsMade, { baseMs: retryDelay, maxMs: retryMaxDelay })
            : -1,
      },
    },
  );
  worker.on("error", (err) => logger.warn({ err: err.message }, "worker error"));
  // A job whose workers died more than `maxStalledCount` times is failed by BullMQ without running
  // the processor: end its request too, so that it is never left hanging.
  worker.on("stalled", (jobId) => {
    void (async () => {
      const job = await replicationQueue.getJob(jobId);
      const parsed = replicationJobSchema.safeParse(job?.data);
      if (!job || !parsed.success || !(await job.isFailed())) return;
      await failRequest(deps, parsed.data.requestId, {
        code: "worker.stalled",
        message: `The worker running this request stopped ${job.stalledCounter} times (crashes or restarts); the bot gave up on it.`,
      });
    })().catch((err: unknown) => logger.warn({ err, jobId }, "stalled job could not be closed"));
  });

  const poller = new Worker(
    COPY_WATCH_QUEUE,
    async () => {
      const round = await pollCopiesInFlight(deps);
      // Wake the jobs whose copy reached an end now instead of at their next scheduled look.
      await Promise.all(
        round.settled.map(async (requestId) => {
          const job = await replicationQueue.getJob(requestId);
          if (job && (await job.isDelayed())) await job.promote().catch(() => undefined);
        }),
      );
      return { watched: round.watched, groups: round.groups };
    },
    { connection, prefix, concurrency: 1, lockDuration: options.lockDuration ?? 30_000 },
  );
  poller.on("error", (err) => logger.warn({ err: err.message }, "copy poller error"));
  void copyWatchQueue
    .upsertJobScheduler(
      COPY_WATCH_SCHEDULER,
      { every: Math.max(100, deps.config.replication.pollInterval) },
      { name: "poll", data: {}, opts: { removeOnComplete: true, removeOnFail: 50 } },
    )
    .catch((err: unknown) => logger.error({ err }, "copy poller schedule could not be set"));

  return {
    worker,
    poller,
    async close(graceMs: number) {
      const closing = Promise.all([worker.close(), poller.close()]);
      const inTime = await Promise.race([
        closing.then(() => true),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(false), graceMs).unref()),
      ]);
      if (!inTime) {
        // Steps still running are released: nothing waits for them any more (a second close,
        // even forced, would only return the first one's promise); once the connections close
        // or the process exits, their locks lapse and another worker resumes them.
        logger.warn({ graceMs }, "steps still running at shutdown; leaving them to another worker");
      }
      await Promise.all([replicationQueue.close(), copyWatchQueue.close()]);
    },
  };
}
