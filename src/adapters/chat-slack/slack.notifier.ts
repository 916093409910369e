import type { WebClient } from "@slack/web-api";
import type { KindRegistry } from "../../app/request-kind.js";
import { type Locale, type Message, mention, type Text, text, tr } from "../../core/messages/message.js";
import type { Logger } from "../../core/ports/logger.port.js";
import type { Notifier } from "../../core/ports/notifier.port.js";
import type { OutboxEntry } from "../../core/ports/outbox.port.js";
import { isFinal } from "../../core/request/lifecycle.js";
import type { MessageRef, Request } from "../../core/request/request.js";
import { buildApprovalCard, buildOutcomeNotice } from "./approval-card.blocks.js";
import { SlackAdapterError } from "./errors.js";
import { asMessage, fitMessage, renderMessage, renderText } from "./mrkdwn.renderer.js";
import { buildOutcomeDigest, OutcomeDigest, type OutcomeDigestOptions } from "./outcome-digest.js";
import { buildRecheckForFailedRequest } from "./prerequisites.blocks.js";
import { defaultLocale, withLocale } from "./reader-locale.js";
import {
  type CardBody,
  type OutcomeBody,
  requestScope,
  type SlackDeliveryOptions,
  SlackOutboxDeliverer,
  shortHash,
  type ThreadBody,
} from "./slack-outbox.js";

/** What the channel reads is in the configured language, whoever's action caused it. */
const inChannel = <T>(fn: () => T): T => withLocale(defaultLocale(), fn);

/** The metadata event type of automatic replication's announcements. */
export const ANNOUNCEMENT_EVENT = "cbs_bot_announcement";

/** The metadata event type of approval cards: a card whose post answer was lost is found by it. */
const CARD_EVENT_TYPE = "cbs_bot_card";

/** How long after a state change its messages must have been written (else: a crash in between). */
const UNSENT_GRACE_MS = 10_000;

/** The ends a request's steps announce in the notify channel (a rejection, a cancel, an expiry do not). */
const ANNOUNCED_ENDS = new Set(["completed", "submitted", "failed", "outcome_unknown"]);

/** How long a card post waits out Slack failing before its request is given up. */
const CARD_POST_PATIENCE_MS = 2 * 60_000;

interface SlackRateLimitedError {
  code?: string;
  retryAfter?: number;
  statusCode?: number;
}

/**
 * Worth trying again: "none" for a 429 (nothing was posted), "unsure" for a 5xx or no answer (it
 * may have been posted); undefined when Slack refused the call itself (`not_in_channel`, …).
 */
function transientSlackFailure(err: unknown): "none" | "unsure" | undefined {
  const e = err as SlackRateLimitedError;
  if (e.code === "slack_webapi_rate_limited_error") return "none";
  if (e.code === "slack_webapi_request_error") return "unsure";
  if (e.code === "slack_webapi_http_error" && (e.statusCode ?? 500) >= 500) return "unsure";
  return undefined;
}

/**
 * Notifier over the Slack Web API. With `delivery` (production), card updates, thread replies and
 * outcomes are written to the outbox and posted by the worker's delivery rounds
 * (`deliverPending`, docs/decisions/021); without it they are posted at once.
 */
export class SlackNotifier implements Notifier {
  constructor(
    private readonly client: WebClient,
    private readonly kinds: KindRegistry,
    private readonly requiredApprovals: number,
    private readonly logger: Logger,
    private readonly cardOptions: {
      approverMention?: string;
      /** A person's own language, for what only they read (ephemeral answers). */
      localeOf?: (userId: string) => Promise<Locale>;
    } = {},
    digestOptions?: OutcomeDigestOptions,
    private readonly delivery?: SlackDeliveryOptions,
  ) {
    this.digest =
      digestOptions && !delivery
        ? new OutcomeDigest(
            digestOptions,
            (request, channel) => this.postOutcome(request, channel),
            (requests, channel) => this.postDigest(requests, channel),
          )
        : undefined;
    this.deliverer = delivery ? new SlackOutboxDeliverer(client, delivery, logger) : undefined;
  }

  private readonly digest?: OutcomeDigest;
  private readonly deliverer?: SlackOutboxDeliverer;
  private teamUrl?: Promise<string | undefined>;

  /** One delivery round over the outbox (the worker's `slack-outbox` job). */
  async deliverPending(): Promise<{ delivered: number; waiting: number }> {
    if (!this.deliverer) return { delivered: 0, waiting: 0 };
    await this.tellUnsentChanges().catch((err: unknown) =>
      this.logger.warn({ err }, "outbox: unsent state changes not looked at; next round"),
    );
    return this.deliverer.round();
  }

