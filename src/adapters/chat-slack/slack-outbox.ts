import { createHash } from "node:crypto";
import type { KnownBlock, WebClient } from "@slack/web-api";
import type { Logger } from "../../core/ports/logger.port.js";
import type { CallPacer, Outbox, OutboxEntry, PostingMark } from "../../core/ports/outbox.port.js";
import { fitMessage, type SlackMessageContent } from "./mrkdwn.renderer.js";
import { describeDigestHeadline, describeDigestMore, type OutcomeDigestOptions } from "./outcome-digest.js";

/** A reply in a request's thread, rendered when it was written. */
export interface ThreadBody {
  conversation: string;
  threadId: string;
  content: SlackMessageContent;
}
/** The request's card as it should look after a change. */
export interface CardBody {
  conversation: string;
  id: string;
  content: SlackMessageContent;
}
/** A request's outcome for the notify conversation: its own notice, and its line in a digest. */
export interface OutcomeBody {
  conversation: string;
  requestId: string;
  state: string;
  notice: SlackMessageContent;
  line: string;
}

export interface Rate {
  perSecond: number;
  burst: number;
}

export interface SlackDeliveryOptions {
  outbox: Outbox;
  pacer: CallPacer;
  /** A request's entries wait this long after the first is written, so that what follows joins them. */
  coalesceMs: number;
  /** chat.postMessage per channel (Slack: about 1/s, short bursts allowed). */
  postRate: Rate;
  /** chat.update and conversations.* per workspace (Slack's Tier 3: 50+ per minute). */
  tier3Rate: Rate;
  digest: OutcomeDigestOptions;
  /** How long one delivery round may go on; what is left waits for the next. @defaultValue 8000 */
  roundMs?: number;
  /** Pending replies of one thread become one message. @defaultValue true (tests may post them one by one) */
  joinReplies?: boolean;
  /** Where requests' outcomes go (`slack.notifyChannel`; else the card's channel). */
  notifyChannel?: string;
  /**
   * A state change whose messages were not written this long after it is told from its marker
   * (docs/decisions/029). @defaultValue 10000
   */
  unsentGraceMs?: number;
}

/** What a message posted from the outbox carries, so that it can be found again (docs/decisions/021). */
export const OUTBOX_EVENT_TYPE = "cbs_bot_outbox";
const LEASE_MS = 60_000;
const MAX_LINES = 40;

export const requestScope = (requestId: string) => `request:${requestId}`;
const digestScope = (conversation: string) => `digest:${conversation}`;

