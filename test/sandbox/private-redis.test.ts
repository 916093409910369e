import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { parseEnvironment } from "../../src/config/load-config.js";
import { startPrivateRedis } from "../../src/sandbox/private-redis.js";

const TSX_LOADER = createRequire(import.meta.url).resolve("tsx");

describe("the sandbox's private redis-server", () => {
  const spawned: ChildProcess[] = [];
  const folders: string[] = [];
  afterAll(() => {
    for (const child of spawned) if (child.exitCode === null) child.kill("SIGKILL");
    for (const dir of folders) rmSync(dir, { recursive: true, force: true });
  });

  it("is chosen only when REDIS_URL is unset (the default URL alone does not say so)", () => {
    expect(parseEnvironment({}).redisUrlSet).toBe(false);
    expect(parseEnvironment({ REDIS_URL: "  " }).redisUrlSet).toBe(false);
    expect(parseEnvironment({ REDIS_URL: "redis://127.0.0.1:6379" }).redisUrlSet).toBe(true);
  });

  it("starts within 2 s on a free port with its own folder, and stop() removes both", async () => {
    const started = Date.now();
    const redis = await startPrivateRedis();
    expect(Date.now() - started).toBeLessThan(2000);
    try {
      expect(redis.port).not.toBe(6379);
      expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
      const client = new Redis(redis.url);
      try {
        expect(await client.ping()).toBe("PONG");
        expect(await client.config("GET", "save")).toEqual(["save", ""]);
      } finally {
        client.disconnect();
      }
      expect(existsSync(redis.dir)).toBe(true);
    } finally {
      await redis.stop();
    }
    expect(isAlive(redis.pid)).toBe(false);
    expect(existsSync(redis.dir)).toBe(false);
  });

  it("is killed and its folder removed when the process dies of an uncaught error", async () => {
    const script = `
      const { startPrivateRedis } = await import(${JSON.stringify(new URL("../../src/sandbox/private-redis.ts", import.meta.url).href)});
      const redis = await startPrivateRedis();
      console.log(JSON.stringify({ pid: redis.pid, dir: redis.dir }));
      setTimeout(() => { throw new Error("boom"); }, 50);`;
    const child = spawn(process.execPath, ["--import", TSX_LOADER, "--input-type=module", "-e", script], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    spawned.push(child);
    let stdout = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    expect(code).toBe(1);
    const { pid, dir } = JSON.parse(stdout) as { pid: number; dir: string };
    await waitFor(() => !isAlive(pid), 2000);
    expect(existsSync(dir)).toBe(false);
  });

  it("shuts down a leftover of a killed sandbox at the next start, and only one in that leftover's folder", async () => {
    const dead = await deadPid();
    const leftover = await startBareRedis(mkdtempSync(join(tmpdir(), "cbs-sandbox-redis-")), dead);
    // A folder claiming the port of a Redis that keeps its data elsewhere: that Redis is not ours.
    const stranger = await startBareRedis(mkdtempSync(join(tmpdir(), "someone-else-")), dead);
    const claim = mkdtempSync(join(tmpdir(), "cbs-sandbox-redis-"));
    writeFileSync(join(claim, "owner.json"), JSON.stringify({ owner: dead, port: stranger.port }));
    spawned.push(leftover.child, stranger.child);
    folders.push(leftover.dir, stranger.dir, claim);

    const redis = await startPrivateRedis();
    await redis.stop();
    await waitFor(() => leftover.child.exitCode !== null, 2000);
    expect(existsSync(leftover.dir)).toBe(false);
    expect(existsSync(claim)).toBe(false);
    expect(stranger.child.exitCode).toBeNull();
    const client = new Redis(stranger.port);
    try {
      expect(await client.ping()).toBe("PONG");
    } finally {
      client.disconnect();
    }
  });
});

/** A redis-server in `dir` as a killed sandbox would leave it (owner.json naming a dead owner). */
async function startBareRedis(
  dir: string,
  owner: number,
): Promise<{ child: ChildProcess; port: number; dir: string }> {
  const port = await freePort();
  writeFileSync(join(dir, "owner.json"), JSON.stringify({ owner, port }));
  const child = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", ""],
    {
      stdio: "ignore",
    },
  );
  await waitFor(async () => {
    const client = new Redis(port, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    client.on("error", () => {});
    try {
      await client.connect();
      return (await client.ping()) === "PONG";
    } catch {
      return false;
    } finally {
      client.disconnect();
    }
  }, 3000);
  return { child, port, dir };
}

async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  await new Promise((resolve) => child.on("exit", resolve));
  return child.pid ?? 0;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(probe: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
