import { type ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const TSX_LOADER = createRequire(import.meta.url).resolve("tsx");

/**
 * Exactly what `npm start` runs (`node --import tsx src/main.ts`), with no Slack token: the sandbox.
 * The loader rather than the tsx CLI, so that SIGINT reaches the process directly (the CLI relays
 * signals to a child with a 30 ms deadline and kills it when a loaded machine misses it).
 */
function startLikeNpmStart(): { child: ChildProcess; output: () => string } {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "/tmp",
    REDIS_URL,
    PORT: "0",
    LOG_LEVEL: "info",
  };
  const child = spawn(process.execPath, ["--import", TSX_LOADER, "src/main.ts"], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  return { child, output: () => output };
}

describe("npm start without SLACK_BOT_TOKEN", () => {
  let child: ChildProcess | undefined;
  afterAll(() => {
    if (child && child.exitCode === null) child.kill("SIGKILL");
  });

  it("prints the console URL, answers within 30 s, and deletes its Redis keys on Ctrl-C", async () => {
    const started = Date.now();
    const run = startLikeNpmStart();
    child = run.child;
    const url = await waitFor(
      () => /Sandbox console: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(run.output())?.[1],
      30_000,
    );
    const page = await fetch(url);
    const elapsed = Date.now() - started;
    expect(page.status).toBe(200);
    expect(elapsed).toBeLessThan(30_000);
    const prefix = /"redisPrefix":"(cbs-sandbox-[a-z0-9]+)"/.exec(run.output())?.[1] ?? "";
    expect(prefix).not.toBe("");

    const sent = await fetch(`${url}api/command`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        userId: "U0ALICE",
        channelId: "C0REQUESTS",
        text: "/snapshot replicate snap-db000001 to dr-prod",
      }),
    });
    expect(sent.status).toBe(200);
    await waitFor(async () => ((await countKeys(prefix)) > 0 ? true : undefined), 5000);

    const exited = new Promise<number | null>((resolve) => run.child.on("exit", (code) => resolve(code)));
    run.child.kill("SIGINT");
    expect(await exited).toBe(0);
    expect(run.output()).toContain("SIGINT: stopping");
    expect(await countKeys(prefix)).toBe(0);
  }, 45_000);
});

async function countKeys(prefix: string): Promise<number> {
  const redis = new Redis(REDIS_URL);
  try {
    return (await redis.keys(`${prefix}:*`)).length;
  } finally {
    redis.disconnect();
  }
}

async function waitFor<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
