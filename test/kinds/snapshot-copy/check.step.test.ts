import { describe, expect, it } from "vitest";
import { toPlainText } from "../../../src/core/messages/message.js";
import { CloudError } from "../../../src/core/ports/cloud-api.port.js";
import { check } from "../../../src/kinds/snapshot-copy/steps/check.step.js";
import { asCopy } from "../../support/request-fixtures.js";
import { atStep } from "./step-fixtures.js";

describe("the check step", () => {
  it("checks pass: on to copying, the thread lists the checks, nothing copied yet", async () => {
    const ports = await atStep("checking");
    expect(await check(ports.deps, ports.request)).toEqual({ kind: "continue" });
    const stored = await ports.store.get(ports.request.id);
    expect(stored).toMatchObject({ state: "running", step: "copying" });
    expect(stored?.checks?.map((c) => `${c.check}:${c.status}`)).toEqual([
      "snapshot:passed",
      "collaborator:passed",
      "permission:passed",
      "read_role:passed",
    ]);
    const thread = ports.notifier.thread(ports.request.id);
    expect(thread).toHaveLength(1);
    expect(thread[0]).toMatch(/^Checks passed:\n/);
    expect(thread[0]).toMatch(/Starting the copy to account 200000000002…$/);
    expect(ports.cloud.copyCalls).toEqual([]);
    expect(ports.audit.eventsOf(ports.request.id)).toEqual(["requested", "copying"]);
  });

  it.each([
    {
      name: "the destination is no longer a collaborator",
      arrange: (p: Awaited<ReturnType<typeof atStep>>) => p.cloud.collaborators.splice(0),
      code: "cam.not_collaborator",
    },
    {
      name: "the snapshot is gone",
      arrange: (p: Awaited<ReturnType<typeof atStep>>) => p.cloud.sourceSnapshots.splice(0),
      code: "snapshot.not_found",
    },
  ])(
    "$name: failed with the fix, said in the thread and the notify channel; nothing copied",
    async ({ arrange, code }) => {
      const ports = await atStep("checking");
      arrange(ports);
      expect(await check(ports.deps, ports.request)).toEqual({ kind: "done", state: "failed" });
      const stored = await ports.store.get(ports.request.id);
      expect(stored?.state).toBe("failed");
      expect(stored?.failure?.code).toBe(code);
      expect(stored?.failure?.message).toMatch(/Nothing was copied\.$/);
      expect(stored?.failure?.fix).toEqual(expect.any(String));
      const thread = ports.notifier.thread(ports.request.id);
      expect(thread[0]).toMatch(/^Checks before copying:\n/);
      expect(thread[1]).toMatch(/^Failed: .*Nothing was copied\.\nHow to fix: /s);
      expect(ports.notifier.outcomes).toEqual([
        { requestId: ports.request.id, state: "failed", conversation: "C0NOTIFY" },
      ]);
      expect(ports.cloud.copyCalls).toEqual([]);
      // Why it failed, in the trail: the code and the reason in plain English.
      expect(ports.audit.entries.at(-1)).toMatchObject({
        event: "failed",
        from: "checking",
        detail: expect.stringMatching(new RegExp(`^${code.replace(".", "\\.")}: .*Nothing was copied\\.$`)),
      });
    },
  );

  it("a read role whose AssumeRole is refused fails the run-time check with the trust-policy fix, before any copy", async () => {
    const ports = await atStep("checking");
    ports.cloud.refusedReadRoles.add(ports.request.destination.readRoleArn ?? "");
    expect(await check(ports.deps, ports.request)).toEqual({ kind: "done", state: "failed" });
    const stored = await ports.store.get(ports.request.id);
    const readRole = stored?.checks?.find((c) => c.check === "read_role");
    expect(readRole).toMatchObject({ status: "failed" });
    expect(toPlainText(readRole?.fix ?? [])).toContain("policies/destination-read-role.trust.json");
    expect(ports.cloud.readRoleChecks).toEqual([ports.request.destination.readRoleArn]);
    expect(ports.cloud.copyCalls).toEqual([]);
  });

  it("the plan changed since the approval: failed, audited, and a fresh request asks for approval", async () => {
    const ports = await atStep("checking");
    const source = ports.cloud.sourceSnapshots[0];
    if (source) source.diskSizeGiB = 200;
    expect(await check(ports.deps, ports.request)).toEqual({ kind: "done", state: "failed" });
    const stored = await ports.store.get(ports.request.id);
    expect(stored?.failure).toMatchObject({ code: "plan.changed" });
    expect(stored?.failure?.message).toMatch(/its size changed from 100 GiB to 200 GiB.*Nothing was copied/);
    expect(ports.audit.eventsOf(ports.request.id, true)).toEqual([
      "requested",
      "plan_changed:its size changed from 100 GiB to 200 GiB",
      expect.stringMatching(/^failed:plan\.changed: .*its size changed from 100 GiB to 200 GiB/),
    ]);

    const fresh = (await ports.store.listRecent(10)).find((r) => r.id !== ports.request.id);
    expect(fresh).toMatchObject({ state: "pending_approval", requestedBy: "U0ALICE", origin: "C0REQUESTS" });
    // The fresh request takes over the failed one's name (it never called the copy) and shows today's snapshot.
    expect(asCopy(fresh)?.spec).toMatchObject({ newName: "db-copy", snapshot: { diskSizeGiB: 200 } });
    expect(ports.notifier.cards.get(fresh?.id ?? "")).toMatchObject({ state: "pending_approval" });
    expect(ports.notifier.thread(ports.request.id).at(-1)).toBe(
      `A fresh request ${fresh?.id} with the plan as it is now is waiting for approval in #C0REQUESTS.`,
    );
    expect(ports.cloud.copyCalls).toEqual([]);
  });

  it("Tencent Cloud busy: the step is tried again later (a retryable error), the request stays at checking", async () => {
    const ports = await atStep("checking");
    ports.cloud.findSourceSnapshot = async () => {
      throw new CloudError({
        code: "ResourceBusy",
        message: "busy",
        category: "unavailable",
        reason: "other",
      });
    };
    const error = await check(ports.deps, ports.request).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(CloudError);
    expect((error as CloudError).retryable).toBe(true);
    expect(await ports.store.get(ports.request.id)).toMatchObject({ state: "running", step: "checking" });
    expect(ports.notifier.replies).toEqual([]);
  });

  it("another run moved the request on meanwhile: nothing changed, nothing said", async () => {
    const ports = await atStep("copying");
    expect(await check(ports.deps, { ...ports.request, step: "checking" })).toEqual({ kind: "continue" });
    expect(await ports.store.get(ports.request.id)).toMatchObject({ step: "copying" });
    expect(ports.notifier.replies).toEqual([]);
  });
});
