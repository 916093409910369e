import { BLOCK_KIT_LIMITS, checkMessageBlocks, checkView, isRecord } from "./block-kit.js";
import { RateLimiter, type RateLimitOptions } from "./rate-limits.js";
import { toApiBotUser, toApiMessage, toApiUser } from "./slack-shapes.js";
import type { EmulatorState } from "./state.js";
import type { InjectedFailure, MessageMetadata, SlackMessage, ViewRecord } from "./types.js";

export interface ApiAnswer {
  status: number;
  body: Record<string, unknown>;
  headers: Record<string, string>;
  injected: boolean;
  /** Refused by the emulated rate limits (rate-limits.ts). */
  rateLimited?: boolean;
}

type Reply = Record<string, unknown>;
type MethodHandler = (args: Record<string, unknown>) => Reply;

/** The fake Web API: token check, injected failures, then one handler per method. */
export class WebApi {
  private readonly failures = new Map<string, InjectedFailure[]>();
  private readonly methods: Record<string, MethodHandler>;
  /** Slack's published rate limits, when the emulator was started with `rateLimits`. */
  readonly limits: RateLimiter | undefined;

  constructor(
    private readonly state: EmulatorState,
    private readonly botToken: string,
    private readonly baseUrl: string,
    rateLimits?: RateLimitOptions | boolean,
  ) {
    this.limits = rateLimits ? new RateLimiter(rateLimits === true ? {} : rateLimits) : undefined;
    this.methods = {
      "auth.test": () => this.authTest(),
      "chat.postMessage": (args) => this.postMessage(args),
      "chat.update": (args) => this.update(args),
      "chat.postEphemeral": (args) => this.postEphemeral(args),
      "chat.getPermalink": (args) => this.getPermalink(args),
      "users.info": (args) => this.usersInfo(args),
      "usergroups.users.list": (args) => this.usergroupUsers(args),
      "conversations.info": (args) => this.conversationsInfo(args),
      "conversations.replies": (args) => this.conversationsReplies(args),
      "conversations.history": (args) => this.conversationsHistory(args),
      "views.open": (args) => this.openView("views.open", args),
      "views.push": (args) => this.openView("views.push", args),
      "views.update": (args) => this.updateView(args),
      "views.publish": (args) => this.publishView(args),
    };
  }

  failNext(method: string, failure: InjectedFailure): void {
    const queue = this.failures.get(method) ?? [];
    queue.push(failure);
    this.failures.set(method, queue);
  }

  answer(method: string, args: Record<string, unknown>, authorization: string | undefined): ApiAnswer {
    const failure = this.failures.get(method)?.shift();
    if (failure !== undefined) return injectedAnswer(failure);
    const token = bearerToken(authorization) ?? text(args, "token");
    if (token === undefined) return ok200({ ok: false, error: "not_authed" });
    if (token !== this.botToken) return ok200({ ok: false, error: "invalid_auth" });
    const handler = this.methods[method];
    if (handler === undefined) return ok200({ ok: false, error: "unknown_method" });
    const retryAfter = this.limits?.take(method, args);
    if (retryAfter !== undefined) {
      return {
        status: 429,
        body: { ok: false, error: "ratelimited" },
        headers: { "retry-after": String(retryAfter) },
        injected: false,
        rateLimited: true,
      };
    }
    return ok200(handler(args));
  }

  private get workspace() {
    return this.state.workspace;
  }

  private authTest(): Reply {
    return {
      ok: true,
      url: `${this.baseUrl}/`,
      team: "Sandbox",
      team_id: this.workspace.teamId,
      user: "snapshot-bot",
      user_id: this.workspace.botUserId,
      bot_id: this.workspace.botId,
      is_enterprise_install: false,
    };
  }

  private postMessage(args: Record<string, unknown>): Reply {
    const channel = text(args, "channel");
    if (channel === undefined) return { ok: false, error: "channel_not_found" };
    const content = readContent(args);
    if (!content.ok) return content.reply;
    if (content.text === undefined && content.blocks === undefined && content.attachments === undefined) {
      return { ok: false, error: "no_text" };
    }
    const threadTs = text(args, "thread_ts");
    const metadata = readMetadata(args.metadata);
    if (metadata === null) return { ok: false, error: "invalid_metadata_format" };
    const message = this.state.postMessage({
      channel,
      text: content.text ?? "",
      blocks: content.blocks ?? [],
      ...(content.attachments === undefined ? {} : { attachments: content.attachments }),
      ...(threadTs === undefined ? {} : { threadTs }),
      ...(metadata === undefined ? {} : { metadata }),
    });
    return { ok: true, channel, ts: message.ts, message: toApiMessage(message, this.workspace) };
  }

