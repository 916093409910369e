/**
 * What making one card costs: the rounds of cloud look-ups for a request without `in <region>`,
 * and the request store's work to find a default copy name when many copies of one snapshot are
 * asked for on one day.
 */
import type { Harness } from "../test/support/harness.js";
import { ALICE, REQUEST_CHANNEL, SOURCE_UIN } from "../test/support/harness.js";
import { CardWatcher, sendCommands } from "./driver.js";
import { sleep } from "./stats.js";

export interface LookupRounds {
  /** Rounds of source DescribeSnapshots calls (the region search). */
  regionRounds: number;
  /** Rounds of every cloud call made for the card. */
  allRounds: number;
  calls: number;
  cardMs: number;
}

/** Calls arriving within `gapMs` of the previous one belong to the same round. */
function rounds(times: readonly number[], gapMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let count = 0;
  let last = Number.NEGATIVE_INFINITY;
  for (const t of sorted) {
    if (t - last >= gapMs) count++;
    last = t;
  }
  return count;
}

/**
 * Every cloud answer takes `latencyMs`: look-ups made one after the other arrive `latencyMs` apart,
 * look-ups made together arrive together. The snapshot is in the second configured region.
 */
export async function measureLookupRounds(h: Harness, latencyMs = 300): Promise<LookupRounds> {
  const watcher = new CardWatcher(h.slack);
  h.sim.state.setLatency("*", latencyMs);
  const before = h.sim.calls.length;
  const started = Date.now();
  try {
    await sendCommands(
      h.slack,
      h.appUrl,
      [{ text: "replicate snap-abc12345 to dr-prod", channel: REQUEST_CHANNEL }],
      1,
    );
    const deadline = Date.now() + 30_000;
    while (watcher.cards.length === 0 && Date.now() < deadline) await sleep(20);
  } finally {
    h.sim.state.setLatency("*", 0);
    watcher.close();
  }
  const cardAt = watcher.cards[0]?.at ?? Number.NaN;
  const calls = h.sim.calls.slice(before).filter((c) => c.at <= cardAt);
  const gap = latencyMs / 2;
  return {
    regionRounds: rounds(
      calls.filter((c) => c.action === "DescribeSnapshots" && c.accountUin === SOURCE_UIN).map((c) => c.at),
      gap,
    ),
    allRounds: rounds(
      calls.map((c) => c.at),
      gap,
    ),
    calls: calls.length,
    cardMs: cardAt - started,
  };
}

export interface DefaultNames {
  asked: number;
  carded: number;
  refused: number;
  distinctNames: number;
  /** Request-store operations for the first and the last few requests (mean). */
  storeOpsFirst: number;
  storeOpsLast: number;
}

/**
 * `count` requests for the same snapshot on the same day without `as`: each should get a card and a
 * name of its own, and the store's work per request should not grow with how many came before.
 * Store operations are counted by wrapping every method of the bot's request store.
 */
export async function measureDefaultNames(h: Harness, count: number): Promise<DefaultNames> {
  const store = h.bot.deps.store as unknown as Record<string, unknown>;
  let ops = 0;
  const originals = new Map<string, unknown>();
  let proto = Object.getPrototypeOf(store) as object | null;
  const methods = new Set<string>();
  while (proto && proto !== Object.prototype) {
    for (const key of Object.getOwnPropertyNames(proto)) if (key !== "constructor") methods.add(key);
    proto = Object.getPrototypeOf(proto) as object | null;
  }
  for (const key of methods) {
    const fn = store[key];
    if (typeof fn !== "function") continue;
    originals.set(key, Object.getOwnPropertyDescriptor(store, key));
    store[key] = (...args: unknown[]) => {
      ops++;
      return (fn as (...a: unknown[]) => unknown).apply(store, args);
    };
  }
  const watcher = new CardWatcher(h.slack);
  const perRequest: number[] = [];
  let refused = 0;
  try {
    for (let i = 0; i < count; i++) {
      const opsBefore = ops;
      const sent = await h.slack.sendSlashCommand(h.appUrl, {
        text: "replicate snap-abc12345 to dr-prod",
        userId: ALICE,
        channelId: REQUEST_CHANNEL,
      });
      // This command's own final answer (through its response_url): the request it made, or why
      // not. (Waiting for "a card or any answer" took the previous command's late answer for this
      // one's, and the last cards arrived after the count.)
      const id = sent.responseUrl.split("/").pop() ?? "";
      const deadline = Date.now() + 10_000;
      let answer: string | undefined;
      while (answer === undefined && Date.now() < deadline) {
        const post = h.slack.responseUrlPosts.find((p) => p.id === id);
        if (post) answer = JSON.stringify(post.body);
        else await sleep(5);
      }
      const requestId = /rq-[a-z0-9]+/.exec(answer ?? "")?.[0];
      while (requestId && !watcher.cards.some((c) => c.requestId === requestId) && Date.now() < deadline)
        await sleep(5);
      if (!requestId || !watcher.cards.some((c) => c.requestId === requestId)) refused++;
      perRequest.push(ops - opsBefore);
    }
  } finally {
    watcher.close();
    for (const key of originals.keys()) delete store[key];
  }
  const names = new Set<string>();
  for (const card of watcher.cards) {
    const r = await h.bot.deps.store.get(card.requestId);
    const name = (r?.spec as { newName?: string } | undefined)?.newName;
    if (name) names.add(name);
  }
  const k = Math.min(10, Math.max(1, Math.floor(count / 10)));
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  return {
    asked: count,
    carded: watcher.cards.length,
    refused,
    distinctNames: names.size,
    storeOpsFirst: mean(perRequest.slice(0, k)),
    storeOpsLast: mean(perRequest.slice(-k)),
  };
}
