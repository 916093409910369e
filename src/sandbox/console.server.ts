import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { z } from "zod";
import type { EmulatorEvent, SlackEmulator } from "../../dev/slack-emulator/index.js";
import type { TencentSimulator } from "../../dev/tencent-simulator/index.js";
import { SHORTCUT_REPLICATE } from "../adapters/chat-slack/slack-ids.js";
import type { AppLogger } from "../main/logger.js";
import { applyFault, type CloudView, FAULTS, readCloudView } from "./cloud-panel.js";
import { readConsoleAsset } from "./console-assets.js";
import { ConsoleFeed, type ConsoleMessage, type ConsoleModal } from "./console-feed.js";
import { buildViewStateValues } from "./modal-values.js";
import {
  type DayRuns,
  POLICY_ACTIONS,
  PolicyActionError,
  type PolicyActionResult,
  PolicyActions,
} from "./policy-actions.js";
import { SANDBOX } from "./sandbox-seed.js";

export interface ConsoleServer {
  /** e.g. "http://127.0.0.1:3000/" */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Everything the page needs to draw the screen for one user; pushed whole on every change. */
export interface ConsoleView {
  seq: number;
  me: string;
  workspace: string;
  bot: { id: string; name: string };
  users: Array<{ id: string; name: string; realName: string; role: "requester" | "approver" }>;
  channels: Array<{ id: string; name: string; topic: string }>;
  messages: ConsoleMessage[];
  /** The modal open for this user (Reject's reason, the "Replicate a snapshot" form), if any. */
  modal: (ConsoleModal & { version: number }) | null;
  shortcuts: Array<{ callbackId: string; name: string }>;
  cloud: CloudView | null;
  /** "Fire a day" runs in progress, by policy id. */
  dayRuns: DayRuns;
  /** The bot's Home tab as it last published it for this user (views.publish), if it did. */
  home: { viewId: string; hash: string; blocks: unknown[] } | null;
}

const USER_IDS = Object.values(SANDBOX.users).map((u) => u.id) as [string, ...string[]];
const CHANNEL_IDS = Object.values(SANDBOX.channels).map((c) => c.id) as [string, ...string[]];
const userId = z.enum(USER_IDS);
const channelId = z.enum(CHANNEL_IDS);

const commandBody = z.object({ userId, channelId, text: z.string().trim().min(1).max(4000) });
const actionBody = z.object({
  userId,
  channelId,
  messageTs: z.string().min(1).max(64),
  actionId: z.string().min(1).max(255),
  value: z.string().max(2000).optional(),
});
const faultBody = z.object({ fault: z.enum(FAULTS), on: z.boolean() });
const policyBody = z.object({
  policyId: z.string().regex(/^asp-[a-z0-9]{8}$/, "asp- followed by 8 lowercase letters or digits"),
  action: z.enum(POLICY_ACTIONS),
});
const viewSubmitBody = z.object({
  userId,
  viewId: z.string().min(1).max(64),
  values: z.record(z.string().max(255), z.string().max(3000)),
});
const viewCloseBody = z.object({ userId, viewId: z.string().min(1).max(64) });
const shortcutBody = z.object({ userId, callbackId: z.literal(SHORTCUT_REPLICATE) });
const homeOpenBody = z.object({ userId });
const homeActionBody = z.object({
  userId,
  actionId: z.string().min(1).max(255),
  value: z.string().max(2000).optional(),
});
/** What an app may answer to a view submission (an empty body closes the modal). */
const viewAnswer = z.object({
  response_action: z.enum(["errors", "update", "push", "clear"]),
  errors: z.record(z.string(), z.string()).optional(),
  view: z.record(z.string(), z.unknown()).optional(),
});

const MAX_BODY_BYTES = 64 * 1024;
const CLOUD_REFRESH_MS = 1000;
const BROADCAST_DEBOUNCE_MS = 30;
const HEARTBEAT_MS = 15_000;

interface Client {
  res: ServerResponse;
  userId: string;
}

/**
 * The sandbox's web console: static page, a JSON view per user, server-sent events with the whole view
 * on every change, and POST endpoints (commands, clicks, modals, fault toggles, policy buttons).
 * Commands and clicks go to the real Bolt app through the emulator's signed senders, exactly as
 * Slack would send them.
 */
export async function startConsoleServer(options: {
  slack: SlackEmulator;
  sim: TencentSimulator;
  appUrl: string;
  /** The bot's ops server ("http://127.0.0.1:<port>"), whose /readyz and /metrics the console relays. */
  opsUrl?: string;
  host: string;
  port: number;
  logger: AppLogger;
  /** Real time between two firings of "Fire a day". @defaultValue 1500 */
  policyDayStepMs?: number;
}): Promise<ConsoleServer> {
  const { slack, sim, appUrl, logger } = options;
  const feed = new ConsoleFeed(slack);
  const clients = new Set<Client>();
  let seq = 0;
  let cloud: CloudView | null = null;
  let cloudJson = "";
  let broadcastTimer: NodeJS.Timeout | undefined;

  const viewFor = (me: string): ConsoleView => ({
    seq,
    me,
    workspace: "Sandbox",
    bot: { id: slack.botUserId, name: "snapshot-bot" },
    users: Object.values(SANDBOX.users).map((u) => ({
      id: u.id,
      name: u.name,
      realName: u.realName,
      role: u.id === SANDBOX.users.alice.id ? "requester" : "approver",
    })),
    channels: [
      {
        id: SANDBOX.channels.requests.id,
        name: SANDBOX.channels.requests.name,
        topic: "Ask for copies here",
      },
      {
        id: SANDBOX.channels.notify.id,
        name: SANDBOX.channels.notify.name,
        topic: "Finished and failed copies",
      },
    ],
    messages: feed.messagesFor(me),
    modal: feed.modalFor(me) ?? null,
    shortcuts: [{ callbackId: SHORTCUT_REPLICATE, name: "Replicate a snapshot" }],
    cloud,
    dayRuns: policies.dayRuns(),
    home: homeOf(slack.homeView(me)),
  });

  const broadcast = () => {
    broadcastTimer = undefined;
    seq += 1;
    for (const client of clients) writeEvent(client.res, "view", viewFor(client.userId));
  };
  const scheduleBroadcast = () => {
    broadcastTimer ??= setTimeout(broadcast, BROADCAST_DEBOUNCE_MS);
  };
  // One look at the simulator at a time; changes during a look ask for one more afterwards.
  let looking: Promise<void> | undefined;
  let lookAgain = false;
  const refreshCloud = async (): Promise<void> => {
    if (looking) {
      lookAgain = true;
      return looking;
    }
    looking = lookAtCloud().finally(() => {
      looking = undefined;
    });
    await looking;
    if (lookAgain) {
      lookAgain = false;
      await refreshCloud();
    }
  };
  const lookAtCloud = async () => {
    try {
      const next = await readCloudView(sim);
      const json = JSON.stringify(next);
      if (json !== cloudJson) {
        cloud = next;
        cloudJson = json;
        scheduleBroadcast();
      }
    } catch (err) {
      logger.debug({ err }, "sandbox console: could not read the simulator's state");
    }
  };
  const policies = new PolicyActions(sim, options.policyDayStepMs ?? 1500, () => {
    scheduleBroadcast();
    void refreshCloud();
  });
  await refreshCloud();
  // Copies progress with time, not with events: look again every second while someone watches.
  const cloudTimer = setInterval(() => {
    if (clients.size > 0) void refreshCloud();
  }, CLOUD_REFRESH_MS);
  cloudTimer.unref();
  const heartbeat = setInterval(() => {
    for (const client of clients) client.res.write(": keep-alive\n\n");
  }, HEARTBEAT_MS);
  heartbeat.unref();

  const onChange = (event: EmulatorEvent) => {
    feed.observe(event);
    if (event.type === "view" || event.type === "request") scheduleBroadcast();
    if (event.type === "message" || event.type === "ephemeral" || event.type === "response_url") {
      scheduleBroadcast();
      void refreshCloud();
    }
  };
  slack.on("change", onChange);

  const routes = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const method = req.method ?? "GET";
    if (method === "GET" || method === "HEAD") {
      if (url.pathname === "/api/view") {
        const me = userId.safeParse(url.searchParams.get("user") ?? SANDBOX.users.alice.id);
        if (!me.success) return sendJson(res, 400, { error: "unknown user" });
        await refreshCloud(); // the cloud as it is now, even when no page is watching
        return sendJson(res, 200, viewFor(me.data));
      }
      if (url.pathname === "/api/events") {
        const me = userId.safeParse(url.searchParams.get("user") ?? SANDBOX.users.alice.id);
        if (!me.success) return sendJson(res, 400, { error: "unknown user" });
        res.writeHead(200, {
          "content-type": "text/event-stream; charset=utf-8",
          "cache-control": "no-store",
          connection: "keep-alive",
        });
        const client = { res, userId: me.data };
        clients.add(client);
        req.on("close", () => clients.delete(client));
        writeEvent(res, "view", viewFor(me.data));
        return;
      }
      if (url.pathname === "/healthz") return sendJson(res, 200, { ok: true });
      if ((url.pathname === "/readyz" || url.pathname === "/metrics") && options.opsUrl)
        return relay(res, `${options.opsUrl}${url.pathname}`, method);
      const asset = await readConsoleAsset(url.pathname);
      if (asset === undefined) return sendJson(res, 404, { error: "not found" });
      res.writeHead(200, {
        ...SECURITY_HEADERS,
        "content-type": asset.contentType,
        "cache-control": "no-cache",
      });
      res.end(method === "HEAD" ? undefined : asset.body);
      return;
    }
    if (method !== "POST") return sendJson(res, 405, { error: "use GET or POST" });
    // Only this page may post: JSON bodies (a cross-site form cannot send them) from our own origin.
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== url.origin) return sendJson(res, 403, { error: "cross-origin" });
    if (!(req.headers["content-type"] ?? "").startsWith("application/json")) {
      return sendJson(res, 415, { error: "send application/json" });
    }
    const body = await readJson(req);
    if (url.pathname === "/api/command") {
      const input = commandBody.safeParse(body);
      if (!input.success) return sendJson(res, 400, { error: describeInvalid(input.error) });
      const { text, userId: who, channelId: where } = input.data;
      const match = /^\/snapshot(?:\s+([\s\S]*))?$/.exec(text);
      if (!match) {
        feed.addNote(
          who,
          where,
          "Only `/snapshot …` commands reach the bot here. Try `/snapshot help`.",
          text,
        );
        scheduleBroadcast();
        return sendJson(res, 200, { ok: true });
      }
      const sentAt = Date.now();
      const result = await slack.sendSlashCommand(appUrl, {
        text: (match[1] ?? "").trim(),
        userId: who,
        channelId: where,
      });
      feed.recordCommandAnswer({ userId: who, channelId: where, command: text, sentAt, result });
      scheduleBroadcast();
      return sendJson(res, 200, { ok: true, status: result.status });
    }
    if (url.pathname === "/api/action") {
      const input = actionBody.safeParse(body);
      if (!input.success) return sendJson(res, 400, { error: describeInvalid(input.error) });
      const a = input.data;
      const result = await slack.sendBlockAction(appUrl, {
        userId: a.userId,
        channelId: a.channelId,
        messageTs: a.messageTs,
        actionId: a.actionId,
        ...(a.value === undefined ? {} : { value: a.value }),
      });
      return sendJson(res, 200, { ok: true, status: result.status });
    }
    if (url.pathname === "/api/home-open") {
      const input = homeOpenBody.safeParse(body);
      if (!input.success) return sendJson(res, 400, { error: describeInvalid(input.error) });
      const result = await slack.sendAppHomeOpened(appUrl, { userId: input.data.userId });
      return sendJson(res, 200, { ok: true, status: result.status });
    }
    if (url.pathname === "/api/home-action") {
      const input = homeActionBody.safeParse(body);
      if (!input.success) return sendJson(res, 400, { error: describeInvalid(input.error) });
      if (!slack.homeView(input.data.userId)) return sendJson(res, 409, { error: "no Home published yet" });
      const result = await slack.sendHomeBlockAction(appUrl, input.data);
      return sendJson(res, 200, { ok: true, status: result.status });
    }
    if (url.pathname === "/api/shortcut") {
      const input = shortcutBody.safeParse(body);
      if (!input.success) return sendJson(res, 400, { error: describeInvalid(input.error) });
      const result = await slack.sendShortcut(appUrl, input.data);
      return sendJson(res, 200, { ok: true, status: result.status });
    }
    if (url.pathname === "/api/view-submit") {
      const input = viewSubmitBody.safeParse(body);
      if (!input.success) return sendJson(res, 400, { error: describeInvalid(input.error) });
      const modal = feed.modalFor(input.data.userId);
      if (modal?.viewId !== input.data.viewId) return sendJson(res, 409, { error: "this modal is closed" });
      const result = await slack.sendViewSubmission(appUrl, {
        userId: input.data.userId,
        view: { id: modal.viewId, state: { values: buildViewStateValues(modal.view, input.data.values) } },
      });
      const answer = viewAnswer.safeParse(result.body);
      if (result.status !== 200) {
        feed.settleModal(modal.viewId, { kind: "errors", errors: {} });
      } else if (!answer.success) {
        feed.settleModal(modal.viewId, { kind: "close" });
      } else if (answer.data.response_action === "errors") {
        feed.settleModal(modal.viewId, { kind: "errors", errors: answer.data.errors ?? {} });
      } else if (answer.data.response_action === "clear") {
        feed.settleModal(modal.viewId, { kind: "clear", userId: input.data.userId });
      } else if (answer.data.view) {
        feed.settleModal(modal.viewId, { kind: "update", view: answer.data.view });
      }
      scheduleBroadcast();
      return sendJson(res, 200, { ok: true, status: result.status });
    }
    if (url.pathname === "/api/view-close") {
      const input = viewCloseBody.safeParse(body);
      if (!input.success) return sendJson(res, 400, { error: describeInvalid(input.error) });
      if (feed.modalFor(input.data.userId)?.viewId === input.data.viewId) {
        feed.settleModal(input.data.viewId, { kind: "close" });
        scheduleBroadcast();
      }
      return sendJson(res, 200, { ok: true });
    }
    if (url.pathname === "/api/fault") {
      const input = faultBody.safeParse(body);
      if (!input.success) return sendJson(res, 400, { error: describeInvalid(input.error) });
      applyFault(sim, input.data.fault, input.data.on);
      await refreshCloud();
      return sendJson(res, 200, { ok: true, faults: cloud?.faults });
    }
    if (url.pathname === "/api/policy") {
      const input = policyBody.safeParse(body);
      if (!input.success) return sendJson(res, 400, { error: describeInvalid(input.error) });
      let result: PolicyActionResult;
      try {
        result = policies.apply(input.data.policyId, input.data.action);
      } catch (err) {
        if (err instanceof PolicyActionError) return sendJson(res, err.status, { error: err.message });
        throw err;
      }
      scheduleBroadcast();
      await refreshCloud();
      return sendJson(res, 200, { ok: true, ...result });
    }
    return sendJson(res, 404, { error: "not found" });
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", `http://${req.headers.host ?? "127.0.0.1"}`);
    routes(req, res, url).catch((err: unknown) => {
      logger.warn({ err, path: url.pathname }, "sandbox console: request failed");
      if (!res.headersSent) sendJson(res, 500, { error: err instanceof Error ? err.message : String(err) });
      else res.destroy();
    });
  });
  const port = await listen(server, options.host, options.port);
  const shownHost = options.host === "0.0.0.0" ? "127.0.0.1" : options.host;

  return {
    url: `http://${shownHost}:${port}/`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        slack.off("change", onChange);
        policies.close();
        clearInterval(cloudTimer);
        clearInterval(heartbeat);
        if (broadcastTimer) clearTimeout(broadcastTimer);
        for (const client of clients) client.res.end();
        clients.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const SECURITY_HEADERS = {
  "content-security-policy":
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
};

/**
 * The bot's own answer (status, type, body), so a probe or a Prometheus scrape pointed at the
 * sandbox's PORT reads exactly what the production bot serves on its PORT.
 */
async function relay(res: ServerResponse, target: string, method: string): Promise<void> {
  let answer: Response;
  try {
    answer = await fetch(target, { method, signal: AbortSignal.timeout(5000) });
  } catch {
    return sendJson(res, 503, { ok: false, error: "the bot's ops server does not answer" });
  }
  const body = method === "HEAD" ? undefined : Buffer.from(await answer.arrayBuffer());
  res.writeHead(answer.status, {
    "content-type": answer.headers.get("content-type") ?? "text/plain",
    "cache-control": "no-store",
  });
  res.end(body);
}

function writeEvent(res: ServerResponse, event: string, data: unknown): void {
  res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" });
  res.end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    return undefined;
  }
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      const address = server.address();
      if (address === null || typeof address === "string")
        reject(new Error("sandbox console: no TCP address"));
      else resolve(address.port);
    });
  });
}

/** One readable line per bad field, instead of zod's JSON dump. */
function describeInvalid(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.map(String).join(".") || "body"}: ${i.message}`).join("; ");
}

function homeOf(view: Record<string, unknown> | undefined): ConsoleView["home"] {
  if (view === undefined) return null;
  return {
    viewId: String(view.id ?? ""),
    hash: String(view.hash ?? ""),
    blocks: Array.isArray(view.blocks) ? view.blocks : [],
  };
}
