import { createHmac } from "node:crypto";

/** Slack's v0 request signature: `"v0=" + hex(HMAC-SHA256(secret, "v0:" + ts + ":" + rawBody))`. */
export function signSlackRequest(signingSecret: string, timestampSec: number, rawBody: string): string {
  const digest = createHmac("sha256", signingSecret).update(`v0:${timestampSec}:${rawBody}`).digest("hex");
  return `v0=${digest}`;
}