  private update(args: Record<string, unknown>): Reply {
    const channel = text(args, "channel");
    const ts = text(args, "ts");
    if (channel === undefined) return { ok: false, error: "channel_not_found" };
    const message = ts === undefined ? undefined : this.state.findMessage(channel, ts);
    if (message === undefined) return { ok: false, error: "message_not_found" };
    if (message.user !== this.workspace.botUserId) return { ok: false, error: "cant_update_message" };
    const content = readContent(args);
    if (!content.ok) return content.reply;
    if (content.text === undefined && content.blocks === undefined && content.attachments === undefined) {
      return { ok: false, error: "no_text" };
    }
    // Like Slack: omitted blocks/attachments keep their previous value; `[]` clears them.
    this.state.updateMessage(message, content);
    return {
      ok: true,
      channel,
      ts: message.ts,
      text: message.text,
      message: toApiMessage(message, this.workspace),
    };
  }

  private postEphemeral(args: Record<string, unknown>): Reply {
    const channel = text(args, "channel");
    const user = text(args, "user");
    if (channel === undefined) return { ok: false, error: "channel_not_found" };
    if (user === undefined) return { ok: false, error: "user_not_in_channel" };
    if (this.workspace.users.length > 0 && this.state.findUser(user) === undefined) {
      return { ok: false, error: "user_not_found" };
    }
    const content = readContent(args);
    if (!content.ok) return content.reply;
    if (content.text === undefined && content.blocks === undefined && content.attachments === undefined) {
      return { ok: false, error: "no_text" };
    }
    const threadTs = text(args, "thread_ts");
    const ephemeral = this.state.addEphemeral({
      channel,
      user,
      text: content.text ?? "",
      blocks: content.blocks ?? [],
      via: "api",
      ...(threadTs === undefined ? {} : { threadTs }),
    });
    return { ok: true, message_ts: ephemeral.ts };
  }

  private getPermalink(args: Record<string, unknown>): Reply {
    const channel = text(args, "channel");
    const ts = text(args, "message_ts");
    if (channel === undefined) return { ok: false, error: "channel_not_found" };
    const message = ts === undefined ? undefined : this.state.findMessage(channel, ts);
    if (message === undefined) return { ok: false, error: "message_not_found" };
    const base = `${this.baseUrl}/archives/${channel}/p${message.ts.replace(".", "")}`;
    const permalink =
      message.threadTs === undefined ? base : `${base}?thread_ts=${message.threadTs}&cid=${channel}`;
    return { ok: true, channel, permalink };
  }

  private usersInfo(args: Record<string, unknown>): Reply {
    const id = text(args, "user");
    if (id === this.workspace.botUserId) return { ok: true, user: toApiBotUser(this.workspace) };
    const user = id === undefined ? undefined : this.state.findUser(id);
    if (user === undefined) return { ok: false, error: "user_not_found" };
    const shaped = toApiUser(user, this.workspace);
    // Slack adds the user's locale only when asked (`include_locale`), as the real method does.
    const asked = args.include_locale === true || args.include_locale === "true";
    return { ok: true, user: asked ? { ...shaped, locale: user.locale ?? "en-US" } : shaped };
  }

  private usergroupUsers(args: Record<string, unknown>): Reply {
    const id = text(args, "usergroup");
    const group = this.workspace.usergroups.find((g) => g.id === id);
    if (group === undefined) return { ok: false, error: "no_such_subteam" };
    return { ok: true, users: [...group.users] };
  }

