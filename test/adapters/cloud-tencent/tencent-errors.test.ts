import { describe, expect, it } from "vitest";
import {
  categorizeCode,
  isRateLimitCode,
  reasonForCode,
  toCloudError,
} from "../../../src/adapters/cloud-tencent/tencent-errors.js";
import type { CloudErrorCategory, CloudErrorReason } from "../../../src/core/ports/cloud-api.port.js";

describe("Tencent error codes → category and reason", () => {
  it.each<[string, CloudErrorCategory, CloudErrorReason]>([
    ["RequestLimitExceeded", "throttled", "other"],
    ["RequestLimitExceeded.UinLimitExceeded", "throttled", "other"],
    ["LimitExceeded.RequestLimitExceeded", "throttled", "other"],
    ["InternalError", "maybe_sent", "other"],
    ["InternalError.CallCbsError", "maybe_sent", "other"],
    ["ResourceUnavailable.SnapshotCreating", "unavailable", "other"],
    ["ResourceBusy", "unavailable", "other"],
    ["ServiceUnavailable", "unavailable", "other"],
    ["AuthFailure.SecretIdNotFound", "permanent", "credentials_refused"],
    ["AuthFailure.SignatureFailure", "permanent", "credentials_refused"],
    ["AuthFailure.TokenFailure", "permanent", "credentials_refused"],
    ["AuthFailure.UnauthorizedOperation", "permanent", "access_denied"],
    ["UnauthorizedOperation", "permanent", "access_denied"],
    ["UnauthorizedOperation.NotCollaborator", "permanent", "access_denied"],
    ["OperationDenied", "permanent", "access_denied"],
    ["UnsupportedOperation.NotInWhitelist", "permanent", "not_allow_listed"],
    ["FailedOperation.NotInWhitelist", "permanent", "not_allow_listed"],
    ["InvalidSnapshotId.NotFound", "permanent", "not_found"],
    ["InvalidAutoSnapshotPolicyId.NotFound", "permanent", "not_found"],
    ["ResourceNotFound.UserNotExist", "permanent", "not_found"],
    ["ResourceNotFound.PolicyIdNotFound", "permanent", "not_found"],
    ["ResourceNotFound.RoleNotFound", "permanent", "not_found"],
    ["UnsupportedOperation.StateError", "permanent", "invalid_state"],
    ["InvalidSnapshot.NotNormal", "permanent", "invalid_state"],
    ["ResourceInUse", "permanent", "invalid_state"],
    ["UnsupportedOperation.DiskEncrypt", "permanent", "unsupported"],
    ["InvalidSnapshot.NotSupported", "permanent", "unsupported"],
    ["InvalidParameter", "permanent", "invalid_request"],
    ["InvalidParameter.ParamError", "permanent", "invalid_request"],
    ["InvalidParameterValue.LimitExceeded", "permanent", "invalid_request"],
    ["MissingParameter", "permanent", "invalid_request"],
    ["UnknownParameter", "permanent", "invalid_request"],
    ["InvalidAction", "permanent", "invalid_request"],
    ["InvalidSnapshotId.Malformed", "permanent", "invalid_request"],
    ["LimitExceeded", "permanent", "quota_exceeded"],
    ["LimitExceeded.SnapshotQuotaExceeded", "permanent", "quota_exceeded"],
    ["ResourceInsufficient", "permanent", "quota_exceeded"],
    ["cloud.unexpected_response", "permanent", "unexpected_response"],
    ["FailedOperation", "permanent", "other"],
    ["SomethingNew.NeverSeen", "permanent", "other"],
  ])("%s → %s, %s", (code, category, reason) => {
    expect(categorizeCode(code)).toBe(category);
    expect(reasonForCode(code)).toBe(reason);
  });
});

describe("whatever the SDK threw → CloudError", () => {
  it.each<[unknown, string, CloudErrorCategory, CloudErrorReason]>([
    [{ code: "InternalError", message: "x", requestId: "r1" }, "InternalError", "maybe_sent", "other"],
    [{ code: "RequestLimitExceeded", message: "x" }, "RequestLimitExceeded", "throttled", "other"],
    [
      { code: "InvalidSnapshotId.NotFound", message: "x" },
      "InvalidSnapshotId.NotFound",
      "permanent",
      "not_found",
    ],
    [
      { code: "UnsupportedOperation.NotInWhitelist", message: "x" },
      "UnsupportedOperation.NotInWhitelist",
      "permanent",
      "not_allow_listed",
    ],
    [{ httpCode: 502, message: "Bad Gateway" }, "cloud.http_502", "maybe_sent", "other"],
    [{ httpCode: 429, message: "Too Many" }, "cloud.http_429", "throttled", "other"],
    [{ httpCode: 403, message: "Forbidden" }, "cloud.http_403", "permanent", "other"],
    [new Error("socket hang up"), "cloud.network", "maybe_sent", "other"],
    [{ message: "network error: ETIMEDOUT" }, "cloud.network", "maybe_sent", "other"],
  ])("%o → %s (%s, %s)", (raw, code, category, reason) => {
    const err = toCloudError(raw, "CopySnapshotCrossAccount");
    expect(err).toMatchObject({ code, category, reason });
    expect(err.retryable).toBe(category !== "permanent");
  });

  it("keeps the Tencent request id, and the message without the code glued in", () => {
    const err = toCloudError(
      { code: "UnauthorizedOperation", message: "not allowed", requestId: "req-1" },
      "A",
    );
    expect(err).toMatchObject({ requestId: "req-1", message: "not allowed", code: "UnauthorizedOperation" });
    expect(err.classification).toEqual({ category: "permanent", reason: "access_denied" });
  });

  it("knows which refusals mean the call never ran", () => {
    expect(isRateLimitCode("RequestLimitExceeded")).toBe(true);
    expect(isRateLimitCode("RequestLimitExceeded.UinLimitExceeded")).toBe(true);
    expect(isRateLimitCode("InternalError")).toBe(false);
  });
});
