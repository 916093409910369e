import { randomUUID } from "node:crypto";
import type { IncomingHttpHeaders, IncomingMessage, RequestListener, ServerResponse } from "node:http";
import type { ActionHandler } from "./action.types.js";
import { ApiError, ErrorCodes } from "./api-error.js";
import { CAM_ACTIONS, CAM_VERSION } from "./cam.actions.js";
import { CBS_ACTIONS, CBS_VERSION } from "./cbs.actions.js";
import type { SlidingWindowRateLimiter } from "./rate-limiter.js";
import type { FaultSpec, RecordedCall, ServiceName } from "./simulator.types.js";
import type { SimulatorWorld } from "./simulator.world.js";
import { STS_ACTIONS, STS_VERSION } from "./sts.actions.js";
import { computeTc3Signature, parseTc3Authorization, signaturesMatch, tc3Date } from "./tc3-signature.js";
import { REGION_PATTERN } from "./world-rules.js";

const MAX_BODY_BYTES = 1024 * 1024;
const TIMESTAMP_WINDOW_SECONDS = 5 * 60;
const ADMIN_PREFIX = "/__sim/";
const RECENT_CALLS_IN_ADMIN_VIEW = 100;

interface Route {
  service: ServiceName;
  actions: Readonly<Record<string, ActionHandler>>;
  needsRegion: boolean;
}

/** Routed by `X-TC-Version`, then `X-TC-Action`. */
const ROUTES: Readonly<Record<string, Route>> = {
  [CBS_VERSION]: { service: "cbs", actions: CBS_ACTIONS, needsRegion: true },
  [CAM_VERSION]: { service: "cam", actions: CAM_ACTIONS, needsRegion: false },
  [STS_VERSION]: { service: "sts", actions: STS_ACTIONS, needsRegion: true },
};

export interface ServerContext {
  world: SimulatorWorld;
  calls: RecordedCall[];
  limiter: SlidingWindowRateLimiter;
  /** delayed answers (setLatency) still pending; cleared on close */
  timers: Set<NodeJS.Timeout>;
}

type Answer =
  | { kind: "success"; fields: Record<string, unknown> }
  | { kind: "error"; code: string; message: string }
  | { kind: "http"; status: number; code: string; message: string };

export function createRequestListener(context: ServerContext): RequestListener {
  return (req, res) => {
    handleRequest(context, req, res).catch((error: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { "Content-Type": "text/plain" });
      }
      res.end(`simulator failure: ${error instanceof Error ? error.message : String(error)}`);
    });
  };
}

async function handleRequest(
  context: ServerContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? "/", "http://simulator");
  if (url.pathname.startsWith(ADMIN_PREFIX)) {
    handleAdmin(context, req, res, url.pathname);
    return;
  }
  const { body, tooLarge } = await readBody(req);
  const requestId = randomUUID();
  const action = headerValue(req.headers, "x-tc-action") ?? "";
  const version = headerValue(req.headers, "x-tc-version") ?? "";
  const region = headerValue(req.headers, "x-tc-region") || undefined;
  const route = ROUTES[version];
  const params = parseJsonObject(body);
  const call: RecordedCall = {
    action,
    version,
    ...(route ? { service: route.service } : {}),
    ...(region ? { region } : {}),
    params: params ?? {},
    at: context.world.now(),
    requestId,
  };
  context.calls.push(call);

  const answer = await answerCall(context, { req, url, body, tooLarge, action, route, region, params, call });
  if (answer.kind !== "success") {
    call.errorCode = answer.code;
  }
  writeAnswer(res, answer, requestId, headerValue(req.headers, "x-tc-traceid"));
}

interface CallInput {
  req: IncomingMessage;
  url: URL;
  body: Buffer;
  tooLarge: boolean;
  action: string;
  route: Route | undefined;
  region: string | undefined;
  params: Record<string, unknown> | undefined;
  call: RecordedCall;
}

/**
 * The order of checks: protocol, size, required headers, authentication, version and action,
 * region, JSON body, rate limit, latency, injected fault, then the action itself.
 */