  /**
   * State changes the store marked "unsent" that are older than `unsentGraceMs` (the process that
   * made them wrote their messages at once, or died first): when nothing was written for one, its
   * card, a thread reply telling what happened and, for an end, its outcome are written now. The
   * keys make this a no-op for what was written (docs/decisions/029).
   */
  private async tellUnsentChanges(): Promise<void> {
    const delivery = this.delivery;
    const outbox = delivery?.outbox;
    if (!delivery || !outbox?.dueChanges || !outbox.settleChange || !outbox.knownKeys) return;
    const due = await outbox.dueChanges(delivery.unsentGraceMs ?? UNSENT_GRACE_MS, 100);
    for (const change of due) {
      const { request } = change;
      const card = request.card;
      const version = request.updatedAt;
      const keys = await outbox.knownKeys(requestScope(request.id));
      const written = keys.some(
        (k) => k.startsWith(`thread:${version}:`) || k.startsWith(`card:${version}:`),
      );
      if (!written && card) {
        this.logger.warn(
          { requestId: request.id, event: change.event, updatedAt: version },
          "outbox: a state change's messages were never written (a crash?); telling it now",
        );
        // A later change's card is already queued: this older one must not replace it.
        const newerCard = keys.some((k) => k.startsWith("card:") && k.slice(5, 5 + version.length) > version);
        const carded = { ...request, card };
        if (!newerCard) await this.appendStrict(request, this.cardEntry(carded));
        await this.appendStrict(request, this.threadEntry(carded, this.unsentReply(request, change.event)));
        if (ANNOUNCED_ENDS.has(request.state))
          await this.appendStrict(
            request,
            await this.outcomeEntry(request, delivery.notifyChannel ?? card.conversation),
          );
      }
      await outbox.settleChange(change.marker);
    }
  }

  /** What the thread is told for a change whose own reply was lost: the event, from the request. */
  private unsentReply(request: Request, event: string): Message {
    const kind = this.kinds.of(request);
    const approver = request.approvals.at(-1)?.userId;
    if ((event === "approved" || event === "approval_recorded") && approver) {
      const count = `${request.approvals.length}/${request.requiredApprovals ?? this.requiredApprovals}`;
      return {
        text: text`${tr(text`Approved by ${mention(approver)} (${count}).`, text`已由 ${mention(approver)} 批准（${count}）。`)}`,
      };
    }
    if (isFinal(request.state)) return kind.describeOutcome(request);
    const step = request.step ? kind.describeStep(request.step, request) : request.state;
    return { text: text`${tr(text`Now: ${step}.`, text`当前：${step}。`)}` };
  }

  private async append(request: Request, entry: Omit<OutboxEntry, "at">): Promise<void> {
    try {
      await this.appendStrict(request, entry);
    } catch (err) {
      this.logger.warn({ err, requestId: request.id, kind: entry.kind }, "slack message could not be queued");
    }
  }

  private async appendStrict(request: Request, entry: Omit<OutboxEntry, "at">): Promise<void> {
    await this.delivery?.outbox.append(requestScope(request.id), { ...entry, at: Date.now() });
  }

  private cardEntry(request: Request & { card: MessageRef }): Omit<OutboxEntry, "at"> {
    const body: CardBody = {
      conversation: request.card.conversation,
      id: request.card.id,
      content: this.card(request),
    };
    const key = `card:${request.updatedAt}:${request.state}:${request.step ?? ""}:${request.approvals.length}`;
    return { key, kind: "card", body };
  }

  private threadEntry(
    request: Request & { card: MessageRef },
    reply: Text | Message,
  ): Omit<OutboxEntry, "at"> {
    const { text, blocks } = this.renderReply(request, reply);
    const body: ThreadBody = {
      conversation: request.card.conversation,
      threadId: request.card.id,
      content: { text, ...(blocks?.length ? { blocks } : {}) },
    };
    return { key: `thread:${request.updatedAt}:${shortHash(text)}`, kind: "thread", body };
  }

  private async outcomeEntry(request: Request, channel: string): Promise<Omit<OutboxEntry, "at">> {
    const link = request.card ? await this.cardLink(request) : undefined;
    const body: OutcomeBody = {
      conversation: channel,
      requestId: request.id,
      state: request.state,
      notice: inChannel(() => buildOutcomeNotice(request, this.kinds.of(request), link)),
      line: inChannel(() => renderText(this.kinds.of(request).describeOutcome(request).text, 500)),
    };
    return { key: "outcome", kind: "outcome", body };
  }