/** A short, stable hash (entry and post keys). */
export function shortHash(value: string): string {
  return createHash("sha256").update(value).digest("hex").slice(0, 16);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface SlackError {
  code?: string;
  retryAfter?: number;
  data?: { error?: string };
}

/**
 * Delivers the outbox (docs/decisions/021): one round over every scope waiting, one deliverer per
 * scope (a lease), channels in parallel and each channel's posts in order, paced by the shared
 * per-channel limiter. A request's pending thread replies become one message, its card updates
 * the last one; its outcome moves to the notify conversation's digest queue. Before a post the
 * deliverer marks "posting K"; a mark left by a crash is resolved by looking for K in the thread
 * (message metadata) before anything is posted again.
 */
export class SlackOutboxDeliverer {
  constructor(
    private readonly client: WebClient,
    private readonly options: SlackDeliveryOptions,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  private get outbox() {
    return this.options.outbox;
  }

  async round(): Promise<{ delivered: number; waiting: number }> {
    const deadline = this.now() + (this.options.roundMs ?? 8000);
    let delivered = 0;
    const groups = new Map<string, { scope: string; entries: OutboxEntry[] }[]>();
    for (const scope of await this.outbox.pendingScopes(1000)) {
      if (!scope.startsWith("request:")) continue;
      const entries = await this.outbox.entries(scope);
      const first = entries[0]?.body as { conversation?: string } | undefined;
      const channel = first?.conversation ?? "";
      const group = groups.get(channel) ?? [];
      group.push({ scope, entries });
      groups.set(channel, group);
    }
    await Promise.all(
      [...groups.values()].map(async (group) => {
        for (const { scope, entries } of group) {
          if (this.now() > deadline) return;
          const result = await this.withLease(scope, () => this.deliverRequest(scope, entries, deadline));
          delivered += result.delivered;
          // The channel's posts stay in order: a request that could not post stops its channel.
          if (result.blocked) return;
        }
      }),
    );
    const digests = (await this.outbox.pendingScopes(1000)).filter((s) => s.startsWith("digest:"));
    await Promise.all(
      digests.map(async (scope) => {
        const result = await this.withLease(scope, () => this.deliverDigest(scope, deadline));
        delivered += result.delivered;
      }),
    );
    return { delivered, waiting: (await this.outbox.pendingScopes(1000)).length };
  }

  private async withLease(
    scope: string,
    work: () => Promise<{ delivered: number; blocked: boolean }>,
  ): Promise<{ delivered: number; blocked: boolean }> {
    const token = await this.outbox.lease(scope, LEASE_MS);
    if (!token) return { delivered: 0, blocked: true };
    try {
      if (!(await this.recover(scope))) return { delivered: 0, blocked: true };
      return await work();
    } catch (err) {
      this.logger.warn({ err, scope }, "outbox: delivery failed; will retry");
      return { delivered: 0, blocked: true };
    } finally {
      await this.outbox.release(scope, token).catch(() => undefined);
    }
  }

  /** A post marked but not completed (a crash, a lost answer): done if Slack has it. False: unknown yet. */
  private async recover(scope: string): Promise<boolean> {
    const mark = await this.outbox.posting(scope);
    if (!mark) return true;
    const found = await this.findPosted(mark);
    if (found === undefined) return false;
    this.logger.info({ scope, postKey: mark.postKey, found }, "outbox: resolved a post left unfinished");
    await this.outbox.complete(scope, found ? mark.keys : []);
    return true;
  }

  private async findPosted(mark: PostingMark): Promise<boolean | undefined> {
    if (!(await this.pace("tier3", this.options.tier3Rate, 5000))) return undefined;
    try {
      const answer = mark.threadId
        ? await this.client.conversations.replies({
            channel: mark.conversation,
            ts: mark.threadId,
            include_all_metadata: true,
            limit: 1000,
          })
        : await this.client.conversations.history({
            channel: mark.conversation,
            oldest: String(Math.floor(mark.at / 1000) - 60),
            include_all_metadata: true,
            limit: 200,
          });
      return (answer.messages ?? []).some(
        (m) => (m.metadata?.event_payload as { key?: unknown } | undefined)?.key === mark.postKey,
      );
    } catch (err) {
      if (this.rateLimited(err, "tier3", this.options.tier3Rate)) return undefined;
      if (platformError(err)) return false;
      this.logger.warn({ err, postKey: mark.postKey }, "outbox: cannot read the thread back yet");
      return undefined;
    }
  }

  private async deliverRequest(
    scope: string,
    listed: OutboxEntry[],
    deadline: number,
  ): Promise<{ delivered: number; blocked: boolean }> {
    const entries = await this.outbox.entries(scope);
    if (entries.length === 0) {
      if (listed.length === 0) await this.outbox.complete(scope, []);
      return { delivered: 0, blocked: false };
    }
    const final = entries.some((e) => e.kind === "outcome");
    const oldest = Math.min(...entries.map((e) => e.at));
    // Not yet: replies that follow within the window join this one (the channel goes on).
    if (!final && this.now() - oldest < this.options.coalesceMs) return { delivered: 0, blocked: false };
    let delivered = 0;

    const threads = entries.filter((e) => e.kind === "thread");
    const batches = this.options.joinReplies === false ? threads.map((e) => [e]) : [threads];
    for (const batch of batches) {
      if (batch.length === 0) continue;
      const bodies = batch.map((e) => e.body as ThreadBody);
      const first = bodies[0] as ThreadBody;
      const keys = batch.map((e) => e.key);
      const posted = await this.post(
        scope,
        keys,
        first.conversation,
        first.threadId,
        joinReplies(bodies),
        deadline,
      );
      if (!posted) return { delivered, blocked: true };
      delivered++;
    }

    const cards = entries.filter((e) => e.kind === "card");
    const last = cards.at(-1)?.body as CardBody | undefined;
    if (last) {
      if (!(await this.pace("chat.update", this.options.tier3Rate, Math.max(0, deadline - this.now()))))
        return { delivered, blocked: true };
      try {
        await this.client.chat.update({ channel: last.conversation, ts: last.id, ...last.content });
        delivered++;
      } catch (err) {
        if (this.rateLimited(err, "chat.update", this.options.tier3Rate)) return { delivered, blocked: true };
        if (!platformError(err)) throw err;
        // The card is a view of the request; one Slack refuses is not retried.
        this.logger.warn({ err, scope }, "approval card could not be updated");
      }
      await this.outbox.complete(
        scope,
        cards.map((e) => e.key),
      );
    }

    for (const entry of entries.filter((e) => e.kind === "outcome")) {
      const body = entry.body as OutcomeBody;
      await this.outbox.append(digestScope(body.conversation), {
        key: `outcome:${body.requestId}`,
        kind: "outcome",
        at: this.now(),
        body,
      });
      await this.outbox.complete(scope, [entry.key]);
    }
    return { delivered, blocked: false };
  }

  /**
   * The notify conversation's outcomes: the first in a quiet conversation at once; those arriving
   * within the window after a post wait for its end, then go one by one, or as one digest when
   * there are more than the threshold. Held outcomes are in Redis: a restart keeps them.
   */
  private async deliverDigest(
    scope: string,
    deadline: number,
  ): Promise<{ delivered: number; blocked: boolean }> {
    const conversation = scope.slice("digest:".length);
    const openUntil = Number((await this.outbox.getValue(scope, "open")) ?? 0);
    if (this.now() < openUntil) return { delivered: 0, blocked: false };
    const entries = await this.outbox.entries(scope);
    if (entries.length === 0) return { delivered: 0, blocked: false };
    const { windowMs, threshold } = this.options.digest;
    let delivered = 0;
    const batches = entries.length > threshold ? [entries] : entries.map((e) => [e]);
    for (const batch of batches) {
      const bodies = batch.map((e) => e.body as OutcomeBody);
      const content = bodies.length === 1 ? (bodies[0] as OutcomeBody).notice : buildDigest(bodies);
      const ok = await this.post(
        scope,
        batch.map((e) => e.key),
        conversation,
        undefined,
        { ...content },
        deadline,
      );
      if (!ok) break;
      delivered++;
    }
    // Keep the window open: a continuing stream of outcomes stays grouped.
    await this.outbox.setValue(scope, "open", String(this.now() + windowMs), windowMs);
    return { delivered, blocked: false };
  }

  /** Posts one message delivering `keys`, at most once; false when it must wait for another round. */
  private async post(
    scope: string,
    keys: string[],
    conversation: string,
    threadId: string | undefined,
    content: SlackMessageContent,
    deadline: number,
  ): Promise<boolean> {
    const limiter = `post:${conversation}`;
    if (
      !(await this.pace(limiter, this.options.postRate, Math.min(5000, Math.max(0, deadline - this.now()))))
    )
      return false;
    const postKey = `${scope}:${shortHash(keys.join(","))}`;
    await this.outbox.markPosting(scope, {
      postKey,
      keys,
      conversation,
      ...(threadId ? { threadId } : {}),
      at: this.now(),
    });
    try {
      await this.client.chat.postMessage({
        channel: conversation,
        ...(threadId ? { thread_ts: threadId } : {}),
        ...content,
        unfurl_links: false,
        metadata: { event_type: OUTBOX_EVENT_TYPE, event_payload: { key: postKey } },
      });
    } catch (err) {
      if (this.rateLimited(err, limiter, this.options.postRate)) {
        // A 429 posted nothing.
        await this.outbox.complete(scope, []);
        return false;
      }
      if (!platformError(err)) throw err; // may have landed: the mark stays, the next round looks
      this.logger.warn({ err, scope, conversation }, "outbox: Slack refused a message; it is dropped");
    }
    await this.outbox.complete(scope, keys);
    return true;
  }

  /** Waits for a slot of `limiter`; false (nothing reserved) when it is further than `maxWaitMs`. */
  private async pace(limiter: string, rate: Rate, maxWaitMs: number): Promise<boolean> {
    const delay = await this.options.pacer.reserve(limiter, rate, maxWaitMs);
    if (delay === undefined) return false;
    if (delay > 0) await sleep(delay);
    return true;
  }

  /** A 429: every process holds this limiter back for `Retry-After`. */
  private rateLimited(err: unknown, limiter: string, rate: Rate): boolean {
    const e = err as SlackError;
    if (e.code !== "slack_webapi_rate_limited_error") return false;
    const ms = Math.max(1, e.retryAfter ?? 1) * 1000;
    this.logger.warn({ limiter, retryAfterMs: ms }, "slack rate limit reached; holding back");
    void this.options.pacer.hold(limiter, rate, ms).catch(() => undefined);
    return true;
  }
}

/** Slack answered (ok: false): the same call would be refused again. */
function platformError(err: unknown): boolean {
  return (err as SlackError).code === "slack_webapi_platform_error";
}

/** Several replies of one thread as one message, a blank line between them. */
export function joinReplies(bodies: readonly ThreadBody[]): SlackMessageContent {
  const text = bodies.map((b) => b.content.text).join("\n\n");
  if (!bodies.some((b) => b.content.blocks?.length)) return fitMessage({ text });
  const blocks: KnownBlock[] = bodies.flatMap((b) =>
    b.content.blocks?.length
      ? b.content.blocks
      : [{ type: "section", text: { type: "mrkdwn", text: b.content.text } } as KnownBlock],
  );
  return fitMessage({ text, blocks });
}

/**
 * One message for many outcomes: counts per outcome, then each request's own line (its notice's
 * text, which carries the thread's link; `line` for entries queued before it did).
 */
export function buildDigest(bodies: readonly OutcomeBody[]): SlackMessageContent {
  const lines = bodies.slice(0, MAX_LINES).map((b) => `• ${b.notice.text || b.line}`);
  if (bodies.length > MAX_LINES) lines.push(describeDigestMore(bodies.length - MAX_LINES));
  return fitMessage({
    text: `${describeDigestHeadline(bodies.map((b) => b.state))}\n${lines.join("\n")}`,
  });
}
