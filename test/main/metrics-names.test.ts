import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../support/harness.js";
import { replicateOnce } from "../support/replicate-once.js";

/** The table between the markers of docs/metrics.md: name → type. */
function documentedMetrics(): Map<string, string> {
  const doc = readFileSync(resolve(import.meta.dirname, "../../docs/metrics.md"), "utf8");
  const table = /<!-- metrics-table:start -->([\s\S]*?)<!-- metrics-table:end -->/.exec(doc)?.[1] ?? "";
  const names = new Map<string, string>();
  for (const row of table.split("\n")) {
    const cells = /^\| `(cbs_bot_[a-z_]+)` \| (counter|gauge|histogram) \|/.exec(row);
    if (cells?.[1] && cells[2]) names.set(cells[1], cells[2]);
  }
  return names;
}

describe("metrics names: docs/metrics.md against a scrape after a replication", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ copyDurationMs: 200 });
  });
  afterAll(async () => {
    await h?.close();
  });

  it("every documented name is served with its type, and no other cbs_bot_ name is", async () => {
    const documented = documentedMetrics();
    expect(documented.size).toBeGreaterThanOrEqual(10);
    await replicateOnce(h, 'replicate snap-abc12345 to dr-prod as "names-check"');

    const response = await fetch(`http://127.0.0.1:${h.bot.port}/metrics`);
    expect(response.status).toBe(200);
    const text = await response.text();
    const served = new Map<string, string>();
    for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) served.set(name ?? "", type ?? "");

    for (const [name, type] of documented) expect({ name, type: served.get(name) }).toEqual({ name, type });
    const undocumented = [...served.keys()].filter((n) => n.startsWith("cbs_bot_") && !documented.has(n));
    expect(undocumented).toEqual([]);
    // Every sample line belongs to a served family (histograms add _bucket, _sum and _count).
    for (const [, name] of text.matchAll(/^(cbs_bot_[a-z_]+)[{ ]/gm)) {
      const family = (name ?? "").replace(/_(bucket|sum|count)$/, "");
      expect(served.has(name ?? "") || served.get(family) === "histogram").toBe(true);
    }

    // The replication fed every hook, not only the declarations.
    for (const sample of [
      /cbs_bot_request_transitions_total\{kind="snapshot-copy",state="completed"\} 1/,
      /cbs_bot_request_approval_wait_seconds_count\{kind="snapshot-copy"\} 1/,
      /cbs_bot_request_step_duration_seconds_count\{kind="snapshot-copy",step="copying"\} 1/,
      /cbs_bot_cloud_calls_total\{action="CopySnapshotCrossAccount",outcome="ok"\} 1/,
      /cbs_bot_cloud_rate_limit_wait_seconds_count\{action="CopySnapshotCrossAccount"\} 1/,
      /cbs_bot_slack_calls_total\{method="chat.postMessage",outcome="ok"\} [1-9]/,
      /cbs_bot_slack_call_duration_seconds_count\{method="chat.update"\} [1-9]/,
      /cbs_bot_copy_poll_round_duration_seconds_count [1-9]/,
      /cbs_bot_redis_up 1/,
      /cbs_bot_queue_jobs\{queue="replication",state="completed"\} 1/,
      /cbs_bot_queue_jobs\{queue="expiry",state="\w+"\} \d/,
      /cbs_bot_queue_oldest_waiting_age_seconds\{queue="copy-watch"\} \d/,
    ])
      expect(text).toMatch(sample);
  }, 40_000);
});
