import { describe, expect, it } from "vitest";
import { MetricsRegistry } from "../../src/main/metrics.js";

describe("MetricsRegistry", () => {
  it("renders counters and gauges in Prometheus text format, escaping label values", () => {
    const m = new MetricsRegistry();
    m.add("calls_total", "Calls.", { action: "A" });
    m.add("calls_total", "Calls.", { action: "A" });
    m.add("calls_total", "Calls.", { action: 'q"uo\\te' });
    m.setGauges("jobs", "Jobs.", [{ labels: { state: "waiting" }, value: 3 }]);
    m.setGauges("jobs", "Jobs.", [{ labels: { state: "active" }, value: 1 }]);
    const text = m.render();
    expect(text).toContain("# TYPE calls_total counter");
    expect(text).toContain('calls_total{action="A"} 2');
    expect(text).toContain('calls_total{action="q\\"uo\\\\te"} 1');
    expect(text).toContain('jobs{state="active"} 1');
    expect(text).not.toContain('jobs{state="waiting"}');
  });
});
