import type { RateLimitOptions } from "./rate-limits.js";
import type { DropSocketOptions } from "./socket-mode.js";

/** Public shapes of the Slack emulator. Everything here is plain data, easy to assert on in tests. */

export interface EmulatorUser {
  id: string;
  name: string;
  realName?: string;
  /** @defaultValue false */
  deleted?: boolean;
  /** @defaultValue false */
  isAdmin?: boolean;
  /** What `users.info` says with `include_locale`, as Slack spells it ("zh-CN"). @defaultValue "en-US" */
  locale?: string;
}

export interface EmulatorUsergroup {
  id: string;
  handle: string;
  users: string[];
}

export interface EmulatorChannel {
  id: string;
  name: string;
}

/** How the emulator reaches the app: signed HTTP requests, or envelopes over Socket Mode. */
export type SlackTransport = "http" | "socket";

export interface SlackEmulatorOptions {
  signingSecret: string;
  /** The app-level token (`xapp-…`) `apps.connections.open` accepts; without it Socket Mode is refused. */
  appToken?: string;
  /** How `send*` reach the app unless a call says otherwise. @defaultValue "http" */
  transport?: SlackTransport;
  /** Socket Mode: how long a send waits for its ack (re-deliveries included). @defaultValue 15000 */
  ackTimeoutMs?: number;
  /** The only token the Web API accepts; any other gets `{ ok: false, error: "invalid_auth" }`. */
  botToken: string;
  /** @defaultValue "127.0.0.1" */
  host?: string;
  /** @defaultValue 0 (a free port) */
  port?: number;
  /** @defaultValue "T0SANDBOX" */
  teamId?: string;
  /** @defaultValue "U0BOT" */
  botUserId?: string;
  /** @defaultValue [] */
  users?: EmulatorUser[];
  /** @defaultValue [] */
  usergroups?: EmulatorUsergroup[];
  /** Channels known to `conversations.info` and used for `channel_name` in requests. @defaultValue [] */
  channels?: EmulatorChannel[];
  /**
   * Slack's published rate limits (rate-limits.ts): per-method tiers and chat.postMessage per
   * channel, answered with 429 + `Retry-After`. `true` for Slack's numbers. @defaultValue off
   */
  rateLimits?: boolean | RateLimitOptions;
}

/** Message metadata as chat.postMessage takes it (returned with `include_all_metadata`). */
export interface MessageMetadata {
  event_type: string;
  event_payload: Record<string, unknown>;
}

/** One Web API call as received, with its answer. */
export interface ApiCall {
  method: string;
  /** Parsed arguments; JSON-encoded form fields (`blocks`, `attachments`, `view`, `metadata`) decoded. */
  args: Record<string, unknown>;
  at: number;
  /** HTTP status the emulator answered with. */
  status: number;
  /** The JSON body the emulator answered with. */
  response: unknown;
  /** Set when the answer came from `failNext`. */
  injected?: boolean;
  /** Set when the emulated rate limits refused the call (429). */
  rateLimited?: boolean;
}

export interface SlackMessageVersion {
  text: string;
  blocks: unknown[];
  attachments?: unknown[];
  at: number;
}

/** Current state of a non-ephemeral message. Mutated in place by `chat.update` / `replace_original`. */
export interface SlackMessage {
  channel: string;
  ts: string;
  /** Set on thread replies only (the parent's ts); a parent does not carry its own ts here. */
  threadTs?: string;
  text: string;
  blocks: unknown[];
  attachments?: unknown[];
  /** Author: the bot user id for messages posted by the app. */
  user: string;
  botId?: string;
  postedAt: number;
  edits: number;
  /** Previous versions, oldest first. */
  history: SlackMessageVersion[];
  /** `metadata` given to chat.postMessage, returned by `conversations.history` / `.replies` with `include_all_metadata`. */
  metadata?: MessageMetadata;
}

export interface EphemeralMessage {
  /** The `message_ts` answered by `chat.postEphemeral` (also set for response_url ephemerals). */
  ts: string;
  channel?: string;
  user: string;
  threadTs?: string;
  text: string;
  blocks: unknown[];
  via: "api" | "response_url";
  at: number;
  /** Times `replace_original` changed it (an action on an ephemeral message). */
  edits: number;
  /** Set when `delete_original` removed it. */
  deleted?: boolean;
}

