import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../support/harness.js";
import { freePort, ThrowawayRedis } from "../support/throwaway-redis.js";
import { copiesByName, seedApprovedRequests, waitUntilFinal } from "./worker-fixtures.js";

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
