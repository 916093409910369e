import {
  CloudError,
  type CloudErrorCategory,
  type CloudErrorReason,
} from "../../core/ports/cloud-api.port.js";

/** Tencent error codes worth trying again: the request may succeed later unchanged. */
const TRANSIENT_CODES = [
  "InternalError",
  "RequestLimitExceeded",
  "ResourceUnavailable",
  "ResourceBusy",
  "ServiceUnavailable",
  "LimitExceeded.RequestLimitExceeded",
];

export function isTransientCode(code: string): boolean {
  return TRANSIENT_CODES.some((c) => code === c || code.startsWith(`${c}.`));
}

/** Tencent refused the call for its rate limit: it did not run, so it may be sent again as is. */
export function isRateLimitCode(code: string): boolean {
  return (
    code === "RequestLimitExceeded" ||
    code.startsWith("RequestLimitExceeded.") ||
    code === "LimitExceeded.RequestLimitExceeded"
  );
}

const UNAVAILABLE_CODES = ["ResourceUnavailable", "ResourceBusy", "ServiceUnavailable"];

function hasCode(code: string, families: readonly string[]): boolean {
  return families.some((c) => code === c || code.startsWith(`${c}.`));
}

/** How a Tencent error code steers the caller (see CloudErrorCategory). */
export function categorizeCode(code: string): CloudErrorCategory {
  if (isRateLimitCode(code)) return "throttled";
  if (hasCode(code, ["InternalError"])) return "maybe_sent";
  if (hasCode(code, UNAVAILABLE_CODES)) return "unavailable";
  return "permanent";
}

/**
 * What a Tencent error code says went wrong (see CloudErrorReason). The first matching rule wins;
 * rate limits, internal errors and busy answers are `other`: their category says what to do.
 */
export function reasonForCode(code: string): CloudErrorReason {
  if (code === "cloud.unexpected_response") return "unexpected_response";
  // CAM's "authenticated, but not authorised" sits in the AuthFailure family.
  if (hasCode(code, ["UnauthorizedOperation", "OperationDenied", "AuthFailure.UnauthorizedOperation"]))
    return "access_denied";
  if (hasCode(code, ["AuthFailure"])) return "credentials_refused";
  if (code.includes("NotInWhitelist")) return "not_allow_listed";
  if (
    hasCode(code, ["ResourceNotFound"]) ||
    (code.endsWith(".NotFound") && !code.startsWith("UnsupportedOperation"))
  )
    return "not_found";
  if (hasCode(code, ["UnsupportedOperation", "InvalidSnapshot.NotSupported"]))
    return hasCode(code, ["UnsupportedOperation.StateError"]) ? "invalid_state" : "unsupported";
  if (hasCode(code, ["InvalidSnapshot", "ResourceInUse"])) return "invalid_state";
  if (hasCode(code, ["LimitExceeded", "ResourceInsufficient"]) && !isRateLimitCode(code))
    return "quota_exceeded";
  if (
    hasCode(code, [
      "InvalidParameter",
      "InvalidParameterValue",
      "MissingParameter",
      "UnknownParameter",
      "InvalidAction",
      "InvalidSnapshotId",
      "InvalidFilter",
    ])
  )
    return "invalid_request";
  return "other";
}

interface SdkErrorShape {
  code?: unknown;
  message?: unknown;
  requestId?: unknown;
  httpCode?: unknown;
}

/**
 * Turns whatever the SDK threw into a CloudError. The SDK's exception class is not exported at the
 * package root and may be loaded twice, so this reads fields instead of using instanceof.
 */
export function toCloudError(err: unknown, action: string): CloudError {
  if (err instanceof CloudError) return err;
  const e = (err && typeof err === "object" ? err : {}) as SdkErrorShape;
  const message = typeof e.message === "string" && e.message ? e.message : String(err);
  const requestId = typeof e.requestId === "string" && e.requestId ? e.requestId : undefined;
  const base = requestId === undefined ? {} : { requestId };
  if (typeof e.code === "string" && e.code) {
    return new CloudError({
      ...base,
      code: e.code,
      message,
      category: categorizeCode(e.code),
      reason: reasonForCode(e.code),
    });
  }
  if (typeof e.httpCode === "number") {
    return new CloudError({
      ...base,
      code: `cloud.http_${e.httpCode}`,
      message: `${action}: HTTP ${e.httpCode}: ${message}`,
      category: e.httpCode === 429 ? "throttled" : e.httpCode >= 500 ? "maybe_sent" : "permanent",
      reason: "other",
    });
  }
  // Timeouts, refused connections and resets carry no code: the cloud may not have seen the call.
  return new CloudError({
    ...base,
    code: "cloud.network",
    message: `${action}: ${message}`,
    category: "maybe_sent",
    reason: "other",
  });
}
