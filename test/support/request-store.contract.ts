/**
 * One contract for every RequestStore: the Redis store and the in-memory one the unit tests use
 * both run it, so the two cannot drift. Each case makes its own requests (fresh ids).
 */
import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import type { AuditTrail } from "../../src/core/ports/audit.port.js";
import type { RequestStore } from "../../src/core/ports/request-store.port.js";
import { canTransition, REQUEST_STATES, type RequestState } from "../../src/core/request/lifecycle.js";
import type { SnapshotCopyRequest } from "../../src/kinds/snapshot-copy/snapshot-copy.request.js";
import { aRequest, aSnapshot, type RequestOverrides } from "./request-fixtures.js";

export interface StoreUnderTest {
  store: RequestStore;
  /** The trail the store records its state changes in. */
  audit: AuditTrail;
}

export function describeRequestStoreContract(
  name: string,
  makeStore: () => StoreUnderTest | Promise<StoreUnderTest>,
): void {
  describe(`${name} (the RequestStore contract)`, () => {
    let store: RequestStore;
    let audit: AuditTrail;
    const run = randomUUID().slice(0, 6);
    let seq = 0;

    beforeAll(async () => {
      ({ store, audit } = await makeStore());
    });

    function newRequest(overrides: RequestOverrides = {}): SnapshotCopyRequest {
      return aRequest({
        id: `rq-${run}${String(++seq).padStart(4, "0")}`,
        origin: "C0REQ",
        snapshot: aSnapshot({ name: "db", diskId: "disk-1" }),
        ...overrides,
      });
    }
    async function stored(overrides: RequestOverrides = {}): Promise<SnapshotCopyRequest> {
      const request = newRequest(overrides);
      await store.create(request);
      return request;
    }
    const approval = (userId: string) => ({ userId, at: new Date().toISOString() });
    /** `from>event:detail` for each of a request's entries. */
    const trail = async (id: string) =>
      (await audit.read({ requestId: id })).map(
        (e) => `${e.from ?? ""}>${e.event}${e.detail ? `:${e.detail}` : ""}`,
      );

    it("creates once, lists newest first, and records the request in the audit trail", async () => {
      const a = newRequest({ createdAt: new Date(Date.now() - 1000).toISOString() });
      const b = newRequest();
      await store.create(a);
      await store.create(b);
      await expect(store.create(a)).rejects.toThrow(/store.duplicate_id/);
      expect((await store.listRecent(2)).map((r) => r.id)).toEqual([b.id, a.id]);
      expect(await store.get(a.id)).toMatchObject({ id: a.id, approvals: [] });
      expect(await store.get("rq-nothere")).toBeUndefined();
      const entries = await audit.read({ requestId: a.id });
      expect(entries).toHaveLength(1);
      expect(entries[0]).toMatchObject({ event: "requested", userId: "U0ALICE", requestId: a.id });
    });

    describe("follows the lifecycle table for every pair of states", () => {
      const pairs = REQUEST_STATES.flatMap((from) => REQUEST_STATES.map((to) => [from, to] as const));
      it.each(pairs)("%s → %s", async (from: RequestState, to: RequestState) => {
        const request = await stored({
          state: from,
          ...(from === "running" ? { step: "copying" } : {}),
        });
        const result = await store.transition(request.id, {
          to,
          ...(to === "running" ? { step: "verifying" } : {}),
        });
        expect(result.ok).toBe(canTransition(from, to));
        const after = await store.get(request.id);
        expect(after?.state).toBe(result.ok ? to : from);
        expect(await trail(request.id)).toEqual(
          result.ok
            ? [
                ">requested",
                `${from === "running" ? "copying" : from}>${to === "running" ? "verifying" : to}`,
              ]
            : [">requested"],
        );
      });
    });

    it("refuses a `from` the table does not allow, and running without a step, as bugs", async () => {
      const request = await stored();
      await expect(
        store.transition(request.id, { to: "running", step: "copying", from: { state: "pending_approval" } }),
      ).rejects.toThrow(/store.invalid_transition/);
      await expect(
        store.transition(request.id, { to: "running", from: { state: "approved" } }),
      ).rejects.toThrow(/store.invalid_transition/);
      expect((await store.get(request.id))?.state).toBe("pending_approval");
    });

    it("narrows by `from`, step included: a step hands over only from itself, once", async () => {
      const request = await stored({ state: "approved" });
      await store.update(request.id, { progress: { copyRequestedAt: new Date().toISOString() } });
      const first = { to: "running", step: "checking", from: { state: "approved" } } as const;
      expect((await store.transition(request.id, first)).ok).toBe(true);
      expect((await store.transition(request.id, first)).ok).toBe(false); // already checking: refused, no entry
      const fromCopying = {
        to: "running",
        step: "verifying",
        from: { state: "running", step: "copying" },
      } as const;
      const refused = await store.transition(request.id, fromCopying);
      expect(refused).toMatchObject({ ok: false, reason: "wrong_state", request: { step: "checking" } });
      const toCopying = {
        to: "running",
        step: "copying",
        from: { state: "running", step: "checking" },
      } as const;
      expect((await store.transition(request.id, toCopying)).ok).toBe(true);
      expect((await store.transition(request.id, toCopying)).ok).toBe(false); // a second run of the step
      // Progress updates leave no audit entry; each state change leaves one, named after the step.
      expect(await trail(request.id)).toEqual([">requested", "approved>checking", "checking>copying"]);
      const done = await store.transition(request.id, {
        to: "failed",
        from: { state: "running", step: "copying" },
        note: { detail: "copy.stuck" },
      });
      expect(done.ok && done.request.step).toBeUndefined();
      expect((await trail(request.id)).at(-1)).toBe("copying>failed:copy.stuck");
    });

    it("merges the patch, stamps updatedAt, and reports a missing request", async () => {
      const request = await stored({ updatedAt: "2000-01-01T00:00:00.000Z" });
      const rejection = { userId: "U0CAROL", at: new Date().toISOString(), reason: "no" };
      const result = await store.transition(request.id, {
        to: "rejected",
        patch: { rejection },
        note: { userId: "U0CAROL", detail: "no" },
      });
      expect(result).toMatchObject({ ok: true, request: { state: "rejected", rejection, origin: "C0REQ" } });
      expect((await store.get(request.id))?.updatedAt).not.toBe("2000-01-01T00:00:00.000Z");
      const events = await audit.read({ requestId: request.id });
      expect(events[1]).toMatchObject({
        event: "rejected",
        userId: "U0CAROL",
        detail: "no",
        from: "pending_approval",
      });
      expect(await store.transition("rq-nothere", { to: "expired" })).toEqual({
        ok: false,
        reason: "not_found",
      });
      expect(await store.update("rq-nothere", { origin: "C0X" })).toBeUndefined();
    });

    it("a final request takes no patch and no move", async () => {
      const request = await stored();
      expect((await store.transition(request.id, { to: "rejected" })).ok).toBe(true);
      expect(await store.update(request.id, { failure: { code: "x", message: "late" } })).toBeUndefined();
      expect(await store.update(request.id, { origin: "C0X" }, { state: "rejected" })).toBeUndefined();
      expect((await store.transition(request.id, { to: "cancelled" })).ok).toBe(false);
      const after = await store.get(request.id);
      expect(after?.failure).toBeUndefined();
      expect(after?.origin).toBe("C0REQ");
      expect(after?.state).toBe("rejected");
    });

    it("update with `expect` changes the request only in that state and step", async () => {
      const request = await stored({ state: "running", step: "checking" });
      expect(
        await store.update(request.id, { origin: "C0A" }, { state: "running", step: "copying" }),
      ).toBeUndefined();
      expect(await store.update(request.id, { origin: "C0A" }, { state: "approved" })).toBeUndefined();
      const updated = await store.update(
        request.id,
        { origin: "C0B" },
        { state: "running", step: "checking" },
      );
      expect(updated).toMatchObject({ origin: "C0B", state: "running", step: "checking" });
      expect(await store.update(request.id, { origin: "C0C" }, { state: "running" })).toMatchObject({
        origin: "C0C",
      });
      expect(await trail(request.id)).toEqual([">requested"]);
    });

    it("a progress patch replaces the progress: a field left out is gone", async () => {
      const request = await stored({
        state: "running",
        step: "copying",
        progress: { copyRequestedAt: "t1" },
      });
      const updated = await store.update(request.id, { progress: { startedAt: "t2" } });
      expect(updated?.progress).toEqual({ startedAt: "t2" });
    });

    it("30 different approvers at once on a 2-approval request: two votes, one approved, the rest refused", async () => {
      const request = await stored();
      const results = await Promise.all(
        Array.from({ length: 30 }, (_, i) => store.recordApproval(request.id, approval(`U0APP${i}`), 2)),
      );
      const kinds = results.map((r) => r.kind);
      expect(kinds.filter((k) => k === "approved")).toHaveLength(1);
      expect(kinds.filter((k) => k === "recorded")).toHaveLength(1);
      expect(kinds.filter((k) => k === "wrong_state")).toHaveLength(28);
      const after = await store.get(request.id);
      expect(after?.state).toBe("approved");
      expect(after?.approvals).toHaveLength(2);
      expect(await trail(request.id)).toEqual([
        ">requested",
        ">approval_recorded:1/2",
        "pending_approval>approved:2/2",
      ]);
    });

    it("counts votes and says how many: recorded with the count, then approved", async () => {
      const request = await stored();
      expect(await store.recordApproval(request.id, approval("U0BOB"), 3)).toMatchObject({
        kind: "recorded",
        count: 1,
        required: 3,
      });
      expect(await store.recordApproval(request.id, approval("U0CAROL"), 3)).toMatchObject({ count: 2 });
      const last = await store.recordApproval(request.id, approval("U0DAVE"), 3);
      expect(last.kind).toBe("approved");
      expect(last.kind === "approved" && last.request.approvals.map((a) => a.userId)).toEqual([
        "U0BOB",
        "U0CAROL",
        "U0DAVE",
      ]);
    });

    it("one approver double-clicking ten times counts once", async () => {
      const request = await stored();
      const results = await Promise.all(
        Array.from({ length: 10 }, () => store.recordApproval(request.id, approval("U0BOB"), 2)),
      );
      expect(results.filter((r) => r.kind === "recorded")).toHaveLength(1);
      expect(results.filter((r) => r.kind === "duplicate")).toHaveLength(9);
      expect((await store.get(request.id))?.approvals.map((a) => a.userId)).toEqual(["U0BOB"]);
    });

    it("refuses an approval after expiresAt even before the expiry job ran, after rejection, and when missing", async () => {
      const late = await stored({ expiresAt: new Date(Date.now() - 1).toISOString() });
      expect((await store.recordApproval(late.id, approval("U0BOB"), 1)).kind).toBe("expired");
      expect((await store.get(late.id))?.approvals).toEqual([]);
      expect(await trail(late.id)).toEqual([">requested"]);

      const rejected = await stored();
      expect((await store.transition(rejected.id, { to: "rejected" })).ok).toBe(true);
      expect((await store.recordApproval(rejected.id, approval("U0BOB"), 1)).kind).toBe("wrong_state");
      expect((await store.recordApproval("rq-nonexi", approval("U0BOB"), 1)).kind).toBe("not_found");
    });

    it("approve and cancel racing on one request: exactly one wins", async () => {
      for (let round = 0; round < 10; round++) {
        const request = await stored();
        const [approved, cancelled] = await Promise.all([
          store.recordApproval(request.id, approval("U0BOB"), 1),
          store.transition(request.id, {
            to: "cancelled",
            from: { state: "pending_approval" },
            note: { userId: "U0ALICE" },
          }),
        ]);
        expect(Number(approved.kind === "approved") + Number(cancelled.ok)).toBe(1);
      }
    });

    it("reserves a name per scope for one request; only its holder hands it over", async () => {
      const scope = `${run}:ap-shanghai`;
      expect(await store.reserveName(scope, "db-copy", "rq-a")).toEqual({ ok: true });
      expect(await store.reserveName(scope, "db-copy", "rq-a")).toEqual({ ok: true });
      const held = await store.reserveName(scope, "db-copy", "rq-b");
      expect(held).toMatchObject({ ok: false, holder: "rq-a" });
      // It says how old the reservation is (a holder not stored yet may be on its way).
      expect(held.ok ? -1 : held.ageMs).toBeGreaterThanOrEqual(0);
      expect(held.ok ? Number.POSITIVE_INFINITY : held.ageMs).toBeLessThan(60_000);
      expect(await store.reserveName(`${run}:ap-guangzhou`, "db-copy", "rq-b")).toEqual({ ok: true });
      expect(await store.takeOverName(scope, "db-copy", "rq-c", "rq-b")).toBe(false);
      expect(await store.takeOverName(scope, "db-copy", "rq-a", "rq-b")).toBe(true);
      expect(await store.reserveName(scope, "db-copy", "rq-a")).toMatchObject({ ok: false, holder: "rq-b" });
    });
  });
}
