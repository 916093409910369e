import { describe, expect, it } from "vitest";
import type { CopyObservation } from "../../../src/core/ports/copy-watch.port.js";
import { verify } from "../../../src/kinds/snapshot-copy/steps/verify.step.js";
import { asCopy } from "../../support/request-fixtures.js";
import { atStep } from "./step-fixtures.js";

const HOUR = 3600_000;

/** A request 'verifying' the copy snap-copy0001 started now, and what the poller saw `afterMs` later. */
async function verifying(afterMs: number, seen?: Omit<CopyObservation, "at"> & { at?: string }) {
  const ports = await atStep("verifying");
  const startedAt = ports.clock.now().toISOString();
  const request = {
    ...ports.request,
    progress: { copyRequestedAt: startedAt, newSnapshotId: "snap-copy0001", startedAt, reportedQuarter: 0 },
  };
  await ports.store.update(request.id, { progress: request.progress });
  ports.clock.advance(afterMs);
  if (seen)
    ports.copyWatch.seen.set(request.id, { at: ports.clock.now().toISOString(), ...seen } as CopyObservation);
  return { ...ports, request };
}

const seen = (state: string, percent: number, diskSizeGiB = 100) =>
  ({ kind: "seen", state, percent, diskSizeGiB }) as const;

describe("the verify step", () => {
  it("NORMAL at the source's size: completed, the thread says so with the time taken, the copy no longer watched", async () => {
    const ports = await verifying(90_000, seen("NORMAL", 100));
    expect(await verify(ports.deps, ports.request)).toEqual({ kind: "done", state: "completed" });
    expect(await ports.store.get(ports.request.id)).toMatchObject({ state: "completed" });
    expect(ports.notifier.thread(ports.request.id)).toEqual([
      "Verified: snap-copy0001 is NORMAL in account 200000000002, 100 GiB as the source. Completed in 1m 30s.",
    ]);
    expect(ports.notifier.outcomes).toEqual([
      { requestId: ports.request.id, state: "completed", conversation: "C0NOTIFY" },
    ]);
    expect(ports.copyWatch.watched.size).toBe(0);
    expect(ports.audit.entries.at(-1)).toMatchObject({ event: "completed", from: "verifying" });
  });

  it.each([
    { name: "nothing seen yet", afterMs: 5_000, observation: undefined },
    {
      name: "a busy destination (retryable error)",
      afterMs: 5_000,
      observation: { kind: "error", code: "ResourceBusy", message: "busy", retryable: true } as const,
    },
    { name: "copying, below the next quarter", afterMs: 5_000, observation: seen("COPYING_FROM_REMOTE", 10) },
  ])("$name: waits a poll interval, watching the copy, saying nothing", async ({ afterMs, observation }) => {
    const ports = await verifying(afterMs, observation);
    expect(await verify(ports.deps, ports.request)).toEqual({ kind: "wait", delayMs: 1000 });
    expect(ports.copyWatch.watched.get(ports.request.id)).toMatchObject({
      snapshotId: "snap-copy0001",
      accountUin: "200000000002",
    });
    expect(await ports.store.get(ports.request.id)).toMatchObject({ state: "running", step: "verifying" });
    expect(ports.notifier.replies).toEqual([]);
  });

  it("absent within the visibility grace: waits, and says once in the thread what it waits for and until when", async () => {
    const ports = await verifying(60_000, { kind: "absent" });
    expect(await verify(ports.deps, ports.request)).toEqual({ kind: "wait", delayMs: 1000 });
    const until = new Date(Date.parse(ports.request.progress.startedAt) + 120_000).toISOString();
    const thread = ports.notifier.thread(ports.request.id);
    expect(thread).toHaveLength(1);
    expect(thread[0]).toContain(
      "Waiting for the new copy snap-copy0001 to be listed in account 200000000002",
    );
    expect(thread[0]).toContain(`I wait until ${until}`);
    const again = asCopy(await ports.store.get(ports.request.id));
    expect(again?.progress.visibilityNoticeAt).toEqual(expect.any(String));
    await verify(ports.deps, again ?? ports.request);
    expect(ports.notifier.thread(ports.request.id)).toHaveLength(1);
    expect(await ports.store.get(ports.request.id)).toMatchObject({ state: "running", step: "verifying" });
  });

  it("a copy listed once and then gone: reported as vanished at once, with what to check", async () => {
    const ports = await verifying(5_000, seen("COPYING_FROM_REMOTE", 10));
    expect(await verify(ports.deps, ports.request)).toEqual({ kind: "wait", delayMs: 1000 });
    const listed = asCopy(await ports.store.get(ports.request.id));
    expect(listed?.progress.seenAt).toEqual(expect.any(String));
    ports.clock.advance(1000);
    ports.copyWatch.seen.set(ports.request.id, { kind: "absent", at: ports.clock.now().toISOString() });
    expect(await verify(ports.deps, listed ?? ports.request)).toEqual({ kind: "done", state: "failed" });
    const stored = await ports.store.get(ports.request.id);
    expect(stored?.failure?.code).toBe("copy.vanished");
    expect(stored?.failure?.message).toMatch(/vanished from account dr-prod \(200000000002\)/);
    expect(stored?.failure?.fix).toMatch(/CBS console .*deleted or failed/);
    const thread = ports.notifier.thread(ports.request.id);
    expect(thread.at(-1)).toMatch(/^Failed: The copy snap-copy0001 vanished/);
    expect(thread.at(-1)).toMatch(/How to fix: Check in account 200000000002's CBS console/);
    expect(ports.audit.entries.at(-1)).toMatchObject({
      event: "failed",
      detail: expect.stringMatching(/^copy\.vanished: The copy snap-copy0001 vanished/),
    });
  });

  it("an observation from before the copy started does not count", async () => {
    const ports = await verifying(5_000);
    ports.copyWatch.seen.set(ports.request.id, { kind: "absent", at: "2026-11-25T09:00:00.000Z" });
    ports.clock.advance(HOUR);
    expect(await verify(ports.deps, ports.request)).toEqual({ kind: "wait", delayMs: 1000 });
  });

  it.each([
    {
      name: "absent after the grace",
      afterMs: 121_000,
      observation: { kind: "absent" } as const,
      code: "copy.missing",
      says: /never appeared in account dr-prod \(200000000002\), ap-shanghai within 2m 0s of the copy call: it failed or was deleted there/,
    },
    {
      name: "NORMAL at another size",
      afterMs: 60_000,
      observation: seen("NORMAL", 100, 50),
      code: "copy.size_mismatch",
      says: /is 50 GiB but the source is 100 GiB/,
    },
    {
      name: "stuck copying past maxCopyDuration",
      afterMs: 12 * HOUR + 1000,
      observation: seen("CHECKING_COPIED", 40),
      code: "copy.stuck",
      says: /is still CHECKING_COPIED at 40% after 12h 0m; the bot stopped waiting/,
    },
    {
      name: "never seen past maxCopyDuration",
      afterMs: 12 * HOUR + 1000,
      observation: undefined,
      code: "copy.stuck",
      says: /has not been seen yet after 12h 0m/,
    },
    {
      name: "unreadable past maxCopyDuration",
      afterMs: 12 * HOUR + 1000,
      observation: { kind: "error", code: "ResourceBusy", message: "busy", retryable: true } as const,
      code: "copy.stuck",
      says: /could not be read in the destination/,
    },
    {
      name: "a destination the bot may not read",
      afterMs: 5_000,
      observation: {
        kind: "error",
        code: "AuthFailure.RoleNotAssumable",
        cloud: { category: "permanent", reason: "role_not_assumable" },
        message: "role missing",
        retryable: false,
      } as const,
      code: "AuthFailure.RoleNotAssumable",
      says: /cannot read account 200000000002 to follow the copy snap-copy0001: "role missing"/,
    },
  ])(
    "$name: failed ($code), said in the thread and the notify channel",
    async ({ afterMs, observation, code, says }) => {
      const ports = await verifying(afterMs, observation);
      expect(await verify(ports.deps, ports.request)).toEqual({ kind: "done", state: "failed" });
      const stored = await ports.store.get(ports.request.id);
      expect(stored?.state).toBe("failed");
      expect(stored?.failure?.code).toBe(code);
      expect(stored?.failure?.message).toMatch(says);
      expect(ports.notifier.thread(ports.request.id)[0]).toMatch(says);
      expect(ports.notifier.outcomes).toHaveLength(1);
      expect(ports.copyWatch.watched.size).toBe(0); // released
      // Why it failed, in the trail: the code, then the reason in plain English.
      expect(ports.audit.entries.at(-1)).toMatchObject({
        event: "failed",
        from: "verifying",
        detail: `${code}: ${stored?.failure?.message}`,
      });
    },
  );

  it("absent past a maxCopyDuration shorter than the visibility grace: copy.stuck then, not after the grace", async () => {
    const ports = await verifying(31_000, { kind: "absent" });
    const deps = {
      ...ports.deps,
      config: {
        ...ports.deps.config,
        replication: { ...ports.deps.config.replication, maxCopyDuration: 30_000 },
      },
    };
    expect(await verify(deps, ports.request)).toEqual({ kind: "done", state: "failed" });
    const stored = await ports.store.get(ports.request.id);
    expect(stored?.failure?.code).toBe("copy.stuck");
    expect(stored?.failure?.message).toMatch(/snap-copy0001 is not in account 200000000002 after 31s/);
    expect(ports.copyWatch.watched.size).toBe(0);
  });

  it("reports progress once per quarter", async () => {
    const ports = await verifying(5_000, seen("COPYING_FROM_REMOTE", 55));
    await verify(ports.deps, ports.request);
    const reloaded = asCopy(await ports.store.get(ports.request.id));
    expect(reloaded?.progress.reportedQuarter).toBe(2);
    await verify(ports.deps, reloaded ?? ports.request);
    expect(ports.notifier.thread(ports.request.id)).toEqual(["Copying: 55% (COPYING_FROM_REMOTE)."]);
  });

  it("the copy's id was lost: outcome unknown", async () => {
    const ports = await atStep("verifying");
    expect(await verify(ports.deps, ports.request)).toEqual({ kind: "done", state: "failed" });
    expect((await ports.store.get(ports.request.id))?.failure?.code).toBe("copy.outcome_unknown");
  });
});
