import type { types } from "@slack/bolt";
import type { WebClient } from "@slack/web-api";
import type { Logger } from "../../core/ports/logger.port.js";
import type { Notifier } from "../../core/ports/notifier.port.js";
import type { ReplicationRequest, SlackLocation } from "../../core/request/request.js";
import { buildApprovalCard, buildOutcomeNotice } from "./approval-card.blocks.js";
import { buildOutcomeDigest, OutcomeDigest, type OutcomeDigestOptions } from "./outcome-digest.js";
import { buildRecheckForFailedRequest } from "./prerequisites.blocks.js";

type KnownBlock = types.KnownBlock;

/** A section's text may hold 3000 characters. */
const clipText = (text: string) => (text.length > 2900 ? `${text.slice(0, 2900)}…` : text);

/** Notifier over the Slack Web API. */
export class SlackNotifier implements Notifier {
  constructor(
    private readonly client: WebClient,
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

  async postApprovalCard(request: ReplicationRequest, channel: string): Promise<SlackLocation> {
    const card = buildApprovalCard(request, this.requiredApprovals, this.cardOptions);
    const result = await this.client.chat.postMessage({ channel, ...card, unfurl_links: false });
    if (!result.ts || !result.channel)
      throw new Error("slack.no_ts: chat.postMessage returned no message ts");
    return { channel: result.channel, ts: result.ts };
  }

  async updateCard(request: ReplicationRequest): Promise<void> {
    if (!request.card) return;
    const card = buildApprovalCard(request, this.requiredApprovals, this.cardOptions);
    try {
      await this.client.chat.update({ channel: request.card.channel, ts: request.card.ts, ...card });
    } catch (err) {
      // The card is a view of the request; a failed refresh must not fail the replication itself.
      this.logger.warn({ err, requestId: request.id }, "approval card could not be updated");
    }
  }

  async postThreadReply(request: ReplicationRequest, text: string): Promise<void> {
    if (!request.card) return;
    try {
      // A reply saying the run-time checks failed carries Re-check, like every failed-check message.
      const recheck = buildRecheckForFailedRequest(request);
      const blocks: KnownBlock[] = recheck.length
        ? [{ type: "section", text: { type: "mrkdwn", text: clipText(text) } }, ...recheck]
        : [];
      await this.client.chat.postMessage({
        channel: request.card.channel,
        thread_ts: request.card.ts,
        text,
        ...(blocks.length ? { blocks } : {}),
      });
    } catch (err) {
      this.logger.warn({ err, requestId: request.id }, "thread reply could not be posted");
    }
  }

  async announceOutcome(request: ReplicationRequest, channel: string): Promise<void> {
    if (this.digest) await this.digest.add(request, channel);
    else await this.postOutcome(request, channel);
  }

  /** Posts the outcomes still held for a digest (on shutdown). */
  async flushOutcomes(): Promise<void> {
    await this.digest?.flush();
  }

  private async postDigest(requests: ReplicationRequest[], channel: string): Promise<void> {
    try {
      await this.client.chat.postMessage({ channel, ...buildOutcomeDigest(requests), unfurl_links: false });
    } catch (err) {
      this.logger.warn({ err, channel, requests: requests.length }, "outcome digest could not be posted");
    }
  }

  private async postOutcome(request: ReplicationRequest, channel: string): Promise<void> {
    let link: string | undefined;
    if (request.card) {
      try {
        const permalink = await this.client.chat.getPermalink({
          channel: request.card.channel,
          message_ts: request.card.ts,
        });
        link = permalink.permalink;
      } catch (err) {
        this.logger.debug({ err, requestId: request.id }, "no permalink for the card");
      }
    }
    const notice = buildOutcomeNotice(request, link);
    try {
      await this.client.chat.postMessage({ channel, ...notice, unfurl_links: false });
    } catch (err) {
      this.logger.warn({ err, requestId: request.id, channel }, "outcome notice could not be posted");
    }
  }

  async cardLink(request: ReplicationRequest): Promise<string | undefined> {
    if (!request.card) return undefined;
    try {
      const result = await this.client.chat.getPermalink({
        channel: request.card.channel,
        message_ts: request.card.ts,
      });
      return result.permalink;
    } catch (err) {
      this.logger.debug({ err, requestId: request.id }, "no permalink for the card");
      return undefined;
    }
  }

  async tellUser(channel: string, userId: string, text: string): Promise<void> {
    await this.client.chat.postEphemeral({ channel, user: userId, text });
  }
}
