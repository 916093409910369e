import { createHmac, timingSafeEqual } from "node:crypto";
import { parse as parseQueryString } from "node:querystring";
import { z } from "zod";
import {
  ACTION_APPROVE,
  ACTION_ASK_AGAIN,
  ACTION_RECHECK,
  ACTION_REJECT,
  SHORTCUT_REPLICATE,
  SLASH_COMMAND,
  VIEW_REJECT_REASON,
  VIEW_REPLICATE,
} from "./slack-ids.js";

/**
 * What reaches Bolt from Slack is checked here first (docs/decisions/018): the signature and a
 * timestamp window both ways, then the minimal shape every path of Bolt and of the listeners reads.
 * Anything else is answered 400 (401 when unsigned or out of the window) before Bolt sees it.
 */

/** Slack's replay window: a request signed more than 5 minutes before or after now is refused. */
export const MAX_CLOCK_SKEW_SEC = 5 * 60;

/** What the app listens to; anything else signed by Slack is not this app's (slack-ids.ts). */
export const KNOWN_SLACK_IDS = {
  commands: [SLASH_COMMAND],
  actions: [ACTION_APPROVE, ACTION_REJECT, ACTION_RECHECK, ACTION_ASK_AGAIN],
  views: [VIEW_REJECT_REASON, VIEW_REPLICATE],
  shortcuts: [SHORTCUT_REPLICATE],
  /** Events API (manifest.yml `bot_events`): the Home tab (app-home.event.ts). */
  events: ["app_home_opened"],
} as const;

export type SignatureCheck = { ok: true } | { ok: false; reason: string };

/**
 * Slack's v0 signature over `v0:<timestamp>:<raw body>`, compared in constant time, and the
 * timestamp within {@link MAX_CLOCK_SKEW_SEC} of `nowMs` in both directions (Bolt only bounds the
 * past, so a request signed for next year would stay replayable until then).
 */
export function verifySlackSignature(
  signingSecret: string,
  headers: { signature: unknown; timestamp: unknown },
  rawBody: Buffer,
  nowMs: number,
): SignatureCheck {
  const { signature, timestamp } = headers;
  if (typeof signature !== "string" || typeof timestamp !== "string")
    return { ok: false, reason: "no signature or timestamp" };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: "malformed timestamp" };
  const skew = Math.abs(Math.floor(nowMs / 1000) - Number(timestamp));
  if (skew > MAX_CLOCK_SKEW_SEC) return { ok: false, reason: "timestamp outside the 5-minute window" };
  const expected = Buffer.from(
    `v0=${createHmac("sha256", signingSecret).update(`v0:${timestamp}:`).update(rawBody).digest("hex")}`,
  );
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: "signature mismatch" };
  return { ok: true };
}

const id = z.string().min(1).max(255);
const responseUrl = z
  .string()
  .regex(/^https?:\/\/\S+$/)
  .max(2000);
const userRef = z.looseObject({ id });

const slashCommandSchema = z.looseObject({
  command: z.string().min(1).max(100),
  text: z.string().max(20_000),
  user_id: id,
  channel_id: id,
  trigger_id: id,
  response_url: responseUrl,
  team_id: id.optional(),
});

/** Keys that would send Bolt down another path (events, options, commands) than the payload's type. */
const otherPaths = {
  event: z.undefined().optional(),
  name: z.undefined().optional(),
  command: z.undefined().optional(),
};

const blockActionSchema = z.looseObject({
  ...otherPaths,
  type: z.literal("block_actions"),
  user: userRef,
  trigger_id: id,
  team: z.looseObject({ id: id.optional() }).nullish(),
  // Bolt reads `channel.id` whenever `channel` is present: null is not the same as absent.
  channel: z.looseObject({ id }).optional(),
  container: z.looseObject({
    type: z.string().max(50),
    channel_id: id.optional(),
    view_id: id.optional(),
  }),
  // A click in a view (the Home tab) comes with the view and no response_url, as Slack sends it.
  response_url: responseUrl.optional(),
  view: z.looseObject({ id, type: z.string().max(50) }).optional(),
  actions: z
    .array(
      z.looseObject({
        action_id: id,
        block_id: z.string().max(255).optional(),
        type: z.string().max(50),
        value: z.string().max(2000).optional(),
        action_ts: z.string().max(50).optional(),
      }),
    )
    .min(1)
    .max(5),
});

