import http from "node:http";
import { CommonClient } from "tencentcloud-sdk-nodejs/tencentcloud/common/index.js";
import { cam } from "tencentcloud-sdk-nodejs/tencentcloud/services/cam/index.js";
import { cbs } from "tencentcloud-sdk-nodejs/tencentcloud/services/cbs/index.js";
import { sts } from "tencentcloud-sdk-nodejs/tencentcloud/services/sts/index.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  CBS_VERSION,
  type SimulatorOptions,
  STUCK_COPY_PERCENT,
  startTencentSimulator,
  type TencentSimulator,
} from "../../dev/tencent-simulator/index.js";

// ---- fixtures ---------------------------------------------------------------------------------

interface Keys {
  secretId: string;
  secretKey: string;
  token?: string;
}

const SOURCE = {
  uin: "100000000001",
  secretId: "AKIDsource000000000000000000000001",
  secretKey: "source-key",
};
const TARGET = {
  uin: "100000000002",
  secretId: "AKIDtarget000000000000000000000002",
  secretKey: "target-key",
};
const STRANGER = {
  uin: "100000000003",
  secretId: "AKIDstranger0000000000000000000003",
  secretKey: "stranger-key",
};
const REGION = "ap-guangzhou";
const COPY_MS = 1000;
const GRANT_DOCUMENT = JSON.stringify({
  version: "2.0",
  statement: [{ action: ["cvm:*Cbs*", "cvm:*Storage*", "cvm:*Snapshot*"], resource: "*", effect: "allow" }],
});

const clock = { now: Date.now() };
const agent = new http.Agent();
let sim: TencentSimulator;

async function startSeeded(options: SimulatorOptions = {}): Promise<TencentSimulator> {
  const started = await startTencentSimulator({ copyDurationMs: COPY_MS, now: () => clock.now, ...options });
  const { state } = started;
  for (const account of [SOURCE, TARGET, STRANGER]) {
    state.addAccount(account);
  }
  const disk = { diskSize: 100, diskUsage: "DATA_DISK", encrypt: false } as const;
  state.addSnapshot(SOURCE.uin, {
    ...disk,
    snapshotId: "snap-src00001",
    region: REGION,
    name: "db-daily",
    diskId: "disk-src00001",
    createTime: "2024-05-01 08:00:00",
  });
  state.addSnapshot(SOURCE.uin, {
    snapshotId: "snap-src00002",
    region: REGION,
    name: "web-root",
    diskId: "disk-src00002",
    diskSize: 50,
    diskUsage: "SYSTEM_DISK",
    encrypt: true,
    createTime: "2024-05-02 08:00:00",
  });
  state.addSnapshot(SOURCE.uin, {
    ...disk,
    snapshotId: "snap-src00003",
    region: "ap-shanghai",
    name: "elsewhere",
    diskId: "disk-src00003",
  });
  state.addSnapshot(TARGET.uin, {
    ...disk,
    snapshotId: "snap-tgt00001",
    region: REGION,
    name: "target-own",
    diskId: "disk-tgt00001",
  });
  state.addCollaborator(SOURCE.uin, TARGET.uin);
  state.addPolicy(SOURCE.uin, {
    policyId: 1001,
    name: "SnapshotReplication",
    type: "custom",
    document: GRANT_DOCUMENT,
  });
  state.attachUserPolicy(SOURCE.uin, TARGET.uin, 1001);
  return started;
}

function profile() {
  return {
    httpProfile: {
      endpoint: sim.endpoint,
      protocol: "http://",
      reqMethod: "POST" as const,
      reqTimeout: 10,
      agent,
    },
  };
}

function cbsClient(keys: Keys, region = REGION) {
  return new cbs.v20170312.Client({ credential: keys, region, profile: profile() });
}

function camClient(keys: Keys) {
  return new cam.v20190116.Client({ credential: keys, profile: profile() });
}

function stsClient(keys: Keys) {
  return new sts.v20180813.Client({ credential: keys, region: REGION, profile: profile() });
}

function commonCbsClient(keys: Keys) {
  return new CommonClient(sim.endpoint, CBS_VERSION, {
    credential: keys,
    region: REGION,
    profile: profile(),
  });
}

