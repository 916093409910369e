import type { JobsOptions } from "bullmq";
import type { z } from "zod";
import type { BotConfig } from "../../config/load-config.js";
import type { CloudErrorClass } from "../../core/ports/cloud-api.port.js";
import type { Logger } from "../../core/ports/logger.port.js";
import { QueueError } from "./errors.js";

/** What one run of a job asks for next: it is finished, or it waits (the job goes back to delayed). */
export type JobOutcome = { kind: "done"; value?: unknown } | { kind: "wait"; delayMs: number };

/** Why the processor gave a job up; the job type's `giveUp` decides what that means for its subject. */
export type GiveUpReason =
  | {
      kind: "error";
      code: string;
      message: string;
      cloudRequestId?: string;
      /** How the cloud adapter classified it, when the cloud reported the error. */
      cloud?: CloudErrorClass;
      /** False when the error was permanent; true when transient errors used up every attempt. */
      retryable: boolean;
      attempts: number;
    }
  /** Its workers died more than `maxStalledCount` times; BullMQ failed it without running it. */
  | { kind: "stalled"; times: number };

/** What a handler may ask of the queue while it runs. */
export interface JobRun {
  jobId: string;
  /** 1 on the first run. */
  attempt: number;
  /** The processor's logger for this run, bound to the queue, job id and request id (if any). */
  logger?: Logger;
  /** Runs now the delayed jobs of `type` with these ids (those not delayed are left alone). */
  promote(type: AnyJobType, jobIds: readonly string[]): Promise<void>;
}

/**
 * One kind of job, declared once: where it is queued, what it carries, what runs it, and (if it
 * recurs) how often. The processor (job-processor.ts) applies the same retry, rate-limit and
 * give-up policy to every type; `Env` is what the handlers are given (the flows and their deps).
 */
export interface JobType<P, Env> {
  /** One queue per job type, so a slow kind never waits behind another. */
  queue: string;
  name: string;
  /** Checked when the job is consumed: a payload that does not match is logged and never retried. */
  schema: z.ZodType<P>;
  /** Options for every job added (attempts, backoff, retention); producers add the id and delay. */
  jobOptions(config: Readonly<BotConfig>): JobsOptions;
  /** Jobs of this type one worker runs at once. */
  concurrency(config: Readonly<BotConfig>): number;
  /**
   * A recurring job, whichever worker takes it (BullMQ job scheduler): one job every `everyMs`, or
   * at the times of a cron `pattern` in a time zone. `undefined` from either: not scheduled (and a
   * schedule left from an earlier configuration is removed).
   */
  schedule?: {
    id: string;
    everyMs?(config: Readonly<BotConfig>): number | undefined;
    pattern?(config: Readonly<BotConfig>): { pattern: string; tz: string } | undefined;
  };
  handle(env: Env, payload: P, run: JobRun): Promise<JobOutcome>;
  /** After the last attempt, a permanent error, or too many stalls. Absent: the job just fails. */
  giveUp?(env: Env, payload: P, reason: GiveUpReason): Promise<void>;
}

// biome-ignore lint/suspicious/noExplicitAny: a registry holds job types of every payload and env.
export type AnyJobType = JobType<any, any>;

/** Keeps the payload type of a declaration (`schema` decides it). */
export function defineJobType<P, Env>(type: JobType<P, Env>): JobType<P, Env> {
  return type;
}

/** The job types of one process, checked once: names and queues are unique. */
export function jobRegistry(types: readonly AnyJobType[]): readonly AnyJobType[] {
  const queues = new Set<string>();
  for (const type of types) {
    if (queues.has(type.queue))
      throw new QueueError("queue.duplicate_queue", `queue "${type.queue}" is declared twice`);
    queues.add(type.queue);
  }
  return types;
}
