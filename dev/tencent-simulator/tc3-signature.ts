import { createHash, createHmac, timingSafeEqual } from "node:crypto";

/**
 * TC3-HMAC-SHA256, as Tencent Cloud API 3.0 defines it (Tencent Cloud API 3.0 signature v3 reference):
 * canonical request = method, path, query, canonical headers, signed header names, hex sha256(body);
 * string to sign = algorithm, timestamp, scope `<UTC date>/<service>/tc3_request`, hex sha256(canonical);
 * key = HMAC chain "TC3"+secretKey → date → service → "tc3_request".
 */
export const TC3_ALGORITHM = "TC3-HMAC-SHA256";

export interface Tc3Authorization {
  secretId: string;
  /** the date in the credential scope, as the client wrote it */
  date: string;
  /** the service in the credential scope: the SDK uses the first label of the endpoint host */
  service: string;
  signedHeaders: string[];
  signature: string;
}

export interface Tc3SigningInput {
  secretKey: string;
  /** unix seconds, as sent in `X-TC-Timestamp` */
  timestamp: number;
  service: string;
  method: string;
  /** the request path, `/` for API 3.0 */
  path: string;
  /** the query string without `?` (empty for POST) */
  query: string;
  /** lower-case header name → value; `host` must be the hostname without port */
  headers: Readonly<Record<string, string>>;
  signedHeaders: readonly string[];
  body: Buffer | string;
}

/** Parses `TC3-HMAC-SHA256 Credential=<id>/<date>/<service>/tc3_request, SignedHeaders=a;b, Signature=<hex>`. */
export function parseTc3Authorization(header: string): Tc3Authorization | undefined {
  const match =
    /^TC3-HMAC-SHA256\s+Credential=([^/\s,]+)\/(\d{4}-\d{2}-\d{2})\/([^/\s,]+)\/tc3_request\s*,\s*SignedHeaders=([a-z0-9;-]+)\s*,\s*Signature=([0-9a-f]{64})\s*$/i.exec(
      header.trim(),
    );
  if (!match) {
    return undefined;
  }
  const [, secretId, date, service, signedHeaders, signature] = match;
  if (!secretId || !date || !service || !signedHeaders || !signature) {
    return undefined;
  }
  return {
    secretId,
    date,
    service,
    signedHeaders: signedHeaders.toLowerCase().split(";"),
    signature: signature.toLowerCase(),
  };
}

/** The UTC day of a unix timestamp, `YYYY-MM-DD`: the date of the credential scope. */
export function tc3Date(timestamp: number): string {
  return new Date(timestamp * 1000).toISOString().slice(0, 10);
}

export function computeTc3Signature(input: Tc3SigningInput): string {
  const canonicalHeaders = input.signedHeaders
    .map((name) => `${name}:${(input.headers[name] ?? "").trim().toLowerCase()}\n`)
    .join("");
  const canonicalRequest = [
    input.method.toUpperCase(),
    input.path,
    input.query,
    canonicalHeaders,
    input.signedHeaders.join(";"),
    sha256Hex(input.body),
  ].join("\n");
  const date = tc3Date(input.timestamp);
  const scope = `${date}/${input.service}/tc3_request`;
  const stringToSign = [TC3_ALGORITHM, String(input.timestamp), scope, sha256Hex(canonicalRequest)].join(
    "\n",
  );
  const secretDate = hmac(`TC3${input.secretKey}`, date);
  const secretService = hmac(secretDate, input.service);
  const secretSigning = hmac(secretService, "tc3_request");
  return createHmac("sha256", secretSigning).update(stringToSign).digest("hex");
}

/** Constant-time comparison of two hex signatures. */
export function signaturesMatch(expected: string, actual: string): boolean {
  const a = Buffer.from(expected, "utf8");
  const b = Buffer.from(actual, "utf8");
  return a.length === b.length && timingSafeEqual(a, b);
}

export interface SignedRequestInput {
  secretId: string;
  secretKey: string;
  /** unix seconds; defaults to now */
  timestamp?: number;
  /** the service in the credential scope; the SDK would use the first host label */
  service: string;
  /** `host` of the URL the request goes to; the port is left out of the signature */
  host: string;
  action: string;
  version: string;
  region?: string;
  token?: string;
  body: string;
}

/**
 * Builds the headers of a signed POST request, for tools and tests that talk to the simulator
 * without the SDK (e.g. to send an old timestamp). Mirrors what the SDK sends.
 */
export function buildSignedHeaders(input: SignedRequestInput): Record<string, string> {
  const timestamp = input.timestamp ?? Math.floor(Date.now() / 1000);
  const contentType = "application/json";
  const hostname = new URL(`http://${input.host}`).hostname;
  const signedHeaders = ["content-type", "host"];
  const signature = computeTc3Signature({
    secretKey: input.secretKey,
    timestamp,
    service: input.service,
    method: "POST",
    path: "/",
    query: "",
    headers: { "content-type": contentType, host: hostname },
    signedHeaders,
    body: input.body,
  });
  const headers: Record<string, string> = {
    "Content-Type": contentType,
    Host: input.host,
    "X-TC-Action": input.action,
    "X-TC-Version": input.version,
    "X-TC-Timestamp": String(timestamp),
    Authorization: `${TC3_ALGORITHM} Credential=${input.secretId}/${tc3Date(timestamp)}/${input.service}/tc3_request, SignedHeaders=${signedHeaders.join(";")}, Signature=${signature}`,
  };
  if (input.region !== undefined) {
    headers["X-TC-Region"] = input.region;
  }
  if (input.token !== undefined) {
    headers["X-TC-Token"] = input.token;
  }
  return headers;
}

function sha256Hex(data: Buffer | string): string {
  return createHash("sha256").update(data).digest("hex");
}

function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac("sha256", key).update(data).digest();
}
