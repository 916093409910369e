/**
 * A chaos scenario's requests, made as people make them: signed `/snapshot replicate` commands to
 * the real Bolt app, Approve clicked on each card, then every request followed to a final state.
 */
import { type Card, CardWatcher, clickApprove, sendCommands } from "../bench/driver.js";
import { sleep } from "../bench/stats.js";
import { isFinal, type RequestState } from "../src/core/request/lifecycle.js";
import type { Harness } from "../test/support/harness.js";
import { REQUEST_CHANNEL } from "../test/support/harness.js";
import { copiesByName } from "../test/worker/worker-fixtures.js";

export interface ScenarioRow {
  scenario: string;
  sent: number;
  completed: number;
  failedAsExpected: number;
  lost: number;
  duplicated: number;
  fiveHundreds: number;
  crashes: number;
  note?: string;
  /** How long the scenario took (set by the runner). */
  seconds?: number;
}

export interface RequestsOutcome {
  sent: number;
  /** Commands answered anything but 200 (5xx, 404 for no ack in 3 s, nothing) and clicks answered 5xx. */
  fiveHundreds: number;
  completed: number;
  /** Ended `submitted`: accepted by the cloud, not verifiable (no read role): done as designed. */
  submitted: number;
  /** Ended `failed` or `outcome_unknown` (a copy may exist: the code is `copy.outcome_unknown`). */
  failed: Array<{ id: string; destination: string; code: string; state: string }>;
  /** Sent but never carded, or carded but not final by the deadline. */
  unfinished: number;
  /** Of those: never carded, and the states (and steps) the carded ones were left in. */
  neverCarded: number;
  /** Commands sent again because no card came (the first answer said to try again). */
  askedAgain: number;
  unfinishedStates: Record<string, number>;
  duplicated: number;
  /** For each duplicated name: how many carded requests had it, and its copy calls. */
  duplicatedDetail: string[];
}

const final = (state: string) => state !== "missing" && isFinal(state as RequestState);

/**
 * Sends `count` replicate commands (destination chosen per index), clicks Approve on each card, runs
 * `during` once the first click is in, and waits until all are final or `timeoutMs` passed.
 */