/** Just enough to answer an action the app did not make (a link button): type, user, action ids. */
const anyBlockActionSchema = z.looseObject({
  ...otherPaths,
  type: z.literal("block_actions"),
  user: userRef,
  channel: z.looseObject({ id }).optional(),
  actions: z
    .array(z.looseObject({ action_id: z.string().max(255) }))
    .min(1)
    .max(5),
});

const viewSubmissionSchema = z.looseObject({
  ...otherPaths,
  actions: z.undefined().optional(),
  type: z.literal("view_submission"),
  user: userRef,
  trigger_id: id,
  team: z.looseObject({ id: id.optional() }).nullish(),
  view: z.looseObject({
    id,
    callback_id: z.string().max(255),
    private_metadata: z.string().max(3000).optional(),
    app_installed_team_id: id.optional(),
    state: z.looseObject({ values: z.record(z.string(), z.unknown()) }).optional(),
  }),
});

const shortcutSchema = z.looseObject({
  ...otherPaths,
  actions: z.undefined().optional(),
  type: z.literal("shortcut"),
  // Bolt matches a body with a `view` by the view's callback id, not the shortcut's.
  view: z.undefined().optional(),
  user: userRef,
  trigger_id: id,
  callback_id: z.string().max(255),
  team: z.looseObject({ id: id.optional() }).nullish(),
});

/**
 * An Events API delivery (`event_callback`): Slack's envelope and the one event this app subscribes
 * to, with the fields its listener reads. Bolt routes it by `event.type`.
 */
const eventCallbackSchema = z.looseObject({
  type: z.literal("event_callback"),
  team_id: id.optional(),
  api_app_id: id.optional(),
  event_id: id,
  event_time: z.number().int().nonnegative().optional(),
  event: z.looseObject({
    type: z.string().min(1).max(100),
    user: id,
    channel: id.optional(),
    tab: z.string().max(50).optional(),
    view: z.looseObject({ id }).optional(),
  }),
});

export type InboundKind = "slash_command" | "block_actions" | "view_submission" | "shortcut" | "event";

export type InboundCheck =
  /** Hand it to Bolt; `deliveryKey` identifies the user action (the same in every delivery of it). */
  | { verdict: "dispatch"; kind: InboundKind; body: Record<string, unknown>; deliveryKey: string }
  /** Well-formed and signed, but nothing of this app's (a link button's click): 200, nothing done. */
  | { verdict: "ignore"; reason: string }
  /** Slack's own checks (ssl_check, url_verification): Bolt answers them without a listener. */
  | { verdict: "protocol" }
  | { verdict: "refuse"; reason: string };

const FORM = "application/x-www-form-urlencoded";

/**
 * Parses a raw body the way Bolt will (a form, its `payload` JSON, or JSON) and checks the shape of
 * what the listeners read. `contentType` is the raw header: Bolt treats anything but exactly the
 * form type as JSON.
 */
export function checkInboundRequest(contentType: unknown, rawBody: string): InboundCheck {
  if (contentType === FORM) {
    const form = parseQueryString(rawBody);
    if (form.ssl_check === "1") return { verdict: "protocol" };
    if ("payload" in form) {
      if (typeof form.payload !== "string") return { verdict: "refuse", reason: "payload repeated" };
      const payload = safeJson(form.payload);
      return checkPayloadBody(payload);
    }
    return checkPayloadBody(form);
  }
  const json = safeJson(rawBody);
  if (isRecord(json) && json.type === "url_verification" && typeof json.challenge === "string")
    return { verdict: "protocol" };
  if (isRecord(json) && json.type === "event_callback") return checkPayloadBody(json);
  return { verdict: "refuse", reason: "not a form this app takes" };
}