async function answerCall(context: ServerContext, input: CallInput): Promise<Answer> {
  const { world } = context;
  try {
    if (input.req.method !== "POST" || input.url.pathname !== "/") {
      throw new ApiError(
        ErrorCodes.unsupportedProtocol,
        "The simulator accepts POST / with a JSON body (TC3-HMAC-SHA256) only.",
      );
    }
    if (input.tooLarge) {
      throw new ApiError(
        ErrorCodes.requestSizeLimitExceeded,
        `The request body exceeds ${MAX_BODY_BYTES} bytes.`,
      );
    }
    if (!input.action) {
      throw new ApiError(ErrorCodes.missingParameter, "The request is missing the header `X-TC-Action`.");
    }
    const caller = authenticate(world, input.req, input.url, input.body);
    input.call.accountUin = caller.uin;
    if (caller.roleArn) {
      input.call.roleArn = caller.roleArn;
    }
    if (!input.route) {
      throw new ApiError(
        ErrorCodes.noSuchVersion,
        `The API version \`${input.call.version}\` is not served: CBS ${CBS_VERSION}, CAM ${CAM_VERSION}, STS ${STS_VERSION}.`,
      );
    }
    const handler = input.route.actions[input.action];
    if (!handler) {
      throw new ApiError(
        ErrorCodes.invalidAction,
        `The action \`${input.action}\` does not exist in ${input.route.service.toUpperCase()} version ${input.call.version}.`,
      );
    }
    if (input.route.needsRegion) {
      if (!input.region) {
        throw new ApiError(
          ErrorCodes.missingParameter,
          "The request is missing a required parameter `Region` (header X-TC-Region).",
        );
      }
      if (!REGION_PATTERN.test(input.region)) {
        throw new ApiError(ErrorCodes.unsupportedRegion, `The region \`${input.region}\` is not supported.`);
      }
    }
    if (!input.params) {
      throw new ApiError(ErrorCodes.invalidParameter, "The request body must be a JSON object.");
    }
    if (!context.limiter.tryAcquire(caller.uin, input.action)) {
      throw new ApiError(
        ErrorCodes.requestLimitExceeded,
        `Too many ${input.action} requests from account ${caller.uin} in the last second; slow down and retry.`,
      );
    }
    const latency = world.faults.latencyFor(input.action);
    if (latency > 0) {
      await delay(latency, context.timers);
    }
    if (world.firePoliciesOnSchedule) {
      world.runSchedules();
    }
    const fault = world.faults.take(input.action);
    const actionContext = { world, callerUin: caller.uin, region: input.region ?? "", params: input.params };
    if (fault) {
      if (fault.applied) {
        runIgnoringApiErrors(handler, actionContext);
      }
      return faultAnswer(fault);
    }
    return { kind: "success", fields: handler(actionContext) };
  } catch (error) {
    if (error instanceof ApiError) {
      return { kind: "error", code: error.code, message: error.message };
    }
    const message = error instanceof Error ? error.message : String(error);
    return { kind: "error", code: ErrorCodes.internalError, message: `Simulator internal error: ${message}` };
  }
}

/**
 * TC3-HMAC-SHA256 verification. The service is the one in the credential scope (the SDK signs with
 * the first label of the endpoint host, "127" for 127.0.0.1); the host is signed without its port.
 * The timestamp window is checked against the wall clock, like the SDK's timestamp.
 * Temporary credentials need the matching `X-TC-Token` and must not have expired (cloud clock):
 * both failures answer `AuthFailure.TokenFailure`.
 */
