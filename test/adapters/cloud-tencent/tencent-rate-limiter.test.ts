import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTencentSimulator, type TencentSimulator } from "../../../dev/tencent-simulator/index.js";
import { RedisCallRateLimiter } from "../../../src/adapters/cloud-tencent/cloud-rate-limiter.js";
import { TencentCaller } from "../../../src/adapters/cloud-tencent/tencent-client.js";
import { peakCallsPerSecond } from "../../worker/worker-fixtures.js";

const SOURCE = { secretId: "AKIDsource", secretKey: "source-secret-key", accountUin: "100000000001" };

describe("shared cloud rate limiter (two workers' callers, one Redis)", () => {
  let sim: TencentSimulator;
  let redis: Redis;
  const prefix = `test-${randomUUID().slice(0, 8)}`;
  let workers: TencentCaller[];

  beforeAll(async () => {
    sim = await startTencentSimulator();
    sim.state.addAccount({ uin: SOURCE.accountUin, secretId: SOURCE.secretId, secretKey: SOURCE.secretKey });
    sim.state.addSnapshot(SOURCE.accountUin, {
      snapshotId: "snap-abc12345",
      region: "ap-shanghai",
      name: "db",
      diskId: "disk-db000001",
      diskSize: 10,
      diskUsage: "DATA_DISK",
      encrypt: false,
    });
    redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
    // Two callers with their own limiter objects, as in two worker processes.
    workers = [0, 1].map(
      () =>
        new TencentCaller({
          apiEndpoint: sim.url,
          rateLimiter: new RedisCallRateLimiter({ redis, prefix }),
        }),
    );
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    await sim.close();
  });

  const describeSnapshot = (caller: TencentCaller) =>
    caller.call("cbs", "DescribeSnapshots", { SnapshotIds: ["snap-abc12345"] }, SOURCE, "ap-shanghai");

  it("60 concurrent calls from two workers stay at or under 20 per second, none refused", async () => {
    const started = Date.now();
    await Promise.all(
      Array.from({ length: 60 }, (_, i) => describeSnapshot(workers[i % 2] as TencentCaller)),
    );
    expect(peakCallsPerSecond(sim).peak).toBeLessThanOrEqual(20);
    expect(sim.calls.filter((c) => c.errorCode)).toHaveLength(0);
    // 60 calls at ≤ 20/s need about three seconds, whichever worker makes them.
    expect(Date.now() - started).toBeGreaterThan(2500);
  });

  it("a 1,000-call burst from two workers runs at ≥ 19 calls/s (95% of 20), none refused at the simulator", async () => {
    const before = sim.calls.length;
    const started = Date.now();
    await Promise.all(
      Array.from({ length: 1000 }, (_, i) => describeSnapshot(workers[i % 2] as TencentCaller)),
    );
    const calls = sim.calls.slice(before);
    const first = calls[0]?.at ?? started;
    const last = calls.at(-1)?.at ?? Date.now();
    // 1,000 calls are 999 intervals: the rate between the first and the last call at the simulator.
    const perSecond = (999 * 1000) / (last - first);
    console.info(
      `rate limiter: 1000 calls in ${last - first} ms at the simulator, ${perSecond.toFixed(2)} calls/s`,
    );
    expect(calls.filter((c) => c.errorCode)).toHaveLength(0);
    expect(peakCallsPerSecond({ ...sim, calls }).peak).toBeLessThanOrEqual(20);
    expect(perSecond).toBeGreaterThanOrEqual(19);
  }, 70_000);

  it("a RequestLimitExceeded makes every worker hold that action back, then the call succeeds", async () => {
    sim.state.injectFault({ action: "DescribeSnapshots", code: "RequestLimitExceeded", times: 1 });
    const before = sim.calls.length;
    const first = describeSnapshot(workers[0] as TencentCaller);
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    await describeSnapshot(workers[1] as TencentCaller);
    expect(Date.now() - started).toBeGreaterThan(700);
    await first;
    const calls = sim.calls.slice(before);
    expect(calls.map((c) => c.errorCode ?? "ok")).toEqual(["RequestLimitExceeded", "ok", "ok"]);
  });
});
