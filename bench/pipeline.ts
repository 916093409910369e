/**
 * A burst through the whole pipeline: N signed `/snapshot replicate` commands over HTTP to the real
 * Bolt app, Approve clicked on each card as it appears, the worker's steps against the simulator,
 * until every request is final. What the cloud, Slack and the requests' clocks saw is returned.
 */
import { isFinal, REQUEST_STATES } from "../src/core/request/lifecycle.js";
import type { Harness } from "../test/support/harness.js";
import { NOTIFY_CHANNEL } from "../test/support/harness.js";
import { copiesByName } from "../test/worker/worker-fixtures.js";
import { benchChannel, type Card, CardWatcher, clickApprove, sendCommands, TaskLane } from "./driver.js";
import { groupBy, peakInWindow, percentile, sleep } from "./stats.js";

export interface BurstOptions {
  label: string;
  requests: number;
  /** Request channels the burst is spread over. */
  channels: number;
  /** Commands in flight at once. */
  concurrency: number;
  /** Approve clicks in flight at once. */
  clickConcurrency?: number;
  copyDurationMs: number;
  timeoutMs: number;
}

/** The lifecycle's final states (outcome_unknown included). */
const FINAL = new Set<string>(REQUEST_STATES.filter(isFinal));

export interface BurstResult {
  requests: number;
  acked: number;
  cards: number;
  clicked: number;
  counts: Record<string, number>;
  /** Requests never seen final (or never carded) before the timeout. */
  lost: number;
  /** Copy names with more than one copy at the simulator. */
  duplicated: number;
  seconds: number;
  /** From the first click to the last completion. */
  burstSeconds: number;
  completedPerSecond: number;
  copyCallsPerSecond: number;
  /** Copy calls in the busiest 10 s, per second: the rate while copies were waiting. */
  copyCallsPerSecondSustained: number;
  copyCalls: number;
  throttled: number;
  throttledByAction: Record<string, number>;
  callsPerCopyByAction: Record<string, number>;
  peakPerSecondByAction: Record<string, number>;
  slackCallsPerRequest: number;
  slackCallsByMethod: Record<string, number>;
  /** The most chat.postMessage calls to one channel in any 10 s, per second; and the worst 1 s. */
  postsPerChannelPerSecondSustained: number;
  postsPerChannelPeak1s: number;
  clickToCopyP50Ms: number;
  clickToCopyP99Ms: number;
  normalToNoticeP50Ms: number;
  normalToNoticeP99Ms: number;
  noticesFound: number;
  /** Share of completions in the last 2% of the burst, and the median completion's position in it. */
  completionsInLast2Percent: number;
  medianCompletionAt: number;
}

