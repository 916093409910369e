/**
 * Full-size load checks of the worker (`npm run bench`), against the simulator and the Redis at
 * REDIS_URL (or 127.0.0.1:6379), under a fresh key prefix it deletes afterwards.
 *   BENCH_REQUESTS   approved requests in the burst (default 1000)
 *   BENCH_FAULT_RATE transient error rate injected on every action (default 0.1)
 *   BENCH_IN_FLIGHT  copies in flight for the poll-round measurement (default 2000)
 */

import { Redis } from "ioredis";
import { RedisCopyWatch } from "../src/adapters/queue-bullmq/copy-watch.store.js";
import { pollCopiesInFlight } from "../src/kinds/snapshot-copy/copy-watch.flow.js";
import { DR_PROD_UIN, READ_ROLE, startHarness } from "../test/support/harness.js";
import {
  copiesByName,
  peakCallsPerSecond,
  seedApprovedRequests,
  waitUntilFinal,
} from "../test/worker/worker-fixtures.js";

const requestCount = Number(process.env.BENCH_REQUESTS ?? 1000);
const faultRate = Number(process.env.BENCH_FAULT_RATE ?? 0.1);
const inFlight = Number(process.env.BENCH_IN_FLIGHT ?? 2000);

async function main(): Promise<void> {
  const h = await startHarness({
    copyDurationMs: 500,
    config: {
      replication: {
        pollInterval: "200ms",
        retryDelay: "100ms",
        retryMaxDelay: "2s",
        attempts: 15,
        concurrency: 200,
      },
    },
  });
  const redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
  try {
    if (faultRate > 0) h.sim.state.injectFault({ action: "*", code: "InternalError", rate: faultRate });
    const started = Date.now();
    const requests = await seedApprovedRequests(h.bot.deps, requestCount, "bench");
    const counts = await waitUntilFinal(
      h.bot.deps.store,
      requests.map((r) => r.id),
      30 * 60_000,
    );
    h.sim.state.clearFaults();
    const seconds = (Date.now() - started) / 1000;
    const copies = copiesByName(h.sim);
    const doubled = requests.filter((r) => (copies.get(r.spec.newName) ?? 0) !== 1).length;
    const peak = peakCallsPerSecond(h.sim);
    const limited = h.sim.calls.filter((c) => c.errorCode === "RequestLimitExceeded").length;
    console.log(
      JSON.stringify({
        burst: {
          requests: requestCount,
          faultRate,
          seconds,
          counts,
          notExactlyOneCopy: doubled,
          peakCallsPerSecond: peak,
          simRateLimited: limited,
        },
      }),
    );

    const watch = new RedisCopyWatch(redis, `${h.redisPrefix}-bench-watch`);
    for (let i = 0; i < inFlight; i++) {
      const snapshotId = `snap-b${String(i).padStart(7, "0")}`;
      h.sim.state.addSnapshot(DR_PROD_UIN, {
        snapshotId,
        region: "ap-shanghai",
        name: `bench-watched-${i}`,
        diskId: "disk-db000001",
        diskSize: 100,
        diskUsage: "DATA_DISK",
        encrypt: true,
        state: "COPYING_FROM_REMOTE",
      });
      await watch.watch({
        requestId: `rq-b${i}`,
        accountUin: DR_PROD_UIN,
        readRoleArn: READ_ROLE,
        region: "ap-shanghai",
        snapshotId,
      });
    }
    const before = h.sim.callsOf("DescribeSnapshots").length;
    const roundStart = Date.now();
    const round = await pollCopiesInFlight({ ...h.bot.deps, copyWatch: watch });
    console.log(
      JSON.stringify({
        pollRound: {
          inFlight,
          describeSnapshotsCalls: h.sim.callsOf("DescribeSnapshots").length - before,
          ms: Date.now() - roundStart,
          groups: round.groups,
        },
      }),
    );
    await redis.del(
      `${h.redisPrefix}-bench-watch:copy-watch`,
      `${h.redisPrefix}-bench-watch:copy-watch:seen`,
    );
  } finally {
    redis.disconnect();
    await h.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
