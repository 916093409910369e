import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { App, HTTPReceiver } from "@slack/bolt";
import type { Logger as SlackLogger } from "@slack/logger";
import { registerDecisionActions } from "../adapters/chat-slack/decision.action.js";
import { registerRecheckAction } from "../adapters/chat-slack/recheck.action.js";
import { registerRejectReasonView } from "../adapters/chat-slack/reject-reason.view.js";
import { registerReplicateShortcut } from "../adapters/chat-slack/shortcut.replicate.js";
import { registerSnapshotCommand } from "../adapters/chat-slack/snapshot.command.js";
import type { FlowDeps } from "../app/flow-deps.js";

export interface SlackAppOptions {
  botToken: string;
  signingSecret: string;
  apiUrl: string;
  port: number;
  deps: FlowDeps;
  slackLogger: SlackLogger;
  /** Resolves when the bot's dependencies answer (Redis); used by GET /readyz. */
  isReady: () => Promise<boolean>;
  /** The Prometheus text for GET /metrics. */
  metrics: () => Promise<string>;
  retries?: number;
}

export interface RunningSlackApp {
  app: App;
  server: Server;
  port: number;
  stop(): Promise<void>;
}

/** The Bolt app in HTTP mode: `POST /slack/events`, plus `GET /healthz` and `GET /readyz`. */
export async function startSlackApp(options: SlackAppOptions): Promise<RunningSlackApp> {
  const receiver = new HTTPReceiver({
    signingSecret: options.signingSecret,
    endpoints: "/slack/events",
    logger: options.slackLogger,
    customRoutes: [
      {
        path: "/healthz",
        method: "GET",
        handler: (_req, res) => {
          res.writeHead(200, { "content-type": "application/json" });
          res.end('{"ok":true}');
        },
      },
      {
        path: "/metrics",
        method: "GET",
        handler: (_req, res) => {
          options.metrics().then(
            (text) => {
              res.writeHead(200, { "content-type": "text/plain; version=0.0.4" });
              res.end(text);
            },
            () => {
              res.writeHead(503, { "content-type": "text/plain" });
              res.end("metrics unavailable: Redis did not answer\n");
            },
          );
        },
      },
      {
        path: "/readyz",
        method: "GET",
        handler: (_req, res) => {
          void options.isReady().then((ready) => {
            res.writeHead(ready ? 200 : 503, { "content-type": "application/json" });
            res.end(JSON.stringify({ ok: ready }));
          });
        },
      },
    ],
  });
  const app = new App({
    token: options.botToken,
    receiver,
    logger: options.slackLogger,
    clientOptions: { slackApiUrl: options.apiUrl, retryConfig: { retries: options.retries ?? 5 } },
  });
  app.error(async (err) => {
    options.deps.logger.error({ err }, "unhandled Slack listener error");
  });
  registerSnapshotCommand(app, options.deps);
  registerDecisionActions(app, options.deps);
  registerRecheckAction(app, options.deps);
  registerRejectReasonView(app, options.deps);
  registerReplicateShortcut(app, options.deps);
  const server = (await app.start(options.port)) as Server;
  const port = (server.address() as AddressInfo).port;
  return { app, server, port, stop: () => app.stop().then(() => undefined) };
}
