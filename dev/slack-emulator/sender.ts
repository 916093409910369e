import { isRecord } from "./block-kit.js";
import { parseAppAnswer } from "./http-io.js";
import type { ResponseUrls } from "./response-url.js";
import { signSlackRequest } from "./signing.js";
import { toApiMessage } from "./slack-shapes.js";
import type { SocketModeServer } from "./socket-mode.js";
import type { EmulatorState } from "./state.js";
import type {
  AppHomeOpenedInput,
  BlockActionInput,
  HomeBlockActionInput,
  SendOptions,
  SentRequestKind,
  ShortcutInput,
  SlackHttpResult,
  SlackTransport,
  SlashCommandInput,
  ViewSubmissionInput,
} from "./types.js";

/** The verification token (deprecated by Slack, still sent in every payload). */
const verificationToken = "emulator-verification-token";

interface Outgoing {
  kind: SentRequestKind;
  url: string;
  userId: string;
  form: URLSearchParams;
  /** Events API: the body is this JSON (`application/json`) instead of the form. */
  json?: string;
  payload: unknown;
  responseUrl: string;
  triggerId: string;
}

/**
 * Builds real-shaped Slack requests (commands, interactions) and sends them to an app: signed over
 * HTTP, or as Socket Mode envelopes (the ack's payload is the answer's body).
 */
export class RequestSender {
  constructor(
    private readonly state: EmulatorState,
    private readonly responseUrls: ResponseUrls,
    private readonly signingSecret: string,
    private readonly socket: SocketModeServer,
    private readonly transport: SlackTransport,
  ) {}

  async slashCommand(url: string, c: SlashCommandInput, opts: SendOptions = {}): Promise<SlackHttpResult> {
    const workspace = this.state.workspace;
    const responseUrl = this.responseUrls.issue({ channelId: c.channelId, userId: c.userId });
    const triggerId = c.triggerId ?? this.state.ids.triggerId();
    const fields = {
      token: verificationToken,
      team_id: c.teamId ?? workspace.teamId,
      team_domain: workspace.teamDomain,
      channel_id: c.channelId,
      channel_name: this.channelName(c.channelId),
      user_id: c.userId,
      user_name: c.userName ?? this.userName(c.userId),
      command: c.command ?? "/snapshot",
      text: c.text,
      api_app_id: workspace.appId,
      is_enterprise_install: "false",
      response_url: responseUrl,
      trigger_id: triggerId,
    };
    const form = new URLSearchParams(fields);
    return this.send(
      { kind: "slash_command", url, userId: c.userId, form, payload: fields, responseUrl, triggerId },
      opts,
    );
  }

  async blockAction(url: string, a: BlockActionInput, opts: SendOptions = {}): Promise<SlackHttpResult> {
    const workspace = this.state.workspace;
    const stored = this.state.findMessage(a.channelId, a.messageTs);
    const ephemeral = stored === undefined ? this.state.findEphemeral(a.messageTs) : undefined;
    const message = a.message ?? (stored === undefined ? undefined : toApiMessage(stored, workspace));
    if (message === undefined && ephemeral === undefined) {
      throw new Error(
        `sendBlockAction: no message ${a.messageTs} in ${a.channelId} and no ephemeral with that ts; ` +
          `post it first or pass "message"`,
      );
    }
    const blocks =
      isRecord(message) && Array.isArray(message.blocks) ? message.blocks : (ephemeral?.blocks ?? []);
    const found = findActionElement(blocks, a.actionId);
    const threadTs = a.threadTs ?? stored?.threadTs ?? ephemeral?.threadTs;
    const responseUrl =
      a.responseUrl ??
      this.responseUrls.issue({ channelId: a.channelId, userId: a.userId, messageTs: a.messageTs });
    const triggerId = this.state.ids.triggerId();
    const value = a.value ?? stringField(found?.element, "value");
    const action: Record<string, unknown> = {
      action_id: a.actionId,
      block_id: a.blockId ?? found?.blockId ?? "emulator_block",
      type: stringField(found?.element, "type") ?? "button",
      action_ts: this.state.ids.nextTs(),
      ...(found?.element.text === undefined ? {} : { text: found.element.text }),
      ...(value === undefined ? {} : { value }),
    };
    const payload: Record<string, unknown> = {
      type: "block_actions",
      user: this.userObject(a.userId),
      api_app_id: workspace.appId,
      token: verificationToken,
      container: {
        type: "message",
        message_ts: a.messageTs,
        channel_id: a.channelId,
        is_ephemeral: message === undefined,
        ...(threadTs === undefined ? {} : { thread_ts: threadTs }),
      },
      trigger_id: triggerId,
      team: { id: workspace.teamId, domain: workspace.teamDomain },
      enterprise: null,
      is_enterprise_install: false,
      channel: { id: a.channelId, name: this.channelName(a.channelId) },
      ...(message === undefined ? {} : { message }),
      state: { values: {} },
      response_url: responseUrl,
      actions: [action],
    };
    const form = new URLSearchParams({ payload: JSON.stringify(payload) });
    return this.send(
      { kind: "block_actions", url, userId: a.userId, form, payload, responseUrl, triggerId },
      opts,
    );
  }

