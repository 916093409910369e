import { describe, expect, it } from "vitest";
import { toPlainText } from "../../src/core/messages/message.js";
import {
  type ApproverPolicy,
  checkApprover,
  checkCanceller,
  describeDecidedState,
  isPastExpiry,
  pickApproverPolicy,
} from "../../src/core/request/approval-rules.js";
import { REQUEST_STATES, type RequestState } from "../../src/core/request/request.js";
import {
  buildPlan,
  describePlanChanges,
  fingerprintPlan,
} from "../../src/kinds/snapshot-copy/plan-fingerprint.js";
import type { SnapshotCopyRequest } from "../../src/kinds/snapshot-copy/snapshot-copy.request.js";
import type { RequestOverrides } from "../support/request-fixtures.js";
import { aRequest, aSnapshot } from "../support/request-fixtures.js";

const snapshot = aSnapshot({ name: "db", diskId: "disk-1" });

const request = (overrides: RequestOverrides = {}): SnapshotCopyRequest =>
  aRequest({
    snapshot,
    origin: "C0REQ",
    createdAt: "2026-11-25T00:00:00.000Z",
    updatedAt: "2026-11-25T00:00:00.000Z",
    ...overrides,
  });

const policy: ApproverPolicy = { users: ["U0BOB"], usergroups: [], required: 1, allowSelfApproval: false };

type ApproverCase = [string, string, boolean, ApproverPolicy, RequestOverrides, RegExp | null];

describe("checkApprover", () => {
  it.each<ApproverCase>([
    ["a non-approver", "U0EVE", false, policy, {}, /not an approver for copies to dr-prod/],
    ["the requester", "U0ALICE", true, policy, {}, /second pair of eyes/],
    [
      "the requester, self-approval allowed",
      "U0ALICE",
      true,
      { ...policy, allowSelfApproval: true },
      {},
      null,
    ],
    ["an approver", "U0BOB", true, policy, {}, null],
    [
      "an approver voting twice",
      "U0BOB",
      true,
      policy,
      { approvals: [{ userId: "U0BOB", at: "x" }] },
      /already approved/,
    ],
  ])("%s", (_name, userId, isApprover, p, overrides, refusal) => {
    const verdict = checkApprover(request(overrides), userId, isApprover, p);
    if (refusal) {
      expect(verdict.kind).toBe("refused");
      if (verdict.kind === "refused") expect(toPlainText(verdict.reason)).toMatch(refusal);
    } else expect(verdict).toEqual({ kind: "allowed" });
  });
});

describe("pickApproverPolicy", () => {
  it("a destination's own approvers replace the global ones; required falls back to the global one", () => {
    expect(pickApproverPolicy(policy, undefined)).toBe(policy);
    expect(pickApproverPolicy(policy, { users: ["U0DAVE"], usergroups: [] })).toEqual({
      users: ["U0DAVE"],
      usergroups: [],
      required: 1,
      allowSelfApproval: false,
    });
    expect(pickApproverPolicy(policy, { users: [], usergroups: ["S0X"], required: 3 }).required).toBe(3);
  });
});

describe("checkCanceller", () => {
  it.each<[RequestState, string | undefined, string, boolean, RegExp | null]>([
    ["pending_approval", undefined, "U0ALICE", false, null],
    ["approved", undefined, "U0BOB", true, null],
    ["pending_approval", undefined, "U0EVE", false, /Only the requester/],
    ["running", "copying", "U0ALICE", false, /work Tencent Cloud has started cannot be called back/],
    ["running", "verifying", "U0BOB", true, /work Tencent Cloud has started cannot be called back/],
    ["completed", undefined, "U0ALICE", false, /cannot be cancelled/],
    ["rejected", undefined, "U0ALICE", false, /already rejected/],
  ])("%s %s by %s (approver: %s)", (state, step, userId, isApprover, refusal) => {
    const verdict = checkCanceller(request({ state, ...(step ? { step } : {}) }), userId, isApprover);
    if (refusal) {
      expect(verdict.kind).toBe("refused");
      if (verdict.kind === "refused") expect(toPlainText(verdict.reason)).toMatch(refusal);
    } else expect(verdict).toEqual({ kind: "allowed" });
  });
});

