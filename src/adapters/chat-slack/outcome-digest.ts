import type { KindRegistry } from "../../app/request-kind.js";
import type { Request } from "../../core/request/request.js";
import { escapeMrkdwn, fitMessage, renderText } from "./mrkdwn.renderer.js";

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

/** One message for many outcomes: counts per outcome, then one line per request. */
export function buildOutcomeDigest(requests: readonly Request[], kinds: KindRegistry): { text: string } {
  const counts = new Map<string, number>();
  for (const r of requests) counts.set(r.state, (counts.get(r.state) ?? 0) + 1);
  const summary = [...counts].map(([state, n]) => `${n} ${escapeMrkdwn(state)}`).join(", ");
  // Each line is the request's own notice, shortened: the kind says what it did.
  const lines = requests
    .slice(0, MAX_DIGEST_LINES)
    .map((r) => `• ${renderText(kinds.of(r).describeOutcome(r).text, 500)}`);
  if (requests.length > MAX_DIGEST_LINES) lines.push(`…and ${requests.length - MAX_DIGEST_LINES} more`);
  return fitMessage({
    text: `:bookmark_tabs: ${requests.length} replications finished (${summary}):\n${lines.join("\n")}`,
  });
}
