import type { KindRegistry } from "../../app/request-kind.js";
import type { Request } from "../../core/request/request.js";
import { fitMessage, renderText } from "./mrkdwn.renderer.js";
import { say } from "./reader-locale.js";

export interface OutcomeDigestOptions {
  /** Outcomes within this window after a notice are grouped. */
  windowMs: number;
  /** More than this many grouped outcomes become one digest; fewer are posted one by one. */
  threshold: number;
}

interface ChannelState {
  openUntil: number;
  queued: Request[];
  timer?: NodeJS.Timeout;
}

/**
 * Keeps the notify channel readable when many copies finish together (docs/decisions/009): the first
 * outcome in a quiet channel is posted at once; outcomes arriving within `windowMs` after it are
 * held and posted together when the window closes — one digest when there are more than
 * `threshold`. Held outcomes live in memory: a crash loses them (each thread still has its reply).
 */
export class OutcomeDigest {
  private readonly channels = new Map<string, ChannelState>();

  constructor(
    private readonly options: OutcomeDigestOptions,
    private readonly postOne: (request: Request, channel: string) => Promise<void>,
    private readonly postMany: (requests: Request[], channel: string) => Promise<void>,
    private readonly now: () => number = Date.now,
  ) {}

  async add(request: Request, channel: string): Promise<void> {
    const now = this.now();
    const state = this.channels.get(channel);
    if (!state || (now >= state.openUntil && state.queued.length === 0)) {
      this.channels.set(channel, { openUntil: now + this.options.windowMs, queued: [] });
      await this.postOne(request, channel);
      return;
    }
    state.queued.push(request);
    if (!state.timer) {
      state.timer = setTimeout(() => void this.flush(channel), Math.max(0, state.openUntil - now));
      state.timer.unref();
    }
  }

  /** Posts whatever is held (at the end of a window, and on shutdown). */
  async flush(channel?: string): Promise<void> {
    const channels = channel === undefined ? [...this.channels.keys()] : [channel];
    for (const name of channels) {
      const state = this.channels.get(name);
      if (!state) continue;
      if (state.timer) clearTimeout(state.timer);
      state.timer = undefined;
      const held = state.queued.splice(0);
      if (held.length === 0) continue;
      // Keep the window open: a continuing stream of outcomes stays grouped.
      state.openUntil = this.now() + this.options.windowMs;
      if (held.length > this.options.threshold) await this.postMany(held, name);
      else for (const request of held) await this.postOne(request, name);
    }
  }
}

const MAX_DIGEST_LINES = 40;

/** How many ended in each way, as people say it (never a state's own id such as `outcome_unknown`). */
const OUTCOME_WORDS: Record<string, [en: string, zh: string]> = {
  completed: ["completed", "已完成"],
  submitted: ["submitted", "已提交"],
  failed: ["failed", "失败"],
  outcome_unknown: ["outcome unknown", "结果未知"],
  rejected: ["rejected", "已拒绝"],
  cancelled: ["cancelled", "已取消"],
  expired: ["expired", "已过期"],
};

/** "3 completed, 1 failed" / "3 个已完成，1 个失败", in the order they first appear. */
export function describeOutcomeCounts(states: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const state of states) counts.set(state, (counts.get(state) ?? 0) + 1);
  return [...counts]
    .map(([state, n]) => {
      const [en, zh] = OUTCOME_WORDS[state] ?? ["ended otherwise", "以其他方式结束"];
      return say(`${n} ${en}`, `${n} 个${zh}`);
    })
    .join(say(", ", "，"));
}

/** The digest's first line: how many ended, and how. */
export function describeDigestHeadline(states: readonly string[]): string {
  const summary = describeOutcomeCounts(states);
  return say(
    `📑 ${states.length} replications finished (${summary}):`,
    `📑 ${states.length} 个复制申请已结束（${summary}）：`,
  );
}

/** "…and 12 more" under the lines shown. */
export function describeDigestMore(left: number): string {
  return say(`…and ${left} more`, `……另有 ${left} 个`);
}

/** One message for many outcomes: counts per outcome, then each request's own one line. */
export function buildOutcomeDigest(requests: readonly Request[], kinds: KindRegistry): { text: string } {
  const lines = requests
    .slice(0, MAX_DIGEST_LINES)
    .map((r) => `• ${renderText(kinds.of(r).describeOutcome(r).text, 500)}`);
  if (requests.length > MAX_DIGEST_LINES) lines.push(describeDigestMore(requests.length - MAX_DIGEST_LINES));
  return fitMessage({
    text: `${describeDigestHeadline(requests.map((r) => r.state))}\n${lines.join("\n")}`,
  });
}
