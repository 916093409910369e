import { randomUUID } from "node:crypto";
import { type Job, Queue, QueueEvents } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { startJobWorkers } from "../../../src/adapters/queue-bullmq/job-processor.js";
import {
  defineJobType,
  type GiveUpReason,
  type JobOutcome,
  jobRegistry,
} from "../../../src/adapters/queue-bullmq/job-registry.js";
import { RETRY_BACKOFF_TYPE } from "../../../src/adapters/queue-bullmq/retry-backoff.js";
import { buildBotConfig } from "../../../src/config/load-config.js";
import { CloudError } from "../../../src/core/ports/cloud-api.port.js";
import type { Logger } from "../../../src/core/ports/logger.port.js";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const prefix = `test-jobs-${randomUUID().slice(0, 8)}`;
const config = buildBotConfig({
  source: { accountUin: "100000000001", regions: ["ap-guangzhou"] },
  destinations: { "dr-prod": { accountUin: "200000000002" } },
  approvers: { users: ["U0BOB"] },
  replication: { retryDelay: "10ms", retryMaxDelay: "20ms" },
  redisPrefix: prefix,
});

/** Each test scripts what the handler does on each call for its job id. */
type Script = (call: number) => JobOutcome | Error;
const scripts = new Map<string, Script>();
const calls = new Map<string, number>();
const givenUp: Array<{ id: string; reason: GiveUpReason }> = [];
const logged: Array<{ level: string; fields: object; message: string }> = [];
let scheduledRuns = 0;

const stepJob = defineJobType({
  queue: "t-steps",
  name: "step",
  schema: z.object({ id: z.string() }),
  jobOptions: () => ({ attempts: 3, backoff: { type: RETRY_BACKOFF_TYPE } }),
  concurrency: () => 4,
  async handle(_env: object, { id }) {
    const call = (calls.get(id) ?? 0) + 1;
    calls.set(id, call);
    const next = scripts.get(id)?.(call) ?? { kind: "done", value: "ok" };
    if (next instanceof Error) throw next;
    return next;
  },
  async giveUp(_env: object, { id }, reason) {
    givenUp.push({ id, reason });
  },
});

const tickJob = defineJobType({
  queue: "t-tick",
  name: "tick",
  schema: z.object({}),
  jobOptions: () => ({ removeOnComplete: true }),
  concurrency: () => 1,
  schedule: { id: "tick", everyMs: () => 100 },
  async handle() {
    scheduledRuns++;
    return { kind: "done" };
  },
});

const unavailable = () =>
  new CloudError({ code: "ResourceBusy", message: "busy", category: "unavailable", reason: "other" });

