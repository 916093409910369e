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
