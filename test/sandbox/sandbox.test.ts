import { createServer } from "node:net";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { buildBotConfig, ConfigError, parseEnvironment } from "../../src/config/load-config.js";
import { createLogger } from "../../src/main/logger.js";
import type { CloudView } from "../../src/sandbox/cloud-panel.js";
import type { ConsoleMessage } from "../../src/sandbox/console-feed.js";
import { type Sandbox, startSandbox } from "../../src/sandbox/sandbox.js";
import { SANDBOX_MAX_COPY_DURATION, sandboxConfig } from "../../src/sandbox/sandbox-seed.js";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const env = parseEnvironment({ REDIS_URL, LOG_LEVEL: "silent" });
const logger = createLogger("silent");

type View = { cloud: CloudView };

async function keysOf(prefix: string): Promise<string[]> {
  const redis = new Redis(REDIS_URL);
  try {
    return await redis.keys(`${prefix}:*`);
  } finally {
    redis.disconnect();
  }
}
const countKeys = async (prefix: string) => (await keysOf(prefix)).length;

async function deleteKeys(keys: string[]): Promise<void> {
  if (keys.length === 0) return;
  const redis = new Redis(REDIS_URL);
  try {
    await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
}

const postJson = (sandbox: Sandbox, path: string, body: unknown) =>
  fetch(`${sandbox.consoleUrl}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });

async function messagesFor(sandbox: Sandbox, user: string): Promise<ConsoleMessage[]> {
  return (
    (await (await fetch(`${sandbox.consoleUrl}api/view?user=${user}`)).json()) as {
      messages: ConsoleMessage[];
    }
  ).messages;
}

/** alice asks for a copy of snap-db000001 to dr-prod and bob approves it on the card; the card's ts. */
async function askAndApprove(sandbox: Sandbox): Promise<string> {
  await postJson(sandbox, "api/command", {
    userId: "U0ALICE",
    channelId: "C0REQUESTS",
    text: "/snapshot replicate snap-db000001 to dr-prod",
  });
  let card: { ts: string; value?: string } | undefined;
  await expect
    .poll(
      async () => {
        for (const m of await messagesFor(sandbox, "U0BOB")) {
          const button = JSON.stringify(m.blocks).match(
            /"action_id":"request_approve"(?:,"value":"([^"]*)")?/,
          );
          if (m.channel === "C0REQUESTS" && !m.threadTs && button)
            card = { ts: m.ts, ...(button[1] ? { value: button[1] } : {}) };
        }
        return card;
      },
      { timeout: 15_000, interval: 100 },
    )
    .toBeDefined();
  const approved = await postJson(sandbox, "api/action", {
    userId: "U0BOB",
    channelId: "C0REQUESTS",
    messageTs: card?.ts,
    actionId: "request_approve",
    ...(card?.value ? { value: card.value } : {}),
  });
  expect(approved.status).toBe(200);
  return card?.ts ?? "";
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
    // The request is in the audit stream (the queues' keys exist from the start).
    await expect
      .poll(() => keysOf(sandbox.redisPrefix), { timeout: 10_000 })
      .toContain(`${sandbox.redisPrefix}:audit`);

    await sandbox.close();
    // Everything of the run goes but its audit trail, which the banner's command reads afterwards.
    const left = await keysOf(sandbox.redisPrefix);
    expect(left).toEqual([`${sandbox.redisPrefix}:audit`]);
    expect(sandbox.auditCommand).toBe(
      `REDIS_URL=${new URL(REDIS_URL).toString()} npm run audit -- --prefix ${sandbox.redisPrefix}`,
    );
    expect(sandbox.auditFile).toBeUndefined();
    await deleteKeys(left);
    await expect(fetch(sandbox.consoleUrl)).rejects.toThrow();
  });

  it("asked to (keepAudit false), leaves no key at all, not even the audit stream", async () => {
    const lines: string[] = [];
    const sandbox = await startSandbox({
      env,
      logger,
      port: 0,
      keepAudit: false,
      announce: (line) => lines.push(line),
    });
    opened.push(sandbox);
    expect(lines.join("\n")).toContain("deleted on exit (SANDBOX_DELETE_AUDIT=1)");
    await postJson(sandbox, "api/command", {
      userId: "U0ALICE",
      channelId: "C0REQUESTS",
      text: "/snapshot replicate snap-db000001 to dr-prod",
    });
    await expect
      .poll(() => keysOf(sandbox.redisPrefix), { timeout: 10_000 })
      .toContain(`${sandbox.redisPrefix}:audit`);
    await sandbox.close();
    expect(await countKeys(sandbox.redisPrefix)).toBe(0);
  });

  it("answers /readyz and /metrics on the console's port, as the production bot does on PORT", async () => {
    const sandbox = await startSandbox({ env, logger, port: 0 });
    opened.push(sandbox);
    const ready = await fetch(`${sandbox.consoleUrl}readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ok: true });
    const metrics = await fetch(`${sandbox.consoleUrl}metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get("content-type")).toContain("text/plain");
    const text = await metrics.text();
    expect(text).toMatch(/^# HELP /m);
    expect(text).toContain("cbs_");
    await sandbox.close();
    await deleteKeys(await keysOf(sandbox.redisPrefix));
  });

  it("its configuration reports a stuck copy within a minute, and its normal 20 s copy finishes well inside that", () => {
    const config = buildBotConfig(sandboxConfig("cbs-sandbox-check"));
    expect(config.replication.maxCopyDuration).toBeLessThanOrEqual(50_000);
    // The default simulated copy (startSandbox's copyDurationMs) with room for polling on a loaded machine.
    expect(config.replication.maxCopyDuration).toBeGreaterThanOrEqual(2 * 20_000);
    expect(SANDBOX_MAX_COPY_DURATION).toBe("45s");
  });

  it("a stuck copy ends as a failure in its thread once maxCopyDuration has passed, while a normal one completes", async () => {
    const sandbox = await startSandbox({
      env,
      logger,
      port: 0,
      copyDurationMs: 800,
      pollInterval: "200ms",
      maxCopyDuration: "4s",
    });
    opened.push(sandbox);
    const thread = async (ts: string) =>
      (await messagesFor(sandbox, "U0ALICE"))
        .filter((m) => m.threadTs === ts)
        .map((m) => `${m.text} ${JSON.stringify(m.blocks)}`)
        .join("\n");

    const normal = await askAndApprove(sandbox);
    await expect.poll(() => thread(normal), { timeout: 20_000, interval: 200 }).toMatch(/Completed in/);

    expect((await postJson(sandbox, "api/fault", { fault: "stuck-next-copy", on: true })).status).toBe(200);
    const startedAt = Date.now();
    const stuck = await askAndApprove(sandbox);
    await expect
      .poll(() => thread(stuck), { timeout: 30_000, interval: 200 })
      .toMatch(/stopped waiting|stuck/i);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(4000);
    const said = await thread(stuck);
    expect(said).not.toMatch(/Completed in/);
    // The notify channel says so too, in one line with a link to the thread.
    await expect
      .poll(
        async () =>
          (await messagesFor(sandbox, "U0ALICE")).filter(
            (m) => m.channel === "C0NOTIFY" && /fail|stuck/i.test(m.text),
          ).length,
        { timeout: 10_000, interval: 200 },
      )
      .toBeGreaterThan(0);
    await sandbox.close();
    await deleteKeys(await keysOf(sandbox.redisPrefix));
  }, 60_000);

  it("fires a scheduled policy: a snapshot with the policy's id, then its automatic copy in dr-prod after the delay", async () => {
    const delay = 1200;
    const sandbox = await startSandbox({
      env,
      logger,
      port: 0,
      copyDurationMs: 300,
      autoCopyDelayMs: delay,
      policyDayStepMs: 50,
    });
    opened.push(sandbox);
    const policyCall = (body: unknown) =>
      fetch(`${sandbox.consoleUrl}api/policy`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const policies = async () =>
      ((await (await fetch(`${sandbox.consoleUrl}api/view`)).json()) as View).cloud.source.policies;
    const policy = async (id: string) => (await policies()).find((p) => p.id === id);
    const drProd = async () =>
      ((await (await fetch(`${sandbox.consoleUrl}api/view`)).json()) as View).cloud.destinations.find(
        (d) => d.alias === "dr-prod",
      );

    // The seed: one policy a person can link to dr-prod, one linked already.
    expect(await policies()).toEqual([
      expect.objectContaining({
        id: "asp-daily001",
        diskIds: ["disk-ord00001"],
        schedule: "every day at 03:00",
      }),
      expect.objectContaining({
        id: "asp-web4hour",
        copyTo: "dr-prod",
        copyToUin: "200000000002",
        firingsPerDay: 6,
      }),
    ]);
    expect((await policy("asp-daily001"))?.copyTo).toBeUndefined();

    const startedAt = Date.now();
    const fired = await policyCall({ policyId: "asp-web4hour", action: "fire" });
    expect(fired.status).toBe(200);
    const { taken } = (await fired.json()) as { taken: string[] };
    expect(taken).toHaveLength(1);
    // Listed under the policy: the simulator's snapshot carries AutoSnapshotPolicyId asp-web4hour.
    expect((await policy("asp-web4hour"))?.runs[0]).toMatchObject({ snapshotId: taken[0], state: "NORMAL" });
    await expect
      .poll(async () => (await policy("asp-web4hour"))?.runs[0]?.copy.kind, {
        timeout: 10_000,
        interval: 100,
      })
      .toBe("copy");
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(delay);
    const copy = (await policy("asp-web4hour"))?.runs[0]?.copy;
    expect(copy).toMatchObject({ kind: "copy", destination: "dr-prod" });
    const copyId = copy?.kind === "copy" ? copy.snapshotId : "";
    expect((await drProd())?.snapshots.map((s) => s.snapshotId)).toContain(copyId);

    // Drop next copy: the next snapshot's copy never arrives.
    expect(await (await policyCall({ policyId: "asp-web4hour", action: "drop-next-copy" })).json()).toEqual({
      ok: true,
      dropNextCopies: 1,
    });
    await policyCall({ policyId: "asp-web4hour", action: "fire" });
    expect((await policy("asp-web4hour"))?.runs[0]?.copy).toEqual({
      kind: "dropped",
      destination: "dr-prod",
    });

    // Fire a day: one firing per trigger hour (6), each its own snapshot.
    expect(await (await policyCall({ policyId: "asp-web4hour", action: "fire-day" })).json()).toEqual({
      ok: true,
      scheduled: 6,
    });
    await expect
      .poll(async () => (await policy("asp-web4hour"))?.runCount, { timeout: 10_000, interval: 100 })
      .toBe(8);

    // One-line errors for bad input, the right status for what cannot be done.
    const bad = await policyCall({ policyId: "asp-1", action: "explode" });
    expect(bad.status).toBe(400);
    const badError = ((await bad.json()) as { error: string }).error;
    expect(badError).toContain("policyId: asp- followed by 8 lowercase letters or digits");
    expect(badError).toContain("action:");
    expect(badError).not.toContain("\n");
    expect((await policyCall({ policyId: "asp-nothere1", action: "fire" })).status).toBe(404);
    const notLinked = await policyCall({ policyId: "asp-daily001", action: "unlink" });
    expect(notLinked.status).toBe(409);
    expect(await notLinked.json()).toEqual({ error: "asp-daily001 is not linked" });

    // The destination unlinks; the source deletes.
    expect((await policyCall({ policyId: "asp-web4hour", action: "unlink" })).status).toBe(200);
    expect((await policy("asp-web4hour"))?.copyTo).toBeUndefined();
    expect((await policyCall({ policyId: "asp-web4hour", action: "delete" })).status).toBe(200);
    expect((await policies()).map((p) => p.id)).toEqual(["asp-daily001"]);
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