  /**
   * A channel's top-level messages, newest first, after `oldest` (a ts), up to `limit` (100) a page
   * with `cursor` (an offset); `metadata` only with `include_all_metadata`, as Slack does.
   */
  private conversationsHistory(args: Record<string, unknown>): Reply {
    const channel = text(args, "channel");
    if (channel === undefined) return { ok: false, error: "channel_not_found" };
    const oldest = Number(text(args, "oldest") ?? 0);
    const limit = Math.min(999, Math.max(1, Number(text(args, "limit") ?? 100)));
    const offset = Number(text(args, "cursor") ?? 0);
    const withMetadata = ["true", "1"].includes(String(args.include_all_metadata));
    const all = this.state.messages
      .filter((m) => m.channel === channel && m.threadTs === undefined && Number(m.ts) > oldest)
      .reverse();
    const page = all.slice(offset, offset + limit);
    const hasMore = offset + limit < all.length;
    return {
      ok: true,
      messages: page.map((m) => ({
        ...toApiMessage(m, this.workspace),
        ...(withMetadata && m.metadata !== undefined ? { metadata: m.metadata } : {}),
      })),
      has_more: hasMore,
      response_metadata: { next_cursor: hasMore ? String(offset + limit) : "" },
    };
  }

  private conversationsInfo(args: Record<string, unknown>): Reply {
    const id = text(args, "channel");
    const channel = id === undefined ? undefined : this.state.findChannel(id);
    if (channel === undefined) return { ok: false, error: "channel_not_found" };
    return {
      ok: true,
      channel: {
        id: channel.id,
        name: channel.name,
        is_channel: true,
        is_private: false,
        is_archived: false,
        is_member: true,
        context_team_id: this.workspace.teamId,
      },
    };
  }

  /** A thread: its parent first, then the replies, oldest first (`limit`, no paging past it). */
  private conversationsReplies(args: Record<string, unknown>): Reply {
    const channel = text(args, "channel");
    const ts = text(args, "ts");
    if (channel === undefined) return { ok: false, error: "channel_not_found" };
    const parent = ts === undefined ? undefined : this.state.findMessage(channel, ts);
    if (parent === undefined || ts === undefined) return { ok: false, error: "thread_not_found" };
    const withMetadata = isTrue(args.include_all_metadata);
    const limit = Number(text(args, "limit") ?? 1000);
    const messages = [parent, ...this.state.thread(channel, ts)]
      .slice(0, limit)
      .map((m) => this.shaped(m, withMetadata));
    return { ok: true, messages, has_more: false };
  }

  private shaped(message: SlackMessage, withMetadata: boolean): Record<string, unknown> {
    const shaped = toApiMessage(message, this.workspace);
    if (withMetadata && message.metadata !== undefined) shaped.metadata = message.metadata;
    return shaped;
  }

  private openView(method: "views.open" | "views.push", args: Record<string, unknown>): Reply {
    const triggerId = text(args, "trigger_id");
    if (triggerId === undefined) return { ok: false, error: "invalid_arguments" };
    const checked = checkView(args.view);
    if (!checked.ok) return errorReply(checked.error, checked.messages);
    const viewId = this.state.ids.prefixed("V");
    const view = this.buildView(viewId, args.view);
    this.state.recordView({ method, triggerId, viewId, view, at: Date.now() });
    return { ok: true, view };
  }

  private updateView(args: Record<string, unknown>): Reply {
    const viewId = text(args, "view_id");
    const externalId = text(args, "external_id");
    const current = this.findCurrentView(viewId, externalId);
    if (current === undefined) return { ok: false, error: "not_found" };
    const hash = text(args, "hash");
    if (hash !== undefined && hash !== current.view.hash) return { ok: false, error: "hash_conflict" };
    const checked = checkView(args.view);
    if (!checked.ok) return errorReply(checked.error, checked.messages);
    const view = this.buildView(current.id, args.view, current.view);
    const record: ViewRecord = {
      method: "views.update",
      triggerId: undefined,
      viewId: current.id,
      view,
      at: Date.now(),
    };
    this.state.recordView(record);
    return { ok: true, view };
  }

  /** The user's Home tab: one view per user, replaced on every publish (its id stays). */
  private publishView(args: Record<string, unknown>): Reply {
    const userId = text(args, "user_id");
    if (userId === undefined) return { ok: false, error: "invalid_arguments" };
    if (this.workspace.users.length > 0 && this.state.findUser(userId) === undefined) {
      return { ok: false, error: "user_not_found" };
    }
    const current = this.state.homeViews.get(userId);
    const hash = text(args, "hash");
    if (hash !== undefined && current !== undefined && hash !== current.hash) {
      return { ok: false, error: "hash_conflict" };
    }
    const checked = checkView(args.view, ["home"]);
    if (!checked.ok) return errorReply(checked.error, checked.messages);
    const viewId = typeof current?.id === "string" ? current.id : this.state.ids.prefixed("V");
    const view = { ...this.buildView(viewId, args.view), type: "home" };
    this.state.homeViews.set(userId, view);
    this.state.recordView({ method: "views.publish", triggerId: undefined, viewId, view, at: Date.now() });
    return { ok: true, view };
  }

