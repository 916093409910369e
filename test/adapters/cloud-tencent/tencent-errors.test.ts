import { describe, expect, it } from "vitest";
import { isRateLimitCode, toCloudError } from "../../../src/adapters/cloud-tencent/tencent-errors.js";

describe("Tencent errors → transient or permanent", () => {
  it.each([
    [{ code: "InternalError", message: "x", requestId: "r1" }, "InternalError", true],
    [{ code: "InternalError.CallCbsError", message: "x" }, "InternalError.CallCbsError", true],
    [{ code: "RequestLimitExceeded", message: "x" }, "RequestLimitExceeded", true],
    [
      { code: "ResourceUnavailable.SnapshotCreating", message: "x" },
      "ResourceUnavailable.SnapshotCreating",
      true,
    ],
    [{ code: "ResourceBusy", message: "x" }, "ResourceBusy", true],
    [{ httpCode: 502, message: "Bad Gateway" }, "cloud.http_502", true],
    [{ httpCode: 429, message: "Too Many" }, "cloud.http_429", true],
    [{ httpCode: 403, message: "Forbidden" }, "cloud.http_403", false],
    [new Error("socket hang up"), "cloud.network", true],
    [{ message: "network error: ETIMEDOUT" }, "cloud.network", true],
    [{ code: "InvalidSnapshotId.NotFound", message: "x" }, "InvalidSnapshotId.NotFound", false],
    [{ code: "UnauthorizedOperation", message: "x" }, "UnauthorizedOperation", false],
    [
      { code: "UnsupportedOperation.NotInWhitelist", message: "x" },
      "UnsupportedOperation.NotInWhitelist",
      false,
    ],
    [{ code: "InvalidParameterValue", message: "x" }, "InvalidParameterValue", false],
    [{ code: "AuthFailure.SecretIdNotFound", message: "x" }, "AuthFailure.SecretIdNotFound", false],
  ])("%o → %s (retryable: %s)", (raw, code, retryable) => {
    const err = toCloudError(raw, "CopySnapshotCrossAccount");
    expect(err.code).toBe(code);
    expect(err.retryable).toBe(retryable);
  });

  it("keeps the Tencent request id for the thread", () => {
    expect(
      toCloudError({ code: "UnauthorizedOperation", message: "no", requestId: "req-1" }, "A").requestId,
    ).toBe("req-1");
  });

  it("knows which refusals mean the call never ran", () => {
    expect(isRateLimitCode("RequestLimitExceeded")).toBe(true);
    expect(isRateLimitCode("RequestLimitExceeded.UinLimitExceeded")).toBe(true);
    expect(isRateLimitCode("InternalError")).toBe(false);
  });
});
