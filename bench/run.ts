/**
 * `npm run bench`: the load checks against the simulator, the Slack emulator and the Redis at
 * REDIS_URL (or 127.0.0.1:6379), each under a fresh key prefix it deletes afterwards. Prints one
 * table (figure | measured | target | ok), writes bench/results.json, exits 1 when a target is missed.
 * Sizes (defaults in brackets):
 *   BENCH_ACKS [50,200]  BENCH_REQUESTS [1000]  BENCH_FAIR_REQUESTS [2000]  BENCH_PER_CHANNEL [20]
 *   BENCH_CONCURRENCY [50] (commands in flight)  BENCH_WORKER_CONCURRENCY [50]  BENCH_COPY_MS [2000]
 *   BENCH_NAMES [250]  BENCH_POLL [500,2000,5000]  BENCH_POLL_LATENCY_MS [200]
 *   BENCH_RSS_REQUESTS [10000]  BENCH_RAW_JOBS [10000]
 *   BENCH_ONLY  a comma list of phases: ack, burst, fair, cards, poll, rss, baseline
 *   BENCH_ACK_IN_PROCESS=1  time the acks of a bot in the driver's own process (the old way); by
 *   default the acked bot is an `all` process of its own (bench/bot-process.ts)
 */
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { runBench, sizesFromEnv } from "./bench.js";
import { formatTable } from "./stats.js";

async function main(): Promise<void> {
  const report = await runBench(sizesFromEnv(), (line) => console.error(`[bench] ${line}`));
  const out = resolve(import.meta.dirname, "results.json");
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\n${report.date.slice(0, 10)}, ${report.machine}\n`);
  console.log(formatTable(report.rows));
  const missed = report.rows.filter((r) => r.ok === false);
  console.log(
    `\n${missed.length} of ${report.rows.filter((r) => r.ok !== null).length} targets missed; ${out}`,
  );
  process.exit(missed.length > 0 ? 1 : 0);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(2);
});
