import { describe, expect, it } from "vitest";
import { toPlainText } from "../../../src/core/messages/message.js";
import { CloudError } from "../../../src/core/ports/cloud-api.port.js";
import type { AutoSnapshotPolicy } from "../../../src/core/ports/policy-cloud.port.js";
import { buildLinkPlan, fingerprintLinkPlan } from "../../../src/kinds/policy-link/plan-fingerprint.js";
import type { PolicyLinkRequest } from "../../../src/kinds/policy-link/policy-link.request.js";
import { confirm } from "../../../src/kinds/policy-link/steps/confirm.step.js";
import { link } from "../../../src/kinds/policy-link/steps/link.step.js";
import { DR_BLIND_UIN, DR_PROD_UIN, memoryPorts, READ_ROLE } from "../../support/memory-ports.js";

const POLICY: AutoSnapshotPolicy = {
  policyId: "asp-dbdaily1",
  name: "db-daily",
  region: "ap-shanghai",
  state: "NORMAL",
  activated: true,
  schedules: [{ hours: [3], daysOfWeek: [0, 1, 2, 3, 4, 5, 6] }],
  diskIds: ["disk-db000001"],
  retention: { kind: "days", days: 7 },
  nextTriggerTime: "2026-12-02 03:00:00",
};

async function atStep(step: "linking" | "confirming", progress: PolicyLinkRequest["progress"] = {}) {
  const ports = memoryPorts();
  ports.cloud.autoPolicies.push({ ...POLICY });
  const at = ports.clock.now();
  const destination = { alias: "dr-prod", accountUin: DR_PROD_UIN, readRoleArn: READ_ROLE };
  const request: PolicyLinkRequest = {
    id: "rq-link01",
    kind: "policy-link",
    state: "running",
    step,
    requestedBy: "U0ALICE",
    origin: "C0REQUESTS",
    createdAt: new Date(at.getTime() - 600_000).toISOString(),
    updatedAt: at.toISOString(),
    destination,
    card: { conversation: "C0REQUESTS", id: "card-0" },
    approvals: [{ userId: "U0BOB", at: new Date(at.getTime() - 60_000).toISOString() }],
    requiredApprovals: 1,
    planFingerprint: fingerprintLinkPlan(buildLinkPlan(POLICY, DR_PROD_UIN)),
    spec: { policy: { ...POLICY } },
    progress,
  };
  await ports.store.create(request);
  return { ...ports, request };
}

const stored = async (ports: Awaited<ReturnType<typeof atStep>>) =>
  (await ports.store.get(ports.request.id)) as PolicyLinkRequest | undefined;

