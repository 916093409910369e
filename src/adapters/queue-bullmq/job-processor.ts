import { DelayedError, type Job, Queue, RateLimitError, UnrecoverableError, Worker } from "bullmq";
import type { Redis } from "ioredis";
import type { BotConfig } from "../../config/load-config.js";
import { CloudError, isThrottled } from "../../core/ports/cloud-api.port.js";
import type { Logger } from "../../core/ports/logger.port.js";
import type { AnyJobType, JobRun } from "./job-registry.js";
import { computeRetryDelay, RETRY_BACKOFF_TYPE } from "./retry-backoff.js";

/**
 * New jobs are added with this BullMQ priority, and a job's first run drops it to 0: BullMQ takes
 * priority-0 jobs (its wait list) before any prioritised one, and a delayed job comes back to the
 * list of its priority. So a job that has started — waiting for its copy, or retrying — resumes
 * ahead of the jobs not yet started, instead of behind every one of them: in a burst, requests
 * finish throughout the burst, not all at its end. Among new jobs the order stays first in, first out.
 */
export const NEW_JOB_PRIORITY = 10;

export interface JobWorkerOptions {
  /** A connection with `maxRetriesPerRequest: null`: commands wait out a Redis restart. */
  connection: Redis;
  prefix: string;
  config: Readonly<BotConfig>;
  logger: Logger;
  /** BullMQ `lockDuration`: a dead worker's job is taken over after this. @defaultValue 30000 */
  lockDuration?: number;
  /** BullMQ `stalledInterval`. @defaultValue 30000 */
  stalledInterval?: number;
  /** BullMQ `maxStalledCount`: crashes one job may survive. @defaultValue 10 */
  maxStalledCount?: number;
  /** After a throttled cloud call reaches a job: its whole queue pauses this long. @defaultValue 1000 */
  rateLimitPauseMs?: number;
}

/** The queues a process uses for its job types, shared by the workers (rate limit, promote, getJob). */
export class JobQueues {
  private readonly queues = new Map<string, Queue>();

  constructor(
    private readonly make: (name: string) => Queue,
    private readonly logger: Logger,
  ) {}

  of(type: AnyJobType): Queue {
    let queue = this.queues.get(type.queue);
    if (!queue) {
      queue = this.make(type.queue);
      // Connection errors during a Redis outage surface here; ioredis reconnects by itself.
      queue.on("error", (err) => this.logger.warn({ err: err.message }, `${type.queue} queue: redis error`));
      this.queues.set(type.queue, queue);
    }
    return queue;
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
  }
}

/**
 * The one processor every job type runs under. A run that waits moves the job back to delayed
 * (BullMQ step-job pattern) instead of sleeping in a worker slot. A throttled cloud call pauses
 * the job's queue (the shared call limiter should prevent it). Other errors, unexpected ones
 * included (a Redis hiccup, a bug), retry with the job's backoff; after the last attempt, or at
 * once for a permanent error, the job type's `giveUp` runs and the job fails for good. A payload
 * that does not match the job type's schema is logged and failed without a retry.
 */
export function jobProcessor<Env>(
  type: AnyJobType,
  env: Env,
  queues: JobQueues,
  options: Pick<JobWorkerOptions, "logger" | "rateLimitPauseMs">,
) {
  const { logger } = options;
  return async (job: Job, token?: string): Promise<unknown> => {
    const parsed = type.schema.safeParse(job.data);
    if (!parsed.success || job.name !== type.name) {
      logger.error(
        { queue: type.queue, jobId: job.id, name: job.name, issues: parsed.error?.issues },
        "invalid job: dropped without a retry",
      );
      throw new UnrecoverableError(
        `queue.invalid_job: ${type.queue} job ${job.id} does not match "${type.name}"`,
      );
    }
    const payload: unknown = parsed.data;
    // Every line about this run names its queue and job (and its request, for request jobs).
    const requestId = (payload as { requestId?: unknown } | null)?.requestId;
    const log = logger.child({
      queue: type.queue,
      jobId: job.id,
      ...(typeof requestId === "string" ? { requestId } : {}),
    });
    const run: JobRun = {
      jobId: job.id ?? "",
      logger: log,
      attempt: job.attemptsMade + 1,
      promote: (other, jobIds) => promoteDelayed(queues.of(other), jobIds),
    };
    try {
      log.debug({ attempt: run.attempt }, "job run started");
      // From now on it is a resumed job (NEW_JOB_PRIORITY): its waits and retries go ahead of new jobs.
      if (job.priority > 0) await job.changePriority({ priority: 0 });
      const outcome = await type.handle(env, payload, run);
      log.debug({ outcome: outcome.kind }, "job run ended");
      if (outcome.kind === "wait") {
        await job.moveToDelayed(Date.now() + outcome.delayMs, token);
        throw new DelayedError();
      }
      return outcome.value;
    } catch (err) {
      if (err instanceof DelayedError) throw err;
      if (isThrottled(err)) {
        log.warn({ code: err.code }, "cloud rate limit reached; pausing the queue");
        await queues.of(type).rateLimit(options.rateLimitPauseMs ?? 1000);
        throw new RateLimitError();
      }
      const retryable = err instanceof CloudError ? err.retryable : true;
      const attempts = job.attemptsMade + 1;
      const code = err instanceof CloudError ? err.code : "worker.unexpected_error";
      if (retryable && attempts < (job.opts.attempts ?? 1)) {
        log.warn(
          { code: err instanceof CloudError ? err.code : undefined, err, attempt: attempts },
          "transient failure; will retry",
        );
        throw err;
      }
      log.warn({ code, err, attempt: attempts }, "job given up");
      await type.giveUp?.(env, payload, {
        kind: "error",
        code,
        message: (err as Error).message,
        retryable,
        attempts,
        ...(err instanceof CloudError && err.requestId ? { cloudRequestId: err.requestId } : {}),
        ...(err instanceof CloudError ? { cloud: err.classification } : {}),
      });
      throw new UnrecoverableError((err as Error).message);
    }
  };
}

