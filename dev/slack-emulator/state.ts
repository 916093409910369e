import type { IdFactory } from "./ids.js";
import type {
  ApiCall,
  EmulatorChannel,
  EmulatorEventBody,
  EmulatorListener,
  EmulatorUser,
  EmulatorUsergroup,
  EphemeralMessage,
  MessageMetadata,
  ResponseUrlPost,
  SentRequest,
  SlackMessage,
  ViewRecord,
  WaitForOptions,
} from "./types.js";

export interface WorkspaceConfig {
  teamId: string;
  teamDomain: string;
  botUserId: string;
  botId: string;
  appId: string;
  users: EmulatorUser[];
  usergroups: EmulatorUsergroup[];
  channels: EmulatorChannel[];
}

export interface NewMessage {
  channel: string;
  text: string;
  blocks: unknown[];
  attachments?: unknown[];
  threadTs?: string;
  metadata?: MessageMetadata;
}

export interface MessageContent {
  text?: string;
  blocks?: unknown[];
  attachments?: unknown[];
}

const waitPollMs = 10;

/** The emulated workspace's recorded state. Arrays are exposed as is (live) for tests and the console. */
export class EmulatorState {
  readonly calls: ApiCall[] = [];
  readonly messages: SlackMessage[] = [];
  readonly ephemerals: EphemeralMessage[] = [];
  readonly responseUrlPosts: ResponseUrlPost[] = [];
  readonly views: ViewRecord[] = [];
  readonly requests: SentRequest[] = [];
  /** user id → their published Home tab (views.publish replaces it; its id stays). */
  readonly homeViews = new Map<string, Record<string, unknown>>();
  /** Current view by id (views.open/push create, views.update replaces). */
  readonly currentViews = new Map<string, Record<string, unknown>>();
  private readonly listeners = new Set<EmulatorListener>();
  private seq = 0;

  constructor(
    readonly workspace: WorkspaceConfig,
    readonly ids: IdFactory,
  ) {}

  on(listener: EmulatorListener): void {
    this.listeners.add(listener);
  }

  off(listener: EmulatorListener): void {
    this.listeners.delete(listener);
  }

