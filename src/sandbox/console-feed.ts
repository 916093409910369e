import { z } from "zod";
import type { EmulatorEvent, SlackEmulator, SlackHttpResult } from "../../dev/slack-emulator/index.js";

/** One message as the console shows it to one user: channel messages, thread replies, their ephemerals. */
export interface ConsoleMessage {
  /** Stable across edits: "m:<channel>:<ts>" or "e:<ts>". */
  key: string;
  channel: string;
  ts: string;
  threadTs?: string;
  user: string;
  text: string;
  blocks: unknown[];
  at: number;
  edited: boolean;
  /** Shown only to the user who caused it ("Only visible to you"). */
  ephemeral: boolean;
  /** The command it answers, for the immediate private reply to a slash command. */
  inReplyTo?: string;
}

/** A slash command's immediate private reply (the body of Bolt's `ack`), which Slack shows as an ephemeral. */
interface AckReply {
  ts: string;
  channel: string;
  user: string;
  text: string;
  blocks: unknown[];
  at: number;
  command: string;
  responseId: string;
}

const ackBodySchema = z.object({
  text: z.string().optional(),
  blocks: z.array(z.unknown()).optional(),
});

const replaceBodySchema = z.object({ replace_original: z.literal(true) });

/** A modal the app opened (views.open/push) for a user, as the console shows it. */
export interface ConsoleModal {
  viewId: string;
  /** The view as the app last sent it (title, submit, close, blocks, ...). */
  view: Record<string, unknown>;
  /** Field errors from `response_action: "errors"`, keyed by block id. */
  errors: Record<string, string>;
}

interface ModalRecord extends ConsoleModal {
  triggerId: string | undefined;
  /** Set for a view the console itself replaced (response_action "update"/"push"). */
  userId?: string;
  closed: boolean;
  version: number;
}

/**
 * The conversation as each user sees it, from the emulator's live state plus what the emulator does not
 * keep: the acked replies to slash commands, replaced (as in Slack) when the app later answers on the
 * same response_url with `replace_original`.
 */
export class ConsoleFeed {
  private readonly acks: AckReply[] = [];
  private readonly replacedResponseIds = new Set<string>();
  private readonly modals: ModalRecord[] = [];
  private nextAck = 1;

  constructor(private readonly slack: SlackEmulator) {}

  /** Keep in step with the emulator; call on every "change" event. */
  observe(event: EmulatorEvent): void {
    if (event.type === "view") {
      const { view: record } = event;
      // A Home tab is not a modal: the console reads it from the emulator (homeView) for its Home tab.
      if (record.method === "views.publish") return;
      const known = this.modals.find((m) => m.viewId === record.viewId);
      if (record.method === "views.update" && known) {
        known.view = record.view;
        known.errors = {};
        known.version += 1;
      } else if (record.method !== "views.update") {
        this.modals.push({
          viewId: record.viewId,
          view: record.view,
          errors: {},
          triggerId: record.triggerId,
          closed: false,
          version: 1,
        });
      }
      return;
    }
    if (event.type !== "response_url" || event.post.status !== 200) return;
    if (replaceBodySchema.safeParse(event.post.body).success) this.replacedResponseIds.add(event.post.id);
  }

  /** The modal open for `userId`, if any (the newest one: a pushed view covers the one below). */
  modalFor(userId: string): (ConsoleModal & { version: number }) | undefined {
    for (let i = this.modals.length - 1; i >= 0; i -= 1) {
      const m = this.modals[i];
      if (m === undefined || m.closed || this.ownerOf(m) !== userId) continue;
      return { viewId: m.viewId, view: m.view, errors: m.errors, version: m.version };
    }
    return undefined;
  }

