import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BotConfigInput } from "../../src/config/load-config.js";
import { buildBotConfig, parseEnvironment } from "../../src/config/load-config.js";
import { startBot } from "../../src/main/compose.js";
import { createLogger } from "../../src/main/logger.js";
import {
  ALICE,
  BOB,
  CAROL,
  DR_BLIND_UIN,
  DR_PROD_UIN,
  type Harness,
  NOTIFY_CHANNEL,
  READ_ROLE,
  REQUEST_CHANNEL,
  SOURCE_UIN,
  startHarness,
} from "../support/harness.js";
import { startWorkerProcess, type WorkerProcess } from "../support/worker-process.js";
import { seedApprovedRequests, waitUntilFinal } from "../worker/worker-fixtures.js";

function workerConfig(redisPrefix: string): BotConfigInput {
  return {
    source: { accountUin: SOURCE_UIN, regions: ["ap-guangzhou", "ap-shanghai"] },
    destinations: {
      "dr-prod": { accountUin: DR_PROD_UIN, readRoleArn: READ_ROLE },
      "dr-blind": { accountUin: DR_BLIND_UIN },
    },
    replication: { pollInterval: "100ms", retryDelay: "50ms", retryMaxDelay: "500ms" },
    slack: { notifyChannel: NOTIFY_CHANNEL },
    approvers: { users: [BOB, CAROL] },
    redisPrefix,
  } as BotConfigInput;
}

async function get(url: string): Promise<{ status: number; type: string | null; text: string; ms: number }> {
  const started = Date.now();
  const response = await fetch(url);
  const text = await response.text();
  return {
    status: response.status,
    type: response.headers.get("content-type"),
    text,
    ms: Date.now() - started,
  };
}

describe("ops endpoints in every role, on the one port", () => {
  let h: Harness;
  let worker: WorkerProcess | undefined;
  beforeAll(async () => {
    // The in-process bot is the app role only: the jobs below run in the worker process.
    h = await startHarness({ role: "app", copyDurationMs: 300 });
  });
  afterAll(async () => {
    worker?.child.kill("SIGTERM");
    await worker?.exited;
    await h?.close();
  });

  it("the app role serves POST /slack/events and the ops endpoints on the same port", async () => {
    const base = h.appUrl.replace(/\/slack\/events$/, "");
    expect(h.bot.slack?.port).toBe(h.bot.port);
    expect((await get(`${base}/healthz`)).status).toBe(200);
    expect((await get(`${base}/readyz`)).text).toBe('{"ok":true}');
    const metrics = await get(`${base}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.type).toContain("text/plain");
    expect(metrics.text).toContain("cbs_bot_redis_up 1");
    expect(metrics.text).toMatch(/cbs_bot_queue_jobs\{queue="replication",state="waiting"\} \d+/);
    expect((await get(`${base}/nowhere`)).status).toBe(404);
    // Slack's endpoint checks the signature: an unsigned request is refused, a signed one answered.
    expect((await fetch(h.appUrl, { method: "POST", body: "token=x" })).status).toBe(401);
    const reply = await h.slack.sendSlashCommand(h.appUrl, {
      text: "help",
      userId: ALICE,
      channelId: REQUEST_CHANNEL,
    });
    expect(reply.status).toBe(200);
  });

  it("a worker process serves /healthz, /readyz and /metrics, and its /metrics counts its cloud calls", async () => {
    worker = startWorkerProcess({
      config: workerConfig(h.redisPrefix),
      simUrl: h.sim.url,
      slackApiUrl: h.slack.apiUrl,
    });
    await worker.ready;
    const base = `http://127.0.0.1:${worker.port()}`;
    expect(worker.port()).toBeGreaterThan(0);
    expect((await get(`${base}/healthz`)).status).toBe(200);
    expect((await get(`${base}/readyz`)).status).toBe(200);
    const before = await get(`${base}/metrics`);
    expect(before.status).toBe(200);
    expect(before.text).not.toContain('action="CopySnapshotCrossAccount"');
    // A worker has no Slack endpoint.
    expect((await fetch(`${base}/slack/events`, { method: "POST", body: "{}" })).status).toBe(404);

    const requests = await seedApprovedRequests(h.bot.deps, 2, "ops-worker");
    const counts = await waitUntilFinal(
      h.bot.deps.store,
      requests.map((r) => r.id),
      30_000,
    );
    expect(counts).toEqual({ completed: 2 });
    const after = await get(`${base}/metrics`);
    expect(after.text).toContain(
      'cbs_bot_cloud_calls_total{action="CopySnapshotCrossAccount",outcome="ok"} 2',
    );
    expect(after.text).toMatch(/cbs_bot_cloud_calls_total\{action="DescribeSnapshots",outcome="ok"\} [1-9]/);
    expect(after.text).toMatch(
      /cbs_bot_cloud_call_duration_seconds_count\{action="CopySnapshotCrossAccount"\} 2/,
    );
    expect(after.text).toMatch(
      /cbs_bot_cloud_rate_limit_wait_seconds_count\{action="CopySnapshotCrossAccount"\} 2/,
    );
    expect(after.text).toMatch(/cbs_bot_queue_jobs\{queue="replication",state="completed"\} [1-9]/);
    expect(after.text).toMatch(
      /cbs_bot_request_transitions_total\{kind="snapshot-copy",state="completed"\} 2/,
    );
    expect(after.text).toMatch(/cbs_bot_copy_poll_round_duration_seconds_count [1-9]/);
  }, 60_000);
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject()));
    });
  });
}

describe("ops endpoints with Redis down", () => {
  it("answer within about a second: /healthz 200, /readyz 503, /metrics 200 with cbs_bot_redis_up 0", async () => {
    const bot = await startBot({
      env: parseEnvironment({
        SLACK_BOT_TOKEN: "xoxb-1",
        SLACK_SIGNING_SECRET: "s",
        SLACK_API_URL: "http://127.0.0.1:9/api/",
        REDIS_URL: `redis://127.0.0.1:${await freePort()}`,
        TENCENTCLOUD_SECRET_ID: "AKIDx",
        TENCENTCLOUD_SECRET_KEY: "k",
      }),
      config: buildBotConfig({
        source: { accountUin: SOURCE_UIN, regions: ["ap-guangzhou"] },
        destinations: { "dr-prod": { accountUin: DR_PROD_UIN } },
        approvers: { users: [BOB] },
        redisPrefix: "test-ops-down",
      }),
      role: "app",
      logger: createLogger("silent"),
      port: 0,
    });
    try {
      const base = `http://127.0.0.1:${bot.port}`;
      const [health, ready, metrics] = await Promise.all([
        get(`${base}/healthz`),
        get(`${base}/readyz`),
        get(`${base}/metrics`),
      ]);
      expect(health.status).toBe(200);
      expect(ready.status).toBe(503);
      expect(ready.ms).toBeLessThan(2_000);
      expect(metrics.status).toBe(200);
      expect(metrics.ms).toBeLessThan(2_000);
      expect(metrics.text).toContain("cbs_bot_redis_up 0");
      expect(metrics.text).not.toContain("cbs_bot_queue_jobs{");
    } finally {
      await Promise.race([bot.close(), new Promise((r) => setTimeout(r, 3_000))]);
    }
  });
});