  /** A thread reply as posted: a reply saying the run-time checks failed carries Re-check. */
  private renderReply(request: Request, reply: Text | Message) {
    const message = asMessage(reply);
    const recheck = buildRecheckForFailedRequest(request);
    const rendered = inChannel(() =>
      renderMessage(
        recheck.length && !message.blocks
          ? { ...message, blocks: [{ type: "section", text: message.text }] }
          : message,
      ),
    );
    return fitMessage({
      text: rendered.text,
      ...(recheck.length || rendered.blocks ? { blocks: [...(rendered.blocks ?? []), ...recheck] } : {}),
    });
  }

  /**
   * A message's permalink without a call per message: the workspace's URL (auth.test, once per
   * process) and Slack's link format; chat.getPermalink only when that is unknown.
   */
  private async permalink(conversation: string, ts: string): Promise<string | undefined> {
    this.teamUrl ??= this.client.auth
      .test()
      .then((r) => r.url)
      .catch((err: unknown) => {
        this.logger.debug({ err }, "auth.test failed; permalinks are asked for one by one");
        this.teamUrl = undefined;
        return undefined;
      });
    const base = await this.teamUrl;
    if (base) return `${base.replace(/\/?$/, "/")}archives/${conversation}/p${ts.replace(".", "")}`;
    const result = await this.client.chat.getPermalink({ channel: conversation, message_ts: ts });
    return result.permalink;
  }

  private card(request: Request) {
    return inChannel(() =>
      buildApprovalCard(request, this.kinds.of(request), this.requiredApprovals, this.cardOptions),
    );
  }

