import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { BotConfigInput } from "../../src/config/load-config.js";
import { BOT_TOKEN } from "./harness.js";

export interface WorkerProcessOptions {
  config: BotConfigInput;
  simUrl: string;
  slackApiUrl: string;
  redisUrl?: string;
  /** The worker's PORT (ops endpoints). @defaultValue 0: a free port, read from its start-up line */
  port?: number;
}

export interface WorkerProcess {
  readonly child: ChildProcess;
  /** Resolves once the worker logged that it started. */
  ready: Promise<void>;
  isReady(): boolean;
  /** The port its ops server listens on (known once `ready` resolved). */
  port(): number;
  /** Resolves with the exit code (null when killed by a signal) once the process is gone. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
}

const ROOT = resolve(import.meta.dirname, "../..");

/**
 * Runs `node src/main.ts worker` (through tsx) as a separate process: the real entry point, its
 * configuration file and its signal handling, against the test's simulator, emulator and Redis.
 */
export function startWorkerProcess(options: WorkerProcessOptions): WorkerProcess {
  const dir = mkdtempSync(join(tmpdir(), "cbs-worker-"));
  const configPath = join(dir, "bot.config.yml");
  // JSON is YAML.
  writeFileSync(configPath, JSON.stringify(options.config));
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts", "worker"], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_API_URL: options.slackApiUrl,
      REDIS_URL: options.redisUrl ?? process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
      TENCENTCLOUD_SECRET_ID: "AKIDsource",
      TENCENTCLOUD_SECRET_KEY: "source-secret-key",
      TENCENTCLOUD_API_ENDPOINT: options.simUrl,
      BOT_CONFIG: configPath,
      PORT: String(options.port ?? 0),
      LOG_LEVEL: "info",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let started = false;
  let port = 0;
  let markReady: () => void = () => undefined;
  let markFailed: (err: Error) => void = () => undefined;
  const ready = new Promise<void>((res, rej) => {
    markReady = res;
    markFailed = rej;
  });
  const onData = (chunk: Buffer) => {
    out += chunk.toString();
    if (!started && out.includes("cbs-snapshot-bot started")) {
      started = true;
      port = Number(/"port":(\d+)[^\n]*"msg":"cbs-snapshot-bot started"/.exec(out)?.[1] ?? 0);
      markReady();
    }
  };
  child.stdout?.on("data", onData);
  child.stderr?.on("data", onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => {
    child.once("exit", (code, signal) => {
      rmSync(dir, { recursive: true, force: true });
      markFailed(new Error(`worker exited before it started (code ${code}, signal ${signal}):\n${out}`));
      res({ code, signal });
    });
  });
  ready.catch(() => undefined);
  return {
    child,
    ready,
    exited,
    isReady: () => started && child.exitCode === null,
    port: () => port,
    output: () => out,
  };
}