export async function runBurst(h: Harness, o: BurstOptions): Promise<BurstResult> {
  const started = Date.now();
  const simCallsBefore = h.sim.calls.length;
  const slackCallsBefore = h.slack.calls.length;
  const messagesBefore = h.slack.messages.length;
  const names = Array.from({ length: o.requests }, (_, i) => `${o.label}-${i}`);
  const nameByRequest = new Map<string, string>();
  const clickAt = new Map<string, number>();
  const watcher = new CardWatcher(h.slack);
  const clicks = new TaskLane(o.clickConcurrency ?? 50);
  let clicked = 0;
  watcher.onCard((card: Card) => {
    clicks.push(async () => {
      const request = await h.bot.deps.store.get(card.requestId);
      const name = (request?.spec as { newName?: string } | undefined)?.newName;
      if (!name?.startsWith(`${o.label}-`)) return;
      nameByRequest.set(card.requestId, name);
      const click = await clickApprove(h.slack, h.appUrl, card);
      clickAt.set(card.requestId, click.at);
      if (click.status === 200) clicked++;
    });
  });
  const sent = await sendCommands(
    h.slack,
    h.appUrl,
    names.map((n, i) => ({
      text: `replicate snap-abc12345 to dr-prod as "${n}"`,
      channel: benchChannel(i, o.channels),
    })),
    o.concurrency,
  );
  const acked = sent.filter((s) => s.status === 200).length;
  // Every card, then every click, then every request final (or the timeout).
  const deadline = started + o.timeoutMs;
  let lastSize = -1;
  let stalledSince = Date.now();
  while (nameByRequest.size < acked && Date.now() < deadline && Date.now() - stalledSince < 20_000) {
    if (nameByRequest.size !== lastSize) {
      lastSize = nameByRequest.size;
      stalledSince = Date.now();
    }
    await sleep(200);
  }
  await clicks.drain();
  const ids = [...nameByRequest.keys()];
  let states: Array<{ id: string; state: string; updatedAt: number }> = [];
  for (;;) {
    states = await Promise.all(
      ids.map(async (id) => {
        const r = await h.bot.deps.store.get(id);
        return { id, state: r?.state ?? "missing", updatedAt: r ? Date.parse(r.updatedAt) : Number.NaN };
      }),
    );
    if (states.every((s) => FINAL.has(s.state)) || Date.now() > deadline) break;
    await sleep(Math.min(2000, 200 + o.requests));
  }
  // Outcome notices may trail the last completion (a digest window).
  const noticeWait = Date.now() + 8000;
  const noticeText = () =>
    h.slack.messages
      .slice(messagesBefore)
      .filter((m) => m.channel === NOTIFY_CHANNEL)
      .map((m) => m.text)
      .join("\n");
  while (Date.now() < noticeWait && !ids.every((id) => noticeText().includes(id))) await sleep(250);
  watcher.close();
  const ended = Date.now();

  const counts: Record<string, number> = {};
  for (const s of states) counts[s.state] = (counts[s.state] ?? 0) + 1;
  const lost = o.requests - states.filter((s) => FINAL.has(s.state)).length;
  const copies = copiesByName(h.sim);
  const duplicated = names.filter((n) => (copies.get(n) ?? 0) > 1).length;

  const calls = h.sim.calls.slice(simCallsBefore);
  const completed = states.filter((s) => s.state === "completed");
  const firstClick = Math.min(...clickAt.values());
  const lastCompletion = Math.max(...completed.map((s) => s.updatedAt));
  const burstMs = Math.max(1, lastCompletion - firstClick);

  const copyCalls = calls.filter((c) => c.action === "CopySnapshotCrossAccount" && !c.errorCode);
  const copySpan = copyCalls.length > 1 ? (copyCalls.at(-1)?.at ?? 0) - (copyCalls[0]?.at ?? 0) : 0;
  const throttled = calls.filter((c) => c.errorCode === "RequestLimitExceeded");
  const throttledByAction: Record<string, number> = {};
  for (const c of throttled) throttledByAction[c.action] = (throttledByAction[c.action] ?? 0) + 1;

  const callsPerCopyByAction: Record<string, number> = {};
  const peakPerSecondByAction: Record<string, number> = {};
  for (const [action, list] of groupBy(calls, (c) => c.action)) {
    callsPerCopyByAction[action] = list.length / Math.max(1, completed.length);
    let peak = 0;
    for (const perAccount of groupBy(list, (c) => c.accountUin ?? "?").values())
      peak = Math.max(
        peak,
        peakInWindow(
          perAccount.filter((c) => c.errorCode !== "RequestLimitExceeded").map((c) => c.at),
          1000,
        ),
      );
    peakPerSecondByAction[action] = peak;
  }

  const slackCalls = h.slack.calls.slice(slackCallsBefore);
  const slackCallsByMethod: Record<string, number> = {};
  for (const c of slackCalls) slackCallsByMethod[c.method] = (slackCallsByMethod[c.method] ?? 0) + 1;
  let sustained = 0;
  let peak1s = 0;
  const posts = slackCalls.filter((c) => c.method === "chat.postMessage");
  for (const list of groupBy(posts, (c) => String(c.args.channel)).values()) {
    const times = list.map((c) => c.at);
    sustained = Math.max(sustained, peakInWindow(times, 10_000) / 10);
    peak1s = Math.max(peak1s, peakInWindow(times, 1000));
  }

  const firstCopyCall = new Map<string, number>();
  for (const c of calls)
    if (c.action === "CopySnapshotCrossAccount") {
      const name = String(c.params.SnapshotName);
      if (!firstCopyCall.has(name)) firstCopyCall.set(name, c.at);
    }
  const clickToCopy: number[] = [];
  for (const [id, at] of clickAt) {
    const copyAt = firstCopyCall.get(nameByRequest.get(id) ?? "");
    if (copyAt !== undefined) clickToCopy.push(copyAt - at);
  }

  // A copy is NORMAL copyDurationMs after it was requested; its notice is the first notify-channel
  // post naming the request (a single notice or a digest).
  const normalAt = new Map<string, number>();
  for (const copy of h.sim.state.copies) normalAt.set(copy.name, copy.requestedAt + o.copyDurationMs);
  const noticeAt = new Map<string, number>();
  for (const m of h.slack.messages.slice(messagesBefore)) {
    if (m.channel !== NOTIFY_CHANNEL) continue;
    for (const id of m.text.match(/rq-[a-z0-9]{6}/g) ?? [])
      if (!noticeAt.has(id)) noticeAt.set(id, m.postedAt);
  }
  const normalToNotice: number[] = [];
  for (const s of completed) {
    const n = normalAt.get(nameByRequest.get(s.id) ?? "");
    const at = noticeAt.get(s.id);
    if (n !== undefined && at !== undefined) normalToNotice.push(at - n);
  }

  const positions = completed.map((s) => (s.updatedAt - firstClick) / burstMs);
  return {
    requests: o.requests,
    acked,
    cards: nameByRequest.size,
    clicked,
    counts,
    lost,
    duplicated,
    seconds: (ended - started) / 1000,
    burstSeconds: burstMs / 1000,
    completedPerSecond: completed.length / (burstMs / 1000),
    copyCallsPerSecond: copySpan > 0 ? (copyCalls.length - 1) / (copySpan / 1000) : Number.NaN,
    copyCallsPerSecondSustained:
      copySpan >= 10_000
        ? peakInWindow(
            copyCalls.map((c) => c.at),
            10_000,
          ) / 10
        : copySpan > 0
          ? (copyCalls.length - 1) / (copySpan / 1000)
          : Number.NaN,
    copyCalls: copyCalls.length,
    throttled: throttled.length,
    throttledByAction,
    callsPerCopyByAction,
    peakPerSecondByAction,
    slackCallsPerRequest: slackCalls.length / Math.max(1, o.requests),
    slackCallsByMethod,
    postsPerChannelPerSecondSustained: sustained,
    postsPerChannelPeak1s: peak1s,
    clickToCopyP50Ms: percentile(clickToCopy, 50),
    clickToCopyP99Ms: percentile(clickToCopy, 99),
    normalToNoticeP50Ms: percentile(normalToNotice, 50),
    normalToNoticeP99Ms: percentile(normalToNotice, 99),
    noticesFound: normalToNotice.length,
    completionsInLast2Percent: positions.filter((p) => p >= 0.98).length / Math.max(1, positions.length),
    medianCompletionAt: percentile(positions, 50),
  };
}