interface SdkError {
  code?: string;
  message: string;
  requestId?: string;
  httpCode?: number;
}

async function failureOf(call: Promise<unknown>): Promise<SdkError> {
  try {
    await call;
  } catch (error) {
    return error as SdkError;
  }
  throw new Error("expected the call to fail");
}

function copyRequest(overrides: Record<string, unknown> = {}) {
  return { SnapshotIds: ["snap-src00001"], TargetAccountUin: TARGET.uin, ...overrides };
}

beforeEach(async () => {
  clock.now = Date.now();
  sim = await startSeeded();
});

afterEach(async () => {
  await sim.close();
});

// ---- tests ------------------------------------------------------------------------------------

describe("DescribeSnapshots", () => {
  it("finds snapshots by id, only in the caller's account and region", async () => {
    const answer = await cbsClient(SOURCE).DescribeSnapshots({
      SnapshotIds: ["snap-src00001", "snap-tgt00001"],
    });

    expect(answer.TotalCount).toBe(1);
    expect(answer.RequestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(answer.SnapshotSet?.[0]).toMatchObject({
      SnapshotId: "snap-src00001",
      SnapshotName: "db-daily",
      SnapshotState: "NORMAL",
      SnapshotType: "PRIVATE_SNAPSHOT",
      DiskId: "disk-src00001",
      DiskSize: 100,
      DiskUsage: "DATA_DISK",
      Encrypt: false,
      Percent: 100,
      CreateTime: "2024-05-01 08:00:00",
      Placement: { Zone: "ap-guangzhou-1", ProjectId: 0 },
      Tags: [],
    });
  });

  it("filters, orders by CreateTime (newest first) and pages", async () => {
    const client = cbsClient(SOURCE);

    const all = await client.DescribeSnapshots({});
    const encrypted = await client.DescribeSnapshots({ Filters: [{ Name: "encrypt", Values: ["TRUE"] }] });
    const paged = await client.DescribeSnapshots({ Limit: 1, Offset: 1 });

    expect(all.SnapshotSet?.map((s) => s.SnapshotId)).toEqual(["snap-src00002", "snap-src00001"]);
    expect(encrypted.SnapshotSet?.map((s) => s.SnapshotId)).toEqual(["snap-src00002"]);
    expect(paged).toMatchObject({ TotalCount: 2, SnapshotSet: [{ SnapshotId: "snap-src00001" }] });
  });

  it("answers the documented errors", async () => {
    const client = cbsClient(SOURCE);

    const notFound = await failureOf(client.DescribeSnapshots({ SnapshotIds: ["snap-zzzz9999"] }));
    const malformed = await failureOf(client.DescribeSnapshots({ SnapshotIds: ["snapshot-1"] }));
    const both = await failureOf(
      client.DescribeSnapshots({
        SnapshotIds: ["snap-src00001"],
        Filters: [{ Name: "disk-id", Values: ["x"] }],
      }),
    );
    const badFilter = await failureOf(
      client.DescribeSnapshots({ Filters: [{ Name: "colour", Values: ["red"] }] }),
    );
    const badLimit = await failureOf(client.DescribeSnapshots({ Limit: 101 }));

    expect(notFound.code).toBe("InvalidSnapshotId.NotFound");
    expect(malformed.code).toBe("InvalidSnapshotId.Malformed");
    expect(both.code).toBe("InvalidParameter");
    expect(badFilter.code).toBe("InvalidFilter");
    expect(badLimit.code).toBe("InvalidParameterValue");
    expect(badLimit.message).toContain("Limit");
  });
});

describe("authentication", () => {
  it("refuses a wrong secret key and records the call without an account", async () => {
    const failure = await failureOf(cbsClient({ ...SOURCE, secretKey: "wrong" }).DescribeSnapshots({}));

    expect(failure.code).toBe("AuthFailure.SignatureFailure");
    expect(failure.requestId).toBeTruthy();
    const [call] = sim.callsOf("DescribeSnapshots");
    expect(call).toMatchObject({ service: "cbs", region: REGION, errorCode: "AuthFailure.SignatureFailure" });
    expect(call?.accountUin).toBeUndefined();
  });

  it("refuses an unknown SecretId", async () => {
    const failure = await failureOf(
      cbsClient({ secretId: "AKIDnobody", secretKey: "x" }).DescribeSnapshots({}),
    );

    expect(failure.code).toBe("AuthFailure.SecretIdNotFound");
  });
});

describe("CopySnapshotCrossAccount", () => {
  it("creates a copy in the target that progresses to NORMAL", async () => {
    const answer = await commonCbsClient(SOURCE).request("CopySnapshotCrossAccount", copyRequest());
    const newId = answer.SnapshotCopyResultSet[0].SnapshotId as string;
    const target = cbsClient(TARGET);

    expect(answer.SnapshotCopyResultSet).toEqual([{ SnapshotId: newId, Code: "Success", Message: "" }]);
    expect(newId).toMatch(/^snap-[a-z0-9]{8}$/);
    const started = await target.DescribeSnapshots({ SnapshotIds: [newId] });
    clock.now += COPY_MS / 2;
    const halfway = await target.DescribeSnapshots({ SnapshotIds: [newId] });
    clock.now += COPY_MS / 2;
    const done = await target.DescribeSnapshots({ SnapshotIds: [newId] });

    expect(started.SnapshotSet?.[0]).toMatchObject({
      SnapshotState: "COPYING_FROM_REMOTE",
      Percent: 0,
      SnapshotName: "db-daily-copy",
      DiskSize: 100,
      DiskUsage: "DATA_DISK",
      Encrypt: false,
    });
    expect(halfway.SnapshotSet?.[0]).toMatchObject({ SnapshotState: "COPYING_FROM_REMOTE", Percent: 50 });
    expect(done.SnapshotSet?.[0]).toMatchObject({ SnapshotState: "NORMAL", Percent: 100 });
    expect(sim.state.copies).toEqual([
      expect.objectContaining({
        sourceUin: SOURCE.uin,
        sourceSnapshotId: "snap-src00001",
        targetUin: TARGET.uin,
        newSnapshotId: newId,
        region: REGION,
        outcome: "success",
      }),
    ]);
  });

  it("refuses a target that is not a collaborator", async () => {
    const failure = await failureOf(
      commonCbsClient(SOURCE).request(
        "CopySnapshotCrossAccount",
        copyRequest({ TargetAccountUin: STRANGER.uin }),
      ),
    );

    expect(failure.code).toBe("UnauthorizedOperation");
    expect(failure.message).toContain("not a collaborator");
    expect(sim.state.listSnapshots(STRANGER.uin)).toEqual([]);
  });

  it("applies the remaining rules", async () => {
    const client = commonCbsClient(SOURCE);
    sim.state.detachUserPolicy(SOURCE.uin, TARGET.uin, 1001);
    const notGranted = await failureOf(client.request("CopySnapshotCrossAccount", copyRequest()));
    sim.state.attachUserPolicy(SOURCE.uin, TARGET.uin, 1001);
    sim.state.setSnapshotState(SOURCE.uin, "snap-src00001", "CREATING");
    const notNormal = await failureOf(client.request("CopySnapshotCrossAccount", copyRequest()));
    const longName = await failureOf(
      client.request("CopySnapshotCrossAccount", copyRequest({ SnapshotName: "n".repeat(61) })),
    );
    const unknownTarget = await failureOf(
      client.request(
        "CopySnapshotCrossAccount",
        copyRequest({ SnapshotIds: ["snap-src00002"], TargetAccountUin: "199999999999" }),
      ),
    );
    sim.state.setCrossAccountAllowListed(SOURCE.uin, false);
    const notAllowListed = await failureOf(client.request("CopySnapshotCrossAccount", copyRequest()));

    expect(notGranted).toMatchObject({ code: "UnauthorizedOperation" });
    expect(notGranted.message).toContain("cvm:CopySnapshotCrossAccount");
    expect(notNormal.code).toBe("UnsupportedOperation.StateError");
    expect(longName.code).toBe("InvalidParameterValue");
    expect(unknownTarget.code).toBe("InvalidParameterValue");
    expect(notAllowListed.code).toBe("UnsupportedOperation.NotInWhitelist");
    expect(sim.state.copies).toEqual([]);
  });
});

describe("STS AssumeRole", () => {
  it("gives temporary credentials that act as the role's owner", async () => {
    const roleArn = sim.state.addRole(TARGET.uin, "snapshot-reader");
    const assumed = await stsClient(SOURCE).AssumeRole({ RoleArn: roleArn, RoleSessionName: "cbs-bot" });
    const credentials = assumed.Credentials ?? {};
    const temporary = {
      secretId: credentials.TmpSecretId ?? "",
      secretKey: credentials.TmpSecretKey ?? "",
      token: credentials.Token ?? "",
    };

    const seen = await cbsClient(temporary).DescribeSnapshots({});

    expect(assumed.ExpiredTime).toBe(Math.floor(clock.now / 1000) + 7200);
    expect(assumed.Expiration).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(seen.SnapshotSet?.map((s) => s.SnapshotId)).toEqual(["snap-tgt00001"]);
    expect(sim.callsOf("DescribeSnapshots").at(-1)).toMatchObject({ accountUin: TARGET.uin, roleArn });
  });

  it("refuses temporary credentials without their token, or expired", async () => {
    const roleArn = sim.state.addRole(TARGET.uin, "snapshot-reader");
    const assumed = await stsClient(SOURCE).AssumeRole({
      RoleArn: roleArn,
      RoleSessionName: "cbs-bot",
      DurationSeconds: 900,
    });
    const secretId = assumed.Credentials?.TmpSecretId ?? "";
    const secretKey = assumed.Credentials?.TmpSecretKey ?? "";

    const withoutToken = await failureOf(cbsClient({ secretId, secretKey }).DescribeSnapshots({}));
    clock.now += 901_000;
    const expired = await failureOf(
      cbsClient({ secretId, secretKey, token: assumed.Credentials?.Token ?? "" }).DescribeSnapshots({}),
    );

    expect(withoutToken.code).toBe("AuthFailure.TokenFailure");
    expect(expired.code).toBe("AuthFailure.TokenFailure");
    expect(expired.message).toContain("expired");
  });

  it("refuses an unknown role and a bad session name", async () => {
    const client = stsClient(SOURCE);

    const unknown = await failureOf(
      client.AssumeRole({ RoleArn: `qcs::cam::uin/${TARGET.uin}:roleName/none`, RoleSessionName: "cbs-bot" }),
    );
    const badName = await failureOf(
      client.AssumeRole({ RoleArn: sim.state.addRole(TARGET.uin, "reader"), RoleSessionName: "x" }),
    );

    expect(unknown.code).toBe("ResourceNotFound.RoleNotFound");
    expect(badName.code).toBe("InvalidParameter.ParamError");
  });
});

describe("CAM", () => {
  it("lists collaborators", async () => {
    const answer = await camClient(SOURCE).ListCollaborators({});

    expect(answer).toMatchObject({
      TotalNum: 1,
      Data: [{ Uin: Number(TARGET.uin), Name: `account-${TARGET.uin}` }],
    });
    expect(sim.callsOf("ListCollaborators")[0]?.region).toBeUndefined();
  });

  it("lists policies attached directly and through groups, and reads documents", async () => {
    const { state } = sim;
    state.addPolicy(SOURCE.uin, { policyId: 1002, name: "Broken", type: "custom", document: "{not json" });
    state.addGroup(SOURCE.uin, { groupId: 77, name: "dr-operators", members: [TARGET.uin] });
    state.attachGroupPolicy(SOURCE.uin, 77, 1002);
    state.attachGroupPolicy(SOURCE.uin, 77, 2);
    const client = camClient(SOURCE);

    const listed = await client.ListAttachedUserAllPolicies({
      TargetUin: Number(TARGET.uin),
      Rp: 20,
      Page: 1,
      AttachType: 0,
    });
    const broken = await client.GetPolicy({ PolicyId: 1002 });
    const preset = await client.GetPolicy({ PolicyId: 2 });
    const missing = await failureOf(client.GetPolicy({ PolicyId: 999 }));

    expect(listed.TotalNum).toBe(3);
    expect(listed.PolicyList).toEqual([
      expect.objectContaining({
        PolicyId: "1001",
        PolicyName: "SnapshotReplication",
        StrategyType: "1",
        Groups: [],
      }),
      expect.objectContaining({
        PolicyId: "1002",
        StrategyType: "1",
        Groups: [{ GroupId: 77, GroupName: "dr-operators" }],
      }),
      expect.objectContaining({ PolicyId: "2", PolicyName: "QcloudCVMFullAccess", StrategyType: "2" }),
    ]);
    expect(broken).toMatchObject({ PolicyName: "Broken", Type: 1, PolicyDocument: "{not json" });
    expect(preset.Type).toBe(2);
    expect(missing.code).toBe("ResourceNotFound.PolicyIdNotFound");
  });
});

describe("rate limit", () => {
  it("answers RequestLimitExceeded on the 21st call within a second", async () => {
    const client = cbsClient(SOURCE);

    const outcomes = await Promise.all(
      Array.from({ length: 21 }, () =>
        client.DescribeSnapshots({ Limit: 1 }).then(
          () => "ok",
          (error: SdkError) => error.code ?? "?",
        ),
      ),
    );

    expect(outcomes.filter((outcome) => outcome === "ok")).toHaveLength(20);
    expect(outcomes).toContain("RequestLimitExceeded");
    const recorded = sim.callsOf("DescribeSnapshots").map((call) => call.errorCode);
    expect(recorded).toEqual([...Array<undefined>(20).fill(undefined), "RequestLimitExceeded"]);
    await expect(camClient(SOURCE).ListCollaborators({})).resolves.toBeDefined();
  });

  it("allows 5 ListAttachedUserAllPolicies per second", async () => {
    const client = camClient(SOURCE);
    const request = { TargetUin: Number(TARGET.uin), Rp: 20, Page: 1, AttachType: 0 };
    for (let call = 0; call < 5; call += 1) {
      await client.ListAttachedUserAllPolicies(request);
    }

    const sixth = await failureOf(client.ListAttachedUserAllPolicies(request));

    expect(sixth.code).toBe("RequestLimitExceeded");
  });
});

describe("fault injection", () => {
  it("fails the next N calls, then recovers", async () => {
    sim.state.injectFault({ action: "DescribeSnapshots", code: "InternalError", times: 2 });
    const client = cbsClient(SOURCE);

    const first = await failureOf(client.DescribeSnapshots({}));
    const second = await failureOf(client.DescribeSnapshots({}));
    const third = await client.DescribeSnapshots({});

    expect([first.code, second.code]).toEqual(["InternalError", "InternalError"]);
    expect(third.TotalCount).toBe(2);
  });

  it("can apply the action and lose the answer, or answer a bare HTTP status", async () => {
    sim.state.injectFault({
      action: "CopySnapshotCrossAccount",
      code: "InternalError",
      times: 1,
      applied: true,
    });
    sim.state.injectFault({ action: "ListCollaborators", code: "BadGateway", httpStatus: 502, times: 1 });

    const lost = await failureOf(commonCbsClient(SOURCE).request("CopySnapshotCrossAccount", copyRequest()));
    const gateway = await failureOf(camClient(SOURCE).ListCollaborators({}));

    expect(lost.code).toBe("InternalError");
    expect(sim.state.copies).toHaveLength(1);
    expect(gateway.httpCode).toBe(502);
  });

  it("delays answers", async () => {
    sim.state.setLatency("DescribeSnapshots", 150);
    const started = Date.now();

    await cbsClient(SOURCE).DescribeSnapshots({});

    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it("makes the next copy fail or get stuck", async () => {
    const client = commonCbsClient(SOURCE);
    sim.state.setNextCopyOutcome("fail");
    const failing = await client.request("CopySnapshotCrossAccount", copyRequest());
    sim.state.setNextCopyOutcome("stuck");
    const stuck = await client.request("CopySnapshotCrossAccount", copyRequest());
    const failingId = failing.SnapshotCopyResultSet[0].SnapshotId as string;
    const stuckId = stuck.SnapshotCopyResultSet[0].SnapshotId as string;

    clock.now += COPY_MS * 10;
    const target = cbsClient(TARGET);
    const gone = await failureOf(target.DescribeSnapshots({ SnapshotIds: [failingId] }));
    const stalled = await target.DescribeSnapshots({ SnapshotIds: [stuckId] });

    expect(gone.code).toBe("InvalidSnapshotId.NotFound");
    expect(stalled.SnapshotSet?.[0]).toMatchObject({
      SnapshotState: "COPYING_FROM_REMOTE",
      Percent: STUCK_COPY_PERCENT,
    });
  });
});

describe("auto snapshot policies", () => {
  it("links a policy to the target, which then receives its snapshots", async () => {
    sim.state.addAutoSnapshotPolicy(SOURCE.uin, {
      id: "asp-daily001",
      name: "daily",
      region: REGION,
      diskIds: ["disk-src00001"],
      hours: [2],
      daysOfWeek: [],
      retentionDays: 7,
    });

    const linked = await cbsClient(SOURCE).CopyAutoSnapshotPolicyCrossAccount({
      AutoSnapshotPolicyIds: ["asp-daily001"],
      TargetAccountUin: TARGET.uin,
    });
    const sourceSide = await cbsClient(SOURCE).DescribeAutoSnapshotPolicies({
      AutoSnapshotPolicyIds: ["asp-daily001"],
    });
    const targetSide = await cbsClient(TARGET).DescribeAutoSnapshotPolicies({});
    sim.state.addSnapshot(SOURCE.uin, {
      snapshotId: "snap-auto0001",
      region: REGION,
      name: "daily-2024-05-03",
      diskId: "disk-src00001",
      diskSize: 100,
      diskUsage: "DATA_DISK",
      encrypt: false,
      autoSnapshotPolicyId: "asp-daily001",
    });

    expect(linked).toMatchObject({ AutoSnapshotPolicyIds: ["asp-daily001"], TargetAccountUin: TARGET.uin });
    expect(sourceSide.AutoSnapshotPolicySet?.[0]).toMatchObject({
      CopyToAccountUin: TARGET.uin,
      IsCopyToRemote: 1,
    });
    expect(targetSide.AutoSnapshotPolicySet?.[0]).toMatchObject({
      AutoSnapshotPolicyId: "asp-daily001",
      CopyFromAccountUin: SOURCE.uin,
    });
    expect(sim.state.copies).toEqual([
      expect.objectContaining({
        sourceSnapshotId: "snap-auto0001",
        targetUin: TARGET.uin,
        trigger: "auto-policy",
      }),
    ]);
  });
});

describe("scheduled policies and their automatic copies", () => {
  const HOUR = 3_600_000;
  const policy = (overrides: Record<string, unknown> = {}) => ({
    id: "asp-sched001",
    name: "nightly",
    region: REGION,
    diskIds: ["disk-src00001", "disk-new00001"],
    hours: [3],
    daysOfWeek: [],
    retentionDays: 7,
    ...overrides,
  });
  const link = () =>
    cbsClient(SOURCE).CopyAutoSnapshotPolicyCrossAccount({
      AutoSnapshotPolicyIds: ["asp-sched001"],
      TargetAccountUin: TARGET.uin,
    });
  const targetSnapshots = async () =>
    (await cbsClient(TARGET).DescribeSnapshots({ Limit: 100 })).SnapshotSet ?? [];

  it("fires one snapshot per bound disk; the copy appears in the target after the delay, same name and size", async () => {
    sim.state.addAutoSnapshotPolicy(SOURCE.uin, policy({ autoCopy: { copyDelayMs: 10 * 60_000 } }));
    await link();
    const taken = sim.state.firePolicy(SOURCE.uin, "asp-sched001");

    expect(taken).toHaveLength(2);
    expect(taken[0]).toMatchObject({
      diskId: "disk-src00001",
      diskSize: 100,
      autoSnapshotPolicyId: "asp-sched001",
    });
    expect(taken[1]).toMatchObject({ diskId: "disk-new00001", diskSize: 50, state: "NORMAL" });
    const ofDisk = await cbsClient(SOURCE).DescribeSnapshots({
      Filters: [{ Name: "disk-id", Values: ["disk-src00001"] }],
    });
    expect(ofDisk.SnapshotSet?.[0]).toMatchObject({
      SnapshotId: taken[0]?.snapshotId,
      AutoSnapshotPolicyId: "asp-sched001",
    });
    const before = (await targetSnapshots()).map((s) => s.SnapshotName);
    expect(before).not.toContain(taken[0]?.name);

    clock.now += 10 * 60_000;
    const copies = (await targetSnapshots()).filter((s) => s.SnapshotName === taken[0]?.name);
    expect(copies).toHaveLength(1);
    expect(copies[0]).toMatchObject({ DiskSize: 100, SnapshotState: "COPYING_FROM_REMOTE" });
    expect(copies[0]?.CreateTime?.localeCompare(taken[0]?.createTime ?? "")).toBe(1);
    expect(sim.state.copies.map((c) => c.trigger)).toEqual(["auto-policy", "auto-policy"]);
  });

  it("drops the next N copies, then copies again", async () => {
    sim.state.addAutoSnapshotPolicy(
      SOURCE.uin,
      policy({ diskIds: ["disk-src00001"], autoCopy: { dropNextCopies: 2 } }),
    );
    await link();
    const fired = [1, 2, 3].map(
      (i) => sim.state.firePolicy(SOURCE.uin, "asp-sched001", clock.now + i * HOUR)[0],
    );
    clock.now += 4 * HOUR;

    expect(sim.state.droppedCopies.map((d) => d.sourceSnapshotId)).toEqual([
      fired[0]?.snapshotId,
      fired[1]?.snapshotId,
    ]);
    expect(sim.state.copies.map((c) => c.sourceSnapshotId)).toEqual([fired[2]?.snapshotId]);
    sim.state.setAutoCopyBehaviour(SOURCE.uin, "asp-sched001", { dropRate: 1 });
    sim.state.firePolicy(SOURCE.uin, "asp-sched001");
    expect(sim.state.droppedCopies).toHaveLength(3);
  });

  it("an inactive policy takes nothing; NextTriggerTime is the next scheduled hour", async () => {
    sim.state.addAutoSnapshotPolicy(SOURCE.uin, policy({ isActivated: false }));
    expect(sim.state.firePolicy(SOURCE.uin, "asp-sched001")).toEqual([]);
    sim.state.addAutoSnapshotPolicy(SOURCE.uin, policy({ id: "asp-sched002" }));
    const [seen] =
      (await cbsClient(SOURCE).DescribeAutoSnapshotPolicies({ AutoSnapshotPolicyIds: ["asp-sched002"] }))
        .AutoSnapshotPolicySet ?? [];
    expect(seen?.NextTriggerTime).toMatch(/ 03:00:00$/);
  });

  it("fires by schedule as the cloud clock passes, when asked to", async () => {
    await sim.close();
    sim = await startSeeded({ firePoliciesOnSchedule: true });
    sim.state.addAutoSnapshotPolicy(SOURCE.uin, policy({ diskIds: ["disk-src00001"] }));
    clock.now += 48 * HOUR;
    const ofDisk = await cbsClient(SOURCE).DescribeSnapshots({
      Filters: [{ Name: "disk-id", Values: ["disk-src00001"] }],
    });
    expect(ofDisk.SnapshotSet?.filter((s) => s.AutoSnapshotPolicyId === "asp-sched001")).toHaveLength(2);
    expect(ofDisk.SnapshotSet?.[0]?.CreateTime).toMatch(/ 03:00:00$/);
  });

  it("the link dies with the policy, and the destination may remove it", async () => {
    sim.state.addAutoSnapshotPolicy(SOURCE.uin, policy());
    await link();
    expect((await cbsClient(TARGET).DescribeAutoSnapshotPolicies({})).AutoSnapshotPolicySet).toEqual([
      expect.objectContaining({
        AutoSnapshotPolicyId: "asp-sched001",
        CopyFromAccountUin: SOURCE.uin,
        CopyToAccountUin: null,
      }),
    ]);
    sim.state.unlinkByDestination(TARGET.uin, "asp-sched001");
    expect((await cbsClient(TARGET).DescribeAutoSnapshotPolicies({})).AutoSnapshotPolicySet).toEqual([]);
    sim.state.firePolicy(SOURCE.uin, "asp-sched001");
    expect(sim.state.copies).toEqual([]);
    expect(() => sim.state.unlinkByDestination(TARGET.uin, "asp-sched001")).toThrow(
      /no auto snapshot policy/,
    );

    await link();
    sim.state.removeAutoSnapshotPolicy(SOURCE.uin, "asp-sched001");
    expect((await cbsClient(TARGET).DescribeAutoSnapshotPolicies({})).AutoSnapshotPolicySet).toEqual([]);
  });

  it("linking needs the collaborator's grant, and a policy linked elsewhere is refused", async () => {
    sim.state.addAutoSnapshotPolicy(SOURCE.uin, policy());
    sim.state.detachUserPolicy(SOURCE.uin, TARGET.uin, 1001);
    expect(await failureOf(link())).toMatchObject({ code: "UnauthorizedOperation" });
    sim.state.attachUserPolicy(SOURCE.uin, TARGET.uin, 1001);
    sim.state.setAutoSnapshotPolicyCopyTarget(SOURCE.uin, "asp-sched001", STRANGER.uin);
    expect(await failureOf(link())).toMatchObject({ code: "ResourceInUse" });
  });

  it("DescribeSnapshots takes at most 10 disk ids and pages", async () => {
    const eleven = Array.from({ length: 11 }, (_, i) => `disk-x${String(i).padStart(7, "0")}`);
    expect(
      await failureOf(
        cbsClient(SOURCE).DescribeSnapshots({ Filters: [{ Name: "disk-id", Values: eleven }] }),
      ),
    ).toMatchObject({ code: "InvalidParameterValue.LimitExceeded" });
    sim.state.addAutoSnapshotPolicy(SOURCE.uin, policy({ diskIds: ["disk-src00001"] }));
    for (let i = 1; i <= 5; i++) sim.state.firePolicy(SOURCE.uin, "asp-sched001", clock.now - i * HOUR);
    const filter = [{ Name: "disk-id", Values: ["disk-src00001"] }];
    const first = await cbsClient(SOURCE).DescribeSnapshots({ Filters: filter, Limit: 4 });
    const second = await cbsClient(SOURCE).DescribeSnapshots({ Filters: filter, Limit: 4, Offset: 4 });
    expect(first.TotalCount).toBe(6);
    expect(first.SnapshotSet).toHaveLength(4);
    expect(second.SnapshotSet).toHaveLength(2);
  });
});

describe("snapshot sharing", () => {
  it("shares a data-disk snapshot, which the recipient then lists as SHARED_SNAPSHOT", async () => {
    await cbsClient(SOURCE).ModifySnapshotsSharePermission({
      SnapshotIds: ["snap-src00001"],
      AccountIds: [STRANGER.uin],
      Permission: "SHARE",
    });

    const permissions = await cbsClient(SOURCE).DescribeSnapshotSharePermission({
      SnapshotId: "snap-src00001",
    });
    const seen = await cbsClient(STRANGER).DescribeSnapshots({
      Filters: [{ Name: "snapshot-type", Values: ["SHARED_SNAPSHOT"] }],
    });
    const systemDisk = await failureOf(
      cbsClient(SOURCE).ModifySnapshotsSharePermission({
        SnapshotIds: ["snap-src00002"],
        AccountIds: [STRANGER.uin],
        Permission: "SHARE",
      }),
    );

    expect(permissions.SharePermissionSet).toEqual([
      { AccountId: STRANGER.uin, CreatedTime: expect.any(String) },
    ]);
    expect(seen.SnapshotSet?.map((s) => [s.SnapshotId, s.SnapshotType])).toEqual([
      ["snap-src00001", "SHARED_SNAPSHOT"],
    ]);
    expect(systemDisk.code).toBe("InvalidSnapshot.NotSupported");
  });
});
