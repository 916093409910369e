import type { WebClient } from "@slack/web-api";
import type { KindRegistry } from "../../app/request-kind.js";
import type { Locale, Message, Text } from "../../core/messages/message.js";
import type { Logger } from "../../core/ports/logger.port.js";
import type { Notifier } from "../../core/ports/notifier.port.js";
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

interface SlackRateLimitedError {
  code?: string;
  retryAfter?: number;
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
    return this.deliverer ? this.deliverer.round() : { delivered: 0, waiting: 0 };
  }

  private async append(request: Request, key: string, kind: string, body: unknown): Promise<void> {
    if (!this.delivery) return;
    try {
      await this.delivery.outbox.append(requestScope(request.id), { key, kind, at: Date.now(), body });
    } catch (err) {
      this.logger.warn({ err, requestId: request.id, kind }, "slack message could not be queued");
    }
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

  async postCard(request: Request, channel: string): Promise<MessageRef> {
    const result = await this.paced(channel, () =>
      this.client.chat.postMessage({ channel, ...this.card(request), unfurl_links: false }),
    );
    if (!result.ts || !result.channel)
      throw new SlackAdapterError("slack.no_ts", "chat.postMessage returned no message ts");
    return { conversation: result.channel, id: result.ts };
  }

  /** A post made at once (the card): it takes the channel's next slot and waits out a 429. */
  private async paced<T>(channel: string, call: () => Promise<T>): Promise<T> {
    const delivery = this.delivery;
    if (!delivery) return call();
    for (let attempt = 1; ; attempt++) {
      const delay = await delivery.pacer.reserve(`post:${channel}`, delivery.postRate, 60_000);
      if (delay) await new Promise((r) => setTimeout(r, delay));
      try {
        return await call();
      } catch (err) {
        const e = err as SlackRateLimitedError;
        if (e.code !== "slack_webapi_rate_limited_error" || attempt >= 3) throw err;
        await delivery.pacer.hold(
          `post:${channel}`,
          delivery.postRate,
          Math.max(1, e.retryAfter ?? 1) * 1000,
        );
      }
    }
  }

  async updateCard(request: Request): Promise<void> {
    if (!request.card) return;
    if (this.delivery) {
      const body: CardBody = {
        conversation: request.card.conversation,
        id: request.card.id,
        content: this.card(request),
      };
      const key = `card:${request.updatedAt}:${request.state}:${request.step ?? ""}:${request.approvals.length}`;
      return this.append(request, key, "card", body);
    }
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
      const message = asMessage(reply);
      // A reply saying the run-time checks failed carries Re-check, like every failed-check message.
      const recheck = buildRecheckForFailedRequest(request);
      const rendered = inChannel(() =>
        renderMessage(
          recheck.length && !message.blocks
            ? { ...message, blocks: [{ type: "section", text: message.text }] }
            : message,
        ),
      );
      const { text, blocks } = fitMessage({
        text: rendered.text,
        ...(recheck.length || rendered.blocks ? { blocks: [...(rendered.blocks ?? []), ...recheck] } : {}),
      });
      if (this.delivery) {
        const body: ThreadBody = {
          conversation: request.card.conversation,
          threadId: request.card.id,
          content: { text, ...(blocks?.length ? { blocks } : {}) },
        };
        return await this.append(request, `thread:${request.updatedAt}:${shortHash(text)}`, "thread", body);
      }
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
    if (this.delivery) {
      const link = request.card ? await this.cardLink(request) : undefined;
      const body: OutcomeBody = {
        conversation: channel,
        requestId: request.id,
        state: request.state,
        notice: inChannel(() => buildOutcomeNotice(request, this.kinds.of(request), link)),
        line: inChannel(() => renderText(this.kinds.of(request).describeOutcome(request).text, 500)),
      };
      return this.append(request, "outcome", "outcome", body);
    }
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
        if (metadata?.event_type === ANNOUNCEMENT_EVENT && metadata.event_payload?.key === key && m.ts)
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