export interface ResponseUrlPost {
  id: string;
  body: unknown;
  at: number;
  /** HTTP status the emulator answered with (404 for unknown, used or expired URLs). */
  status: number;
}

export interface ViewRecord {
  method: "views.open" | "views.update" | "views.push" | "views.publish";
  /** The trigger id given (views.open / views.push); undefined for views.update and views.publish. */
  triggerId: string | undefined;
  viewId: string;
  /** The full view as the emulator stores it (the caller's view plus id, state, hash, ...). */
  view: Record<string, unknown>;
  at: number;
}

export type SentRequestKind = "slash_command" | "block_actions" | "view_submission" | "shortcut" | "event";

/** A signed request the emulator sent to an app, with the app's answer. */
export interface SentRequest {
  kind: SentRequestKind;
  url: string;
  userId: string;
  /** The form fields (commands) or the decoded `payload` (interactions). */
  payload: unknown;
  status: number;
  body: unknown;
  responseUrl: string;
  triggerId: string;
  at: number;
  /** Socket Mode: how many times the envelope was sent before its ack arrived. */
  deliveries?: number;
}

export type EmulatorEventBody =
  | { type: "api_call"; call: ApiCall }
  | { type: "message"; action: "posted" | "updated" | "deleted"; message: SlackMessage }
  | { type: "ephemeral"; action: "posted" | "updated" | "deleted"; ephemeral: EphemeralMessage }
  | { type: "response_url"; post: ResponseUrlPost }
  | { type: "view"; view: ViewRecord }
  | { type: "request"; request: SentRequest };

/** A change, numbered in order (`seq` starts at 1), for a live console. */
export type EmulatorEvent = EmulatorEventBody & { seq: number };

export type EmulatorListener = (event: EmulatorEvent) => void;

export interface WaitForOptions {
  /** @defaultValue 3000 */
  timeoutMs?: number;
  /** Named in the timeout error. @defaultValue "condition" */
  what?: string;
}

export interface InjectedFailure {
  /** HTTP status. @defaultValue 429 when `retryAfterSec` is set, else 200 */
  status?: number;
  /** Sent as `Retry-After`. */
  retryAfterSec?: number;
  /** Answer `{ ok: false, error: slackError }`. @defaultValue "ratelimited" for 429, "internal_error" otherwise */
  slackError?: string;
}

export interface SendOptions {
  /** `X-Slack-Request-Timestamp`. @defaultValue now */
  timestampSec?: number;
  /** `null` omits the signature header; a string is sent as is (forged). @defaultValue a valid signature */
  signature?: string | null;
  /** Sets `X-Slack-Retry-Num` (and `X-Slack-Retry-Reason: http_timeout`); Socket Mode: `retry_attempt`. */
  retryNum?: number;
  /** Over HTTP or Socket Mode. @defaultValue the emulator's `transport` */
  transport?: SlackTransport;
  /**
   * Socket Mode: the app's first ack is lost with its connection (dropped as the ack arrives);
   * the envelope is sent again on the next connection, whose ack answers the call.
   */
  loseFirstAck?: boolean;
}

export interface SlackHttpResult {
  status: number;
  /** Parsed JSON when the app answered JSON, else the text ("" when empty). */
  body: unknown;
  /** The response_url generated for this request ("" when the request kind carries none). */
  responseUrl: string;
  triggerId: string;
}

export interface SlashCommandInput {
  text: string;
  userId: string;
  channelId: string;
  /** @defaultValue "/snapshot" */
  command?: string;
  /** @defaultValue the configured user's name, else the user id */
  userName?: string;
  /** @defaultValue the emulator's team id */
  teamId?: string;
  /** @defaultValue a fresh trigger id */
  triggerId?: string;
}

