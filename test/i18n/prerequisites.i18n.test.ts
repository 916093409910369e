import { describe, expect, it } from "vitest";
import { asMessage, renderMessage, renderText } from "../../src/adapters/chat-slack/mrkdwn.renderer.js";
import {
  buildAccountsReply,
  buildCheckReply,
  buildCheckSection,
  buildPolicyLinkRefusal,
  buildRecheckReply,
  buildReplicateRefusal,
} from "../../src/adapters/chat-slack/prerequisites.blocks.js";
import type { CheckOutcome } from "../../src/app/check-prerequisites.flow.js";
import { describeFailureReply } from "../../src/app/request-steps.js";
import {
  checkPolicyLinkPrerequisites,
  REPLICATE_TO_MY_ACCOUNT_PAGE,
} from "../../src/core/cam/policy-link-prerequisites.js";
import {
  type AttachedPolicyDocument,
  CAM_CONSOLE,
  type CamReader,
  COPY_AUTO_POLICY_ACTION,
  COPY_SNAPSHOT_ACTION,
  checkDestinationAccess,
  checkPrerequisites,
  checkSharePrerequisites,
  type PrerequisiteResult,
} from "../../src/core/cam/prerequisites.js";
import { suggestFix } from "../../src/core/failure-fixes.js";
import type { Message, Text } from "../../src/core/messages/message.js";
import { CloudError, type CloudErrorClass } from "../../src/core/ports/cloud-api.port.js";
import type { AutoSnapshotPolicy } from "../../src/core/ports/policy-cloud.port.js";
import type { Request, RequestFailure } from "../../src/core/request/request.js";
import type { Snapshot } from "../../src/core/snapshot.js";
import { check } from "../../src/kinds/snapshot-copy/steps/check.step.js";
import { copy } from "../../src/kinds/snapshot-copy/steps/copy.step.js";
import { share, verifyShare } from "../../src/kinds/snapshot-copy/steps/share.step.js";
import { verify } from "../../src/kinds/snapshot-copy/steps/verify.step.js";
import { atStep, DR_BLIND } from "../kinds/snapshot-copy/step-fixtures.js";
import { READ_ROLE } from "../support/memory-ports.js";
import { aRequest, aSnapshot } from "../support/request-fixtures.js";
import { expectBothLanguages } from "../support/translations.js";

/**
 * Every prerequisite result, fix and failure message in English and Simplified Chinese (issue 13):
 * each rendered in both, none left in English in the Chinese, no raw ISO time, no internal state.
 */

const SOURCE = "100000000001";
const DEST = { alias: "dr-prod", accountUin: "200000000002", readRoleArn: READ_ROLE };
const SNAPSHOT = aSnapshot();
const CHECKED_AT = "2026-12-01T10:00:00.000Z";

/** What stays as it is in both languages: names, API and action names, console addresses. */
const KEPT = [
  // Slack's emoji names and Tencent's error codes are not words anyone translates.
  ":no_entry_sign:",
  "RequestLimitExceeded",
  "AuthFailure.UnauthorizedOperation",
  "AuthFailure.SecretIdNotFound",
  "Some.Other",
  // Tencent's own words, quoted as they came, and a policy name from the fixtures.
  "role missing",
  "SnapshotCrossAccountCopy",
  SNAPSHOT.name,
  READ_ROLE,
  "GiB",
  COPY_SNAPSHOT_ACTION,
  COPY_AUTO_POLICY_ACTION,
  ...Object.values(CAM_CONSOLE),
  REPLICATE_TO_MY_ACCOUNT_PAGE,
  "https://console.cloud.tencent.com/cvm/snapshot/asp/inter-account?rid=19&amp;tab=LOCAL",
  "ListCollaborators",
  "ListAttachedUserAllPolicies",
  "GetPolicy",
  "DescribeSnapshotSharePermission",
  "DescribeAutoSnapshotPolicies",
  "CopySnapshotCrossAccount",
  "Copy",
  "ReadOnly",
  "NoCopies",
  "auditors",
  "daily-db",
  "nightly",
  "db-copy",
  "blind-keep",
];

