import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import { checkInboundRequest, verifySlackSignature } from "../adapters/chat-slack/inbound-request.js";
import type { DeliveryGuard } from "../core/ports/delivery-guard.port.js";
import type { Logger } from "../core/ports/logger.port.js";
import { inSlackRequest } from "./request-scope.js";

export interface SlackHttpGateOptions {
  signingSecret: string;
  /** Bolt's HTTPReceiver listener: it gets the request only after every check here passed. */
  inner: RequestListener;
  /** Lets through one delivery per user action (Slack's retries, a replayed body). */
  deliveryGuard?: DeliveryGuard;
  logger: Logger;
  /** @defaultValue Date.now */
  now?: () => number;
  /** Largest body read; more is 413. @defaultValue 1 MiB (Slack's payloads are far smaller) */
  bodyLimit?: number;
}

/**
 * POST /slack/events, in front of Bolt (docs/decisions/018): reads the raw body, refuses it unless
 * signed within 5 minutes either side of now (401), refuses a shape the listeners cannot read
 * (400), acks a repeated delivery of one user action with an empty 200, and only then hands the
 * request, its body already read, to Bolt. Nothing thrown here or in Bolt leaves the listener.
 */
export function createSlackHttpGate(options: SlackHttpGateOptions): RequestListener {
  const { logger } = options;
  const now = options.now ?? Date.now;
  const limit = options.bodyLimit ?? 1024 * 1024;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const raw = await readBody(req, limit);
    if (raw === "too_large") return answer(res, 413, "request body too large");
    const signed = verifySlackSignature(
      options.signingSecret,
      {
        signature: req.headers["x-slack-signature"],
        timestamp: req.headers["x-slack-request-timestamp"],
      },
      raw,
      now(),
    );
    const checked = checkInboundRequest(req.headers["content-type"], raw.toString("utf8"));
    // ssl_check is unsigned by design; Bolt strips it down to the check itself.
    if (!signed.ok && checked.verdict !== "protocol") {
      logger.warn({ reason: signed.reason }, "slack: request refused (not signed now)");
      return answer(res, 401, "");
    }
    if (checked.verdict === "refuse") {
      logger.warn({ reason: checked.reason }, "slack: malformed request refused; nothing done");
      return answer(res, 400, "");
    }
    if (checked.verdict === "ignore") {
      logger.info({ reason: checked.reason }, "slack: request acked and ignored");
      return answer(res, 200, "");
    }
    if (checked.verdict === "dispatch" && options.deliveryGuard) {
      const retryNum = req.headers["x-slack-retry-num"];
      const first = await options.deliveryGuard
        .claimFirstDelivery(checked.deliveryKey)
        .catch((err: unknown) => {
          // Without Redis the delivery goes through: a lost command is worse than a rare double.
          logger.warn({ err }, "slack: delivery guard unavailable");
          return true;
        });
      if (!first) {
        logger.info({ kind: checked.kind, retryNum }, "slack: repeated delivery acked and ignored");
        return answer(res, 200, "");
      }
    }
    // Bolt reads `rawBody` when it is set instead of the (consumed) stream.
    (req as IncomingMessage & { rawBody?: Buffer }).rawBody = raw;
    const kind = checked.verdict === "dispatch" ? checked.kind : "protocol";
    inSlackRequest({ transport: "http", kind }, () => options.inner(req, res));
  };

  return (req, res) => {
    inSlackRequest({ transport: "http" }, () =>
      handle(req, res).catch((err: unknown) => {
        logger.error({ err }, "slack: request failed before reaching the app");
        if (!res.headersSent) answer(res, 400, "");
        else if (!res.writableEnded) res.end();
      }),
    );
  };
}

function answer(res: ServerResponse, status: number, body: string): void {
  if (res.headersSent) return;
  res.writeHead(status, { "content-type": "text/plain" });
  res.end(body);
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | "too_large"> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) over = true;
      else if (!over) chunks.push(chunk);
    });
    req.on("end", () => resolve(over ? "too_large" : Buffer.concat(chunks)));
    req.on("error", reject);
  });
}
