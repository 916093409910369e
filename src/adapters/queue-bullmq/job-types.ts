import { z } from "zod";
import { postDailySummary } from "../../app/daily-summary.flow.js";
import { expireRequest } from "../../app/expire-request.flow.js";
import type { FlowDeps } from "../../app/flow-deps.js";
import { failRequest, runRequestStep } from "../../app/run-request-step.flow.js";
import { watchLinkedPolicies } from "../../app/watch-policies.flow.js";
import { REQUEST_ID } from "../../core/ids.js";
import { tr } from "../../core/messages/message.js";
import { pollCopiesInFlight } from "../../kinds/snapshot-copy/copy-watch.flow.js";
import { QueueError } from "./errors.js";
import { defineJobType, type JobRun, jobRegistry } from "./job-registry.js";
import { RETRY_BACKOFF_TYPE } from "./retry-backoff.js";

/**
 * Every job type of the bot, and the only place the queue adapter calls into the flows (app/ and
 * kinds/): re-pointing a job at a renamed flow is a change to `defaultJobFlows` below. A new kind
 * of job (a policy watcher, say) is one more `defineJobType` here, added to `botJobTypes`.
 */
export interface JobFlows {
  runRequestStep: typeof runRequestStep;
  failRequest: typeof failRequest;
  expireRequest: typeof expireRequest;
  pollCopiesInFlight: typeof pollCopiesInFlight;
  watchLinkedPolicies: typeof watchLinkedPolicies;
  postDailySummary: typeof postDailySummary;
}

export const defaultJobFlows: JobFlows = {
  runRequestStep,
  failRequest,
  expireRequest,
  pollCopiesInFlight,
  watchLinkedPolicies,
  postDailySummary,
};

/** What the handlers are given: the flows to call and their dependencies. */
export interface JobEnv {
  flows: JobFlows;
  deps: FlowDeps;
}

/** The flows of a run log through the run's logger (its lines carry the queue, job and request ids). */
function withRunLogger(deps: FlowDeps, run: JobRun): FlowDeps {
  return run.logger ? { ...deps, logger: run.logger } : deps;
}

/** Jobs carry only the request id; the request record in Redis holds the step and its facts. */
const requestJobSchema = z.object({ requestId: z.string().regex(REQUEST_ID) });

/** One job per approved request (job id = request id), run step by step until the request is final. */
export const replicationStepJob = defineJobType({
  queue: "replication",
  name: "replicate",
  schema: requestJobSchema,
  jobOptions: (config) => ({
    attempts: config.replication.attempts,
    // Delays come from the worker's backoffStrategy (retry-backoff.ts, `replication.retryDelay`).
    backoff: { type: RETRY_BACKOFF_TYPE },
    removeOnComplete: { age: 7 * 24 * 3600, count: 10_000 },
    removeOnFail: { age: 30 * 24 * 3600 },
  }),
  concurrency: (config) => config.replication.concurrency,
  async handle({ flows, deps }: JobEnv, { requestId }, run) {
    const outcome = await flows.runRequestStep(withRunLogger(deps, run), requestId);
    return outcome.kind === "wait" ? outcome : { kind: "done", value: outcome.state };
  },
  async giveUp({ flows, deps }: JobEnv, { requestId }, reason) {
    await flows.failRequest(
      deps,
      requestId,
      reason.kind === "stalled"
        ? {
            code: "worker.stalled",
            message: [
              tr(
                `The worker running this request stopped ${reason.times} times (crashes or restarts); the bot gave up on it.`,
                `运行此申请的 worker 已中断 ${reason.times} 次（崩溃或重启）；机器人已放弃该申请。`,
              ),
            ],
          }
        : {
            code: reason.code,
            message: reason.retryable
              ? [
                  tr(
                    `Still failing after ${reason.attempts} attempts: ${reason.message}`,
                    `重试 ${reason.attempts} 次后仍然失败：${reason.message}`,
                  ),
                ]
              : reason.message,
            ...(reason.cloudRequestId ? { cloudRequestId: reason.cloudRequestId } : {}),
            ...(reason.cloud ? { cloud: reason.cloud } : {}),
          },
    );
  },
});