describe("the link step: CopyAutoSnapshotPolicyCrossAccount, exactly once", () => {
  it("claims the call, links once, and hands over to confirming", async () => {
    const ports = await atStep("linking");
    const now = ports.clock.now();
    expect(await link(ports.deps, ports.request)).toEqual({ kind: "continue" });
    expect(ports.cloud.linkCalls).toEqual([
      {
        policyId: "asp-dbdaily1",
        region: "ap-shanghai",
        targetAccountUin: DR_PROD_UIN,
        notAfter: now.getTime() + 30_000,
      },
    ]);
    expect(await ports.copyWatch.readCopyClaim(ports.request.id)).toEqual({
      at: now.toISOString(),
      ended: false,
    });
    const after = await stored(ports);
    expect(after).toMatchObject({ state: "running", step: "confirming" });
    expect(after?.progress).toMatchObject({
      linkRequestedAt: now.toISOString(),
      cloudRequestId: "req-link-1",
    });
  });

  it("after a crash with the claim taken, reads CopyToAccountUin back first: already linked, no second call", async () => {
    const ports = await atStep("linking");
    const earlier = new Date(ports.clock.now().getTime() - 120_000).toISOString();
    await ports.copyWatch.swapCopyClaim(ports.request.id, undefined, { at: earlier, ended: true });
    (ports.cloud.autoPolicies[0] as AutoSnapshotPolicy).copyToAccountUin = DR_PROD_UIN;
    await link(ports.deps, { ...ports.request, progress: { linkRequestedAt: earlier } });
    expect(ports.cloud.linkCalls).toHaveLength(0);
    expect(await stored(ports)).toMatchObject({ step: "confirming" });
    expect(ports.notifier.thread(ports.request.id).join("\n")).toMatch(/no second call/);
  });

  it("after a crash with no link made, calls again once", async () => {
    const ports = await atStep("linking");
    const earlier = new Date(ports.clock.now().getTime() - 120_000).toISOString();
    await ports.copyWatch.swapCopyClaim(ports.request.id, undefined, { at: earlier, ended: true });
    await link(ports.deps, { ...ports.request, progress: { linkRequestedAt: earlier } });
    expect(ports.cloud.linkCalls).toHaveLength(1);
    expect(await stored(ports)).toMatchObject({ step: "confirming" });
  });

  it("waits while a claimed call may still be in flight, without calling", async () => {
    const ports = await atStep("linking");
    const justNow = ports.clock.now().toISOString();
    await ports.copyWatch.swapCopyClaim(ports.request.id, undefined, { at: justNow, ended: false });
    const result = await link(ports.deps, ports.request);
    expect(result.kind).toBe("wait");
    expect(ports.cloud.linkCalls).toHaveLength(0);
  });

  it("never overwrites a link made meanwhile to another account", async () => {
    const ports = await atStep("linking");
    const earlier = new Date(ports.clock.now().getTime() - 120_000).toISOString();
    await ports.copyWatch.swapCopyClaim(ports.request.id, undefined, { at: earlier, ended: true });
    (ports.cloud.autoPolicies[0] as AutoSnapshotPolicy).copyToAccountUin = DR_BLIND_UIN;
    expect(await link(ports.deps, ports.request)).toEqual({ kind: "done", state: "failed" });
    expect(ports.cloud.linkCalls).toHaveLength(0);
    expect(ports.cloud.autoPolicies[0]?.copyToAccountUin).toBe(DR_BLIND_UIN);
    const failure = (await stored(ports))?.failure?.message;
    expect(toPlainText(typeof failure === "string" ? [failure] : (failure ?? []))).toContain(DR_BLIND_UIN);
  });

  it("a throttled call releases the claim and the intent, and is retried by the queue", async () => {
    const ports = await atStep("linking");
    ports.cloud.copyAutoSnapshotPolicyCrossAccount = async () => {
      throw new CloudError({
        code: "RequestLimitExceeded",
        message: "slow down",
        category: "throttled",
        reason: "other",
      });
    };
    await expect(link(ports.deps, ports.request)).rejects.toThrow("slow down");
    expect(await ports.copyWatch.readCopyClaim(ports.request.id)).toBeUndefined();
    expect((await stored(ports))?.progress.linkRequestedAt).toBeUndefined();
  });
});

describe("the confirm step: CopyToAccountUin read back", () => {
  it("completes when the source lists the destination, and says so in the thread and the channel", async () => {
    const ports = await atStep("confirming", { linkAcceptedAt: new Date().toISOString() });
    (ports.cloud.autoPolicies[0] as AutoSnapshotPolicy).copyToAccountUin = DR_PROD_UIN;
    expect(await confirm(ports.deps, ports.request)).toEqual({ kind: "done", state: "completed" });
    expect(ports.notifier.thread(ports.request.id).at(-1)).toMatch(
      /^Confirmed: Tencent Cloud lists asp-dbdaily1 as replicating to account 200000000002 \(dr-prod\)/,
    );
    expect(ports.notifier.outcomes).toEqual([
      { requestId: ports.request.id, state: "completed", conversation: "C0NOTIFY" },
    ]);
  });

  it("waits while the link is not visible yet", async () => {
    const ports = await atStep("confirming", { linkAcceptedAt: ports0Now() });
    expect(await confirm(ports.deps, ports.request)).toEqual({ kind: "wait", delayMs: 1000 });
  });
});

function ports0Now(): string {
  return memoryPorts().clock.now().toISOString();
}
