/**
 * Slack emulator: a fake Slack for tests and the local sandbox, driven over real HTTP.
 *
 * Modelled:
 * - Web API at `${baseUrl}/api/<method>` (point Bolt's `clientOptions.slackApiUrl` at `apiUrl`):
 *   form-encoded (JSON-encoded `blocks`/`attachments`/`view`/`metadata`), JSON or multipart
 *   bodies; the bot token is checked (`not_authed` / `invalid_auth`). Methods: `auth.test`,
 *   `chat.postMessage` (threads via `thread_ts`), `chat.update` (the bot's own messages only; keeps
 *   history; omitted blocks are kept), `chat.postEphemeral`, `chat.getPermalink`, `users.info`,
 *   `usergroups.users.list`, `conversations.info`, `conversations.replies|history` (with
 *   `include_all_metadata`, the `metadata` given to chat.postMessage), `views.open|push|update|publish`; anything else
 *   answers `unknown_method`. Slack's documented Block Kit limits (`BLOCK_KIT_LIMITS` in
 *   `block-kit.ts`) are enforced: `invalid_blocks` for messages, `invalid_arguments` for views, and
 *   `msg_too_long` for a `text` over 40,000 characters. Answers are
 *   HTTP 200 JSON unless `failNext` injects a failure (e.g. 429 + `Retry-After`).
 * - response_url: each sent command/action gets `${baseUrl}/response/<id>` (5 uses, 30 minutes);
 *   `replace_original` / `delete_original` act on the action's message, `response_type:
 *   "in_channel"` posts to the channel, anything else becomes an ephemeral for the user.
 * - Signed requests to an app (`X-Slack-Signature` v0, `X-Slack-Request-Timestamp`, exact
 *   `application/x-www-form-urlencoded`): slash commands, `block_actions`, `view_submission`,
 *   global `shortcut`; signatures and timestamps can be forged, `X-Slack-Retry-Num` set.
 * - App Home: `sendAppHomeOpened` delivers the Events API's `app_home_opened` (signed JSON
 *   `event_callback`, or an `events_api` envelope); `views.publish` stores one Home view per user
 *   (`homeView(user)`, at most 100 blocks, checked like a modal); `sendHomeBlockAction` clicks a
 *   button in it (`container.type: "view"`, the view, no channel, message or response_url).
 * - Socket Mode (`transport: "socket"`, per emulator or per send): `apps.connections.open` with the
 *   app-level token answers a one-use `ws://…/link/?ticket=…`; a connection gets `hello`, pings,
 *   then the same requests as envelopes (`slash_commands` / `interactive` / `events_api`) whose ack payload is
 *   the send's `body`. `dropSocket({ reason })` sends `disconnect`, `dropSocket({ raw: true })`
 *   cuts the connection, `loseFirstAck` drops it as an ack arrives; an envelope not acked when its
 *   connection closes is sent again on the next one with `retry_attempt + 1`.
 *
 * Not modelled: channel membership (posting to any channel id works; `conversations.info` knows
 * only the configured channels), Events API deliveries other than `app_home_opened`, more than
 * one Socket Mode connection, paging, trigger id expiry, files, message deletion through the Web API.
 *
 * - Rate limits (`rateLimits`, off unless asked for): Slack's published tiers per method and
 *   chat.postMessage about 1/s per channel with short bursts; over them, HTTP 429 `ratelimited`
 *   with `Retry-After` (rate-limits.ts). `rateLimited()` counts the refusals.
 *
 * State (`messages`, `ephemerals`, `calls`, ...) is plain live arrays; every change is also
 * emitted as a numbered "change" event for a live console.
 */

export { BLOCK_KIT_LIMITS } from "./block-kit.js";
export { startSlackEmulator } from "./emulator.js";
export { METHOD_TIERS, type RateLimitOptions, type RateTier } from "./rate-limits.js";
export { signSlackRequest } from "./signing.js";
export type { DropSocketOptions } from "./socket-mode.js";
export type {
  ApiCall,
  AppHomeOpenedInput,
  BlockActionInput,
  EmulatorChannel,
  EmulatorEvent,
  EmulatorEventBody,
  EmulatorListener,
  EmulatorUser,
  EmulatorUsergroup,
  EphemeralMessage,
  HomeBlockActionInput,
  InjectedFailure,
  MessageMetadata,
  ResponseUrlPost,
  SendOptions,
  SentRequest,
  SentRequestKind,
  ShortcutInput,
  SlackEmulator,
  SlackEmulatorOptions,
  SlackHttpResult,
  SlackMessage,
  SlackMessageVersion,
  SlackTransport,
  SlashCommandInput,
  ViewRecord,
  ViewSubmissionInput,
  WaitForOptions,
} from "./types.js";