describe("the one job processor", () => {
  let connection: Redis;
  let queue: Queue;
  let events: QueueEvents;
  let running: ReturnType<typeof startJobWorkers>;
  beforeAll(async () => {
    connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    const log = (level: string) => (fields: object, message: string) =>
      logged.push({ level, fields, message });
    const logger: Logger = {
      debug: log("debug"),
      info: log("info"),
      warn: log("warn"),
      error: log("error"),
      child: () => logger,
    };
    running = startJobWorkers(jobRegistry([stepJob, tickJob]), {}, { connection, prefix, config, logger });
    queue = new Queue(stepJob.queue, { connection, prefix });
    const url = new URL(REDIS_URL);
    events = new QueueEvents(stepJob.queue, {
      connection: { host: url.hostname, port: Number(url.port || 6379) },
      prefix,
    });
    await events.waitUntilReady();
  });
  afterAll(async () => {
    await running?.close(2000);
    await events?.close();
    await queue?.close();
    let cursor = "0";
    do {
      const [next, keys] = await connection.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 500);
      cursor = next;
      if (keys.length > 0) await connection.del(...keys);
    } while (cursor !== "0");
    connection.disconnect();
  });

  async function run(data: unknown, id = randomUUID()): Promise<{ job: Job; state: string }> {
    const job = await queue.add(stepJob.name, data, { ...stepJob.jobOptions(config), jobId: id });
    await job.waitUntilFinished(events, 10_000).catch(() => undefined);
    const done = (await queue.getJob(id)) as Job;
    return { job: done, state: await done.getState() };
  }

  it("fails an invalid payload at once, without a retry, and logs it", async () => {
    const { job, state } = await run({ id: 42 });
    expect(state).toBe("failed");
    expect(job.attemptsMade).toBe(1);
    expect(job.failedReason).toContain("queue.invalid_job");
    expect(logged.some((l) => l.level === "error" && l.message.includes("invalid job"))).toBe(true);
  });

  it("retries transient errors with backoff, then completes", async () => {
    const id = randomUUID();
    scripts.set(id, (call) => (call < 3 ? unavailable() : { kind: "done", value: "third time" }));
    const { job, state } = await run({ id }, id);
    expect(state).toBe("completed");
    expect(job.returnvalue).toBe("third time");
    expect(calls.get(id)).toBe(3);
    expect(givenUp.find((g) => g.id === id)).toBeUndefined();
  });

  it("gives up after the last attempt, with the error and the number of attempts", async () => {
    const id = randomUUID();
    scripts.set(id, () => new Error("still broken"));
    const { state } = await run({ id }, id);
    expect(state).toBe("failed");
    expect(calls.get(id)).toBe(3);
    expect(givenUp.filter((g) => g.id === id)).toEqual([
      {
        id,
        reason: {
          kind: "error",
          code: "worker.unexpected_error",
          message: "still broken",
          retryable: true,
          attempts: 3,
        },
      },
    ]);
  });

  it("gives up at once on a permanent cloud error", async () => {
    const id = randomUUID();
    scripts.set(
      id,
      () =>
        new CloudError({
          code: "InvalidSnapshotId.NotFound",
          message: "gone",
          category: "permanent",
          reason: "not_found",
          requestId: "r-1",
        }),
    );
    const { state } = await run({ id }, id);
    expect(state).toBe("failed");
    expect(calls.get(id)).toBe(1);
    expect(givenUp.find((g) => g.id === id)?.reason).toMatchObject({
      code: "InvalidSnapshotId.NotFound",
      retryable: false,
      attempts: 1,
      cloudRequestId: "r-1",
    });
  });

  it("a run that waits goes back to delayed and runs again, without using an attempt", async () => {
    const id = randomUUID();
    scripts.set(id, (call) => (call < 3 ? { kind: "wait", delayMs: 50 } : { kind: "done", value: "waited" }));
    const { job, state } = await run({ id }, id);
    expect(state).toBe("completed");
    expect(job.returnvalue).toBe("waited");
    expect(calls.get(id)).toBe(3);
  });

  it("a throttled cloud call pauses the queue and runs the job again, without giving up", async () => {
    const id = randomUUID();
    scripts.set(id, (call) =>
      call === 1
        ? new CloudError({
            code: "RequestLimitExceeded",
            message: "slow down",
            category: "throttled",
            reason: "other",
          })
        : { kind: "done", value: "after the pause" },
    );
    const { job, state } = await run({ id }, id);
    expect(state).toBe("completed");
    expect(job.returnvalue).toBe("after the pause");
    expect(givenUp.find((g) => g.id === id)).toBeUndefined();
    expect(logged.some((l) => l.message.includes("pausing the queue"))).toBe(true);
  });

  it("a job type with a schedule runs on its own, every N ms", async () => {
    const deadline = Date.now() + 5_000;
    while (scheduledRuns < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(scheduledRuns).toBeGreaterThanOrEqual(3);
  });

  it("refuses two job types on one queue", () => {
    expect(() => jobRegistry([stepJob, { ...tickJob, queue: stepJob.queue }])).toThrow(/declared twice/);
  });
});