export interface BlockActionInput {
  userId: string;
  actionId: string;
  /** @defaultValue the `value` of the element with this action id in the message */
  value?: string;
  /** @defaultValue the block holding the element with this action id */
  blockId?: string;
  channelId: string;
  messageTs: string;
  threadTs?: string;
  /** @defaultValue the stored message (channel + messageTs); an ephemeral's ts makes an ephemeral container */
  message?: unknown;
  /** @defaultValue a fresh response_url tied to the message */
  responseUrl?: string;
}

/** A click on a button of a user's published Home tab (`views.publish`). */
export interface HomeBlockActionInput {
  userId: string;
  actionId: string;
  /** @defaultValue the `value` of the element with this action id in the user's Home view */
  value?: string;
}

export interface AppHomeOpenedInput {
  userId: string;
  /** @defaultValue "home" */
  tab?: "home" | "messages";
}

export interface ViewSubmissionInput {
  userId: string;
  /** With `callback_id`, `private_metadata`, `state.values`; merged over the stored view when `id` matches one. */
  view: unknown;
}

export interface ShortcutInput {
  userId: string;
  callbackId: string;
}

export interface SlackEmulator {
  /** e.g. "http://127.0.0.1:PORT/api/" — give it to Bolt as `clientOptions.slackApiUrl`. */
  apiUrl: string;
  /** e.g. "http://127.0.0.1:PORT" */
  baseUrl: string;
  teamId: string;
  botUserId: string;
  calls: ApiCall[];
  messages: SlackMessage[];
  ephemerals: EphemeralMessage[];
  responseUrlPosts: ResponseUrlPost[];
  views: ViewRecord[];
  requests: SentRequest[];
  on(event: "change", listener: EmulatorListener): void;
  off(event: "change", listener: EmulatorListener): void;
  /** Replies whose `threadTs === ts`, in posting order. */
  thread(channel: string, ts: string): SlackMessage[];
  /** The stored message, if any. */
  message(channel: string, ts: string): SlackMessage | undefined;
  waitFor<T>(probe: () => T | undefined | false | null, opts?: WaitForOptions): Promise<T>;
  failNext(method: string, error: InjectedFailure): void;
  /** Calls refused by the emulated rate limits, per method (empty when they are off). */
  rateLimited(): ReadonlyMap<string, number>;
  /** Socket Mode: whether an app holds a connection now, and how many it opened so far. */
  socket: { readonly connected: boolean; readonly connections: number };
  /** Socket Mode: resolves once an app is connected. @defaultValue timeout 10 s */
  waitForSocket(timeoutMs?: number): Promise<void>;
  /**
   * Socket Mode test hook: ends the app's connection with a `disconnect` message (`reason`), or
   * with `raw` by cutting the TCP connection. Envelopes not acked are sent again on the next one.
   */
  dropSocket(opts?: DropSocketOptions): void;
  sendSlashCommand(appUrl: string, c: SlashCommandInput, opts?: SendOptions): Promise<SlackHttpResult>;
  sendBlockAction(appUrl: string, a: BlockActionInput, opts?: SendOptions): Promise<SlackHttpResult>;
  sendViewSubmission(appUrl: string, s: ViewSubmissionInput, opts?: SendOptions): Promise<SlackHttpResult>;
  sendShortcut(appUrl: string, s: ShortcutInput, opts?: SendOptions): Promise<SlackHttpResult>;
  /**
   * The user opens the app's Home tab: an Events API `event_callback` with `app_home_opened`
   * (signed JSON over HTTP, or an `events_api` envelope over Socket Mode), carrying their current
   * Home view when one was published.
   */
  sendAppHomeOpened(appUrl: string, e: AppHomeOpenedInput, opts?: SendOptions): Promise<SlackHttpResult>;
  /**
   * A click in the user's Home tab: `block_actions` with `container: { type: "view", view_id }` and
   * the `view`, without channel, message or response_url, as Slack sends it.
   */
  sendHomeBlockAction(appUrl: string, a: HomeBlockActionInput, opts?: SendOptions): Promise<SlackHttpResult>;
  /** The user's published Home view, as stored (undefined until the app publishes one). */
  homeView(userId: string): Record<string, unknown> | undefined;
  close(): Promise<void>;
}
