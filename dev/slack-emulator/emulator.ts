import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { parseApiArgs, readBody, sendJson } from "./http-io.js";
import { IdFactory } from "./ids.js";
import { ResponseUrls } from "./response-url.js";
import { RequestSender } from "./sender.js";
import { SocketModeServer } from "./socket-mode.js";
import { EmulatorState, type WorkspaceConfig } from "./state.js";
import type { EmulatorListener, SlackEmulator, SlackEmulatorOptions } from "./types.js";
import { WebApi } from "./web-api.js";

/** Starts the fake Slack (Web API + response_url endpoint) and returns its handle. */
export async function startSlackEmulator(options: SlackEmulatorOptions): Promise<SlackEmulator> {
  const workspace: WorkspaceConfig = {
    teamId: options.teamId ?? "T0SANDBOX",
    teamDomain: "sandbox",
    botUserId: options.botUserId ?? "U0BOT",
    botId: "B0BOT",
    appId: "A0SANDBOX",
    users: [...(options.users ?? [])],
    usergroups: [...(options.usergroups ?? [])],
    channels: [...(options.channels ?? [])],
  };
  const state = new EmulatorState(workspace, new IdFactory());
  const host = options.host ?? "127.0.0.1";

  let route: (req: IncomingMessage, res: ServerResponse) => Promise<void> = async (_req, res) => {
    sendJson(res, 503, { ok: false, error: "starting" });
  };
  const server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { ok: false, error: "emulator_error", detail: String(error) });
      else res.destroy();
    });
  });
  const port = await listen(server, host, options.port ?? 0);
  // A wildcard bind is still reached through loopback in the URLs handed to apps.
  const urlHost = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
  const baseUrl = `http://${urlHost.includes(":") ? `[${urlHost}]` : urlHost}:${port}`;

  const webApi = new WebApi(state, options.botToken, baseUrl, options.rateLimits);
  const responseUrls = new ResponseUrls(state, baseUrl);
  const socketMode = new SocketModeServer(
    state.ids,
    options.appToken,
    baseUrl,
    workspace.appId,
    options.ackTimeoutMs ?? 15_000,
  );
  server.on("upgrade", (req, socket, head) => socketMode.handleUpgrade(req, socket, head));
  const sender = new RequestSender(
    state,
    responseUrls,
    options.signingSecret,
    socketMode,
    options.transport ?? "http",
  );

  route = async (req, res) => {
    const url = new URL(req.url ?? "/", baseUrl);
    const rawBody = await readBody(req);
    const apiMethod = /^\/api\/([A-Za-z0-9_.]+)$/.exec(url.pathname)?.[1];
    if (apiMethod !== undefined) {
      const parsed = await parseApiArgs(req.headers["content-type"], rawBody, url.searchParams);
      const args = parsed.ok ? parsed.args : {};
      const answer = !parsed.ok
        ? { status: 200, body: { ok: false, error: parsed.error }, headers: {}, injected: false }
        : apiMethod === "apps.connections.open"
          ? socketMode.openConnection(bearerToken(req.headers.authorization) ?? stringArg(args.token))
          : webApi.answer(apiMethod, args, req.headers.authorization);
      state.recordCall({
        method: apiMethod,
        args,
        at: Date.now(),
        status: answer.status,
        response: answer.body,
        ...(answer.injected ? { injected: true } : {}),
        ...("rateLimited" in answer && answer.rateLimited ? { rateLimited: true } : {}),
      });
      sendJson(res, answer.status, answer.body, answer.headers);
      return;
    }
    const responseId = /^\/response\/([A-Za-z0-9_-]+)$/.exec(url.pathname)?.[1];
    if (responseId !== undefined && req.method === "POST") {
      const answer = responseUrls.receive(responseId, rawBody);
      sendJson(res, answer.status, answer.body);
      return;
    }
    sendJson(res, 404, { ok: false, error: "not_found" });
  };

  let closing: Promise<void> | undefined;
  return {
    apiUrl: `${baseUrl}/api/`,
    baseUrl,
    teamId: workspace.teamId,
    botUserId: workspace.botUserId,
    calls: state.calls,
    messages: state.messages,
    ephemerals: state.ephemerals,
    responseUrlPosts: state.responseUrlPosts,
    views: state.views,
    requests: state.requests,
    on: (_event: "change", listener: EmulatorListener) => state.on(listener),
    off: (_event: "change", listener: EmulatorListener) => state.off(listener),
    thread: (channel, ts) => state.thread(channel, ts),
    message: (channel, ts) => state.findMessage(channel, ts),
    waitFor: (probe, opts) => state.waitFor(probe, opts),
    failNext: (method, failure) => webApi.failNext(method, failure),
    rateLimited: () => webApi.limits?.refused ?? new Map(),
    socket: {
      get connected() {
        return socketMode.connected;
      },
      get connections() {
        return socketMode.connectionCount;
      },
    },
    waitForSocket: (timeoutMs) => socketMode.waitConnected(timeoutMs),
    dropSocket: (opts) => socketMode.drop(opts),
    sendSlashCommand: (appUrl, c, opts) => sender.slashCommand(appUrl, c, opts),
    sendBlockAction: (appUrl, a, opts) => sender.blockAction(appUrl, a, opts),
    sendViewSubmission: (appUrl, s, opts) => sender.viewSubmission(appUrl, s, opts),
    sendShortcut: (appUrl, s, opts) => sender.shortcut(appUrl, s, opts),
    sendAppHomeOpened: (appUrl, e, opts) => sender.appHomeOpened(appUrl, e, opts),
    sendHomeBlockAction: (appUrl, a, opts) => sender.homeBlockAction(appUrl, a, opts),
    homeView: (userId) => state.homeViews.get(userId),
    close: () => {
      closing ??= new Promise<void>((resolve, reject) => {
        socketMode.close();
        server.close((error) => (error === undefined ? resolve() : reject(error)));
        // Keep-alive sockets (the web-api client, Bolt's fetch) would otherwise hold close() open.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

function bearerToken(authorization: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? "");
  return match?.[1];
}

function stringArg(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      const address = server.address();
      if (address === null || typeof address === "string") reject(new Error("emulator: no TCP address"));
      else resolve(address.port);
    });
  });
}
