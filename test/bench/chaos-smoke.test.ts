import { describe, expect, it } from "vitest";
import { formatChaosTable, runChaos } from "../../chaos/chaos.js";
import type { ChaosSizes } from "../../chaos/scenarios.js";

const SMOKE: Omit<ChaosSizes, "only"> = {
  requests: 3,
  kills: 2,
  fuzz: 150,
  forgedRepeat: 1,
  faultRate: 0.2,
  deadlineMs: 60_000,
};

/**
 * `npm run chaos` at toy sizes: one row per scenario, nothing lost, duplicated, 5xx or crashed.
 * Two groups at once (each scenario has its own harness, prefix and Redis; they mostly wait).
 */
describe("chaos smoke", () => {
  it("runs the scenarios small and every row is clean", async () => {
    const groups = [
      ["redis", "role", "forged", "faults"],
      ["kills", "vanish", "fuzz", "slack"],
    ];
    const reports = await Promise.all(groups.map((only) => runChaos({ ...SMOKE, only })));
    const rows = reports.flatMap((r) => r.rows);
    expect(rows.map((r) => r.scenario)).toHaveLength(8);
    for (const r of rows) {
      expect(r, JSON.stringify(r)).toMatchObject({ lost: 0, duplicated: 0, fiveHundreds: 0, crashes: 0 });
      expect(r.sent).toBeGreaterThan(0);
    }
    for (const r of reports) expect(r.bad).toBe(0);
    expect(formatChaosTable(rows)).toContain("| scenario | sent |");
  }, 90_000);
});
