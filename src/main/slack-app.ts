import type { RequestListener } from "node:http";
import {
  type AckFn,
  App,
  HTTPReceiver,
  type Receiver,
  type ReceiverEvent,
  SocketModeReceiver,
} from "@slack/bolt";
import type { Logger as SlackLogger } from "@slack/logger";
import { registerAppHome } from "../adapters/chat-slack/app-home.event.js";
import type { AppHomePublisher } from "../adapters/chat-slack/app-home.publisher.js";
import { registerAskAgainAction } from "../adapters/chat-slack/ask-again.action.js";
import { registerDecisionActions } from "../adapters/chat-slack/decision.action.js";
import { checkPayloadBody } from "../adapters/chat-slack/inbound-request.js";
import { registerReaderLocale } from "../adapters/chat-slack/reader-locale.middleware.js";
import { registerRecheckAction } from "../adapters/chat-slack/recheck.action.js";
import { registerRejectReasonView } from "../adapters/chat-slack/reject-reason.view.js";
import { registerReplicateShortcut } from "../adapters/chat-slack/shortcut.replicate.js";
import { registerSnapshotCommand } from "../adapters/chat-slack/snapshot.command.js";
import type { FlowDeps } from "../app/flow-deps.js";
import type { DeliveryGuard } from "../core/ports/delivery-guard.port.js";
import type { RequestRateLimiter } from "../core/ports/request-rate-limit.port.js";
import { inSlackRequest } from "./request-scope.js";
import { createSlackHttpGate } from "./slack-http-gate.js";

export interface SlackAppOptions {
  botToken: string;
  /** HTTP mode: the secret Slack signs every request with. */
  signingSecret?: string;
  /** Socket Mode: the app-level token (`xapp-…`); set, the app connects out instead of serving HTTP. */
  appToken?: string;
  apiUrl: string;
  deps: FlowDeps;
  /** Publishes Home tabs: on app_home_opened, and answers clicks made in the Home. */
  home?: AppHomePublisher;
  slackLogger: SlackLogger;
  retries?: number;
  /** The Web API clients' fetch (metrics). @defaultValue globalThis.fetch */
  fetch?: typeof fetch;
  /**
   * Lets through one delivery per user action: Slack re-sends un-acked envelopes (Socket Mode)
   * and retries HTTP deliveries, and a signed body can be replayed within its 5 minutes.
   */
  deliveryGuard?: DeliveryGuard;
  /** Per-user limit on the requests that create cards (replicate, check, auto, the shortcut). */
  requestRateLimiter?: RequestRateLimiter;
  /** HTTP mode: the clock the signature window is checked against (tests). @defaultValue Date.now */
  now?: () => number;
  /** Socket Mode: the client's pong timeout; also its first reconnect delay. @defaultValue 5000 */
  socketPingTimeoutMs?: number;
}

/** Socket Mode's connection to Slack. */
export interface SlackSocket {
  /** True between Slack's `hello` and the connection's end (false while reconnecting). */
  isConnected(): boolean;
  /** Opens the connection; resolves on `hello`. After that the client reconnects by itself. */
  start(): Promise<void>;
  /** Closes the connection and stops reconnecting. */
  stop(): Promise<void>;
}

export interface SlackApp {
  app: App;
  /**
   * HTTP mode: handles `POST /slack/events` (the gate's checks of slack-http-gate.ts, then Bolt's
   * ack and dispatch); mounted on the ops server.
   */
  requestListener?: RequestListener;
  /** Socket Mode: the WebSocket connection the app receives everything through. */
  socket?: SlackSocket;
}

/**
 * The Bolt app, in HTTP mode or (with an app-level token) in Socket Mode. In HTTP mode Bolt never
 * listens itself: its receiver's request listener is mounted on the one server of the process
 * (ops-server.ts), so the ops endpoints do not depend on it. In Socket Mode nothing listens for
 * Slack; the ops server keeps its other endpoints. The listeners are the same in both modes.
 */
