/**
 * One poll round over N copies in flight in one destination and region (the copy-watch flow the
 * worker runs), called directly with the bot's dependencies: DescribeSnapshots calls per round and
 * how long the round takes, with and without a delay on every DescribeSnapshots answer.
 */
import { Redis } from "ioredis";
import { RedisCopyWatch } from "../src/adapters/queue-bullmq/copy-watch.store.js";
import { pollCopiesInFlight } from "../src/kinds/snapshot-copy/copy-watch.flow.js";
import type { Harness } from "../test/support/harness.js";
import { DR_PROD_UIN, READ_ROLE } from "../test/support/harness.js";
import { peakInWindow } from "./stats.js";

export interface PollResult {
  inFlight: number;
  describeCalls: number;
  ms: number;
  /** With `latencyMs` on every DescribeSnapshots answer. */
  msWithLatency: number;
  latencyMs: number;
  peakPerSecond: number;
  throttled: number;
}

let rounds = 0;

export async function measurePollRound(h: Harness, inFlight: number, latencyMs: number): Promise<PollResult> {
  const tag = "abcdefghijklmnopqrstuvwxyz"[rounds++ % 26];
  const redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
  const prefix = `${h.redisPrefix}-poll-${inFlight}`;
  const watch = new RedisCopyWatch(redis, prefix);
  try {
    for (let i = 0; i < inFlight; i++) {
      const snapshotId = `snap-p${tag}${String(i).padStart(6, "0")}`;
      h.sim.state.addSnapshot(DR_PROD_UIN, {
        snapshotId,
        region: "ap-shanghai",
        name: `bench-watched-${inFlight}-${i}`,
        diskId: "disk-db000001",
        diskSize: 100,
        diskUsage: "DATA_DISK",
        encrypt: true,
        state: "COPYING_FROM_REMOTE",
      });
      await watch.watch({
        requestId: `rq-p${tag}${i}`,
        accountUin: DR_PROD_UIN,
        readRoleArn: READ_ROLE,
        region: "ap-shanghai",
        snapshotId,
      });
    }
    const deps = { ...h.bot.deps, copyWatch: watch };
    // Let the rate limiter's window from the seeding and earlier rounds pass.
    await new Promise((r) => setTimeout(r, 1100));
    const before = h.sim.calls.length;
    let start = performance.now();
    await pollCopiesInFlight(deps);
    const ms = performance.now() - start;
    const first = h.sim.calls.slice(before).filter((c) => c.action === "DescribeSnapshots");
    await new Promise((r) => setTimeout(r, 1100));
    h.sim.state.setLatency("DescribeSnapshots", latencyMs);
    const beforeSlow = h.sim.calls.length;
    start = performance.now();
    try {
      await pollCopiesInFlight(deps);
    } finally {
      h.sim.state.setLatency("DescribeSnapshots", 0);
    }
    const msWithLatency = performance.now() - start;
    const slow = h.sim.calls.slice(beforeSlow).filter((c) => c.action === "DescribeSnapshots");
    const all = [...first, ...slow];
    return {
      inFlight,
      describeCalls: first.length,
      ms,
      msWithLatency,
      latencyMs,
      peakPerSecond: Math.max(
        peakInWindow(
          first.filter((c) => !c.errorCode).map((c) => c.at),
          1000,
        ),
        peakInWindow(
          slow.filter((c) => !c.errorCode).map((c) => c.at),
          1000,
        ),
      ),
      throttled: all.filter((c) => c.errorCode === "RequestLimitExceeded").length,
    };
  } finally {
    await redis.del(`${prefix}:copy-watch`, `${prefix}:copy-watch:seen`);
    redis.disconnect();
  }
}