function authenticate(
  world: SimulatorWorld,
  req: IncomingMessage,
  url: URL,
  body: Buffer,
): { uin: string; roleArn?: string } {
  const header = headerValue(req.headers, "authorization");
  const authorization = header ? parseTc3Authorization(header) : undefined;
  if (!authorization) {
    throw new ApiError(
      ErrorCodes.authInvalid,
      "The Authorization header is missing or is not `TC3-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…`.",
    );
  }
  if (
    !authorization.signedHeaders.includes("content-type") ||
    !authorization.signedHeaders.includes("host")
  ) {
    throw new ApiError(ErrorCodes.authInvalid, "SignedHeaders must include content-type and host.");
  }
  const timestampText = headerValue(req.headers, "x-tc-timestamp");
  if (!timestampText) {
    throw new ApiError(ErrorCodes.missingParameter, "The request is missing the header `X-TC-Timestamp`.");
  }
  const timestamp = Number(timestampText);
  if (!Number.isInteger(timestamp)) {
    throw new ApiError(ErrorCodes.invalidParameter, "`X-TC-Timestamp` must be a unix time in seconds.");
  }
  const nowSeconds = Math.floor(Date.now() / 1000);
  if (Math.abs(nowSeconds - timestamp) > TIMESTAMP_WINDOW_SECONDS) {
    throw new ApiError(
      ErrorCodes.signatureExpire,
      `The request timestamp ${timestamp} is more than 5 minutes away from the server time ${nowSeconds}; check the clock.`,
    );
  }
  const credential = world.accounts.resolveCredential(authorization.secretId);
  if (!credential) {
    throw new ApiError(ErrorCodes.secretIdNotFound, `The SecretId ${authorization.secretId} does not exist.`);
  }
  const signingHeaders: Record<string, string> = {};
  for (const name of authorization.signedHeaders) {
    signingHeaders[name] = headerValue(req.headers, name) ?? "";
  }
  signingHeaders.host = hostnameOf(headerValue(req.headers, "host") ?? "");
  const expected = computeTc3Signature({
    secretKey: credential.secretKey,
    timestamp,
    service: authorization.service,
    method: req.method ?? "POST",
    path: url.pathname,
    query: url.search.slice(1),
    headers: signingHeaders,
    signedHeaders: authorization.signedHeaders,
    body,
  });
  if (authorization.date !== tc3Date(timestamp) || !signaturesMatch(expected, authorization.signature)) {
    throw new ApiError(
      ErrorCodes.signatureFailure,
      "The request signature does not match; check the SecretKey and the signing steps.",
    );
  }
  if (credential.kind === "permanent") {
    return { uin: credential.uin };
  }
  const token = headerValue(req.headers, "x-tc-token");
  if (token !== credential.token) {
    throw new ApiError(
      ErrorCodes.tokenFailure,
      token
        ? "The X-TC-Token does not belong to these temporary credentials."
        : "Temporary credentials need their token in the X-TC-Token header.",
    );
  }
  if (world.now() >= credential.expiresAtMs) {
    throw new ApiError(
      ErrorCodes.tokenFailure,
      `The temporary credentials expired at ${new Date(credential.expiresAtMs).toISOString()}; assume the role again.`,
    );
  }
  return { uin: credential.uin, roleArn: credential.roleArn };
}

function handleAdmin(
  context: ServerContext,
  req: IncomingMessage,
  res: ServerResponse,
  pathname: string,
): void {
  if (pathname !== "/__sim/state") {
    writeJson(res, 404, { error: `unknown admin path ${pathname}; try GET /__sim/state` });
    return;
  }
  if (req.method !== "GET") {
    writeJson(res, 405, { error: "use GET" });
    return;
  }
  writeJson(res, 200, {
    ...context.world.adminView(),
    totalCalls: context.calls.length,
    recentCalls: context.calls.slice(-RECENT_CALLS_IN_ADMIN_VIEW),
  });
}

function faultAnswer(fault: FaultSpec): Answer {
  const message = fault.message ?? `Injected fault: ${fault.code}`;
  return fault.httpStatus
    ? { kind: "http", status: fault.httpStatus, code: fault.code, message }
    : { kind: "error", code: fault.code, message };
}

function runIgnoringApiErrors(handler: ActionHandler, context: Parameters<ActionHandler>[0]): void {
  try {
    handler(context);
  } catch (error) {
    if (!(error instanceof ApiError)) {
      throw error;
    }
  }
}

function writeAnswer(
  res: ServerResponse,
  answer: Answer,
  requestId: string,
  traceId: string | undefined,
): void {
  const extraHeaders: Record<string, string> = traceId ? { "X-TC-TraceId": traceId } : {};
  if (answer.kind === "http") {
    res.writeHead(answer.status, { "Content-Type": "text/plain", ...extraHeaders });
    res.end(`${answer.code}: ${answer.message}`);
    return;
  }
  const response =
    answer.kind === "success"
      ? { ...answer.fields, RequestId: requestId }
      : { Error: { Code: answer.code, Message: answer.message }, RequestId: requestId };
  writeJson(res, 200, { Response: response }, extraHeaders);
}

function writeJson(
  res: ServerResponse,
  status: number,
  payload: unknown,
  extraHeaders: Record<string, string> = {},
): void {
  const text = JSON.stringify(payload);
  res.writeHead(status, {
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(text),
    ...extraHeaders,
  });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<{ body: Buffer; tooLarge: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size <= MAX_BODY_BYTES) {
      chunks.push(buffer);
    }
  }
  return { body: Buffer.concat(chunks), tooLarge: size > MAX_BODY_BYTES };
}

function parseJsonObject(body: Buffer): Record<string, unknown> | undefined {
  if (body.length === 0) {
    return {};
  }
  try {
    const value: unknown = JSON.parse(body.toString("utf8"));
    return value !== null && typeof value === "object" && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(",") : value;
}

function hostnameOf(host: string): string {
  try {
    return new URL(`http://${host}`).hostname;
  } catch {
    return host;
  }
}

function delay(ms: number, timers: Set<NodeJS.Timeout>): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      resolve();
    }, ms);
    timers.add(timer);
  });
}
