import { describe, expect, it } from "vitest";
import { CloudError } from "../../../src/core/ports/cloud-api.port.js";
import { copy } from "../../../src/kinds/snapshot-copy/steps/copy.step.js";
import { aSnapshot, asCopy } from "../../support/request-fixtures.js";
import { atStep, DR_BLIND } from "./step-fixtures.js";

const cloudError = (category: CloudError["category"], reason: CloudError["reason"] = "other") =>
  new CloudError({ code: `Test.${category}`, message: category, category, reason, requestId: "req-err" });

/** A copy already in the destination under the request's name (made by a call whose answer was lost). */
function madeEarlier(ports: Awaited<ReturnType<typeof atStep>>) {
  ports.cloud.destinationSnapshots.set(ports.request.destination.accountUin, [
    {
      ...aSnapshot(),
      snapshotId: "snap-earlier1",
      name: "db-copy",
      state: "COPYING_FROM_REMOTE",
    },
  ]);
}

describe("the copy step: one copy call, exactly once", () => {
  it("claims the call, copies once, and hands over to verifying", async () => {
    const ports = await atStep("copying");
    const now = ports.clock.now();
    expect(await copy(ports.deps, ports.request)).toEqual({ kind: "wait", delayMs: 1000 });
    expect(ports.cloud.copyCalls).toEqual([
      {
        snapshotId: "snap-abc12345",
        region: "ap-shanghai",
        targetAccountUin: "200000000002",
        newName: "db-copy",
        notAfter: now.getTime() + 30_000,
      },
    ]);
    expect(await ports.copyWatch.readCopyClaim(ports.request.id)).toEqual({
      at: now.toISOString(),
      ended: false,
    });
    const stored = asCopy(await ports.store.get(ports.request.id));
    expect(stored).toMatchObject({ state: "running", step: "verifying" });
    expect(stored?.progress).toMatchObject({
      newSnapshotId: "snap-copy0001",
      cloudRequestId: "req-1",
      reportedQuarter: 0,
    });
    expect(ports.notifier.thread(ports.request.id)).toEqual([
      "Copy started: new snapshot snap-copy0001 in account 200000000002 (dr-prod), Tencent request id req-1.",
    ]);
  });

  it("without a read role: copies once and ends submitted, saying completion cannot be verified", async () => {
    const ports = await atStep("copying", { destination: DR_BLIND });
    expect(await copy(ports.deps, ports.request)).toEqual({ kind: "done", state: "submitted" });
    expect(ports.cloud.copyCalls).toHaveLength(1);
    expect((await ports.store.get(ports.request.id))?.state).toBe("submitted");
    expect(ports.notifier.thread(ports.request.id)[1]).toMatch(/^Submitted; completion cannot be verified/);
    expect(ports.notifier.outcomes).toEqual([
      { requestId: ports.request.id, state: "submitted", conversation: "C0NOTIFY" },
    ]);
  });

  it.each([
    { found: "a claim", arrange: "claim" },
    { found: "an intent on an older record", arrange: "progress" },
  ] as const)(
    "without a read role, $found from an earlier run: outcome unknown, no second call",
    async ({ arrange }) => {
      const ports = await atStep("copying", {
        destination: DR_BLIND,
        ...(arrange === "progress" ? { progress: { copyRequestedAt: "2026-11-25T09:00:00.000Z" } } : {}),
      });
      if (arrange === "claim")
        ports.copyWatch.claims.set(ports.request.id, { at: "2026-11-25T09:00:00.000Z", ended: false });
      expect(await copy(ports.deps, ports.request)).toEqual({ kind: "done", state: "outcome_unknown" });
      expect(ports.cloud.copyCalls).toEqual([]);
      const stored = await ports.store.get(ports.request.id);
      expect(stored?.state).toBe("outcome_unknown");
      expect(stored?.failure?.code).toBe("copy.outcome_unknown");
      expect(ports.notifier.thread(ports.request.id)[0]).toMatch(/^Outcome unknown: A copy may exist/);
      expect(ports.notifier.thread(ports.request.id)[0]).toMatch(/It did not request a second copy\./);
    },
  );

  it("a claim whose call may still be on its way: waits until it cannot be, without calling or looking", async () => {
    const ports = await atStep("copying");
    const at = new Date(ports.clock.now().getTime() - 1000).toISOString();
    ports.copyWatch.claims.set(ports.request.id, { at, ended: false });
    // Sent before at + 30 s or never, answered or abandoned 30 s later, plus a 2 s margin.
    expect(await copy(ports.deps, ports.request)).toEqual({ kind: "wait", delayMs: 61_000 });
    expect(ports.cloud.copyCalls).toEqual([]);
    expect(ports.cloud.nameLookups).toEqual([]);
  });

  it("another run claimed the call first: it owns it; this one waits", async () => {
    const ports = await atStep("copying");
    const { copyWatch } = ports;
    copyWatch.readCopyClaim = async () => undefined; // read before the other run's claim landed
    copyWatch.claims.set(ports.request.id, { at: ports.clock.now().toISOString(), ended: false });
    expect(await copy(ports.deps, ports.request)).toEqual({ kind: "wait", delayMs: 1000 });
    expect(ports.cloud.copyCalls).toEqual([]);
  });

  it("throttled (refused before it ran): the claim and the intent are cleared, and the retry calls again", async () => {
    const ports = await atStep("copying");
    ports.cloud.onCopy = () => cloudError("throttled");
    await expect(copy(ports.deps, ports.request)).rejects.toThrow(CloudError);
    expect(await ports.copyWatch.readCopyClaim(ports.request.id)).toBeUndefined();
    const after = asCopy(await ports.store.get(ports.request.id));
    expect(after).toMatchObject({ state: "running", step: "copying" });
    expect(after?.progress.copyRequestedAt).toBeUndefined();

    ports.cloud.onCopy = undefined;
    await copy(ports.deps, after ?? ports.request);
    expect(ports.cloud.copyCalls).toHaveLength(2);
    expect(ports.cloud.nameLookups).toEqual([]);
    expect(await ports.store.get(ports.request.id)).toMatchObject({ step: "verifying" });
  });

  it("maybe sent (an internal error, a timeout): the claim stays, ended; the retry finds the copy by name and does not call again", async () => {
    const ports = await atStep("copying");
    ports.cloud.onCopy = () => cloudError("maybe_sent");
    await expect(copy(ports.deps, ports.request)).rejects.toThrow(CloudError);
    const claim = await ports.copyWatch.readCopyClaim(ports.request.id);
    expect(claim).toEqual({ at: ports.clock.now().toISOString(), ended: true });
    const after = asCopy(await ports.store.get(ports.request.id));
    expect(after?.progress.copyRequestedAt).toBe(claim?.at);

    madeEarlier(ports);
    ports.cloud.onCopy = undefined;
    await copy(ports.deps, after ?? ports.request);
    expect(ports.cloud.copyCalls).toHaveLength(1);
    expect(ports.cloud.nameLookups).toEqual([{ accountUin: "200000000002", name: "db-copy" }]);
    expect(asCopy(await ports.store.get(ports.request.id))?.progress.newSnapshotId).toBe("snap-earlier1");
  });

  it("an ended claim and no copy by that name: the call did not make one, so it is made now, once", async () => {
    const ports = await atStep("copying");
    ports.copyWatch.claims.set(ports.request.id, { at: "2026-11-25T09:00:00.000Z", ended: true });
    await copy(ports.deps, ports.request);
    expect(ports.cloud.nameLookups).toHaveLength(1);
    expect(ports.cloud.copyCalls).toHaveLength(1);
    expect(await ports.copyWatch.readCopyClaim(ports.request.id)).toEqual({
      at: ports.clock.now().toISOString(),
      ended: false,
    });
  });

  it("a permanent refusal: failed with the cloud's fix, one call", async () => {
    const ports = await atStep("copying");
    ports.cloud.onCopy = () => cloudError("permanent", "access_denied");
    expect(await copy(ports.deps, ports.request)).toEqual({ kind: "done", state: "failed" });
    expect(ports.cloud.copyCalls).toHaveLength(1);
    const failure = (await ports.store.get(ports.request.id))?.failure;
    expect(failure).toMatchObject({
      code: "Test.permanent",
      cloud: { category: "permanent", reason: "access_denied" },
      cloudRequestId: "req-err",
      fix: expect.any(String),
    });
    expect(ports.notifier.thread(ports.request.id)[0]).toMatch(
      /Tencent request id: req-err \(error Test.permanent\)\nHow to fix: /,
    );
  });
});
