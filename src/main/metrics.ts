import { within } from "./ops-server.js";

/**
 * Prometheus metrics in the text exposition format, without a client library: a handful of
 * counters the adapters feed, and gauges read from Redis when `/metrics` is scraped.
 */
type Labels = Record<string, string>;

interface Family {
  help: string;
  type: "counter" | "gauge";
  samples: Map<string, { labels: Labels; value: number }>;
}

function labelKey(labels: Labels): string {
  return Object.entries(labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}="${v.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n")}"`)
    .join(",");
}

export class MetricsRegistry {
  private readonly families = new Map<string, Family>();

  private family(name: string, help: string, type: Family["type"]): Family {
    let family = this.families.get(name);
    if (!family) {
      family = { help, type, samples: new Map() };
      this.families.set(name, family);
    }
    return family;
  }

  add(name: string, help: string, labels: Labels, by = 1): void {
    const family = this.family(name, help, "counter");
    const key = labelKey(labels);
    const sample = family.samples.get(key) ?? { labels, value: 0 };
    sample.value += by;
    family.samples.set(key, sample);
  }

  /** Gauges are replaced wholesale at each scrape, so states that disappeared do not linger. */
  setGauges(name: string, help: string, values: Array<{ labels: Labels; value: number }>): void {
    const family = this.family(name, help, "gauge");
    family.samples.clear();
    for (const { labels, value } of values) family.samples.set(labelKey(labels), { labels, value });
  }

  render(): string {
    const lines: string[] = [];
    for (const [name, family] of this.families) {
      lines.push(`# HELP ${name} ${family.help}`, `# TYPE ${name} ${family.type}`);
      for (const { labels, value } of family.samples.values()) {
        const key = labelKey(labels);
        lines.push(`${name}${key ? `{${key}}` : ""} ${value}`);
      }
    }
    return `${lines.join("\n")}\n`;
  }
}

/** What the Tencent caller reports after each call (wired in the composition root). */
export function recordCloudCall(
  metrics: MetricsRegistry,
  call: { action: string; code?: string; durationMs: number },
): void {
  metrics.add(
    "cbs_bot_cloud_calls_total",
    "Tencent Cloud API calls by action and outcome (ok or error code).",
    {
      action: call.action,
      outcome: call.code ?? "ok",
    },
  );
  metrics.add(
    "cbs_bot_cloud_call_seconds_total",
    "Time spent waiting for Tencent Cloud API answers, by action.",
    { action: call.action },
    call.durationMs / 1000,
  );
}

/** The BullMQ states whose job counts are reported. */
const JOB_STATES = ["waiting", "active", "delayed", "failed", "completed"] as const;

/**
 * The text for GET /metrics: this process's counters, plus gauges that cost one cheap Redis read
 * per scrape (the replication queue's job counts), bounded by `withinMs`. When Redis does not
 * answer in time the counters are still served, with `cbs_bot_redis_up 0` and no job gauges.
 */
export function scrapeMetrics(
  metrics: MetricsRegistry,
  replicationJobs: { getJobCounts(...states: string[]): Promise<Record<string, number>> },
  withinMs = 1000,
): () => Promise<string> {
  return async () => {
    const counts = await within(replicationJobs.getJobCounts(...JOB_STATES), withinMs, undefined);
    metrics.setGauges("cbs_bot_redis_up", "1 when Redis answered this scrape in time, else 0.", [
      { labels: {}, value: counts ? 1 : 0 },
    ]);
    metrics.setGauges(
      "cbs_bot_replication_jobs",
      "Replication jobs (one per approved request) in the queue by BullMQ state.",
      Object.entries(counts ?? {}).map(([state, value]) => ({ labels: { state }, value })),
    );
    return metrics.render();
  };
}