  /** Applies the app's answer to a view submission (or a close by the user). */
  settleModal(
    viewId: string,
    outcome:
      | { kind: "close" }
      | { kind: "clear"; userId: string }
      | { kind: "errors"; errors: Record<string, string> }
      | { kind: "update"; view: Record<string, unknown> },
  ): void {
    const modal = this.modals.find((m) => m.viewId === viewId);
    if (modal === undefined) return;
    if (outcome.kind === "close") modal.closed = true;
    if (outcome.kind === "clear") {
      for (const m of this.modals) if (this.ownerOf(m) === outcome.userId) m.closed = true;
    }
    if (outcome.kind === "errors") {
      modal.errors = outcome.errors;
      modal.version += 1;
    }
    if (outcome.kind === "update") {
      modal.view = { ...outcome.view, id: viewId };
      modal.errors = {};
      modal.version += 1;
    }
  }

  /** Whose modal it is: the user of the request that carried its trigger id. */
  private ownerOf(modal: ModalRecord): string | undefined {
    if (modal.userId !== undefined) return modal.userId;
    const request = this.slack.requests.find((r) => r.triggerId === modal.triggerId);
    if (request !== undefined) modal.userId = request.userId;
    return modal.userId;
  }

  /** Records what the app answered to a slash command sent from the console. */
  recordCommandAnswer(input: {
    userId: string;
    channelId: string;
    command: string;
    sentAt: number;
    result: SlackHttpResult;
  }): void {
    const { result } = input;
    const parsed = ackBodySchema.safeParse(result.body);
    let text = parsed.success ? (parsed.data.text ?? "") : "";
    const blocks = parsed.success ? (parsed.data.blocks ?? []) : [];
    if (result.status !== 200) text = `The app answered HTTP ${result.status}; see the sandbox's log.`;
    if (text === "" && blocks.length === 0) return;
    this.acks.push({
      ts: `ack.${this.nextAck++}`,
      channel: input.channelId,
      user: input.userId,
      text,
      blocks,
      at: input.sentAt,
      command: input.command,
      responseId: responseIdOf(result.responseUrl),
    });
  }

  /** A private note from the console itself (e.g. a message that is not a command). */
  addNote(userId: string, channelId: string, text: string, command: string): void {
    this.acks.push({
      ts: `ack.${this.nextAck++}`,
      channel: channelId,
      user: userId,
      text,
      blocks: [],
      at: Date.now(),
      command,
      responseId: "",
    });
  }

  /** Everything `userId` can see, oldest first. */
  messagesFor(userId: string): ConsoleMessage[] {
    const out: ConsoleMessage[] = [];
    for (const m of this.slack.messages) {
      out.push({
        key: `m:${m.channel}:${m.ts}`,
        channel: m.channel,
        ts: m.ts,
        ...(m.threadTs === undefined ? {} : { threadTs: m.threadTs }),
        user: m.user,
        text: m.text,
        blocks: m.blocks,
        at: m.postedAt,
        edited: m.edits > 0,
        ephemeral: false,
      });
    }
    for (const e of this.slack.ephemerals) {
      if (e.user !== userId || e.deleted || e.channel === undefined) continue;
      out.push({
        key: `e:${e.ts}`,
        channel: e.channel,
        ts: e.ts,
        ...(e.threadTs === undefined ? {} : { threadTs: e.threadTs }),
        user: this.slack.botUserId,
        text: e.text,
        blocks: e.blocks,
        at: e.at,
        edited: e.edits > 0,
        ephemeral: true,
      });
    }
    for (const a of this.acks) {
      if (a.user !== userId || this.replacedResponseIds.has(a.responseId)) continue;
      out.push({
        key: `e:${a.ts}`,
        channel: a.channel,
        ts: a.ts,
        user: this.slack.botUserId,
        text: a.text,
        blocks: a.blocks,
        at: a.at,
        edited: false,
        ephemeral: true,
        inReplyTo: a.command,
      });
    }
    return out.sort((x, y) => x.at - y.at);
  }
}

function responseIdOf(responseUrl: string): string {
  return /\/response\/([A-Za-z0-9_-]+)$/.exec(responseUrl)?.[1] ?? "";
}
