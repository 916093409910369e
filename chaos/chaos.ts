/** `npm run chaos`: every scenario in turn under one deadline; one table of rows. */
import { cpus, hostname } from "node:os";
import { knob } from "../bench/stats.js";
import type { ScenarioRow } from "./flow.js";
import { type ChaosSizes, SCENARIOS } from "./scenarios.js";

export function chaosSizesFromEnv(): ChaosSizes {
  return {
    requests: knob("CHAOS_REQUESTS", 30),
    kills: knob("CHAOS_KILLS", 20),
    fuzz: knob("CHAOS_FUZZ", 10_000),
    forgedRepeat: knob("CHAOS_FORGED_REPEAT", 5),
    faultRate: Math.min(0.3, Math.max(0.1, knob("CHAOS_FAULT_RATE", 0.2))),
    deadlineMs: knob("CHAOS_DEADLINE_S", 600) * 1000,
    only: (process.env.CHAOS_ONLY ?? "").split(",").filter(Boolean),
  };
}

export interface ChaosReport {
  date: string;
  machine: string;
  seconds: number;
  sizes: ChaosSizes;
  rows: ScenarioRow[];
  /** Rows with anything lost, duplicated, answered 5xx or crashed (or not run before the deadline). */
  bad: number;
}

export const isBad = (r: ScenarioRow) =>
  r.lost > 0 || r.duplicated > 0 || r.fiveHundreds > 0 || r.crashes > 0;

export async function runChaos(
  s: ChaosSizes,
  log: (line: string) => void = () => undefined,
): Promise<ChaosReport> {
  const started = Date.now();
  const deadline = started + s.deadlineMs;
  const rows: ScenarioRow[] = [];
  for (const [name, scenario] of Object.entries(SCENARIOS)) {
    if (s.only.length > 0 && !s.only.includes(name)) continue;
    if (Date.now() > deadline - 5_000) {
      rows.push({
        scenario: name,
        sent: 0,
        completed: 0,
        failedAsExpected: 0,
        lost: 0,
        duplicated: 0,
        fiveHundreds: 0,
        crashes: 0,
        note: "not run: deadline",
      });
      continue;
    }
    log(`chaos: ${name}`);
    const began = Date.now();
    try {
      rows.push({ ...(await scenario(s, deadline)), seconds: Math.round((Date.now() - began) / 100) / 10 });
    } catch (err) {
      rows.push({
        scenario: name,
        sent: 0,
        completed: 0,
        failedAsExpected: 0,
        lost: 0,
        duplicated: 0,
        fiveHundreds: 0,
        crashes: 1,
        note: `scenario threw: ${String(err).slice(0, 200)}`,
      });
    }
  }
  const cpu = cpus();
  return {
    date: new Date().toISOString(),
    machine: `${hostname()}: ${cpu.length} × ${cpu[0]?.model ?? "cpu"}, Node ${process.version}`,
    seconds: (Date.now() - started) / 1000,
    sizes: s,
    rows,
    bad: rows.filter((r) => isBad(r) || r.note === "not run: deadline").length,
  };
}

export function formatChaosTable(rows: readonly ScenarioRow[]): string {
  const head = [
    "scenario",
    "sent",
    "completed",
    "failed as expected",
    "lost",
    "duplicated",
    "5xx",
    "crashes",
    "s",
    "ok",
  ];
  const cell = (v: string | number) => String(v).replaceAll("|", "\\|");
  return [
    `| ${head.join(" | ")} |`,
    `| ${head.map(() => "---").join(" | ")} |`,
    ...rows.map(
      (r) =>
        `| ${cell(r.scenario)}${r.note ? ` (${cell(r.note)})` : ""} | ${r.sent} | ${r.completed} | ${r.failedAsExpected} | ${r.lost} | ${r.duplicated} | ${r.fiveHundreds} | ${r.crashes} | ${r.seconds ?? ""} | ${isBad(r) ? "**no**" : "yes"} |`,
    ),
  ].join("\n");
}