export async function runRequests(
  h: Harness,
  o: {
    label: string;
    count: number;
    destination: (i: number) => string;
    during?: () => Promise<void>;
    timeoutMs: number;
    concurrency?: number;
    /** Start `during` only once every command was answered (else at the first click). */
    duringAfterCommands?: boolean;
    /**
     * Run `during` once every request is carded, and click only after it ran: a fault the bot
     * would also meet checking a new command (a refused read role) hits the approved requests only.
     */
    duringBeforeClicks?: boolean;
    /** Spread the commands evenly over this long (work keeps arriving while `during` runs). */
    spreadMs?: number;
  },
): Promise<RequestsOutcome> {
  const deadline = Date.now() + o.timeoutMs;
  const names = Array.from({ length: o.count }, (_, i) => `${o.label}-${i}`);
  const watcher = new CardWatcher(h.slack);
  const mine = new Map<string, { name: string; destination: string }>();
  let fiveHundreds = 0;
  const clicks: Promise<void>[] = [];
  let firstClick: () => void = () => undefined;
  const clicked = new Promise<void>((r) => {
    firstClick = r;
  });
  let everyCardIn: () => void = () => undefined;
  const allCarded = new Promise<void>((r) => {
    everyCardIn = r;
  });
  let duringRun: Promise<void> = Promise.resolve();
  watcher.onCard((card: Card) => {
    clicks.push(
      (async () => {
        const r = await h.bot.deps.store.get(card.requestId).catch(() => undefined);
        const name = (r?.spec as { newName?: string } | undefined)?.newName;
        if (!name?.startsWith(`${o.label}-`)) return;
        mine.set(card.requestId, { name, destination: r?.destination.alias ?? "?" });
        if (mine.size >= o.count) everyCardIn();
        if (o.duringBeforeClicks) await duringRun;
        // A click lost to an outage is clicked again, as a person would.
        for (let attempt = 0; attempt < 20 && Date.now() < deadline; attempt++) {
          const click = await clickApprove(h.slack, h.appUrl, card);
          if (click.status >= 500) fiveHundreds++;
          firstClick();
          if (click.status === 200) {
            const state = (await h.bot.deps.store.get(card.requestId).catch(() => undefined))?.state;
            if (state && state !== "pending_approval") return;
          }
          await sleep(500);
        }
      })(),
    );
  });
  let commandsDone: () => void = () => undefined;
  const commandsAnswered = new Promise<void>((r) => {
    commandsDone = r;
  });
  duringRun = (async () => {
    if (o.duringBeforeClicks)
      await Promise.race([allCarded, sleep(Math.max(0, deadline - Date.now() - 1_000))]);
    else {
      await clicked;
      if (o.duringAfterCommands) await commandsAnswered;
    }
    await o.during?.();
  })();
  const commands = names.map((n, i) => ({
    text: `replicate snap-abc12345 to ${o.destination(i)} as "${n}"`,
    channel: REQUEST_CHANNEL,
  }));
  const sent = [];
  if (o.spreadMs) {
    const gap = o.spreadMs / Math.max(1, o.count);
    for (const c of commands) {
      sent.push(...(await sendCommands(h.slack, h.appUrl, [c], 1)));
      await sleep(gap);
    }
  } else sent.push(...(await sendCommands(h.slack, h.appUrl, commands, o.concurrency ?? 10)));
  commandsDone();
  // Anything but 200 is a command Slack would show as failed: 5xx, no answer, 404 (no ack in 3 s).
  const unanswered = (c: { status: number }) => c.status !== 200;
  fiveHundreds += sent.filter(unanswered).length;
  // A command the bot answered with "try again" (the cloud failing as it checked) gets no card:
  // asked again, as a person would, after 8 s without its card, at most 3 times.
  let askedAgain = 0;
  let lastAsked = Date.now();
  for (let round = 0; mine.size < o.count && Date.now() < deadline; ) {
    await sleep(200);
    if (Date.now() - lastAsked < 8_000) continue;
    if (round++ >= 3) break;
    const carded = new Set([...mine.values()].map((m) => m.name));
    const again = commands.filter((_, i) => !carded.has(names[i] ?? ""));
    askedAgain += again.length;
    const resent = await sendCommands(h.slack, h.appUrl, again, o.concurrency ?? 10);
    fiveHundreds += resent.filter(unanswered).length;
    lastAsked = Date.now();
  }
  if (mine.size > 0) await duringRun;
  for (let seen = 0; seen < clicks.length; seen = clicks.length) await Promise.all(clicks.slice(seen));
  watcher.close();
  let records: Array<{ id: string; state: string; step: string; code: string; destination: string }> = [];
  for (;;) {
    records = await Promise.all(
      [...mine].map(async ([id, m]) => {
        const r = await h.bot.deps.store.get(id).catch(() => undefined);
        return {
          id,
          state: r?.state ?? "missing",
          step: r?.step ?? "",
          code: r?.failure?.code ?? "",
          destination: m.destination,
        };
      }),
    );
    if (records.every((r) => final(r.state)) || Date.now() > deadline) break;
    await sleep(500);
  }
  const copies = copiesByName(h.sim);
  const unfinishedStates: Record<string, number> = {};
  for (const r of records.filter((r) => !final(r.state))) {
    const key = r.step ? `${r.state}/${r.step}` : r.state;
    unfinishedStates[key] = (unfinishedStates[key] ?? 0) + 1;
  }
  return {
    sent: o.count,
    fiveHundreds,
    completed: records.filter((r) => r.state === "completed").length,
    submitted: records.filter((r) => r.state === "submitted").length,
    failed: records
      .filter((r) => r.state === "failed" || r.state === "outcome_unknown")
      .map((r) => ({ id: r.id, destination: r.destination, code: r.code, state: r.state })),
    unfinished: o.count - records.filter((r) => final(r.state)).length,
    neverCarded: o.count - mine.size,
    askedAgain,
    unfinishedStates,
    duplicated: names.filter((n) => (copies.get(n) ?? 0) > 1).length,
    duplicatedDetail: names
      .filter((n) => (copies.get(n) ?? 0) > 1)
      .map(
        (n) =>
          `${n}: ${[...mine.values()].filter((m) => m.name === n).length} carded requests, copy calls ${JSON.stringify(
            h.sim.calls
              .filter((c) => c.action === "CopySnapshotCrossAccount" && c.params.SnapshotName === n)
              .map((c) => [c.at, c.errorCode ?? "ok"]),
          )}`,
      ),
  };
}

/**
 * The row: `completed` and `submitted` (no read role: accepted, not verifiable) count as completed,
 * failures the scenario provokes on purpose count as expected, every other request counts as lost.
 */
export function toRow(
  scenario: string,
  out: RequestsOutcome,
  expectedFailure: (f: { destination: string; code: string }) => boolean,
  crashes: number,
  note?: string,
): ScenarioRow {
  const expected = out.failed.filter(expectedFailure).length;
  const unexpected = out.failed.length - expected;
  const codes = [...new Set(out.failed.filter((f) => !expectedFailure(f)).map((f) => f.code))];
  const left = [
    out.submitted ? `${out.submitted} of the completed submitted (no read role)` : "",
    out.askedAgain ? `${out.askedAgain} commands asked again` : "",
    ...out.duplicatedDetail,
    out.neverCarded ? `${out.neverCarded} never carded` : "",
    Object.keys(out.unfinishedStates).length ? `left in ${JSON.stringify(out.unfinishedStates)}` : "",
  ].filter(Boolean);
  return {
    scenario,
    sent: out.sent,
    completed: out.completed + out.submitted,
    failedAsExpected: expected,
    lost: out.sent - out.completed - out.submitted - expected,
    duplicated: out.duplicated,
    fiveHundreds: out.fiveHundreds,
    crashes,
    ...(note || unexpected || left.length
      ? {
          note: [note, unexpected ? `unexpected failures: ${codes.join(", ")}` : "", ...left]
            .filter(Boolean)
            .join("; "),
        }
      : {}),
  };
}

/** Counts the process-level failures of the in-process bot while a scenario runs. */
export class CrashCounter {
  count = 0;
  readonly reasons: string[] = [];
  private readonly onFail = (reason: unknown) => {
    this.count++;
    if (this.reasons.length < 5) this.reasons.push(String(reason).slice(0, 300));
  };
  constructor() {
    process.on("unhandledRejection", this.onFail);
    process.on("uncaughtException", this.onFail);
  }
  stop(): number {
    process.off("unhandledRejection", this.onFail);
    process.off("uncaughtException", this.onFail);
    return this.count;
  }
}
