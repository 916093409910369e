/**
 * The resident memory of an `all` process (`node src/main.ts all`, its own process and config file)
 * with N requests tracked: N signed `/snapshot replicate` commands through its Bolt app, each left
 * pending approval (a record, a card, an expiry job). Its simulator allows far more than Tencent's
 * 20 calls/s so that the look-ups do not set the pace; what is measured is memory.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { startSlackEmulator } from "../dev/slack-emulator/index.js";
import { startTencentSimulator } from "../dev/tencent-simulator/index.js";
import {
  ALICE,
  BOB,
  BOT_TOKEN,
  CAROL,
  DR_PROD_UIN,
  NOTIFY_CHANNEL,
  READ_ROLE,
  SIGNING_SECRET,
  SOURCE_UIN,
} from "../test/support/harness.js";
import { benchChannel, CardWatcher, sendCommands } from "./driver.js";
import { sleep } from "./stats.js";

const ROOT = resolve(import.meta.dirname, "..");

export interface RssResult {
  tracked: number;
  cards: number;
  rssIdleMiB: number;
  rssMiB: number;
  seconds: number;
}

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}

export async function measureRss(count: number, concurrency: number): Promise<RssResult> {
  const started = Date.now();
  const sim = await startTencentSimulator({ copyDurationMs: 1000, rateLimitPerSecond: 100_000 });
  sim.state.addAccount({ uin: SOURCE_UIN, secretId: "AKIDsource", secretKey: "source-secret-key" });
  sim.state.addAccount({ uin: DR_PROD_UIN, secretId: "AKIDdrprod", secretKey: "drprod-secret-key" });
  sim.state.addCollaborator(SOURCE_UIN, DR_PROD_UIN);
  sim.state.addRole(DR_PROD_UIN, "snapshot-bot-reader");
  sim.state.addPolicy(SOURCE_UIN, {
    policyId: 70001,
    name: "SnapshotCrossAccountCopy",
    type: "custom",
    document: JSON.stringify({
      version: "2.0",
      statement: [{ effect: "allow", action: ["cvm:CopySnapshotCrossAccount"], resource: "*" }],
    }),
  });
  sim.state.attachUserPolicy(SOURCE_UIN, DR_PROD_UIN, 70001);
  sim.state.addSnapshot(SOURCE_UIN, {
    snapshotId: "snap-abc12345",
    region: "ap-shanghai",
    name: "db-daily",
    diskId: "disk-db000001",
    diskSize: 100,
    diskUsage: "DATA_DISK",
    encrypt: true,
  });
  const slack = await startSlackEmulator({
    signingSecret: SIGNING_SECRET,
    botToken: BOT_TOKEN,
    users: [
      { id: ALICE, name: "alice" },
      { id: BOB, name: "bob" },
      { id: CAROL, name: "carol" },
    ],
  });
  const redisPrefix = `bench-rss-${randomUUID().slice(0, 8)}`;
  const appPort = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "cbs-bench-all-"));
  const configPath = join(dir, "bot.config.yml");
  writeFileSync(
    configPath,
    JSON.stringify({
      source: { accountUin: SOURCE_UIN, regions: ["ap-guangzhou", "ap-shanghai"] },
      destinations: { "dr-prod": { accountUin: DR_PROD_UIN, readRoleArn: READ_ROLE } },
      worker: {
        cloudCallsPerSecond: 1000,
        cloudCallsPerSecondByAction: { ListAttachedUserAllPolicies: 1000 },
      },
      slack: { notifyChannel: NOTIFY_CHANNEL, requestRateLimit: { perUser: 10_000, window: "1s" } },
      approvers: { users: [BOB, CAROL] },
      redisPrefix,
    }),
  );
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", "src/main.ts", "all"], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
      REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
      TENCENTCLOUD_SECRET_ID: "AKIDsource",
      TENCENTCLOUD_SECRET_KEY: "source-secret-key",
      TENCENTCLOUD_API_ENDPOINT: sim.url,
      BOT_CONFIG: configPath,
      PORT: String(appPort),
      LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  const keep = (chunk: Buffer) => {
    out = (out + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const watcher = new CardWatcher(slack);
  try {
    await waitReady(`http://127.0.0.1:${appPort}/readyz`, child, () => out);
    const appUrl = `http://127.0.0.1:${appPort}/slack/events`;
    await sleep(500);
    const pid = child.pid ?? 0;
    const rssIdleMiB = rssMiB(pid);
    await sendCommands(
      slack,
      appUrl,
      Array.from({ length: count }, (_, i) => ({
        text: `replicate snap-abc12345 to dr-prod as "rss-${i}"`,
        channel: benchChannel(i, Math.ceil(count / 20)),
      })),
      concurrency,
    );
    const deadline = Date.now() + 60_000 + count * 10;
    while (watcher.cards.length < count && Date.now() < deadline) await sleep(250);
    await sleep(1000);
    return {
      tracked: count,
      cards: watcher.cards.length,
      rssIdleMiB,
      rssMiB: rssMiB(pid),
      seconds: (Date.now() - started) / 1000,
    };
  } finally {
    watcher.close();
    const exited = new Promise((r) => child.once("exit", r));
    if (child.exitCode === null) child.kill("SIGTERM");
    await Promise.race([exited, sleep(10_000)]);
    if (child.exitCode === null) child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
    await slack.close();
    await sim.close();
    await deleteKeys(redisPrefix);
  }
}

async function waitReady(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`all process exited (${child.exitCode}):\n${output()}`);
    const ok = await fetch(url)
      .then((r) => r.status === 200)
      .catch(() => false);
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`all process not ready:\n${output()}`);
    await sleep(200);
  }
}

export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? res(address.port) : rej(new Error("no port")),
      );
    });
  });
}

async function deleteKeys(prefix: string): Promise<void> {
  const { Redis } = await import("ioredis");
  const redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
  try {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
}