const policy = (name: string, statement: unknown, groups: string[] = []): AttachedPolicyDocument => ({
  policyId: "1",
  name,
  preset: false,
  groups,
  document: JSON.stringify({ version: "2.0", statement }),
});
const grant = policy("Copy", { effect: "allow", action: COPY_SNAPSHOT_ACTION, resource: "*" });
const cloudError = (code: string, cls: CloudErrorClass) =>
  new CloudError({ code, message: "Tencent said no.", ...cls });
const BUSY = cloudError("RequestLimitExceeded", { category: "throttled", reason: "other" });
const DENIED = cloudError("AuthFailure.UnauthorizedOperation", {
  category: "permanent",
  reason: "access_denied",
});
const REFUSED = cloudError("AuthFailure.SecretIdNotFound", {
  category: "permanent",
  reason: "credentials_refused",
});
const ODD = cloudError("Some.Other", { category: "permanent", reason: "other" });

function cam(over: {
  collaborators?: string[] | Error;
  policies?: AttachedPolicyDocument[] | Error;
}): CamReader {
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

interface CopyCase {
  name: string;
  snapshot?: Snapshot | undefined | Error;
  collaborators?: string[] | Error;
  policies?: AttachedPolicyDocument[] | Error;
  readRole?: Error;
}

const COPY_CASES: CopyCase[] = [
  { name: "everything passes" },
  { name: "snapshot not found", snapshot: undefined },
  { name: "snapshot still being created", snapshot: aSnapshot({ state: "CREATING", percent: 40 }) },
  { name: "snapshot look-up failed", snapshot: BUSY },
  { name: "not a collaborator", collaborators: [] },
  { name: "collaborator list unreadable (busy)", collaborators: BUSY },
  { name: "collaborator list unreadable (the bot's key)", collaborators: DENIED },
  { name: "collaborator list unreadable (other)", collaborators: ODD },
  { name: "no policy attached", policies: [] },
  {
    name: "no policy grants it",
    policies: [policy("ReadOnly", { effect: "allow", action: "cvm:Describe*", resource: "*" })],
  },
  {
    name: "explicit deny through a group",
    policies: [grant, policy("NoCopies", { effect: "deny", action: "cvm:*", resource: "*" }, ["auditors"])],
  },
  {
    name: "conditional grant",
    policies: [
      policy("Copy", {
        effect: "allow",
        action: COPY_SNAPSHOT_ACTION,
        resource: "*",
        condition: { ip_equal: { "qcs:ip": "10.0.0.1" } },
      }),
    ],
  },
  { name: "read role busy", readRole: BUSY },
  { name: "read role: the bot's credentials refused", readRole: REFUSED },
  { name: "read role refused by its trust policy", readRole: DENIED },
];

async function copyReport(c: CopyCase): Promise<PrerequisiteResult[]> {
  const report = await checkPrerequisites(
    {
      snapshotId: SNAPSHOT.snapshotId,
      regions: ["ap-guangzhou", "ap-shanghai"],
      sourceUin: SOURCE,
      destination: DEST,
    },
    {
      findSnapshot: async () => {
        const s = "snapshot" in c ? c.snapshot : SNAPSHOT;
        if (s instanceof Error) throw s;
        return s;
      },
      cam: cam(c),
      checkReadRole: async () => {
        if (c.readRole) throw c.readRole;
      },
    },
  );
  return report.results;
}

const outcomeOf = (results: PrerequisiteResult[], destination: typeof DEST = DEST): CheckOutcome => ({
  kind: "checked",
  destination,
  regions: ["ap-shanghai"],
  report: { results },
  checkedAt: CHECKED_AT,
});

describe("prerequisite checks in both languages", () => {
  it.each(COPY_CASES)("a copy's checks: $name", async (c) => {
    const results = await copyReport(c);
    expectBothLanguages(() => buildCheckReply(outcomeOf(results), SNAPSHOT.snapshotId, "ap-shanghai"), KEPT);
    expectBothLanguages(
      () =>
        buildReplicateRefusal([`refused`], {
          snapshotId: SNAPSHOT.snapshotId,
          destination: "dr-prod",
          newName: "blind-keep",
          results,
        }).blocks,
      KEPT,
    );
    expectBothLanguages(
      () =>
        buildRecheckReply(
          {
            k: "replicate",
            s: SNAPSHOT.snapshotId,
            d: "dr-prod",
            n: "blind-keep",
            p: results.map(() => "failed"),
          },
          outcomeOf(results),
        ),
      KEPT,
    );
    expectBothLanguages(() => buildCheckSection(aRequest({ state: "failed" }), results), KEPT);
  });

  it("a refusal on a cached CAM answer says its age in both languages", async () => {
    const results = (await copyReport({ name: "", collaborators: [] })).map((r) => ({
      ...r,
      answeredAt: "2026-12-01T09:59:20.000Z",
    }));
    const { en, zh } = expectBothLanguages(
      () => buildCheckReply(outcomeOf(results), SNAPSHOT.snapshotId),
      KEPT,
    );
    expect(en).toContain("CAM answer from the cache, checked 40 s ago; Re-check asks CAM again");
    expect(zh).toContain("40 秒前查询");
    expect(en).toMatch(/Checked <!date\^\d+\^/);
  });

  it("the share method's checks", async () => {
    const shareDest = { ...DEST, method: "share" as const };
    const cases: Array<{ snapshot?: Partial<Snapshot>; shares: () => Promise<string[]> }> = [
      { shares: async () => ["300000000001"] },
      { shares: async () => [DEST.accountUin] },
      { snapshot: { diskUsage: "SYSTEM_DISK" }, shares: async () => [] },
      { snapshot: { encrypted: true }, shares: async () => [] },
      { shares: async () => Array.from({ length: 50 }, (_, i) => String(300000000000 + i)) },
      { shares: () => Promise.reject(BUSY) },
      { shares: () => Promise.reject(DENIED) },
      { snapshot: { state: "CREATING" }, shares: async () => [] },
    ];
    for (const c of cases) {
      const report = await checkSharePrerequisites(
        {
          snapshotId: SNAPSHOT.snapshotId,
          regions: ["ap-shanghai"],
          sourceUin: SOURCE,
          destination: shareDest,
        },
        {
          findSnapshot: async () => ({ ...SNAPSHOT, encrypted: false, ...c.snapshot }),
          listShares: c.shares,
        },
      );
      expectBothLanguages(
        () => buildCheckReply(outcomeOf(report.results, shareDest), SNAPSHOT.snapshotId),
        [...KEPT, "ModifySnapshotsSharePermission"],
      );
    }
  });

  it("the checks before linking a scheduled snapshot policy", async () => {
    const base: AutoSnapshotPolicy = {
      policyId: "asp-abc12345",
      name: "nightly",
      region: "ap-shanghai",
      state: "NORMAL",
      activated: true,
      diskIds: ["disk-db000001"],
      schedules: [{ hours: [3], weekdays: [0, 1, 2, 3, 4, 5, 6] }],
      retention: { days: 7 },
    } as unknown as AutoSnapshotPolicy;
    const cases: Array<AutoSnapshotPolicy | undefined | Error> = [
      base,
      undefined,
      BUSY,
      DENIED,
      { ...base, state: "ISOLATED" },
      { ...base, activated: false },
      { ...base, copyToAccountUin: "200000000099" },
    ];
    for (const found of cases) {
      const report = await checkPolicyLinkPrerequisites(
        { policyId: "asp-abc12345", regions: ["ap-shanghai"], sourceUin: SOURCE, destination: DEST },
        {
          findPolicy: async () => {
            if (found instanceof Error) throw found;
            return found;
          },
          cam: cam({ policies: [] }),
        },
      );
      expectBothLanguages(
        () =>
          buildPolicyLinkRefusal(["refused"], {
            policyId: "asp-abc12345",
            destination: "dr-prod",
            results: report.results,
          }).blocks,
        [...KEPT, "CopyAutoSnapshotPolicyCrossAccount"],
      );
    }
  });

  it("/snapshot accounts", async () => {
    const ready = await checkDestinationAccess({ sourceUin: SOURCE, destination: DEST }, cam({}), [
      COPY_SNAPSHOT_ACTION,
      COPY_AUTO_POLICY_ACTION,
    ]);
    const stranger = await checkDestinationAccess(
      { sourceUin: SOURCE, destination: DR_BLIND },
      cam({ collaborators: [] }),
      [COPY_SNAPSHOT_ACTION, COPY_AUTO_POLICY_ACTION],
    );
    const report = {
      sourceUin: SOURCE,
      checkedAt: CHECKED_AT,
      destinations: [
        { destination: DEST, results: ready },
        { destination: DR_BLIND, results: stranger },
      ],
    };
    expectBothLanguages(() => buildAccountsReply(report), KEPT);
    expectBothLanguages(
      () => buildAccountsReply(report, { k: "accounts", p: { "dr-prod": ["failed", "passed", "passed"] } }),
      KEPT,
    );
  });
});

describe("fixes and failure messages in both languages", () => {
  const ctx = { sourceUin: SOURCE, destinationUin: DEST.accountUin, destinationAlias: DEST.alias };
  const CODES = [
    "cam.not_collaborator",
    "cam.permission_missing",
    "cam.explicit_deny",
    "snapshot.not_found",
    "snapshot.not_normal",
    "copy.stuck",
    "copy.missing",
    "copy.vanished",
    "copy.size_mismatch",
    "copy.outcome_unknown",
    "worker.stalled",
    "share.not_listed",
    "plan.changed",
  ];
  const REASONS: CloudErrorClass[] = [
    { category: "throttled", reason: "other" },
    { category: "permanent", reason: "credentials_refused" },
    { category: "permanent", reason: "access_denied" },
    { category: "permanent", reason: "not_allow_listed" },
    { category: "permanent", reason: "request_shape_refused" },
    { category: "permanent", reason: "not_found" },
    { category: "permanent", reason: "invalid_state" },
    { category: "permanent", reason: "role_not_assumable" },
    { category: "permanent", reason: "invalid_request" },
  ];

  it.each(CODES)("the fix for %s", (code) => {
    const fix = suggestFix({ code }, ctx);
    expect(fix, code).toBeDefined();
    expectBothLanguages(() => renderText(fix ?? []), KEPT);
  });

  it.each(REASONS.map((cloud) => ({ ...cloud, name: `${cloud.category}/${cloud.reason}` })))(
    "the fix for a cloud failure: $name",
    (cloud) => {
      const fix = suggestFix({ code: "Any.Code", cloud }, ctx);
      expect(fix).toBeDefined();
      expectBothLanguages(() => renderText(fix ?? []), KEPT);
      const shared = suggestFix({ code: "Any.Code", cloud }, { ...ctx, method: "share" });
      expectBothLanguages(() => renderText(shared ?? []), [...KEPT, "ModifySnapshotsSharePermission"]);
    },
  );

  it("the thread's failure reply: what happened, the Tencent request id, the fix, the next step", () => {
    const failure: RequestFailure = {
      code: "UnsupportedOperation.NotInWhitelist",
      message: "x",
      cloudRequestId: "6e1d0c3e-aaaa-bbbb-cccc-000000000001",
      cloud: { category: "permanent", reason: "not_allow_listed" },
      said: {
        message: [{ kind: "tr", en: ["Tencent Cloud refused the call."], zh: ["腾讯云拒绝了调用。"] }],
        ...(suggestFix({ code: "x", cloud: { category: "permanent", reason: "not_allow_listed" } }, ctx)
          ? {
              fix: suggestFix(
                { code: "x", cloud: { category: "permanent", reason: "not_allow_listed" } },
                ctx,
              ) as Text,
            }
          : {}),
      },
    };
    const request = aRequest({ state: "failed", failure }) as Request;
    const values = [...KEPT, "6e1d0c3e-aaaa-bbbb-cccc-000000000001", "UnsupportedOperation.NotInWhitelist"];
    const { en, zh } = expectBothLanguages(
      () => renderMessage(describeFailureReply(request, failure, "failed")),
      values,
    );
    expect(en).toContain("Tencent request id: 6e1d0c3e-aaaa-bbbb-cccc-000000000001");
    expect(en).toContain("How to fix:");
    expect(en).toContain("Ask again");
    expect(zh).toContain("腾讯云请求 ID");
    expect(zh).toContain("再次申请");
    expectBothLanguages(
      () => renderMessage(describeFailureReply(request, failure, "outcome_unknown")),
      values,
    );
    const withChecks = {
      ...request,
      checks: [{ check: "permission", status: "failed", subject: ["x"], reason: ["y"] }],
    };
    expectBothLanguages(
      () =>
        renderMessage(
          describeFailureReply(
            withChecks as Request,
            { ...failure, cloudRequestId: undefined } as RequestFailure,
            "failed",
          ),
        ),
      values,
    );
  });
});

describe("the copy steps' thread messages in both languages", () => {
  /** Runs a step on memory ports, keeping what it says in the thread as the neutral message. */
  async function said(
    step: "checking" | "copying" | "verifying",
    act: (ports: Awaited<ReturnType<typeof atStep>>) => Promise<unknown>,
    arrange: (ports: Awaited<ReturnType<typeof atStep>>) => void | Promise<void> = () => undefined,
    overrides: Parameters<typeof atStep>[1] = {},
  ): Promise<Array<Text | Message>> {
    const ports = await atStep(step, overrides);
    const messages: Array<Text | Message> = [];
    ports.notifier.postThreadReply = async (_request, message) => {
      messages.push(message);
    };
    await arrange(ports);
    await act(ports).catch(() => undefined);
    return messages;
  }

  const verifying = (afterMs: number, observation?: Record<string, unknown>, seenAt?: boolean) =>
    said(
      "verifying",
      (p) => verify(p.deps, p.request),
      async (p) => {
        const startedAt = p.clock.now().toISOString();
        p.request.progress = {
          copyRequestedAt: startedAt,
          newSnapshotId: "snap-copy0001",
          startedAt,
          reportedQuarter: 0,
          ...(seenAt ? { seenAt: startedAt } : {}),
        };
        await p.store.update(p.request.id, { progress: p.request.progress });
        p.clock.advance(afterMs);
        if (observation)
          p.copyWatch.seen.set(p.request.id, { at: p.clock.now().toISOString(), ...observation } as never);
      },
    );

  const seen = (state: string, percent: number, diskSizeGiB = 100) => ({
    kind: "seen",
    state,
    percent,
    diskSizeGiB,
  });
  const HOUR = 3600_000;

  it.each([
    { name: "verified", run: () => verifying(90_000, seen("NORMAL", 100)) },
    { name: "progress", run: () => verifying(5_000, seen("COPYING_FROM_REMOTE", 55)) },
    { name: "waiting to be listed", run: () => verifying(30_000, { kind: "absent" }) },
    { name: "vanished", run: () => verifying(30_000, { kind: "absent" }, true) },
    { name: "never listed", run: () => verifying(121_000, { kind: "absent" }) },
    { name: "size mismatch", run: () => verifying(60_000, seen("NORMAL", 100, 50)) },
    { name: "stuck copying", run: () => verifying(12 * HOUR + 1000, seen("COPYING_FROM_REMOTE", 40)) },
    { name: "never seen", run: () => verifying(12 * HOUR + 1000) },
    {
      name: "unreadable",
      run: () =>
        verifying(12 * HOUR + 1000, {
          kind: "error",
          code: "ResourceBusy",
          message: "busy",
          retryable: true,
        }),
    },
    {
      name: "the destination may not be read",
      run: () =>
        verifying(5_000, {
          kind: "error",
          code: "AuthFailure.RoleNotAssumable",
          cloud: { category: "permanent", reason: "role_not_assumable" },
          message: "role missing",
          retryable: false,
        }),
    },
    { name: "checks pass", run: () => said("checking", (p) => check(p.deps, p.request)) },
    {
      name: "checks fail",
      run: () =>
        said(
          "checking",
          (p) => check(p.deps, p.request),
          (p) => {
            p.cloud.collaborators.splice(0);
          },
        ),
    },
    { name: "copy started", run: () => said("copying", (p) => copy(p.deps, p.request)) },
    {
      name: "submitted without a read role",
      run: () =>
        said(
          "copying",
          (p) => copy(p.deps, p.request),
          () => undefined,
          { destination: DR_BLIND },
        ),
    },
  ])("$name", async ({ run }) => {
    const messages = await run();
    expect(messages.length).toBeGreaterThan(0);
    for (const message of messages)
      expectBothLanguages(
        () => renderMessage(asMessage(message)),
        [...KEPT, "COPYING_FROM_REMOTE", "ResourceBusy"],
      );
  });

  it("the share method's steps", async () => {
    const shareDest = { alias: "dr-share", accountUin: "200000000009", method: "share" as const };
    const messages = await said(
      "copying",
      async (p) => {
        await share(p.deps, p.request);
        const stored = await p.store.get(p.request.id);
        if (stored) await verifyShare(p.deps, stored as never);
      },
      () => undefined,
      { destination: shareDest },
    );
    expect(messages.length).toBeGreaterThan(0);
    for (const message of messages) expectBothLanguages(() => renderMessage(asMessage(message)), KEPT);
  });
});
