import type { Queue } from "bullmq";
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import { within } from "./ops-server.js";

/**
 * The bot's Prometheus metrics (prom-client), one registry per bot so that several bots can run in
 * one process (tests). Every name is listed in docs/operations.md; test/main/metrics-names.test.ts
 * checks the table against a scrape. Counters and histograms are fed by hooks wired in compose.ts
 * (the request store decorator, the Tencent caller, the Slack fetch, the poll job); gauges about the
 * queues are read from Redis when /metrics is scraped, a few cheap commands bounded by a timeout.
 */
export class BotMetrics {
  readonly registry = new Registry();

  readonly requestTransitions = new Counter({
    name: "cbs_bot_request_transitions_total",
    help: "Requests entering a lifecycle state, by kind and state (created requests count as their first state).",
    labelNames: ["kind", "state"] as const,
    registers: [this.registry],
  });

  readonly approvalWait = new Histogram({
    name: "cbs_bot_request_approval_wait_seconds",
    help: "Time from a request's creation to its approval, by kind.",
    labelNames: ["kind"] as const,
    buckets: [10, 30, 60, 300, 900, 1800, 3600, 4 * 3600, 12 * 3600, 24 * 3600],
    registers: [this.registry],
  });

  readonly stepDuration = new Histogram({
    name: "cbs_bot_request_step_duration_seconds",
    help: "Time a running request spent in one of its kind's steps (entered to left), by kind and step.",
    labelNames: ["kind", "step"] as const,
    buckets: [0.05, 0.25, 1, 5, 15, 60, 300, 900, 3600, 4 * 3600],
    registers: [this.registry],
  });

  readonly cloudCalls = new Counter({
    name: "cbs_bot_cloud_calls_total",
    help: "Tencent Cloud API calls that reached the network, by action and outcome (ok or the error code).",
    labelNames: ["action", "outcome"] as const,
    registers: [this.registry],
  });

