import type { WebClient } from "@slack/web-api";
import type { KindRegistry } from "../../app/request-kind.js";
import type { Message, Text } from "../../core/messages/message.js";
import type { Logger } from "../../core/ports/logger.port.js";
import type { Notifier } from "../../core/ports/notifier.port.js";
import type { MessageRef, Request } from "../../core/request/request.js";
import { buildApprovalCard, buildOutcomeNotice } from "./approval-card.blocks.js";
import { SlackAdapterError } from "./errors.js";
import { asMessage, fitMessage, renderMessage, renderText } from "./mrkdwn.renderer.js";
import { buildOutcomeDigest, OutcomeDigest, type OutcomeDigestOptions } from "./outcome-digest.js";
import { buildRecheckForFailedRequest } from "./prerequisites.blocks.js";

/** The metadata event type of automatic replication's announcements. */
export const ANNOUNCEMENT_EVENT = "cbs_bot_announcement";

/** Notifier over the Slack Web API. */
export class SlackNotifier implements Notifier {
  constructor(
    private readonly client: WebClient,
    private readonly kinds: KindRegistry,
    private readonly requiredApprovals: number,
    private readonly logger: Logger,
    private readonly cardOptions: { approverMention?: string } = {},
    digestOptions?: OutcomeDigestOptions,
  ) {
    this.digest = digestOptions
      ? new OutcomeDigest(
          digestOptions,
          (request, channel) => this.postOutcome(request, channel),
          (requests, channel) => this.postDigest(requests, channel),
        )
      : undefined;
  }

  private readonly digest?: OutcomeDigest;

  private card(request: Request) {
    return buildApprovalCard(request, this.kinds.of(request), this.requiredApprovals, this.cardOptions);
  }

  async postCard(request: Request, channel: string): Promise<MessageRef> {
    const result = await this.client.chat.postMessage({
      channel,
      ...this.card(request),
      unfurl_links: false,
    });
    if (!result.ts || !result.channel)
      throw new SlackAdapterError("slack.no_ts", "chat.postMessage returned no message ts");
    return { conversation: result.channel, id: result.ts };
  }

  async updateCard(request: Request): Promise<void> {
    if (!request.card) return;
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
      const rendered = renderMessage(
        recheck.length && !message.blocks
          ? { ...message, blocks: [{ type: "section", text: message.text }] }
          : message,
      );
      const { text, blocks } = fitMessage({
        text: rendered.text,
        ...(recheck.length || rendered.blocks ? { blocks: [...(rendered.blocks ?? []), ...recheck] } : {}),
      });
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
        ...buildOutcomeDigest(requests, this.kinds),
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
        const permalink = await this.client.chat.getPermalink({
          channel: request.card.conversation,
          message_ts: request.card.id,
        });
        link = permalink.permalink;
      } catch (err) {
        this.logger.debug({ err, requestId: request.id }, "no permalink for the card");
      }
    }
    const notice = buildOutcomeNotice(request, this.kinds.of(request), link);
    try {
      await this.client.chat.postMessage({ channel, ...notice, unfurl_links: false });
    } catch (err) {
      this.logger.warn({ err, requestId: request.id, channel }, "outcome notice could not be posted");
    }
  }

  async cardLink(request: Request): Promise<string | undefined> {
    if (!request.card) return undefined;
    try {
      const result = await this.client.chat.getPermalink({
        channel: request.card.conversation,
        message_ts: request.card.id,
      });
      return result.permalink;
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
    const { text, blocks } = fitMessage(renderMessage(message));
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
    await this.client.chat.postEphemeral({ channel, user: userId, text: renderText(message) });
  }
}
