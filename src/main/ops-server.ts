import {
  createServer,
  type IncomingMessage,
  type RequestListener,
  type Server,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "../core/ports/logger.port.js";

export interface OpsServerOptions {
  port: number;
  /** True when the bot's dependencies answer (Redis); for GET /readyz. */
  isReady: () => Promise<boolean>;
  /** The Prometheus text for GET /metrics. */
  metrics: () => Promise<string>;
  /** Bolt's HTTP receiver, for POST /slack/events (app and all roles). Absent: 404 there. */
  slackEvents?: RequestListener;
  logger: Logger;
  /** Longest /readyz and /metrics wait for their answer (Redis down must not hang a probe). @defaultValue 1000 */
  answerWithinMs?: number;
}

export interface RunningOpsServer {
  server: Server;
  port: number;
  close(): Promise<void>;
}

/** Resolves with `fallback` when `work` takes longer than `ms` (the late answer is dropped). */
export function within<T>(work: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    work.catch(() => fallback),
    new Promise<T>((resolve) => {
      timer = setTimeout(() => resolve(fallback), ms);
      timer.unref();
    }),
  ]).finally(() => clearTimeout(timer));
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { "content-type": type });
  res.end(body);
}

/**
 * The one HTTP server of every role, on `PORT`: GET /healthz, /readyz and /metrics, and (app and
 * all roles, HTTP mode) Slack's POST /slack/events handed to Bolt. It does not depend on the Slack transport:
 * in Socket Mode the same server runs without `slackEvents`.
 */
export async function startOpsServer(options: OpsServerOptions): Promise<RunningOpsServer> {
  const wait = options.answerWithinMs ?? 1000;
  const route = (req: IncomingMessage, res: ServerResponse): void => {
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    const method = req.method ?? "GET";
    if (method === "POST" && path === "/slack/events" && options.slackEvents) {
      options.slackEvents(req, res);
    } else if (method !== "GET" && method !== "HEAD") {
      send(res, 404, "text/plain", "not found\n");
    } else if (path === "/healthz") {
      send(res, 200, "application/json", '{"ok":true}');
    } else if (path === "/readyz") {
      void within(options.isReady(), wait, false).then((ready) =>
        send(res, ready ? 200 : 503, "application/json", JSON.stringify({ ok: ready })),
      );
    } else if (path === "/metrics") {
      void within<string | undefined>(options.metrics(), wait * 2, undefined).then((text) =>
        text === undefined
          ? send(res, 503, "text/plain", "metrics unavailable\n")
          : send(res, 200, "text/plain; version=0.0.4", text),
      );
    } else {
      send(res, 404, "text/plain", "not found\n");
    }
  };
  const server = createServer((req, res) => {
    try {
      route(req, res);
    } catch (err) {
      options.logger.error({ err, url: req.url }, "ops server: request failed");
      if (!res.headersSent) send(res, 500, "text/plain", "internal error\n");
      else res.end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, () => {
      server.off("error", reject);
      resolve();
    });
  });
  server.on("error", (err) => options.logger.error({ err }, "ops server error"));
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