describe("describeDecidedState and expiry", () => {
  it("names who decided, and says 'you' to the person who did", () => {
    const cancelled = request({ state: "cancelled", cancellation: { userId: "U0A", at: "x" } });
    expect(toPlainText(describeDecidedState(cancelled, "U0B"))).toBe(
      "@U0A cancelled this request; nothing was done.",
    );
    expect(toPlainText(describeDecidedState(cancelled, "U0A"))).toBe(
      "You cancelled this request; nothing was done.",
    );
    expect(toPlainText(describeDecidedState(request({ state: "expired" })))).toMatch(/expired/);
    const approved = (state: RequestState, step?: string) =>
      request({ state, ...(step ? { step } : {}), approvals: [{ userId: "U0CAROL", at: "x" }] });
    expect(toPlainText(describeDecidedState(approved("approved"), "U0CAROL"))).toBe(
      "You already approved this request; queued, the copy starts shortly.",
    );
    expect(toPlainText(describeDecidedState(approved("running", "verifying"), "U0BOB"))).toBe(
      "@U0CAROL already approved this request; copy in progress.",
    );
    expect(toPlainText(describeDecidedState(approved("running", "verifying"), "U0CAROL"), "zh-CN")).toBe(
      "你已批准此申请，复制进行中。",
    );
    expect(toPlainText(describeDecidedState(approved("completed"), "U0BOB"))).toBe(
      "@U0CAROL already approved this request; the copy is complete.",
    );
  });

  it("never names a state or a step the way the code spells it", () => {
    for (const state of REQUEST_STATES) {
      for (const step of [undefined, "checking", "copying", "verifying", "sharing"]) {
        const said = describeDecidedState(
          request({
            state,
            ...(step && state === "running" ? { step } : {}),
            approvals: [{ userId: "U0B", at: "x" }],
          }),
          "U0B",
        );
        for (const locale of ["en", "zh-CN"] as const)
          expect(toPlainText(said, locale)).not.toMatch(
            /_|\bverifying\b|\bchecking\b|\bis (running|approved)\b/,
          );
      }
    }
  });
  it("is past expiry exactly at expiresAt", () => {
    const r = request({ expiresAt: "2026-11-25T01:00:00.000Z" });
    expect(isPastExpiry(r, new Date("2026-11-25T00:59:59.999Z"))).toBe(false);
    expect(isPastExpiry(r, new Date("2026-11-25T01:00:00.000Z"))).toBe(true);
    expect(isPastExpiry(request(), new Date())).toBe(false);
  });
});

describe("plan fingerprint", () => {
  const approved = buildPlan(snapshot, "200000000002", "db-copy", "copy");
  it("is stable and changes with every field of the plan", () => {
    expect(fingerprintPlan(approved)).toBe(fingerprintPlan({ ...approved }));
    expect(fingerprintPlan(approved)).toMatch(/^v1:[0-9a-f]{16}$/);
    const variants = [
      { ...approved, snapshotState: "CREATING" },
      { ...approved, diskSizeGiB: 101 },
      { ...approved, encrypted: false },
      { ...approved, createdAt: "2026-11-25 03:00:00" },
      { ...approved, diskId: "disk-2" },
      { ...approved, destinationUin: "200000000009" },
      { ...approved, newName: "db-copy2" },
      { ...approved, method: "share" },
    ];
    const prints = new Set([approved, ...variants].map(fingerprintPlan));
    expect(prints.size).toBe(variants.length + 1);
  });
  it("says what changed: a reused id, a new size, another destination account", () => {
    const now = {
      ...approved,
      createdAt: "2026-11-25 03:00:00",
      diskSizeGiB: 200,
      destinationUin: "200000000009",
    };
    const changes = describePlanChanges(approved, now).join("; ");
    expect(changes).toContain("deleted and its id reused");
    expect(changes).toContain("100 GiB to 200 GiB");
    expect(changes).toContain("now points to account 200000000009");
    expect(describePlanChanges(approved, approved)).toEqual([]);
  });
});
