import { createServer } from "node:net";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError, parseEnvironment } from "../../src/config/load-config.js";
import { createLogger } from "../../src/main/logger.js";
import { startSandbox } from "../../src/sandbox/sandbox.js";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const env = parseEnvironment({ REDIS_URL, LOG_LEVEL: "silent" });
const logger = createLogger("silent");

async function countKeys(prefix: string): Promise<number> {
  const redis = new Redis(REDIS_URL);
  try {
    return (await redis.keys(`${prefix}:*`)).length;
  } finally {
    redis.disconnect();
  }
}

describe("sandbox process: console server, guards, clean shutdown", () => {
  const opened: Array<{ close(): Promise<void> }> = [];
  afterAll(async () => {
    for (const o of opened) await o.close();
  });

  it("serves the console, takes commands only as same-origin JSON, and deletes its Redis keys on close", async () => {
    const sandbox = await startSandbox({ env, logger, port: 0, copyDurationMs: 500 });
    opened.push(sandbox);
    expect(sandbox.consoleUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);

    const page = await fetch(sandbox.consoleUrl);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(await page.text()).toContain("Simulated Tencent Cloud");

    const view = (await (await fetch(`${sandbox.consoleUrl}api/view?user=U0BOB`)).json()) as {
      me: string;
      cloud: { destinations: Array<{ alias: string; collaborator: boolean; canCopy: boolean }> };
    };
    expect(view.me).toBe("U0BOB");
    expect(view.cloud.destinations).toEqual([
      expect.objectContaining({ alias: "dr-prod", collaborator: true, canCopy: true }),
      expect.objectContaining({ alias: "dr-new", collaborator: false }),
      expect.objectContaining({ alias: "dr-locked", collaborator: true, canCopy: false }),
    ]);

    const command = JSON.stringify({
      userId: "U0ALICE",
      channelId: "C0REQUESTS",
      text: "/snapshot replicate snap-db000001 to dr-prod",
    });
    const crossSite = await fetch(`${sandbox.consoleUrl}api/command`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: "http://evil.example" },
      body: command,
    });
    expect(crossSite.status).toBe(403);
    const form = await fetch(`${sandbox.consoleUrl}api/command`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "text=/snapshot+help",
    });
    expect(form.status).toBe(415);
    const unknownUser = await fetch(`${sandbox.consoleUrl}api/command`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ userId: "U0MALLORY", channelId: "C0REQUESTS", text: "/snapshot help" }),
    });
    expect(unknownUser.status).toBe(400);

    const sent = await fetch(`${sandbox.consoleUrl}api/command`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: command,
    });
    expect(await sent.json()).toEqual({ ok: true, status: 200 });
    await expect.poll(() => countKeys(sandbox.redisPrefix), { timeout: 5000 }).toBeGreaterThan(0);

    await sandbox.close();
    expect(await countKeys(sandbox.redisPrefix)).toBe(0);
    await expect(fetch(sandbox.consoleUrl)).rejects.toThrow();
  });

  it("says which port is taken, and cleans up what it had started", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const address = blocker.address();
    const port = typeof address === "object" && address ? address.port : 0;
    try {
      const failed = startSandbox({ env, logger, port });
      await expect(failed).rejects.toThrow(ConfigError);
      await expect(failed).rejects.toThrow(`port ${port} is already in use`);
    } finally {
      blocker.close();
    }
  });

  it("tells how to start Redis when it is not reachable", async () => {
    const noRedis = parseEnvironment({ REDIS_URL: "redis://127.0.0.1:1", LOG_LEVEL: "silent" });
    await expect(startSandbox({ env: noRedis, logger, port: 0 })).rejects.toThrow(
      /Redis is not reachable at redis:\/\/127\.0\.0\.1:1\. Start one with `docker compose up -d redis`/,
    );
  });
});