/** The same checks on a parsed body (Socket Mode's envelopes carry it already parsed). */
export function checkPayloadBody(body: unknown): InboundCheck {
  if (!isRecord(body)) return { verdict: "refuse", reason: "the payload is not an object" };
  if ("command" in body && !("type" in body)) {
    const parsed = slashCommandSchema.safeParse(body);
    if (!parsed.success) return refuse("slash command", parsed.error);
    if (!KNOWN_SLACK_IDS.commands.includes(parsed.data.command as never))
      return { verdict: "refuse", reason: "not this app's command" };
    return dispatch("slash_command", body, parsed.data.trigger_id);
  }
  switch (body.type) {
    case "block_actions": {
      const loose = anyBlockActionSchema.safeParse(body);
      if (!loose.success) return refuse("block action", loose.error);
      const ours = loose.data.actions.some((a) => KNOWN_SLACK_IDS.actions.includes(a.action_id as never));
      if (!ours) return { verdict: "ignore", reason: "an action this app has no listener for" };
      const parsed = blockActionSchema.safeParse(body);
      if (!parsed.success) return refuse("block action", parsed.error);
      const inView = parsed.data.container.type === "view";
      if (inView && (parsed.data.view === undefined || parsed.data.container.view_id === undefined))
        return { verdict: "refuse", reason: "block action: a view container without its view" };
      if (!inView && parsed.data.channel === undefined && parsed.data.container.channel_id === undefined)
        return { verdict: "refuse", reason: "block action: no channel" };
      if (!inView && parsed.data.response_url === undefined)
        return { verdict: "refuse", reason: "block action: bad response_url" };
      const action = parsed.data.actions[0];
      // One click is one trigger id; Slack's re-sends and replays of the body carry the same.
      return dispatch(
        "block_actions",
        body,
        `${parsed.data.trigger_id}${action?.action_ts ? `:${action.action_ts}` : ""}`,
      );
    }
    case "view_submission": {
      const parsed = viewSubmissionSchema.safeParse(body);
      if (!parsed.success) return refuse("view submission", parsed.error);
      if (!KNOWN_SLACK_IDS.views.includes(parsed.data.view.callback_id as never))
        return { verdict: "refuse", reason: "not this app's view" };
      return dispatch("view_submission", body, parsed.data.trigger_id);
    }
    case "shortcut": {
      const parsed = shortcutSchema.safeParse(body);
      if (!parsed.success) return refuse("shortcut", parsed.error);
      if (!KNOWN_SLACK_IDS.shortcuts.includes(parsed.data.callback_id as never))
        return { verdict: "refuse", reason: "not this app's shortcut" };
      return dispatch("shortcut", body, parsed.data.trigger_id);
    }
    case "event_callback": {
      const parsed = eventCallbackSchema.safeParse(body);
      if (!parsed.success) return refuse("event", parsed.error);
      if (!KNOWN_SLACK_IDS.events.includes(parsed.data.event.type as never))
        return { verdict: "ignore", reason: "an event this app has no listener for" };
      // Slack retries an event with the same event_id.
      return { verdict: "dispatch", kind: "event", body, deliveryKey: `event:${parsed.data.event_id}` };
    }
    default:
      return { verdict: "refuse", reason: "a payload type this app does not take" };
  }
}

function dispatch(kind: InboundKind, body: Record<string, unknown>, trigger: string): InboundCheck {
  return { verdict: "dispatch", kind, body, deliveryKey: `trigger:${trigger}` };
}

function refuse(what: string, error: z.ZodError): InboundCheck {
  const first = error.issues[0];
  const where = first ? first.path.map(String).join(".") || "(body)" : "(body)";
  return { verdict: "refuse", reason: `${what}: bad ${where}` };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