  readonly cloudCallDuration = new Histogram({
    name: "cbs_bot_cloud_call_duration_seconds",
    help: "Time Tencent Cloud took to answer a call, by action.",
    labelNames: ["action"] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  readonly rateLimitWait = new Histogram({
    name: "cbs_bot_cloud_rate_limit_wait_seconds",
    help: "Time a cloud call waited for a slot from the shared rate limiter, by action.",
    labelNames: ["action"] as const,
    buckets: [0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly slackCalls = new Counter({
    name: "cbs_bot_slack_calls_total",
    help: "Slack Web API requests (each retry counts), by method and outcome (ok, the Slack error, http_<status> or network_error).",
    labelNames: ["method", "outcome"] as const,
    registers: [this.registry],
  });

  readonly slackCallDuration = new Histogram({
    name: "cbs_bot_slack_call_duration_seconds",
    help: "Time Slack took to answer a Web API request, by method.",
    labelNames: ["method"] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly pollRoundDuration = new Histogram({
    name: "cbs_bot_copy_poll_round_duration_seconds",
    help: "Time one poll round over the copies in flight took.",
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  readonly redisUp = new Gauge({
    name: "cbs_bot_redis_up",
    help: "1 when Redis answered this scrape's queue reads in time, else 0 (and no queue gauges).",
    registers: [this.registry],
  });

  readonly queueJobs = new Gauge({
    name: "cbs_bot_queue_jobs",
    help: "Jobs in each BullMQ queue by state, read at scrape time.",
    labelNames: ["queue", "state"] as const,
    registers: [this.registry],
  });

  readonly oldestWaitingAge = new Gauge({
    name: "cbs_bot_queue_oldest_waiting_age_seconds",
    help: "Age of the oldest job waiting for a worker in each queue (since it was added or last ran); 0 when none waits.",
    labelNames: ["queue"] as const,
    registers: [this.registry],
  });

  /** What the Tencent caller reports after each call that reached the network. */
  recordCloudCall(call: { action: string; code?: string; durationMs: number }): void {
    this.cloudCalls.inc({ action: call.action, outcome: call.code ?? "ok" });
    this.cloudCallDuration.observe({ action: call.action }, call.durationMs / 1000);
  }

  /** What the Tencent caller reports once the rate limiter gave a call its slot. */
  recordRateLimitWait(wait: { action: string; waitedMs: number }): void {
    this.rateLimitWait.observe({ action: wait.action }, wait.waitedMs / 1000);
  }

  recordSlackCall(call: { method: string; outcome: string; durationMs: number }): void {
    this.slackCalls.inc({ method: call.method, outcome: call.outcome });
    this.slackCallDuration.observe({ method: call.method }, call.durationMs / 1000);
  }

  /** Times a poll round (the copy-watch job's flow), whatever its outcome. */
  timePollRound<A extends unknown[], R>(poll: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
    return async (...args: A) => {
      const end = this.pollRoundDuration.startTimer();
      try {
        return await poll(...args);
      } finally {
        end();
      }
    };
  }
}

/** The BullMQ states whose job counts are reported. */
const JOB_STATES = ["waiting", "active", "delayed", "failed", "completed", "prioritized"] as const;

type QueueReads = Pick<Queue, "name" | "getJobCounts" | "getJobs">;

async function readQueue(queue: QueueReads, now: number) {
  const [counts, oldest] = await Promise.all([
    queue.getJobCounts(...JOB_STATES),
    queue.getJobs(["waiting"], 0, 0, true),
  ]);
  const job = oldest[0];
  const since = job ? Math.max(job.timestamp + (job.delay ?? 0), job.processedOn ?? 0) : undefined;
  return { name: queue.name, counts, ageSeconds: since ? Math.max(0, (now - since) / 1000) : 0 };
}

/**
 * The text for GET /metrics: this process's counters and histograms, plus gauges that cost two
 * cheap Redis reads per queue (job counts; the oldest waiting job), all bounded by `withinMs`.
 * When Redis does not answer in time the rest is still served, with `cbs_bot_redis_up 0` and no
 * queue gauges. Nothing here reads request records.
 */
export function scrapeMetrics(
  metrics: BotMetrics,
  queues: readonly QueueReads[],
  withinMs = 1000,
): () => Promise<string> {
  return async () => {
    const now = Date.now();
    const read = await within(Promise.all(queues.map((q) => readQueue(q, now))), withinMs, undefined);
    metrics.redisUp.set(read ? 1 : 0);
    // Replaced wholesale at each scrape, so states that disappeared do not linger.
    metrics.queueJobs.reset();
    metrics.oldestWaitingAge.reset();
    for (const queue of read ?? []) {
      for (const [state, value] of Object.entries(queue.counts))
        metrics.queueJobs.set({ queue: queue.name, state }, value);
      metrics.oldestWaitingAge.set({ queue: queue.name }, queue.ageSeconds);
    }
    return metrics.registry.metrics();
  };
}

const SLACK_METHOD = /^[a-z]+(?:\.[A-Za-z]+){1,3}$/;

/**
 * A `fetch` for the Slack Web API clients (ours and Bolt's, through `clientOptions.fetch`) that
 * counts every request by method and outcome. The outcome comes from the status and, for a 200,
 * the body's `ok`/`error`, read from a clone so the client still gets the body untouched.
 */
export function instrumentSlackFetch(
  metrics: BotMetrics,
  apiUrl: string,
  base: typeof fetch = globalThis.fetch,
): typeof fetch {
  const prefix = apiUrl.endsWith("/") ? apiUrl : `${apiUrl}/`;
  return async (input, init) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    const tail = url.startsWith(prefix) ? url.slice(prefix.length).split("?")[0] : undefined;
    const method = tail && SLACK_METHOD.test(tail) ? tail : "other";
    const startedAt = Date.now();
    let response: Response;
    try {
      response = await base(input, init);
    } catch (err) {
      metrics.recordSlackCall({ method, outcome: "network_error", durationMs: Date.now() - startedAt });
      throw err;
    }
    const durationMs = Date.now() - startedAt;
    if (response.status !== 200 || !response.headers.get("content-type")?.includes("json")) {
      metrics.recordSlackCall({
        method,
        outcome: response.status === 200 ? "ok" : `http_${response.status}`,
        durationMs,
      });
      return response;
    }
    void response
      .clone()
      .json()
      .then(
        (body: unknown) => {
          const b = body as { ok?: unknown; error?: unknown } | null;
          const error = typeof b?.error === "string" && /^[a-z_]{1,60}$/.test(b.error) ? b.error : "error";
          metrics.recordSlackCall({ method, outcome: b?.ok === false ? error : "ok", durationMs });
        },
        () => metrics.recordSlackCall({ method, outcome: "invalid_response", durationMs }),
      );
    return response;
  };
}
