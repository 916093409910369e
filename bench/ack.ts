/** Slash-command ack latency: N signed commands sent at once, time from sending to the HTTP answer. */
import type { Harness } from "../test/support/harness.js";
import { benchChannel, CardWatcher, sendCommands } from "./driver.js";
import { percentile, sleep } from "./stats.js";

export interface AckResult {
  concurrent: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  non200: number;
  fiveHundreds: number;
}

export async function measureAcks(h: Harness, concurrent: number, label: string): Promise<AckResult> {
  const watcher = new CardWatcher(h.slack);
  const sent = await sendCommands(
    h.slack,
    h.appUrl,
    Array.from({ length: concurrent }, (_, i) => ({
      text: `replicate snap-abc12345 to dr-prod as "${label}-${i}"`,
      channel: benchChannel(i, concurrent),
    })),
    concurrent,
  );
  // Let the cards behind these acks be posted before the next measurement starts.
  const deadline = Date.now() + 30_000 + concurrent * 200;
  while (watcher.cards.length < concurrent && Date.now() < deadline) await sleep(100);
  watcher.close();
  const times = sent.map((s) => s.ackMs);
  return {
    concurrent,
    p50Ms: percentile(times, 50),
    p99Ms: percentile(times, 99),
    maxMs: Math.max(...times),
    non200: sent.filter((s) => s.status !== 200).length,
    fiveHundreds: sent.filter((s) => s.status >= 500).length,
  };
}
