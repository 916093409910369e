import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTencentSimulator, type TencentSimulator } from "../../../dev/tencent-simulator/index.js";
import { RedisCallRateLimiter } from "../../../src/adapters/cloud-tencent/cloud-rate-limiter.js";
import { TencentCaller } from "../../../src/adapters/cloud-tencent/tencent-client.js";
import { TencentCloudAdapter } from "../../../src/adapters/cloud-tencent/tencent-cloud.adapter.js";

const SOURCE = { secretId: "AKIDsource", secretKey: "source-secret-key", accountUin: "100000000001" };
const REGIONS = ["ap-guangzhou", "ap-shanghai", "ap-beijing"];
const LATENCY_MS = 300;

describe("a snapshot looked up without `in <region>` (real SDK, simulator)", () => {
  let sim: TencentSimulator;
  let redis: Redis;
  let api: TencentCloudAdapter;
  const prefix = `test-${randomUUID().slice(0, 8)}`;

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
    api = new TencentCloudAdapter({
      caller: new TencentCaller({
        apiEndpoint: sim.url,
        rateLimiter: new RedisCallRateLimiter({ redis, prefix }),
      }),
      sourceCredentials: SOURCE,
    });
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    await sim.close();
  });

  it("searches every configured region in one round: the DescribeSnapshots calls overlap", async () => {
    sim.state.setLatency("DescribeSnapshots", LATENCY_MS);
    try {
      const before = sim.calls.length;
      const started = Date.now();
      const found = await api.findSourceSnapshot("snap-abc12345", REGIONS);
      const took = Date.now() - started;
      expect(found).toMatchObject({ snapshotId: "snap-abc12345", region: "ap-shanghai" });
      const calls = sim.calls.slice(before).filter((c) => c.action === "DescribeSnapshots");
      expect(calls.map((c) => c.region).sort()).toEqual([...REGIONS].sort());
      // Each answer takes 300 ms: one after another, the second call would arrive ≥ 300 ms after
      // the first. Side by side, all three arrive before the first is answered.
      const arrivals = calls.map((c) => c.at);
      expect(Math.max(...arrivals) - Math.min(...arrivals)).toBeLessThan(LATENCY_MS);
      expect(took).toBeLessThan(2 * LATENCY_MS);
    } finally {
      sim.state.setLatency("DescribeSnapshots", 0);
    }
  });
});