  async appHomeOpened(url: string, e: AppHomeOpenedInput, opts: SendOptions = {}): Promise<SlackHttpResult> {
    const workspace = this.state.workspace;
    const view = this.state.homeViews.get(e.userId);
    const eventTs = this.state.ids.nextTs();
    const payload = {
      token: verificationToken,
      team_id: workspace.teamId,
      api_app_id: workspace.appId,
      event: {
        type: "app_home_opened",
        user: e.userId,
        // The app's DM with the user, as Slack names it.
        channel: `D${e.userId.replace(/^U/, "")}`,
        tab: e.tab ?? "home",
        event_ts: eventTs,
        ...(view === undefined ? {} : { view }),
      },
      type: "event_callback",
      event_id: this.state.ids.prefixed("Ev"),
      event_time: Math.floor(Date.now() / 1000),
      authorizations: [
        {
          team_id: workspace.teamId,
          user_id: workspace.botUserId,
          is_bot: true,
          is_enterprise_install: false,
        },
      ],
      is_ext_shared_channel: false,
    };
    return this.send(
      {
        kind: "event",
        url,
        userId: e.userId,
        form: new URLSearchParams(),
        json: JSON.stringify(payload),
        payload,
        responseUrl: "",
        triggerId: "",
      },
      opts,
    );
  }

  async homeBlockAction(
    url: string,
    a: HomeBlockActionInput,
    opts: SendOptions = {},
  ): Promise<SlackHttpResult> {
    const workspace = this.state.workspace;
    const view = this.state.homeViews.get(a.userId);
    if (view === undefined) throw new Error(`sendHomeBlockAction: ${a.userId} has no Home view published`);
    const blocks = Array.isArray(view.blocks) ? view.blocks : [];
    const found = findActionElement(blocks, a.actionId, a.value);
    if (found === undefined && a.value === undefined)
      throw new Error(`sendHomeBlockAction: no ${a.actionId} button in ${a.userId}'s Home view`);
    const triggerId = this.state.ids.triggerId();
    const value = a.value ?? stringField(found?.element, "value");
    const payload: Record<string, unknown> = {
      type: "block_actions",
      user: this.userObject(a.userId),
      api_app_id: workspace.appId,
      token: verificationToken,
      container: { type: "view", view_id: view.id },
      trigger_id: triggerId,
      team: { id: workspace.teamId, domain: workspace.teamDomain },
      enterprise: null,
      is_enterprise_install: false,
      view: { ...view, state: { values: {} } },
      actions: [
        {
          action_id: a.actionId,
          block_id: found?.blockId ?? "emulator_block",
          type: stringField(found?.element, "type") ?? "button",
          action_ts: this.state.ids.nextTs(),
          ...(found?.element.text === undefined ? {} : { text: found.element.text }),
          ...(value === undefined ? {} : { value }),
        },
      ],
    };
    const form = new URLSearchParams({ payload: JSON.stringify(payload) });
    return this.send(
      { kind: "block_actions", url, userId: a.userId, form, payload, responseUrl: "", triggerId },
      opts,
    );
  }

  async viewSubmission(
    url: string,
    s: ViewSubmissionInput,
    opts: SendOptions = {},
  ): Promise<SlackHttpResult> {
    const workspace = this.state.workspace;
    const given = isRecord(s.view) ? s.view : {};
    const id = typeof given.id === "string" ? given.id : undefined;
    const stored = id === undefined ? undefined : this.state.currentViews.get(id);
    const view = {
      type: "modal",
      team_id: workspace.teamId,
      app_id: workspace.appId,
      bot_id: workspace.botId,
      private_metadata: "",
      callback_id: "",
      blocks: [],
      state: { values: {} },
      hash: `${Date.now()}.emulator`,
      ...stored,
      ...given,
      id: id ?? this.state.ids.prefixed("V"),
    };
    const triggerId = this.state.ids.triggerId();
    const payload = {
      type: "view_submission",
      team: { id: workspace.teamId, domain: workspace.teamDomain },
      user: this.userObject(s.userId),
      api_app_id: workspace.appId,
      token: verificationToken,
      trigger_id: triggerId,
      view,
      response_urls: [],
      enterprise: null,
      is_enterprise_install: false,
    };
    const form = new URLSearchParams({ payload: JSON.stringify(payload) });
    return this.send(
      { kind: "view_submission", url, userId: s.userId, form, payload, responseUrl: "", triggerId },
      opts,
    );
  }

