import { randomUUID } from "node:crypto";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { dailySummaryJob, policyWatcherJob } from "../../../src/adapters/queue-bullmq/job-types.js";
import { buildBotConfig } from "../../../src/config/load-config.js";

const base = {
  source: { accountUin: "100000000001", regions: ["ap-guangzhou"] },
  destinations: { "dr-prod": { accountUin: "200000000002" } },
  approvers: { users: ["U0BOB"] },
};

describe("automatic replication's schedules", () => {
  const prefix = `test-sched-${randomUUID().slice(0, 8)}`;
  const redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379", { maxRetriesPerRequest: null });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  it("the watcher runs every watchInterval; the summary at dailySummary.at in its zone, or not at all", () => {
    const config = buildBotConfig({ ...base, automatic: { watchInterval: "7m" } });
    expect(policyWatcherJob.schedule?.everyMs?.(config)).toBe(7 * 60_000);
    expect(dailySummaryJob.schedule?.pattern?.(config)).toEqual({
      pattern: "0 0 9 * * *",
      tz: "Asia/Shanghai",
    });
    const off = buildBotConfig({ ...base, automatic: { dailySummary: false } });
    expect(dailySummaryJob.schedule?.pattern?.(off)).toBeUndefined();
  });

  it("BullMQ takes the pattern with its time zone: 09:00 in Shanghai is 01:00 UTC", async () => {
    const config = buildBotConfig({
      ...base,
      automatic: { dailySummary: { at: "09:30", timeZone: "Asia/Shanghai" } },
    });
    const cron = dailySummaryJob.schedule?.pattern?.(config);
    if (!cron) throw new Error("no pattern");
    const queue = new Queue(dailySummaryJob.queue, { connection: redis, prefix });
    try {
      await queue.upsertJobScheduler("daily-summary", cron, { name: dailySummaryJob.name, data: {} });
      const scheduler = await queue.getJobScheduler("daily-summary");
      const next = new Date(scheduler?.next ?? 0);
      expect(next.getUTCHours()).toBe(1);
      expect(next.getUTCMinutes()).toBe(30);
      expect(next.getTime() - Date.now()).toBeLessThanOrEqual(24 * 3_600_000);
    } finally {
      await queue.close();
    }
  });
});
