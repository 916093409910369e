import { describe, expect, it } from "vitest";
import type { TencentCaller } from "../../../src/adapters/cloud-tencent/tencent-client.js";
import { TencentCloudAdapter } from "../../../src/adapters/cloud-tencent/tencent-cloud.adapter.js";
import { toCloudError } from "../../../src/adapters/cloud-tencent/tencent-errors.js";
import { CloudError } from "../../../src/core/ports/cloud-api.port.js";

/**
 * CopySnapshotCrossAccount's shape is assumed (docs/decisions/002): the adapter accepts either
 * plausible success answer and says so when Tencent refuses the request's shape.
 */
function adapterAnswering(answer: () => unknown): TencentCloudAdapter {
  const caller = { call: async () => answer() } as unknown as TencentCaller;
  return new TencentCloudAdapter({
    caller,
    sourceCredentials: { secretId: "AKIDsrc", secretKey: "k", accountUin: "100000000001" },
  });
}

const copy = {
  snapshotId: "snap-src00001",
  region: "ap-shanghai",
  targetAccountUin: "200000000002",
  newName: "dr-copy",
};

async function failureOf(call: () => Promise<unknown>): Promise<CloudError> {
  try {
    await call();
  } catch (err) {
    if (err instanceof CloudError) return err;
    throw err;
  }
  throw new Error("expected a CloudError");
}

describe("CopySnapshotCrossAccount answers", () => {
  it("accepts SnapshotCopyResultSet", async () => {
    const api = adapterAnswering(() => ({
      SnapshotCopyResultSet: [{ SnapshotId: "snap-new00001", Code: "Success", Message: "" }],
      RequestId: "req-1",
    }));
    expect(await api.copySnapshotCrossAccount(copy)).toEqual({
      newSnapshotId: "snap-new00001",
      requestId: "req-1",
    });
  });

  it("accepts a top-level SnapshotId", async () => {
    const api = adapterAnswering(() => ({ SnapshotId: "snap-new00002", RequestId: "req-2" }));
    expect(await api.copySnapshotCrossAccount(copy)).toEqual({
      newSnapshotId: "snap-new00002",
      requestId: "req-2",
    });
  });

  it("an answer with neither is an unexpected response naming the field", async () => {
    const err = await failureOf(() =>
      adapterAnswering(() => ({ RequestId: "r" })).copySnapshotCrossAccount(copy),
    );
    expect(err.reason).toBe("unexpected_response");
    expect(err.message).toContain("SnapshotCopyResultSet");
  });

  it.each(["UnknownParameter", "MissingParameter", "InvalidParameter", "InvalidParameter.ParamError"])(
    "%s from the copy is classified as the assumed shape refused",
    async (code) => {
      const api = adapterAnswering(() => {
        throw toCloudError({ code, message: "bad", requestId: "req-3" }, "CopySnapshotCrossAccount");
      });
      const err = await failureOf(() => api.copySnapshotCrossAccount(copy));
      expect(err).toMatchObject({
        code,
        reason: "request_shape_refused",
        category: "permanent",
        requestId: "req-3",
      });
    },
  );

  it("InvalidParameterValue stays a refused value, and other actions keep invalid_request", async () => {
    const value = adapterAnswering(() => {
      throw toCloudError({ code: "InvalidParameterValue", message: "bad uin" }, "CopySnapshotCrossAccount");
    });
    expect((await failureOf(() => value.copySnapshotCrossAccount(copy))).reason).toBe("invalid_request");
    const share = adapterAnswering(() => {
      throw toCloudError({ code: "UnknownParameter", message: "x" }, "ModifySnapshotsSharePermission");
    });
    const err = await failureOf(() =>
      share.shareSnapshot({ snapshotId: "snap-src00001", region: "ap-shanghai", accountUin: "200000000002" }),
    );
    expect(err.reason).toBe("invalid_request");
  });
});