  async shortcut(url: string, s: ShortcutInput, opts: SendOptions = {}): Promise<SlackHttpResult> {
    const workspace = this.state.workspace;
    const triggerId = this.state.ids.triggerId();
    const payload = {
      type: "shortcut",
      token: verificationToken,
      action_ts: this.state.ids.nextTs(),
      team: { id: workspace.teamId, domain: workspace.teamDomain },
      user: this.userObject(s.userId),
      api_app_id: workspace.appId,
      is_enterprise_install: false,
      enterprise: null,
      callback_id: s.callbackId,
      trigger_id: triggerId,
    };
    const form = new URLSearchParams({ payload: JSON.stringify(payload) });
    return this.send(
      { kind: "shortcut", url, userId: s.userId, form, payload, responseUrl: "", triggerId },
      opts,
    );
  }

  private async send(out: Outgoing, opts: SendOptions): Promise<SlackHttpResult> {
    if ((opts.transport ?? this.transport) === "socket") return this.sendOverSocket(out, opts);
    const rawBody = out.json ?? out.form.toString();
    const timestampSec = opts.timestampSec ?? Math.floor(Date.now() / 1000);
    const headers: Record<string, string> = {
      // Exactly this: Bolt answers 400 to "...; charset=utf-8". Events API bodies are JSON.
      "content-type": out.json === undefined ? "application/x-www-form-urlencoded" : "application/json",
      "x-slack-request-timestamp": String(timestampSec),
    };
    if (opts.signature !== null) {
      headers["x-slack-signature"] =
        opts.signature ?? signSlackRequest(this.signingSecret, timestampSec, rawBody);
    }
    if (opts.retryNum !== undefined) {
      headers["x-slack-retry-num"] = String(opts.retryNum);
      headers["x-slack-retry-reason"] = "http_timeout";
    }
    const response = await fetch(out.url, { method: "POST", headers, body: rawBody });
    const body = parseAppAnswer(response.headers.get("content-type"), await response.text());
    this.state.recordRequest({
      kind: out.kind,
      url: out.url,
      userId: out.userId,
      payload: out.payload,
      status: response.status,
      body,
      responseUrl: out.responseUrl,
      triggerId: out.triggerId,
      at: Date.now(),
    });
    return { status: response.status, body, responseUrl: out.responseUrl, triggerId: out.triggerId };
  }

  /** Socket Mode: one envelope; an empty ack payload reads like HTTP's empty body (""). */
  private async sendOverSocket(out: Outgoing, opts: SendOptions): Promise<SlackHttpResult> {
    const delivery = await this.socket.deliver(
      out.kind === "slash_command" ? "slash_commands" : out.kind === "event" ? "events_api" : "interactive",
      out.payload,
      {
        ...(opts.retryNum !== undefined ? { retryAttempt: opts.retryNum } : {}),
        ...(opts.loseFirstAck ? { loseAck: true } : {}),
      },
    );
    const body = Object.keys(delivery.payload).length === 0 ? "" : delivery.payload;
    this.state.recordRequest({
      kind: out.kind,
      url: "socket",
      userId: out.userId,
      payload: out.payload,
      status: 200,
      body,
      responseUrl: out.responseUrl,
      triggerId: out.triggerId,
      at: Date.now(),
      deliveries: delivery.deliveries,
    });
    return { status: 200, body, responseUrl: out.responseUrl, triggerId: out.triggerId };
  }

  private userName(userId: string): string {
    return this.state.findUser(userId)?.name ?? userId;
  }

  private channelName(channelId: string): string {
    if (channelId.startsWith("D")) return "directmessage";
    return this.state.findChannel(channelId)?.name ?? channelId.toLowerCase();
  }

  private userObject(userId: string): Record<string, unknown> {
    const name = this.userName(userId);
    return { id: userId, username: name, name, team_id: this.state.workspace.teamId };
  }
}

interface FoundElement {
  blockId: string | undefined;
  element: Record<string, unknown>;
}

/**
 * Finds the interactive element with `actionId` (in `actions` elements or a section accessory);
 * with `value`, the one carrying that value (a Home view has one Approve per request).
 */
function findActionElement(blocks: unknown[], actionId: string, value?: string): FoundElement | undefined {
  for (const block of blocks) {
    if (!isRecord(block)) continue;
    const candidates = [...(Array.isArray(block.elements) ? block.elements : []), block.accessory];
    for (const element of candidates) {
      if (
        isRecord(element) &&
        element.action_id === actionId &&
        (value === undefined || element.value === value)
      ) {
        return { blockId: stringField(block, "block_id"), element };
      }
    }
  }
  return undefined;
}

function stringField(value: Record<string, unknown> | undefined, key: string): string | undefined {
  const field = value?.[key];
  return typeof field === "string" ? field : undefined;
}