export function createSlackApp(options: SlackAppOptions): SlackApp {
  const socket = options.appToken ? new GuardedSocketReceiver(options, options.appToken) : undefined;
  const http = socket
    ? undefined
    : new HTTPReceiver({
        signingSecret: options.signingSecret ?? "",
        endpoints: "/slack/events",
        logger: options.slackLogger,
        // A listener's error after the gate's checks is a bug: logged with its stack, answered 500
        // only if nothing was acked yet (the user then sees Slack's own failure notice).
        processEventErrorHandler: async ({ error, response }) => {
          options.deps.logger.error({ err: error }, "slack: event processing failed");
          if (!response.headersSent) {
            response.writeHead(500);
            response.end();
          }
          return false;
        },
      });
  const receiver: Receiver = socket ?? (http as HTTPReceiver);
  // Without `deferInitialization`, the app is ready once constructed (it calls receiver.init).
  const app = new App({
    // Not `token`: with it Bolt calls auth.test once at construction and awaits that one answer in
    // every ack; a Slack blip then (429, 5xx) left acks waiting past 3 s and, once the call failed,
    // every command and click refused until a restart. The listeners need only the token: the one
    // event subscribed (app_home_opened) is no message event, so ignoreSelf needs no bot ids.
    authorize: async () => ({ botToken: options.botToken }),
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
  registerReaderLocale(app, options.deps.directory);
  registerSnapshotCommand(app, options.deps, options.requestRateLimiter);
  registerDecisionActions(app, options.deps, options.home);
  registerAppHome(app, options.deps, options.home);
  registerRecheckAction(app, options.deps);
  registerAskAgainAction(app, options.deps, options.requestRateLimiter);
  registerRejectReasonView(app, options.deps);
  registerReplicateShortcut(app, options.deps, options.requestRateLimiter);
  const requestListener = http
    ? createSlackHttpGate({
        signingSecret: options.signingSecret ?? "",
        inner: http.requestListener,
        logger: options.deps.logger,
        ...(options.deliveryGuard ? { deliveryGuard: options.deliveryGuard } : {}),
        ...(options.now ? { now: options.now } : {}),
      })
    : undefined;
  return {
    app,
    ...(requestListener ? { requestListener } : {}),
    ...(socket ? { socket } : {}),
  };
}

/**
 * Bolt's Socket Mode receiver with two guards in front of the app: a repeated delivery of one user
 * action (same trigger id, re-sent after a dropped connection) is acked and dropped, so one click
 * or command never acts twice; and an ack that cannot be sent (the socket closed meanwhile) is
 * logged instead of failing the listener, whose work (posting, deciding) goes on.
 */
class GuardedSocketReceiver implements Receiver, SlackSocket {
  private readonly inner: SocketModeReceiver;
  private connected = false;

  constructor(
    private readonly options: SlackAppOptions,
    appToken: string,
  ) {
    this.inner = new SocketModeReceiver({
      appToken,
      logger: options.slackLogger,
      ...(options.socketPingTimeoutMs !== undefined
        ? { clientPingTimeout: options.socketPingTimeoutMs }
        : {}),
      // apps.connections.open goes to the same Web API as everything else (SLACK_API_URL).
      installerOptions: { clientOptions: { slackApiUrl: options.apiUrl } },
      customPropertiesExtractor: (args: { envelope_id?: unknown }) => ({ envelopeId: args.envelope_id }),
    });
    const client = this.inner.client;
    client.on("connected", () => {
      this.connected = true;
    });
    for (const state of ["close", "disconnecting", "reconnecting", "disconnected"]) {
      client.on(state, () => {
        this.connected = false;
      });
    }
  }

  init(app: App): void {
    // Bolt's receiver only calls `processEvent` on what it is given: the guarded path below.
    const guarded = {
      processEvent: (event: ReceiverEvent) =>
        inSlackRequest({ transport: "socket" }, () => this.process(app, event)),
    };
    this.inner.init(guarded as unknown as App);
  }

  isConnected(): boolean {
    return this.connected;
  }

  async start(): Promise<void> {
    await this.inner.start();
  }

  async stop(): Promise<void> {
    await this.inner.client.disconnect();
  }

  private async process(app: App, event: ReceiverEvent): Promise<void> {
    const logger = this.options.deps.logger;
    const envelopeId = String(event.customProperties?.envelopeId ?? "");
    const ack: AckFn<unknown> = async (response) => {
      try {
        await event.ack(response);
      } catch (err) {
        logger.warn(
          { err, envelopeId },
          "socket mode: ack not sent (connection closed); Slack will send it again",
        );
      }
    };
    try {
      // The same shape checks as HTTP mode's gate: a payload the listeners cannot read is dropped.
      const checked = checkPayloadBody(event.body);
      if (checked.verdict !== "dispatch") {
        if (checked.verdict === "refuse")
          logger.warn({ envelopeId, reason: checked.reason }, "socket mode: malformed delivery dropped");
        await ack();
        return;
      }
      const key = deliveryKey(event.body) ?? (envelopeId || undefined);
      const guard = this.options.deliveryGuard;
      // Without Redis the delivery goes through: a lost command is worse than a rare double.
      const first =
        key === undefined || guard === undefined
          ? true
          : await guard.claimFirstDelivery(key).catch((err: unknown) => {
              logger.warn({ err, envelopeId }, "socket mode: delivery guard unavailable");
              return true;
            });
      if (!first) {
        logger.info(
          { envelopeId, retryNum: event.retryNum },
          "socket mode: repeated delivery acked and ignored",
        );
        await ack();
        return;
      }
      await app.processEvent({ ...event, ack });
    } catch (err) {
      logger.error({ err, envelopeId }, "socket mode: delivery failed");
      await ack();
    }
  }
}

/** The identity of one user action: its trigger id (the same in every delivery of it). */
function deliveryKey(body: Record<string, unknown>): string | undefined {
  const trigger = body.trigger_id;
  return typeof trigger === "string" && trigger !== "" ? `trigger:${trigger}` : undefined;
}
