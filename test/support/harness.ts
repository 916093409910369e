import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import {
  type EmulatorUser,
  type EmulatorUsergroup,
  type SlackEmulator,
  type SlackTransport,
  startSlackEmulator,
} from "../../dev/slack-emulator/index.js";
import { startTencentSimulator, type TencentSimulator } from "../../dev/tencent-simulator/index.js";
import type { RequestKind } from "../../src/app/request-kind.js";
import { type BotConfigInput, buildBotConfig, parseEnvironment } from "../../src/config/load-config.js";
import { type BotOptions, type RunningBot, startBot } from "../../src/main/compose.js";
import { type AppLogger, createLogger } from "../../src/main/logger.js";

export const SOURCE_UIN = "100000000001";
export const DR_PROD_UIN = "200000000002";
export const DR_BLIND_UIN = "200000000003";
/** With `unreadyDestinations`: dr-new is not a collaborator, dr-locked is one without any policy. */
export const DR_NEW_UIN = "200000000004";
export const DR_LOCKED_UIN = "200000000005";
export const SIGNING_SECRET = "test-signing-secret";
export const BOT_TOKEN = "xoxb-test-token";
export const APP_TOKEN = "xapp-1-A0SANDBOX-test-token";
export const ALICE = "U0ALICE";
export const BOB = "U0BOB";
export const CAROL = "U0CAROL";
export const REQUEST_CHANNEL = "C0REQUESTS";
export const NOTIFY_CHANNEL = "C0NOTIFY";
export const READ_ROLE = `qcs::cam::uin/${DR_PROD_UIN}:roleName/snapshot-bot-reader`;

export interface Harness {
  sim: TencentSimulator;
  slack: SlackEmulator;
  bot: RunningBot;
  /** Where the emulator sends requests over HTTP (unused in Socket Mode, where it is not served). */
  appUrl: string;
  /** The bot's ops server: /healthz, /readyz, /metrics. */
  opsUrl: string;
  transport: SlackTransport;
  redisPrefix: string;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /**
   * How Slack reaches the bot: signed HTTP requests to POST /slack/events, or Socket Mode (the bot
   * gets SLACK_APP_TOKEN, no signing secret, and connects to the emulator). @defaultValue "http"
   */
  transport?: SlackTransport;
  config?: Partial<BotConfigInput>;
  copyDurationMs?: number;
  /** The in-process bot's role: "app" leaves the jobs to workers started elsewhere. @defaultValue "all" */
  role?: "all" | "app";
  /** A Redis of the test's own (e.g. one it restarts). @defaultValue REDIS_URL or 127.0.0.1:6379 */
  redisUrl?: string;
  /** Slack Web API retries (429 `Retry-After` waits count as one). @defaultValue 0 */
  slackRetries?: number;
  /** Users besides alice, bob and carol (e.g. a deleted approver). @defaultValue [] */
  extraUsers?: EmulatorUser[];
  /** Slack user groups. @defaultValue [] */
  usergroups?: EmulatorUsergroup[];
  /** Also configure dr-new (not a collaborator) and dr-locked (a collaborator without permission). @defaultValue false */
  unreadyDestinations?: boolean;
  /** The bot's CAM cache TTL. @defaultValue the bot's default */
  camCacheTtlMs?: number;
  /** Request kinds besides the built-in ones (a kind defined by a test). @defaultValue [] */
  extraKinds?: readonly RequestKind[];
  /** The bot's logger (a test reading every line). @defaultValue TEST_LOG_LEVEL or silent, on stdout */
  logger?: AppLogger;
  /**
   * Slack as it is: the emulator enforces Slack's published rate limits (429 + Retry-After) and
   * the bot paces and coalesces its posts with its production settings. Off, the emulator has no
   * limits and the bot posts each reply on its own without waiting. @defaultValue false
   */
  realisticSlack?: boolean;
  /** Overrides of the bot's outbox pacing and coalescing. */
  slackDelivery?: BotOptions["slackDelivery"];
}

/** Without `realisticSlack`: every reply its own message, as soon as a delivery round sees it. */
const FAST_SLACK_DELIVERY: NonNullable<BotOptions["slackDelivery"]> = {
  coalesceMs: 0,
  joinReplies: false,
  postRate: { perSecond: 500, burst: 500 },
  tier3Rate: { perSecond: 500, burst: 500 },
};

/**
 * The whole system on loopback: the Tencent Cloud simulator (through the real SDK), the Slack
 * emulator (through the real Bolt app, over HTTP or Socket Mode) and a real Redis, under a fresh
 * key prefix.
 */