async function promoteDelayed(queue: Queue, jobIds: readonly string[]): Promise<void> {
  await Promise.all(
    jobIds.map(async (id) => {
      const job = await queue.getJob(id);
      if (job && (await job.isDelayed())) await job.promote().catch(() => undefined);
    }),
  );
}

export interface RunningJobWorkers {
  workers: ReadonlyMap<string, Worker>;
  /** Stops taking jobs; waits for the current runs up to `graceMs`, then releases them. */
  close(graceMs: number): Promise<void>;
}

/** One BullMQ worker per job type, all under the same processor and settings; schedules set. */
export function startJobWorkers<Env>(
  types: readonly AnyJobType[],
  env: Env,
  options: JobWorkerOptions,
): RunningJobWorkers {
  const { connection, prefix, config, logger } = options;
  const queues = new JobQueues((name) => new Queue(name, { connection, prefix }) as Queue, logger);
  const { retryDelay, retryMaxDelay } = config.replication;
  const workers = new Map<string, Worker>();
  for (const type of types) {
    const queue = queues.of(type);
    const worker = new Worker(type.queue, jobProcessor(type, env, queues, options), {
      connection,
      prefix,
      concurrency: type.concurrency(config),
      lockDuration: options.lockDuration ?? 30_000,
      stalledInterval: options.stalledInterval ?? 30_000,
      maxStalledCount: options.maxStalledCount ?? 10,
      // Needed for queue.rateLimit() to take effect; far above what the cloud limits allow.
      limiter: { max: 10_000, duration: 1000 },
      settings: {
        backoffStrategy: (attemptsMade: number, backoffType?: string) =>
          backoffType === RETRY_BACKOFF_TYPE
            ? computeRetryDelay(attemptsMade, { baseMs: retryDelay, maxMs: retryMaxDelay })
            : -1,
      },
    });
    worker.on("error", (err) =>
      logger.warn({ err: err.message, queue: type.queue }, `${type.queue} worker error`),
    );
    // A job whose workers died more than `maxStalledCount` times is failed by BullMQ without running
    // the processor: give it up too, so that its subject is never left hanging.
    const giveUp = type.giveUp;
    if (giveUp) {
      worker.on("stalled", (jobId) => {
        void (async () => {
          const job = await queue.getJob(jobId);
          const parsed = type.schema.safeParse(job?.data);
          if (!job || !parsed.success || !(await job.isFailed())) return;
          await giveUp(env, parsed.data, { kind: "stalled", times: job.stalledCounter });
        })().catch((err: unknown) =>
          logger.warn({ err, queue: type.queue, jobId }, "stalled job could not be given up"),
        );
      });
    }
    if (type.schedule) {
      const { id, everyMs, pattern } = type.schedule;
      const every = everyMs?.(config);
      const cron = pattern?.(config);
      const repeat =
        every !== undefined ? { every } : cron ? { pattern: cron.pattern, tz: cron.tz } : undefined;
      void (
        repeat
          ? queue.upsertJobScheduler(id, repeat, { name: type.name, data: {}, opts: type.jobOptions(config) })
          : queue.removeJobScheduler(id)
      ).catch((err: unknown) => logger.error({ err, scheduler: id }, "job schedule could not be set"));
    }
    workers.set(type.name, worker);
  }

  return {
    workers,
    async close(graceMs: number) {
      const closing = Promise.all([...workers.values()].map((w) => w.close()));
      const inTime = await Promise.race([
        closing.then(() => true),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(false), graceMs).unref()),
      ]);
      if (!inTime) {
        // Runs still going are released: nothing waits for them any more (a second close,
        // even forced, would only return the first one's promise); once the connections close
        // or the process exits, their locks lapse and another worker resumes them.
        logger.warn({ graceMs }, "steps still running at shutdown; leaving them to another worker");
      }
      await queues.close();
    },
  };
}
