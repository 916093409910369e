/** Small statistics and the one table both runners print (figure | measured | target | ok). */

export interface Row {
  /** The figure group (one module each). */
  group: string;
  figure: string;
  /** The measured value, as a number where there is one. */
  value: number | string | null;
  /** How the value is shown (unit, sizes). */
  measured: string;
  /** The target as written, or "—" for a figure shown for context. */
  target: string;
  /** true / false against the target; null where there is no target. */
  ok: boolean | null;
  /** Sizes and knobs behind the figure. */
  note?: string;
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

/** The most timestamps within any window of `windowMs` (sliding, start-inclusive). */
export function peakInWindow(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let start = 0;
  let peak = 0;
  for (let end = 0; end < sorted.length; end++) {
    while ((sorted[end] as number) - (sorted[start] as number) >= windowMs) start++;
    peak = Math.max(peak, end - start + 1);
  }
  return peak;
}

export function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}

export const round = (n: number, digits = 1): number => {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
};

export const ms = (n: number): string => (Number.isFinite(n) ? `${Math.round(n)} ms` : "n/a");

export function row(
  group: string,
  figure: string,
  value: number | string | null,
  measured: string,
  target: string,
  ok: boolean | null,
  note?: string,
): Row {
  return { group, figure, value, measured, target, ok, ...(note ? { note } : {}) };
}

/** A markdown table: readable in a terminal and pasteable into the README as is. */
export function formatTable(rows: readonly Row[]): string {
  const header = ["figure", "measured", "target", "ok"];
  const cell = (s: string) => s.replaceAll("|", "\\|");
  const lines = [
    `| ${header.join(" | ")} |`,
    `| ${header.map(() => "---").join(" | ")} |`,
    ...rows.map(
      (r) =>
        `| ${cell(r.figure)} | ${cell(r.measured)}${r.note ? ` (${cell(r.note)})` : ""} | ${cell(r.target)} | ${
          r.ok === null ? "—" : r.ok ? "yes" : "**no**"
        } |`,
    ),
  ];
  return lines.join("\n");
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Runs `task` over `items` with at most `limit` at once; results in input order. */
export async function pool<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T, i: number) => Promise<R>,
) {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      results[i] = await task(items[i] as T, i);
    }
  });
  await Promise.all(lanes);
  return results;
}

/** Size knobs: an integer from the environment, or the default. */
export function knob(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number, got "${raw}"`);
  return n;
}