  private findCurrentView(
    viewId: string | undefined,
    externalId: string | undefined,
  ): { id: string; view: Record<string, unknown> } | undefined {
    for (const [id, view] of this.state.currentViews) {
      if (
        (viewId !== undefined && id === viewId) ||
        (externalId !== undefined && view.external_id === externalId)
      ) {
        return { id, view };
      }
    }
    return undefined;
  }

  private buildView(id: string, input: unknown, previous?: Record<string, unknown>): Record<string, unknown> {
    const given = isRecord(input) ? input : {};
    return {
      type: "modal",
      blocks: [],
      private_metadata: "",
      callback_id: "",
      external_id: "",
      clear_on_close: false,
      notify_on_close: false,
      close: null,
      submit: null,
      previous_view_id: null,
      root_view_id: previous?.root_view_id ?? id,
      ...given,
      id,
      team_id: this.workspace.teamId,
      app_id: this.workspace.appId,
      app_installed_team_id: this.workspace.teamId,
      bot_id: this.workspace.botId,
      state: { values: {} },
      hash: `${Date.now()}.${this.state.ids.prefixed("h")}`,
    };
  }
}

type Content =
  | { ok: true; text?: string; blocks?: unknown[]; attachments?: unknown[] }
  | { ok: false; reply: Reply };

function readContent(args: Record<string, unknown>): Content {
  const content: Content = { ok: true };
  const messageText = typeof args.text === "string" && args.text.length > 0 ? args.text : undefined;
  if (messageText !== undefined) {
    if (messageText.length > BLOCK_KIT_LIMITS.messageText)
      return { ok: false, reply: { ok: false, error: "msg_too_long" } };
    content.text = messageText;
  }
  if (args.blocks !== undefined) {
    const checked = checkMessageBlocks(args.blocks);
    if (!checked.ok) return { ok: false, reply: errorReply(checked.error, checked.messages) };
    content.blocks = Array.isArray(args.blocks) ? args.blocks : [];
  }
  if (args.attachments !== undefined) {
    if (!Array.isArray(args.attachments))
      return { ok: false, reply: { ok: false, error: "invalid_attachments" } };
    content.attachments = args.attachments;
  }
  return content;
}

/** A non-empty string argument (numbers, as JSON bodies may carry them, become strings). */
function text(args: Record<string, unknown>, key: string): string | undefined {
  const value = args[key];
  if (typeof value === "number") return String(value);
  return typeof value === "string" && value.length > 0 ? value : undefined;
}

function isTrue(value: unknown): boolean {
  return value === true || value === "true" || value === "1" || value === 1;
}

/** `metadata` as Slack takes it: `{ event_type, event_payload }`; null when malformed. */
function readMetadata(value: unknown): MessageMetadata | undefined | null {
  if (value === undefined) return undefined;
  if (!isRecord(value) || typeof value.event_type !== "string" || !isRecord(value.event_payload)) return null;
  return { event_type: value.event_type, event_payload: value.event_payload };
}

function bearerToken(authorization: string | undefined): string | undefined {
  const match = /^Bearer\s+(.+)$/i.exec(authorization ?? "");
  return match?.[1]?.trim();
}

function errorReply(error: string, messages: string[]): Reply {
  return {
    ok: false,
    error,
    errors: messages.map((m) => m.replace(/^\[ERROR\] /, "")),
    response_metadata: { messages },
  };
}

function ok200(body: Reply): ApiAnswer {
  return { status: 200, body, headers: {}, injected: false };
}

function injectedAnswer(failure: InjectedFailure): ApiAnswer {
  const status = failure.status ?? (failure.retryAfterSec === undefined ? 200 : 429);
  const error = failure.slackError ?? (status === 429 ? "ratelimited" : "internal_error");
  const headers: Record<string, string> =
    failure.retryAfterSec === undefined ? {} : { "retry-after": String(failure.retryAfterSec) };
  return { status, body: { ok: false, error }, headers, injected: true };
}