export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const sim = await startTencentSimulator({ copyDurationMs: options.copyDurationMs ?? 600 });
  sim.state.addAccount({ uin: SOURCE_UIN, secretId: "AKIDsource", secretKey: "source-secret-key" });
  sim.state.addAccount({ uin: DR_PROD_UIN, secretId: "AKIDdrprod", secretKey: "drprod-secret-key" });
  sim.state.addAccount({ uin: DR_BLIND_UIN, secretId: "AKIDdrblind", secretKey: "drblind-secret-key" });
  sim.state.addCollaborator(SOURCE_UIN, DR_PROD_UIN);
  sim.state.addCollaborator(SOURCE_UIN, DR_BLIND_UIN);
  if (options.unreadyDestinations) {
    sim.state.addAccount({ uin: DR_NEW_UIN, secretId: "AKIDdrnew", secretKey: "drnew-secret-key" });
    sim.state.addAccount({ uin: DR_LOCKED_UIN, secretId: "AKIDdrlocked", secretKey: "drlocked-secret-key" });
    sim.state.addCollaborator(SOURCE_UIN, DR_LOCKED_UIN);
  }
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
  sim.state.attachUserPolicy(SOURCE_UIN, DR_BLIND_UIN, 70001);
  sim.state.addSnapshot(SOURCE_UIN, {
    snapshotId: "snap-abc12345",
    region: "ap-shanghai",
    name: "db-daily",
    diskId: "disk-db000001",
    diskSize: 100,
    diskUsage: "DATA_DISK",
    encrypt: true,
    createTime: "2026-11-24 03:00:00",
  });
  sim.state.addSnapshot(SOURCE_UIN, {
    snapshotId: "snap-creat001",
    region: "ap-guangzhou",
    name: "web-now",
    diskId: "disk-web00001",
    diskSize: 50,
    diskUsage: "SYSTEM_DISK",
    encrypt: false,
    state: "CREATING",
  });

  const transport = options.transport ?? "http";
  const slack = await startSlackEmulator({
    signingSecret: SIGNING_SECRET,
    botToken: BOT_TOKEN,
    appToken: APP_TOKEN,
    transport,
    users: [
      { id: ALICE, name: "alice" },
      { id: BOB, name: "bob" },
      { id: CAROL, name: "carol" },
      ...(options.extraUsers ?? []),
    ],
    usergroups: options.usergroups ?? [],
    ...(options.realisticSlack ? { rateLimits: true } : {}),
  });

  const redisPrefix = `test-${randomUUID().slice(0, 8)}`;
  const env = parseEnvironment({
    SLACK_BOT_TOKEN: BOT_TOKEN,
    ...(transport === "socket" ? { SLACK_APP_TOKEN: APP_TOKEN } : { SLACK_SIGNING_SECRET: SIGNING_SECRET }),
    SLACK_API_URL: slack.apiUrl,
    REDIS_URL: options.redisUrl ?? process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
    TENCENTCLOUD_SECRET_ID: "AKIDsource",
    TENCENTCLOUD_SECRET_KEY: "source-secret-key",
    TENCENTCLOUD_API_ENDPOINT: sim.url,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
  });
  const config = buildBotConfig({
    source: { accountUin: SOURCE_UIN, regions: ["ap-guangzhou", "ap-shanghai"] },
    destinations: {
      "dr-prod": { accountUin: DR_PROD_UIN, readRoleArn: READ_ROLE },
      "dr-blind": { accountUin: DR_BLIND_UIN },
      ...(options.unreadyDestinations
        ? { "dr-new": { accountUin: DR_NEW_UIN }, "dr-locked": { accountUin: DR_LOCKED_UIN } }
        : {}),
    },
    replication: { pollInterval: "100ms" },
    approvers: { users: [BOB, CAROL] },
    redisPrefix,
    ...options.config,
    // Tests send many requests as one person: the per-user limit (10 a minute by default) is
    // loosened unless a test sets it (test/e2e/security.e2e.test.ts does).
    slack: {
      ...(options.config?.slack ?? { notifyChannel: NOTIFY_CHANNEL }),
      requestRateLimit: options.config?.slack?.requestRateLimit ?? { perUser: 10_000 },
    },
  });
  const bot = await startBot({
    env,
    config,
    role: options.role ?? "all",
    logger: options.logger ?? createLogger(env.LOG_LEVEL),
    port: 0,
    slackRetries: options.slackRetries ?? 0,
    // Reconnects within 1.5 s of a dropped socket (Slack's client default: 5 s).
    socketPingTimeoutMs: 1500,
    ...(options.camCacheTtlMs !== undefined ? { camCacheTtlMs: options.camCacheTtlMs } : {}),
    ...(options.extraKinds ? { extraKinds: options.extraKinds } : {}),
    slackDelivery: { ...(options.realisticSlack ? {} : FAST_SLACK_DELIVERY), ...options.slackDelivery },
  });
  const opsUrl = `http://127.0.0.1:${bot.port}`;
  const appUrl = `${opsUrl}/slack/events`;
  if (transport === "socket") await slack.waitForSocket();
  return {
    sim,
    slack,
    bot,
    appUrl,
    opsUrl,
    transport,
    redisPrefix,
    async close() {
      await bot.close();
      await slack.close();
      await sim.close();
      await deleteKeys(redisPrefix, options.redisUrl);
    },
  };
}

/** Removes only this test's keys: tests never flush a database they did not create. */
async function deleteKeys(prefix: string, redisUrl?: string): Promise<void> {
  const redis = new Redis(redisUrl ?? process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
  try {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 500);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
}