  /**
   * The card, posted at once (the request's id needs its ts). Slack failing for a while (429s,
   * 5xx, no answer) is waited out for up to `CARD_POST_PATIENCE_MS`, not a few tries: giving up
   * cancels the request, and the person has only been told "looking up". A post whose answer was
   * lost may have landed: the card carries its request id in its metadata and is looked for in the
   * channel before it is posted again, so it is never doubled.
   */
  async postCard(request: Request, channel: string): Promise<MessageRef> {
    const since = Date.parse(request.createdAt) - 60_000;
    const giveUpAt = Date.now() + CARD_POST_PATIENCE_MS;
    let unsure = false;
    for (let attempt = 1; ; attempt++) {
      try {
        if (unsure) {
          const found = await this.findPosted(channel, CARD_EVENT_TYPE, request.id, since);
          if (found) return found;
          unsure = false;
        }
        const result = await this.paced(channel, () =>
          this.client.chat.postMessage({
            channel,
            ...this.card(request),
            unfurl_links: false,
            metadata: { event_type: CARD_EVENT_TYPE, event_payload: { key: request.id } },
          }),
        );
        if (!result.ts || !result.channel)
          throw new SlackAdapterError("slack.no_ts", "chat.postMessage returned no message ts");
        return { conversation: result.channel, id: result.ts };
      } catch (err) {
        const transient = transientSlackFailure(err);
        if (!transient || Date.now() >= giveUpAt) throw err;
        if (transient === "unsure") unsure = true;
        // A 429 is waited out exactly (the channel's pacer holds it for every process, or here
        // when there is none); a 5xx or no answer backs off.
        const retryAfterMs = Math.max(1, (err as SlackRateLimitedError).retryAfter ?? 1) * 1000;
        const wait =
          transient === "none"
            ? this.delivery
              ? 0
              : retryAfterMs
            : Math.min(5_000, 250 * 2 ** Math.min(attempt, 5)) * (0.5 + Math.random() / 2);
        this.logger.info({ requestId: request.id, attempt, waitMs: Math.round(wait) }, "card post retried");
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
    }
  }

  /** A post made at once (the card): it takes the channel's next slot and waits out a 429. */
  private async paced<T>(channel: string, call: () => Promise<T>): Promise<T> {
    const delivery = this.delivery;
    if (!delivery) return call();
    const delay = await delivery.pacer.reserve(`post:${channel}`, delivery.postRate, 60_000);
    if (delay) await new Promise((r) => setTimeout(r, delay));
    try {
      return await call();
    } catch (err) {
      const e = err as SlackRateLimitedError;
      if (e.code === "slack_webapi_rate_limited_error")
        await delivery.pacer.hold(
          `post:${channel}`,
          delivery.postRate,
          Math.max(1, e.retryAfter ?? 1) * 1000,
        );
      throw err;
    }
  }

  async updateCard(request: Request): Promise<void> {
    if (!request.card) return;
    if (this.delivery) return this.append(request, this.cardEntry({ ...request, card: request.card }));
    try {
      await this.client.chat.update({
        channel: request.card.conversation,
        ts: request.card.id,
        ...this.card(request),
      });
    } catch (err) {
      // The card is a view of the request; a failed refresh must not fail the replication itself.
      this.logger.warn({ err, requestId: request.id }, "approval card could not be updated");
    }
  }

  async postThreadReply(request: Request, reply: Text | Message): Promise<void> {
    if (!request.card) return;
    try {
      if (this.delivery)
        return await this.append(request, this.threadEntry({ ...request, card: request.card }, reply));
      const { text, blocks } = this.renderReply(request, reply);
      await this.client.chat.postMessage({
        channel: request.card.conversation,
        thread_ts: request.card.id,
        text,
        ...(blocks?.length ? { blocks } : {}),
      });
    } catch (err) {
      this.logger.warn({ err, requestId: request.id }, "thread reply could not be posted");
    }
  }

  async announceOutcome(request: Request, channel: string): Promise<void> {
    if (this.delivery) return this.append(request, await this.outcomeEntry(request, channel));
    if (this.digest) await this.digest.add(request, channel);
    else await this.postOutcome(request, channel);
  }

  /** Posts the outcomes still held for a digest (on shutdown). */
  async flushOutcomes(): Promise<void> {
    await this.digest?.flush();
  }

  private async postDigest(requests: Request[], channel: string): Promise<void> {
    try {
      await this.client.chat.postMessage({
        channel,
        ...inChannel(() => buildOutcomeDigest(requests, this.kinds)),
        unfurl_links: false,
      });
    } catch (err) {
      this.logger.warn({ err, channel, requests: requests.length }, "outcome digest could not be posted");
    }
  }

  private async postOutcome(request: Request, channel: string): Promise<void> {
    let link: string | undefined;
    if (request.card) {
      try {
        link = await this.permalink(request.card.conversation, request.card.id);
      } catch (err) {
        this.logger.debug({ err, requestId: request.id }, "no permalink for the card");
      }
    }
    const notice = inChannel(() => buildOutcomeNotice(request, this.kinds.of(request), link));
    try {
      await this.client.chat.postMessage({ channel, ...notice, unfurl_links: false });
    } catch (err) {
      this.logger.warn({ err, requestId: request.id, channel }, "outcome notice could not be posted");
    }
  }

  async cardLink(request: Request): Promise<string | undefined> {
    if (!request.card) return undefined;
    try {
      return await this.permalink(request.card.conversation, request.card.id);
    } catch (err) {
      this.logger.debug({ err, requestId: request.id }, "no permalink for the card");
      return undefined;
    }
  }

  /**
   * Posts with `metadata` (event type `cbs_bot_announcement`, the key in its payload), which
   * `findAnnouncement` reads back from the channel's history: a post whose answer was lost is found
   * instead of posted twice (docs/decisions/020).
   */
  async announce(channel: string, message: Message, key: string): Promise<MessageRef> {
    const { text, blocks } = inChannel(() => fitMessage(renderMessage(message)));
    const result = await this.client.chat.postMessage({
      channel,
      text,
      ...(blocks?.length ? { blocks } : {}),
      unfurl_links: false,
      metadata: { event_type: ANNOUNCEMENT_EVENT, event_payload: { key } },
    });
    if (!result.ts || !result.channel)
      throw new SlackAdapterError("slack.no_ts", "chat.postMessage returned no message ts");
    return { conversation: result.channel, id: result.ts };
  }

  async findAnnouncement(channel: string, key: string, sinceMs: number): Promise<MessageRef | undefined> {
    return this.findPosted(channel, ANNOUNCEMENT_EVENT, key, sinceMs);
  }

  /** A top-level message of `channel` since `sinceMs` carrying metadata `eventType` with `key`. */
  private async findPosted(
    channel: string,
    eventType: string,
    key: string,
    sinceMs: number,
  ): Promise<MessageRef | undefined> {
    let cursor: string | undefined;
    for (let page = 0; page < 20; page++) {
      const result = await this.client.conversations.history({
        channel,
        oldest: (Math.max(0, sinceMs) / 1000).toFixed(6),
        include_all_metadata: true,
        limit: 200,
        ...(cursor ? { cursor } : {}),
      });
      for (const m of result.messages ?? []) {
        const metadata = (m as { metadata?: { event_type?: string; event_payload?: { key?: unknown } } })
          .metadata;
        if (metadata?.event_type === eventType && metadata.event_payload?.key === key && m.ts)
          return { conversation: channel, id: m.ts };
      }
      cursor = result.response_metadata?.next_cursor || undefined;
      if (!result.has_more || !cursor) return undefined;
    }
    return undefined;
  }

  async tellUser(channel: string, userId: string, message: Text): Promise<void> {
    const locale = this.cardOptions.localeOf ? await this.cardOptions.localeOf(userId) : defaultLocale();
    await this.client.chat.postEphemeral({
      channel,
      user: userId,
      text: withLocale(locale, () => renderText(message)),
    });
  }
}
