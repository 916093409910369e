import { checkMessageBlocks, isRecord } from "./block-kit.js";
import type { EmulatorState } from "./state.js";

/** What a response_url knows about the request it was issued for. */
export interface ResponseUrlContext {
  channelId: string;
  userId: string;
  /** The message an action came from (stored or ephemeral): target of replace/delete_original. */
  messageTs?: string;
}

interface IssuedUrl extends ResponseUrlContext {
  createdAt: number;
  uses: number;
}

export interface ResponseUrlAnswer {
  status: number;
  body: Record<string, unknown>;
}

/** Slack's limits: a response_url works 5 times within 30 minutes. */
const maxUses = 5;
const lifetimeMs = 30 * 60 * 1000;

/** Issues response_urls and applies what apps POST to them. */
export class ResponseUrls {
  private readonly issued = new Map<string, IssuedUrl>();

  constructor(
    private readonly state: EmulatorState,
    private readonly baseUrl: string,
  ) {}

  issue(context: ResponseUrlContext): string {
    const id = this.state.ids.responseId();
    this.issued.set(id, { ...context, createdAt: Date.now(), uses: 0 });
    return `${this.baseUrl}/response/${id}`;
  }

  /** Handles `POST /response/<id>`; records every post, including refused ones. */
  receive(id: string, rawBody: string): ResponseUrlAnswer {
    const body = parseJson(rawBody);
    const answer = this.apply(id, body);
    this.state.recordResponseUrlPost({ id, body: body ?? rawBody, at: Date.now(), status: answer.status });
    return answer;
  }

  private apply(id: string, body: unknown): ResponseUrlAnswer {
    const url = this.issued.get(id);
    if (url === undefined) return { status: 404, body: { ok: false, error: "no_such_url" } };
    if (Date.now() - url.createdAt > lifetimeMs)
      return { status: 404, body: { ok: false, error: "expired_url" } };
    if (url.uses >= maxUses) return { status: 404, body: { ok: false, error: "used_url" } };
    if (!isRecord(body)) return { status: 400, body: { ok: false, error: "invalid_payload" } };
    if (body.blocks !== undefined) {
      const checked = checkMessageBlocks(body.blocks);
      if (!checked.ok) {
        return {
          status: 400,
          body: { ok: false, error: checked.error, response_metadata: { messages: checked.messages } },
        };
      }
    }
    url.uses += 1;
    const text = typeof body.text === "string" ? body.text : "";
    const blocks = Array.isArray(body.blocks) ? body.blocks : [];

    if (body.delete_original === true) {
      this.deleteOriginal(url);
      return { status: 200, body: { ok: true } };
    }
    if (body.replace_original === true && this.replaceOriginal(url, text, blocks)) {
      return { status: 200, body: { ok: true } };
    }
    const threadTs = typeof body.thread_ts === "string" ? body.thread_ts : undefined;
    if (body.response_type === "in_channel") {
      this.state.postMessage({
        channel: url.channelId,
        text,
        blocks,
        ...(threadTs === undefined ? {} : { threadTs }),
      });
    } else {
      this.state.addEphemeral({
        channel: url.channelId,
        user: url.userId,
        text,
        blocks,
        via: "response_url",
        ...(threadTs === undefined ? {} : { threadTs }),
      });
    }
    return { status: 200, body: { ok: true } };
  }

  private deleteOriginal(url: IssuedUrl): void {
    if (url.messageTs === undefined) return;
    const message = this.state.findMessage(url.channelId, url.messageTs);
    if (message !== undefined) {
      this.state.deleteMessage(message);
      return;
    }
    const ephemeral = this.state.findEphemeral(url.messageTs);
    if (ephemeral !== undefined) this.state.deleteEphemeral(ephemeral);
  }

  /** Replaces the whole original message (text and blocks); false when there is none. */
  private replaceOriginal(url: IssuedUrl, text: string, blocks: unknown[]): boolean {
    if (url.messageTs === undefined) return false;
    const message = this.state.findMessage(url.channelId, url.messageTs);
    if (message !== undefined) {
      // The reply replaces the whole message, attachments included.
      const cleared = message.attachments === undefined ? {} : { attachments: [] };
      this.state.updateMessage(message, { text, blocks, ...cleared });
      return true;
    }
    const ephemeral = this.state.findEphemeral(url.messageTs);
    if (ephemeral === undefined || ephemeral.deleted) return false;
    this.state.updateEphemeral(ephemeral, { text, blocks });
    return true;
  }
}

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}
