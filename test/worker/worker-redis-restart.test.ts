import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../support/harness.js";
import { copiesByName, seedApprovedRequests, waitUntilFinal } from "./worker-fixtures.js";

/** A throwaway Redis with AOF on, on a free port: this test restarts it (never the shared one). */
class ThrowawayRedis {
  private process?: ChildProcess;
  readonly dir = mkdtempSync(join(tmpdir(), "cbs-redis-"));
  constructor(readonly port: number) {}
  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }
  async start(): Promise<void> {
    this.process = spawn(
      "redis-server",
      [
        "--port",
        String(this.port),
        "--save",
        "",
        "--appendonly",
        "yes",
        "--dir",
        this.dir,
        "--bind",
        "127.0.0.1",
      ],
      { stdio: "ignore" },
    );
    const probe = new Redis(this.url, {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => 50,
    });
    probe.on("error", () => undefined);
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        await probe.connect().catch(() => undefined);
        if ((await probe.ping()) === "PONG") break;
      } catch {
        if (Date.now() > deadline) throw new Error("throwaway redis did not start");
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    probe.disconnect();
  }
  /** SIGTERM: Redis writes its AOF and exits, as on a restart by an operator or an orchestrator. */
  async stop(): Promise<void> {
    const p = this.process;
    if (!p || p.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      p.once("exit", () => resolve());
      p.kill("SIGTERM");
    });
  }
  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject()));
    });
  });
}

describe("a Redis restart in the middle of a run", () => {
  let redis: ThrowawayRedis;
  let h: Harness;
  beforeAll(async () => {
    redis = new ThrowawayRedis(await freePort());
    await redis.start();
    h = await startHarness({
      redisUrl: redis.url,
      copyDurationMs: 1500,
      config: {
        replication: { pollInterval: "100ms", retryDelay: "50ms", retryMaxDelay: "500ms", attempts: 20 },
      },
    });
  });
  afterAll(async () => {
    await h?.close().catch(() => undefined);
    await redis?.dispose();
  });

  it("loses no request and makes no second copy", async () => {
    const requests = await seedApprovedRequests(h.bot.deps, 30, "restart");
    // Let some requests reach every step: checking, copying, verifying.
    await h.slack.waitFor(() => h.sim.state.copies.length >= 10, {
      what: "copies under way",
      timeoutMs: 20_000,
    });
    await redis.stop();
    await new Promise((r) => setTimeout(r, 1500));
    await redis.start();
    const counts = await waitUntilFinal(
      h.bot.deps.store,
      requests.map((r) => r.id),
      60_000,
    );
    expect(counts).toEqual({ completed: 30 });
    const copies = copiesByName(h.sim);
    for (const r of requests) expect(copies.get(r.spec.newName), r.spec.newName).toBe(1);
  }, 90_000);
});
