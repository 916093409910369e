import { type ChildProcess, spawn } from "node:child_process";
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import { ConfigError } from "../config/load-config.js";

/** Finds or installs redis-server, else prints the platform's install command (shared with `npm test`). */
export const ENSURE_REDIS_SERVER_SCRIPT = fileURLToPath(
  new URL("../../scripts/ensure-redis-server.sh", import.meta.url),
);
/** Every private Redis keeps its data in a folder `<tmpdir>/cbs-sandbox-redis-*`. */
const FOLDER_PREFIX = "cbs-sandbox-redis-";
const OWNER_FILE = "owner.json";
const READY_WITHIN_MS = 5000;

export interface PrivateRedis {
  /** e.g. "redis://127.0.0.1:40123" (never 6379's Redis: the port is a free one) */
  url: string;
  port: number;
  /** The redis-server process. */
  pid: number;
  /** Its data folder, removed when it stops. */
  dir: string;
  /** Stops redis-server and removes its folder (idempotent). */
  stop(): Promise<void>;
}

/**
 * Starts a redis-server of the sandbox's own on a free loopback port, with its data in a temporary
 * folder and no persistence, and waits until it answers. It runs in its own process group, so a
 * Ctrl-C in the terminal reaches only the sandbox, which closes the bot first and then stops it.
 * Should the sandbox exit without stopping it (an uncaught failure, SIGHUP), an exit hook kills it;
 * should the sandbox be killed (-9), the next start finds the folder, sees that its owner is gone
 * and shuts that Redis down.
 */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  await reapLeftovers();
  const dir = mkdtempSync(join(tmpdir(), FOLDER_PREFIX));
  try {
    for (let attempt = 1; ; attempt++) {
      const port = await freeLoopbackPort();
      writeFileSync(join(dir, OWNER_FILE), JSON.stringify({ owner: process.pid, port }));
      const child = await spawnRedisServer(port, dir);
      const started = await waitUntilReady(child, port, dir);
      if (started === "ready") return supervise(child, port, dir);
      // Another process took the port between the probe and redis-server's bind: try another one.
      if (started === "address in use" && attempt < 3) {
        rmSync(join(dir, "redis.log"), { force: true });
        continue;
      }
      throw new Error(`redis-server did not start: ${lastLines(readLog(dir))}`);
    }
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

function redisServerArgs(port: number, dir: string): string[] {
  return [
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--protected-mode",
    "yes",
    "--dir",
    dir,
    "--logfile",
    join(dir, "redis.log"),
    "--save",
    "",
    "--appendonly",
    "no",
    "--daemonize",
    "no",
    "--maxmemory-policy",
    "noeviction",
  ];
}

/** Spawns redis-server; when it is not on PATH, runs the shared script once (install or instructions). */
async function spawnRedisServer(port: number, dir: string): Promise<ChildProcess> {
  const first = await trySpawn(port, dir);
  if (first !== "missing") return first;
  await ensureRedisServer();
  const second = await trySpawn(port, dir);
  if (second === "missing") throw new ConfigError("redis-server is still not on PATH after installing it.");
  return second;
}

function trySpawn(port: number, dir: string): Promise<ChildProcess | "missing"> {
  return new Promise((resolve, reject) => {
    const child = spawn("redis-server", redisServerArgs(port, dir), { detached: true, stdio: "ignore" });
    child.once("spawn", () => resolve(child));
    child.once("error", (err: NodeJS.ErrnoException) =>
      err.code === "ENOENT" ? resolve("missing") : reject(err),
    );
  });
}

/** Runs scripts/ensure-redis-server.sh: its progress goes to our stdout, its one-line refusal becomes a ConfigError. */
function ensureRedisServer(): Promise<void> {
  return new Promise((resolve, reject) => {
    const script = spawn("bash", [ENSURE_REDIS_SERVER_SCRIPT], { stdio: ["ignore", "inherit", "pipe"] });
    let stderr = "";
    script.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    script.once("error", () =>
      reject(
        new ConfigError("redis-server is not installed (and bash, to find or install it, is not on PATH)."),
      ),
    );
    script.once("close", (code) => {
      if (code === 0) resolve();
      else
        reject(
          new ConfigError(lastLines(stderr, 1) || `${ENSURE_REDIS_SERVER_SCRIPT} failed (exit ${code})`),
        );
    });
  });
}

async function waitUntilReady(
  child: ChildProcess,
  port: number,
  dir: string,
): Promise<"ready" | "address in use" | "failed"> {
  const exited = new Promise<"exited">((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve("exited");
    else child.once("exit", () => resolve("exited"));
  });
  const deadline = Date.now() + READY_WITHIN_MS;
  while (Date.now() < deadline) {
    const answer = await Promise.race([ping(port), exited]);
    if (answer === true) return "ready";
    if (answer === "exited") {
      return /address already in use/i.test(readLog(dir)) ? "address in use" : "failed";
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  child.kill("SIGKILL");
  return "failed";
}

async function ping(port: number, timeoutMs = 500): Promise<boolean> {
  const redis = new Redis({
    host: "127.0.0.1",
    port,
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  redis.on("error", () => {});
  try {
    await redis.connect();
    return (await redis.ping()) === "PONG";
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

function supervise(child: ChildProcess, port: number, dir: string): PrivateRedis {
  const pid = child.pid as number;
  // Last resort when the process ends without stop(): only synchronous work is possible here.
  const killNow = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  };
  // The terminal closing (SIGHUP) reaches the sandbox, not redis-server's own process group.
  const onHangup = () => process.exit(129);
  process.on("exit", killNow);
  process.once("SIGHUP", onHangup);
  let stopping: Promise<void> | undefined;
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    pid,
    dir,
    stop() {
      stopping ??= (async () => {
        process.off("exit", killNow);
        process.off("SIGHUP", onHangup);
        if (child.exitCode === null && child.signalCode === null) {
          const exited = new Promise((resolve) => child.once("exit", resolve));
          child.kill("SIGTERM");
          const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
          await exited;
          clearTimeout(timer);
        }
        rmSync(dir, { recursive: true, force: true });
      })();
      return stopping;
    },
  };
}

/**
 * Folders of private Redis whose sandbox is gone (killed with -9): shut their Redis down, but only
 * one that says it keeps its data in that very folder, and remove the folder.
 */
async function reapLeftovers(): Promise<void> {
  let names: string[];
  try {
    names = readdirSync(tmpdir()).filter((name) => name.startsWith(FOLDER_PREFIX));
  } catch {
    return;
  }
  for (const name of names) {
    const dir = join(tmpdir(), name);
    let owner: { owner?: unknown; port?: unknown };
    try {
      owner = JSON.parse(readFileSync(join(dir, OWNER_FILE), "utf8")) as typeof owner;
    } catch {
      continue; // being created right now, or not ours
    }
    if (typeof owner.owner !== "number" || typeof owner.port !== "number" || isAlive(owner.owner)) continue;
    await shutDownIfItsDir(owner.port, dir);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function shutDownIfItsDir(port: number, dir: string): Promise<void> {
  const redis = new Redis({
    host: "127.0.0.1",
    port,
    lazyConnect: true,
    connectTimeout: 500,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  redis.on("error", () => {});
  try {
    await redis.connect();
    const [, itsDir] = (await redis.config("GET", "dir")) as [string, string];
    if (existsSync(dir) && itsDir === realpathSync(dir))
      await redis.call("SHUTDOWN", "NOSAVE").catch(() => {});
  } catch {
    // nothing listens there any more
  } finally {
    redis.disconnect();
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function readLog(dir: string): string {
  try {
    return readFileSync(join(dir, "redis.log"), "utf8");
  } catch {
    return "";
  }
}

function lastLines(text: string, count = 3): string {
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "")
    .slice(-count)
    .join(" / ");
}
