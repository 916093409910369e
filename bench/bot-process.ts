/**
 * The bot as deployed for the figures that time it (the slash-command ack): `node src/main.ts all`
 * in a process of its own, so that the load driver's work (signing, sending, the emulator and the
 * simulator answering) is not counted as the bot's latency.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { BotConfigInput } from "../src/config/load-config.js";
import {
  BOB,
  BOT_TOKEN,
  CAROL,
  DR_BLIND_UIN,
  DR_PROD_UIN,
  type Harness,
  NOTIFY_CHANNEL,
  READ_ROLE,
  SIGNING_SECRET,
  SOURCE_UIN,
} from "../test/support/harness.js";

export interface BotProcess {
  readonly child: ChildProcess;
  /** Its Slack endpoint (HTTP mode). */
  appUrl: string;
  close(): Promise<void>;
}

const ROOT = resolve(import.meta.dirname, "..");

/**
 * Starts an `all` process against the harness's emulator, simulator and Redis prefix (the
 * harness's own bot then only stands by: the driver sends nothing to it).
 */
export async function startBotProcess(h: Harness, extra: Partial<BotConfigInput> = {}): Promise<BotProcess> {
  const config = {
    source: { accountUin: SOURCE_UIN, regions: ["ap-guangzhou", "ap-shanghai"] },
    destinations: {
      "dr-prod": { accountUin: DR_PROD_UIN, readRoleArn: READ_ROLE },
      "dr-blind": { accountUin: DR_BLIND_UIN },
    },
    approvers: { users: [BOB, CAROL] },
    redisPrefix: h.redisPrefix,
    ...extra,
    // The driver sends every command as one person.
    slack: { notifyChannel: NOTIFY_CHANNEL, requestRateLimit: { perUser: 10_000 } },
  } as BotConfigInput;
  const dir = mkdtempSync(join(tmpdir(), "cbs-bench-bot-"));
  const configPath = join(dir, "bot.config.yml");
  writeFileSync(configPath, JSON.stringify(config));
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts", "all"], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: h.slack.apiUrl,
      REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
      TENCENTCLOUD_SECRET_ID: "AKIDsource",
      TENCENTCLOUD_SECRET_KEY: "source-secret-key",
      TENCENTCLOUD_API_ENDPOINT: h.sim.url,
      BOT_CONFIG: configPath,
      PORT: "0",
      LOG_LEVEL: "info",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  const exited = new Promise<void>((res) => child.once("exit", () => res()));
  const port = await new Promise<number>((res, rej) => {
    const onData = (chunk: Buffer) => {
      // Only the start-up is read; later lines are dropped (the pipe must not fill up).
      if (out.length < 200_000) out += chunk.toString();
      const m = /"port":(\d+)[^\n]*"msg":"cbs-snapshot-bot started"/.exec(out);
      if (m) res(Number(m[1]));
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    void exited.then(() => rej(new Error(`the bot process exited before it started:\n${out.slice(-4000)}`)));
    setTimeout(() => rej(new Error(`the bot process did not start in 60 s:\n${out.slice(-4000)}`)), 60_000);
  });
  return {
    child,
    appUrl: `http://127.0.0.1:${port}/slack/events`,
    async close() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      const killer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(killer);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
