/**
 * `npm run chaos`: bounded, self-stopping fault scenarios against the simulator, the Slack emulator,
 * worker processes and a throwaway redis-server of its own (the shared Redis is never restarted).
 * Prints one row per scenario (sent, completed, failed as expected, lost, duplicated, 5xx, crashes),
 * writes chaos/results.json, exits 1 on anything lost, duplicated, answered 5xx or crashed.
 *   CHAOS_REQUESTS [30]  CHAOS_KILLS [20]  CHAOS_FUZZ [10000]  CHAOS_FORGED_REPEAT [5]
 *   CHAOS_FAULT_RATE [0.2] (0.1–0.3)  CHAOS_DEADLINE_S [600]
 *   CHAOS_ONLY  a comma list of: kills, redis, faults, slack, role, vanish, forged, fuzz
 */
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { chaosSizesFromEnv, formatChaosTable, runChaos } from "./chaos.js";

async function main(): Promise<void> {
  const report = await runChaos(chaosSizesFromEnv(), (line) => console.error(`[chaos] ${line}`));
  const out = resolve(import.meta.dirname, "results.json");
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\n${report.date.slice(0, 10)}, ${report.machine}, ${Math.round(report.seconds)} s\n`);
  console.log(formatChaosTable(report.rows));
  console.log(`\n${report.bad} of ${report.rows.length} scenarios not clean; ${out}`);
  process.exit(report.bad > 0 ? 1 : 0);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(2);
});