  emit(body: EmulatorEventBody): void {
    this.seq += 1;
    const event = { ...body, seq: this.seq };
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        // A faulty console listener must not break the Web API answer the app is waiting for.
        process.emitWarning(`Slack emulator "change" listener threw: ${String(error)}`);
      }
    }
  }

  recordCall(call: ApiCall): void {
    this.calls.push(call);
    this.emit({ type: "api_call", call });
  }

  recordRequest(request: SentRequest): void {
    this.requests.push(request);
    this.emit({ type: "request", request });
  }

  recordView(view: ViewRecord): void {
    this.views.push(view);
    this.currentViews.set(view.viewId, view.view);
    this.emit({ type: "view", view });
  }

  recordResponseUrlPost(post: ResponseUrlPost): void {
    this.responseUrlPosts.push(post);
    this.emit({ type: "response_url", post });
  }

  findUser(id: string): EmulatorUser | undefined {
    return this.workspace.users.find((u) => u.id === id);
  }

  findChannel(id: string): EmulatorChannel | undefined {
    return this.workspace.channels.find((c) => c.id === id);
  }

  findMessage(channel: string, ts: string): SlackMessage | undefined {
    return this.messages.find((m) => m.channel === channel && m.ts === ts);
  }

  findEphemeral(ts: string): EphemeralMessage | undefined {
    return this.ephemerals.find((e) => e.ts === ts);
  }

  thread(channel: string, ts: string): SlackMessage[] {
    return this.messages.filter((m) => m.channel === channel && m.threadTs === ts);
  }

  /** Posts a message as the bot. */
  postMessage(input: NewMessage): SlackMessage {
    const message: SlackMessage = {
      channel: input.channel,
      ts: this.ids.nextTs(),
      text: input.text,
      blocks: input.blocks,
      user: this.workspace.botUserId,
      botId: this.workspace.botId,
      postedAt: Date.now(),
      edits: 0,
      history: [],
    };
    if (input.threadTs !== undefined) message.threadTs = input.threadTs;
    if (input.attachments !== undefined) message.attachments = input.attachments;
    if (input.metadata !== undefined) message.metadata = input.metadata;
    this.messages.push(message);
    this.emit({ type: "message", action: "posted", message });
    return message;
  }

  /** Replaces the given parts of a message, keeping the previous version in `history`. */
  updateMessage(message: SlackMessage, content: MessageContent): SlackMessage {
    const previous = { text: message.text, blocks: message.blocks, at: Date.now() };
    message.history.push(
      message.attachments === undefined ? previous : { ...previous, attachments: message.attachments },
    );
    if (content.text !== undefined) message.text = content.text;
    if (content.blocks !== undefined) message.blocks = content.blocks;
    if (content.attachments !== undefined) message.attachments = content.attachments;
    message.edits += 1;
    this.emit({ type: "message", action: "updated", message });
    return message;
  }

  deleteMessage(message: SlackMessage): void {
    const index = this.messages.indexOf(message);
    if (index >= 0) this.messages.splice(index, 1);
    this.emit({ type: "message", action: "deleted", message });
  }

  addEphemeral(input: Omit<EphemeralMessage, "ts" | "at" | "edits">): EphemeralMessage {
    const ephemeral: EphemeralMessage = { ...input, ts: this.ids.nextTs(), at: Date.now(), edits: 0 };
    this.ephemerals.push(ephemeral);
    this.emit({ type: "ephemeral", action: "posted", ephemeral });
    return ephemeral;
  }

  updateEphemeral(ephemeral: EphemeralMessage, content: { text?: string; blocks?: unknown[] }): void {
    if (content.text !== undefined) ephemeral.text = content.text;
    if (content.blocks !== undefined) ephemeral.blocks = content.blocks;
    ephemeral.edits += 1;
    this.emit({ type: "ephemeral", action: "updated", ephemeral });
  }

  deleteEphemeral(ephemeral: EphemeralMessage): void {
    ephemeral.deleted = true;
    this.emit({ type: "ephemeral", action: "deleted", ephemeral });
  }

  /** Polls `probe` until it returns a truthy value; a throwing probe counts as "not yet". */
  async waitFor<T>(probe: () => T | undefined | false | null, opts: WaitForOptions = {}): Promise<T> {
    const timeoutMs = opts.timeoutMs ?? 3000;
    const deadline = Date.now() + timeoutMs;
    let lastError: unknown;
    for (;;) {
      try {
        const value = probe();
        if (value) return value;
      } catch (error) {
        lastError = error;
      }
      if (Date.now() >= deadline) break;
      await new Promise((resolve) => setTimeout(resolve, waitPollMs));
    }
    const cause = lastError === undefined ? "" : `\nLast probe error: ${String(lastError)}`;
    throw new Error(
      `Slack emulator: timed out after ${timeoutMs} ms waiting for ${opts.what ?? "condition"}.${cause}\n${this.summary()}`,
    );
  }

  /** A short, human-readable dump of the latest messages, ephemerals and calls. */
  summary(): string {
    const lines = [`Messages (${this.messages.length}, last 15):`];
    for (const m of this.messages.slice(-15)) {
      const thread = m.threadTs === undefined ? "" : ` (thread ${m.threadTs})`;
      const edits = m.edits > 0 ? ` [edits=${m.edits}]` : "";
      lines.push(`  ${m.channel} ${m.ts}${thread}${edits}: ${clip(m.text)}`);
    }
    lines.push(`Ephemerals (${this.ephemerals.length}, last 5):`);
    for (const e of this.ephemerals.slice(-5)) {
      lines.push(`  to ${e.user} in ${e.channel ?? "?"} via ${e.via}: ${clip(e.text)}`);
    }
    lines.push(`Web API calls (${this.calls.length}, last 10):`);
    for (const c of this.calls.slice(-10)) {
      const error = describeError(c.response);
      lines.push(`  ${c.method} -> ${c.status}${error === undefined ? "" : ` ${error}`}`);
    }
    return lines.join("\n");
  }
}

function clip(text: string): string {
  const oneLine = text.replace(/\s+/g, " ");
  return JSON.stringify(oneLine.length > 100 ? `${oneLine.slice(0, 99)}…` : oneLine);
}

function describeError(response: unknown): string | undefined {
  if (typeof response !== "object" || response === null || !("error" in response)) return undefined;
  return String(response.error);
}
