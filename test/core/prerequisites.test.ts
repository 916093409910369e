import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  type AttachedPolicyDocument,
  type CamReader,
  COPY_AUTO_POLICY_ACTION,
  COPY_SNAPSHOT_ACTION,
  checkDestinationAccess,
  checkPrerequisites,
  describeChanges,
  describeResults,
  MINIMAL_POLICY,
  MINIMAL_POLICY_JSON,
  type PrerequisiteResult,
} from "../../src/core/cam/prerequisites.js";
import { suggestFix } from "../../src/core/failure-fixes.js";
import { type Text, toPlainText } from "../../src/core/messages/message.js";
import {
  CloudError,
  type CloudErrorCategory,
  type CloudErrorReason,
} from "../../src/core/ports/cloud-api.port.js";
import type { Snapshot } from "../../src/core/snapshot.js";
import { aSnapshot } from "../support/request-fixtures.js";

const SOURCE = "100000000001";
const DEST = { alias: "dr-prod", accountUin: "200000000002" };
const SNAPSHOT = aSnapshot();
const policy = (name: string, statement: unknown, groups: string[] = []): AttachedPolicyDocument => ({
  policyId: "1",
  name,
  preset: false,
  groups,
  document: JSON.stringify({ version: "2.0", statement }),
});
const grant = policy("Copy", { effect: "allow", action: COPY_SNAPSHOT_ACTION, resource: "*" });

function cam(
  over: Partial<{ collaborators: string[] | Error; policies: AttachedPolicyDocument[] | Error }>,
): CamReader {
  return {
    listCollaboratorUins: async () => {
      const c = over.collaborators ?? [DEST.accountUin];
      if (c instanceof Error) throw c;
      return c;
    },
    readAttachedPolicies: async () => {
      const p = over.policies ?? [grant];
      if (p instanceof Error) throw p;
      return p;
    },
  };
}

/** A result as an English reader reads it (reasons, fixes and subjects are bilingual Text). */
type EnglishResult = Omit<PrerequisiteResult, "reason" | "fix" | "subject"> & {
  reason: string;
  fix?: string;
  subject: string;
};
const english = ({ fix, ...r }: PrerequisiteResult): EnglishResult => ({
  ...r,
  subject: toPlainText(r.subject),
  reason: toPlainText(r.reason),
  ...(fix ? { fix: toPlainText(fix) } : {}),
});
const en = (value: Text | undefined) => (value ? toPlainText(value) : undefined);

async function run(
  over: Parameters<typeof cam>[0] & { snapshot?: Snapshot | undefined | Error } = {},
): Promise<EnglishResult[]> {
  return (await runRaw(over)).map(english);
}

async function runRaw(
  over: Parameters<typeof cam>[0] & { snapshot?: Snapshot | undefined | Error } = {},
): Promise<PrerequisiteResult[]> {
  const report = await checkPrerequisites(
    {
      snapshotId: SNAPSHOT.snapshotId,
      regions: ["ap-guangzhou", "ap-shanghai"],
      sourceUin: SOURCE,
      destination: DEST,
    },
    {
      findSnapshot: async () => {
        const s = "snapshot" in over ? over.snapshot : SNAPSHOT;
        if (s instanceof Error) throw s;
        return s;
      },
      cam: cam(over),
    },
  );
  return report.results;
}

const statuses = (results: readonly { status: PrerequisiteResult["status"] }[]) =>
  results.map((r) => r.status);

