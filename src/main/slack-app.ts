import type { RequestListener } from "node:http";
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
  deps: FlowDeps;
  slackLogger: SlackLogger;
  retries?: number;
  /** The Web API clients' fetch (metrics). @defaultValue globalThis.fetch */
  fetch?: typeof fetch;
}

export interface SlackApp {
  app: App;
  /** Handles `POST /slack/events` (signature check, ack, dispatch); mounted on the ops server. */
  requestListener: RequestListener;
}

/**
 * The Bolt app in HTTP mode. Bolt never listens itself: its receiver's request listener is mounted
 * on the one server of the process (ops-server.ts), so the ops endpoints do not depend on it.
 */
export function createSlackApp(options: SlackAppOptions): SlackApp {
  const receiver = new HTTPReceiver({
    signingSecret: options.signingSecret,
    endpoints: "/slack/events",
    logger: options.slackLogger,
  });
  // Without `deferInitialization`, the app is ready once constructed (it calls receiver.init).
  const app = new App({
    token: options.botToken,
    receiver,
    logger: options.slackLogger,
    clientOptions: {
      slackApiUrl: options.apiUrl,
      retryConfig: { retries: options.retries ?? 5 },
      ...(options.fetch ? { fetch: options.fetch } : {}),
    },
  });
  app.error(async (err) => {
    options.deps.logger.error({ err }, "unhandled Slack listener error");
  });
  registerSnapshotCommand(app, options.deps);
  registerDecisionActions(app, options.deps);
  registerRecheckAction(app, options.deps);
  registerRejectReasonView(app, options.deps);
  registerReplicateShortcut(app, options.deps);
  return { app, requestListener: receiver.requestListener };
}