/** One delayed job per pending request (job id `expire-<request id>`), due when its time is up. */
export const expiryJob = defineJobType({
  // A queue of its own, so expiry jobs never wait behind copies (and vice versa).
  queue: "expiry",
  name: "expire",
  schema: requestJobSchema,
  jobOptions: () => ({
    attempts: 5,
    backoff: { type: "exponential", delay: 1000 },
    removeOnComplete: { age: 24 * 3600 },
    removeOnFail: { age: 7 * 24 * 3600 },
  }),
  concurrency: () => 5,
  // A request still pending is expired; any other is left as it is.
  async handle({ flows, deps }: JobEnv, { requestId }, run) {
    return { kind: "done", value: (await flows.expireRequest(withRunLogger(deps, run), requestId)).kind };
  },
});

/** One poll round over every copy in flight (docs/decisions/009), whichever worker takes it. */
export const copyPollJob = defineJobType({
  queue: "copy-watch",
  name: "poll",
  schema: z.object({}),
  jobOptions: () => ({ removeOnComplete: true, removeOnFail: 50 }),
  concurrency: () => 1,
  schedule: {
    id: "poll-copies-in-flight",
    everyMs: (config) => Math.max(100, config.replication.pollInterval),
  },
  async handle({ flows, deps }: JobEnv, _payload, run) {
    const round = await flows.pollCopiesInFlight(withRunLogger(deps, run));
    // Wake the jobs whose copy reached an end now instead of at their next scheduled look.
    await run.promote(replicationStepJob, round.settled);
    return { kind: "done", value: { watched: round.watched, groups: round.groups } };
  },
});

/** The ledger the automatic-replication jobs need (wired by the composition root). */
function withLedger(deps: FlowDeps, run: JobRun) {
  const { ledger } = deps;
  if (!ledger) throw new QueueError("queue.no_ledger", "automatic replication needs the replication ledger");
  return { ...withRunLogger(deps, run), ledger };
}

/**
 * One watcher run over every linked policy (docs/decisions/020), every `automatic.watchInterval`:
 * one job per interval per deployment, whichever worker takes it. A failed run is not retried: the
 * next one, an interval later, does everything again from the cloud and the ledger.
 */
export const policyWatcherJob = defineJobType({
  queue: "policy-watcher",
  name: "policy-watcher",
  schema: z.object({}),
  jobOptions: () => ({ removeOnComplete: true, removeOnFail: 50 }),
  concurrency: () => 1,
  schedule: {
    id: "policy-watcher",
    everyMs: (config) => Math.max(100, config.automatic.watchInterval),
  },
  async handle({ flows, deps }: JobEnv, _payload, run) {
    const round = await flows.watchLinkedPolicies(withLedger(deps, run));
    return { kind: "done", value: round };
  },
});

/**
 * One delivery round of the Slack outbox (docs/decisions/021), whichever worker takes it: the
 * notifier's queued thread replies, card updates and outcomes, paced per channel.
 */
export const slackOutboxJob = defineJobType({
  queue: "slack-outbox",
  name: "deliver",
  schema: z.object({}),
  jobOptions: () => ({ removeOnComplete: true, removeOnFail: 50 }),
  concurrency: () => 1,
  schedule: { id: "deliver-slack-outbox", everyMs: () => 250 },
  async handle({ deps }: JobEnv) {
    const round = (await deps.notifier.deliverPending?.()) ?? { delivered: 0, waiting: 0 };
    return { kind: "done", value: round };
  },
});

/** The daily summary at `automatic.dailySummary.at` in its time zone (none when it is `false`). */
export const dailySummaryJob = defineJobType({
  queue: "daily-summary",
  name: "daily-summary",
  schema: z.object({}),
  jobOptions: () => ({
    attempts: 5,
    backoff: { type: "exponential", delay: 5000 },
    removeOnComplete: true,
    removeOnFail: 50,
  }),
  concurrency: () => 1,
  schedule: {
    id: "daily-summary",
    pattern: (config) => {
      const summary = config.automatic.dailySummary;
      if (summary === false) return undefined;
      const [hours, minutes] = summary.at.split(":").map(Number);
      return { pattern: `0 ${minutes} ${hours} * * *`, tz: summary.timeZone };
    },
  },
  async handle({ flows, deps }: JobEnv, _payload, run) {
    return { kind: "done", value: await flows.postDailySummary(withLedger(deps, run)) };
  },
});

export const botJobTypes = jobRegistry([
  replicationStepJob,
  expiryJob,
  copyPollJob,
  policyWatcherJob,
  dailySummaryJob,
  slackOutboxJob,
]);