describe("prerequisite checks", () => {
  it("a ready destination passes all three, with the snapshot's details and the granting policy", async () => {
    const results = await run();
    expect(statuses(results)).toEqual(["passed", "passed", "passed"]);
    const [snap, collaborator, permission] = results;
    for (const fact of [
      "db-daily",
      "100 GiB",
      "data disk",
      "disk-db000001",
      "encrypted",
      "ap-shanghai",
      "2026-11-24 03:00:00",
    ])
      expect(snap?.reason).toContain(fact);
    expect(collaborator?.reason).toContain("is a collaborator of 100000000001");
    expect(permission?.reason).toContain('policy "Copy"');
  });

  it("a missing snapshot fails and names the regions searched", async () => {
    const [snap] = await run({ snapshot: undefined });
    expect(snap).toMatchObject({ status: "failed", code: "snapshot.not_found" });
    expect(snap?.reason).toContain("ap-guangzhou, ap-shanghai");
  });

  it("a snapshot still being created fails", async () => {
    const [snap] = await run({ snapshot: { ...SNAPSHOT, state: "CREATING", percent: 40 } });
    expect(snap).toMatchObject({ status: "failed", code: "snapshot.not_normal" });
    expect(snap?.reason).toContain("40% done");
  });

  it("a non-collaborator fails with the console page; its permission is not checked", async () => {
    const results = await run({ collaborators: ["300000000003"] });
    expect(statuses(results)).toEqual(["passed", "failed", "cannot-verify"]);
    expect(results[1]?.code).toBe("cam.not_collaborator");
    expect(results[1]?.fix).toContain("CAM console → User list → Collaborators");
    expect(results[1]?.fix).toContain("policies/minimal-cross-account-copy.json");
  });

  it("a collaborator without a grant fails with the minimal policy JSON to attach", async () => {
    const results = await run({
      policies: [policy("ReadOnly", { effect: "allow", action: "cvm:Describe*", resource: "*" })],
    });
    expect(results[2]).toMatchObject({ status: "failed", code: "cam.permission_missing" });
    expect(results[2]?.reason).toContain('"ReadOnly"');
    expect(results[2]?.fix).toContain(MINIMAL_POLICY_JSON);
  });

  it("an explicit deny through a group fails and names the policy and group", async () => {
    const results = await run({
      policies: [
        grant,
        policy("NoCopies", { effect: "deny", action: "cvm:Copy*", resource: "*" }, ["auditors"]),
      ],
    });
    expect(results[2]).toMatchObject({ status: "failed", code: "cam.explicit_deny" });
    expect(results[2]?.reason).toContain('"NoCopies" (through group auditors)');
  });

  it("a conditional grant cannot be verified, and shows the condition", async () => {
    const results = await run({
      policies: [
        policy("Office", {
          effect: "allow",
          action: "cvm:*",
          resource: "*",
          condition: { ip_equal: { "qcs:ip": "10.0.0.1" } },
        }),
      ],
    });
    expect(results[2]?.status).toBe("cannot-verify");
    expect(results[2]?.reason).toContain("10.0.0.1");
  });

  it("CAM refusing with a rate limit is 'cannot verify' (transient), not a crash", async () => {
    const limited = new CloudError({
      code: "RequestLimitExceeded",
      message: "slow down",
      category: "throttled",
      reason: "other",
    });
    const results = await run({ policies: limited });
    expect(results[2]).toMatchObject({
      status: "cannot-verify",
      transient: true,
      code: "RequestLimitExceeded",
    });
    expect(results[2]?.fix).toContain("Re-check");
  });

  it("a bot key that may not read CAM says which CAM permissions it needs", async () => {
    const denied = new CloudError({
      code: "UnauthorizedOperation",
      message: "no",
      category: "permanent",
      reason: "access_denied",
    });
    const results = await run({ collaborators: denied });
    expect(results[1]).toMatchObject({ check: "collaborator", status: "cannot-verify" });
    expect(results[1]?.fix).toContain("cam:ListCollaborators");
  });

  it("keeps the provider's code apart from the reason, and shows it after it", async () => {
    const denied = new CloudError({
      code: "AuthFailure.SecretIdNotFound",
      message: "The SecretId does not exist.",
      category: "permanent",
      reason: "credentials_refused",
    });
    const [, collaborator] = await run({ collaborators: denied });
    expect(collaborator).toMatchObject({
      code: "AuthFailure.SecretIdNotFound",
      cloud: { category: "permanent", reason: "credentials_refused" },
      reason: "I could not read the collaborator list (ListCollaborators): The SecretId does not exist.",
    });
    expect(collaborator?.fix).toContain("cam:ListCollaborators");
    const [, raw] = await runRaw({ collaborators: denied });
    expect(toPlainText(describeResults(raw ? [raw] : []))).toContain(
      "The SecretId does not exist. (Tencent error AuthFailure.SecretIdNotFound)",
    );
  });

  it("a destination CAM does not know is not a collaborator (decided by the reason, not the code)", async () => {
    const gone = new CloudError({
      code: "SomeProvider.NoSuchUser",
      message: "no such user",
      category: "permanent",
      reason: "not_found",
    });
    const results = await run({ policies: gone });
    expect(results[2]).toMatchObject({ status: "failed", code: "cam.not_collaborator" });
  });

  it("a failed snapshot look-up is 'cannot verify', and other errors are not swallowed", async () => {
    const busy = new CloudError({
      code: "InternalError",
      message: "x",
      category: "maybe_sent",
      reason: "other",
    });
    expect((await run({ snapshot: busy }))[0]).toMatchObject({ status: "cannot-verify", transient: true });
    await expect(run({ snapshot: new TypeError("bug") })).rejects.toThrow("bug");
  });

  it("checks both actions for /snapshot accounts", async () => {
    const results = await checkDestinationAccess({ sourceUin: SOURCE, destination: DEST }, cam({}), [
      COPY_SNAPSHOT_ACTION,
      COPY_AUTO_POLICY_ACTION,
    ]);
    expect(statuses(results)).toEqual(["passed", "passed", "failed"]);
    expect(en(results[2]?.subject)).toBe(COPY_AUTO_POLICY_ACTION);
  });

  it("says what changed between two runs", async () => {
    const after = await runRaw();
    expect(describeChanges(["passed", "failed", "cannot-verify"], after).map((c) => toPlainText(c))).toEqual([
      "✗ → ✓ Collaborator 200000000002",
      `? → ✓ ${COPY_SNAPSHOT_ACTION}`,
    ]);
    expect(describeChanges(["passed", "passed", "passed"], after)).toEqual([]);
  });

  it("the run-time failure codes get the same fixes in the thread", () => {
    const ctx = { sourceUin: SOURCE, destinationUin: DEST.accountUin, destinationAlias: DEST.alias };
    expect(en(suggestFix({ code: "cam.not_collaborator" }, ctx))).toContain("Collaborators");
    expect(en(suggestFix({ code: "cam.permission_missing" }, ctx))).toContain(MINIMAL_POLICY_JSON);
    expect(en(suggestFix({ code: "cam.explicit_deny" }, ctx))).toContain("deny");
  });

  it("a cloud failure's fix follows its classification, whatever the provider's code", () => {
    const ctx = { sourceUin: SOURCE, destinationUin: DEST.accountUin, destinationAlias: DEST.alias };
    const fixFor = (cloud: { category: CloudErrorCategory; reason: CloudErrorReason }) =>
      en(suggestFix({ code: "Any.Code", cloud }, ctx));
    expect(fixFor({ category: "permanent", reason: "not_allow_listed" })).toContain("allow-listed");
    expect(fixFor({ category: "permanent", reason: "not_found" })).toContain("no longer exists");
    expect(fixFor({ category: "permanent", reason: "invalid_state" })).toContain("NORMAL");
    expect(fixFor({ category: "permanent", reason: "credentials_refused" })).toContain("credentials");
    expect(fixFor({ category: "maybe_sent", reason: "other" })).toContain("again later");
    expect(fixFor({ category: "permanent", reason: "other" })).toBeUndefined();
    // A bot code in `code` is not read once the cloud classified the failure.
    expect(
      suggestFix({ code: "cam.not_collaborator", cloud: { category: "permanent", reason: "other" } }, ctx),
    ).toBeUndefined();
  });
});

describe("the minimal policy", () => {
  it("ships as policies/minimal-cross-account-copy.json, equal to what the bot prints", () => {
    const file = JSON.parse(
      readFileSync(new URL("../../policies/minimal-cross-account-copy.json", import.meta.url), "utf8"),
    );
    expect(file).toEqual(MINIMAL_POLICY);
    expect(JSON.parse(MINIMAL_POLICY_JSON)).toEqual(MINIMAL_POLICY);
  });

  it("is narrower than the guide's sample: exactly the two copy actions, no wildcard", () => {
    const actions = MINIMAL_POLICY.statement.flatMap((s) => s.action);
    expect(actions.sort()).toEqual([COPY_AUTO_POLICY_ACTION, COPY_SNAPSHOT_ACTION].sort());
    expect(actions.some((a) => a.includes("*"))).toBe(false);
    expect(MINIMAL_POLICY.statement.every((s) => s.effect === "allow")).toBe(true);
  });
});
