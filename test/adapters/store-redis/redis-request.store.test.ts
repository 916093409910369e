import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RedisAuditTrail } from "../../../src/adapters/store-redis/audit.store.js";
import { RedisRequestStore } from "../../../src/adapters/store-redis/redis-request.store.js";
import type { ReplicationRequest } from "../../../src/core/request/request.js";
import { aRequest, aSnapshot } from "../../support/request-fixtures.js";

const prefix = `test-store-${randomUUID().slice(0, 8)}`;
let redis: Redis;
let store: RedisRequestStore;
let audit: RedisAuditTrail;
let seq = 0;

function newRequest(overrides: Partial<ReplicationRequest> = {}): ReplicationRequest {
  return aRequest({
    id: `rq-st${String(++seq).padStart(4, "0")}`,
    requestChannel: "C0REQ",
    snapshot: aSnapshot({ name: "db", diskId: "disk-1" }),
    ...overrides,
  });
}

const approval = (userId: string) => ({ userId, at: new Date().toISOString() });

beforeAll(() => {
  redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
  store = new RedisRequestStore(redis, prefix);
  audit = new RedisAuditTrail(redis, prefix);
});
afterAll(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

describe("RedisRequestStore", () => {
  it("creates once, lists newest first, and records the request in the audit trail", async () => {
    const a = newRequest({ createdAt: new Date(Date.now() - 1000).toISOString() });
    const b = newRequest();
    await store.create(a);
    await store.create(b);
    await expect(store.create(a)).rejects.toThrow(/store.duplicate_id/);
    expect((await store.listRecent(2)).map((r) => r.id)).toEqual([b.id, a.id]);
    expect(await store.get(a.id)).toMatchObject({ id: a.id, approvals: [] });
    const entries = await audit.read({ requestId: a.id });
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ event: "requested", userId: "U0ALICE", requestId: a.id });
  });

  it("30 different approvers at once on a 2-approval request: two votes, one approved, the rest refused", async () => {
    const request = newRequest();
    await store.create(request);
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => store.recordApproval(request.id, approval(`U0APP${i}`), 2)),
    );
    const kinds = results.map((r) => r.kind);
    expect(kinds.filter((k) => k === "approved")).toHaveLength(1);
    expect(kinds.filter((k) => k === "recorded")).toHaveLength(1);
    expect(kinds.filter((k) => k === "wrong_state")).toHaveLength(28);
    const stored = await store.get(request.id);
    expect(stored?.state).toBe("approved");
    expect(stored?.approvals).toHaveLength(2);
    const events = (await audit.read({ requestId: request.id })).map((e) => `${e.event}:${e.detail ?? ""}`);
    expect(events).toEqual(["requested:", "approval_recorded:1/2", "approved:2/2"]);
  });

  it("one approver double-clicking ten times counts once", async () => {
    const request = newRequest();
    await store.create(request);
    const results = await Promise.all(
      Array.from({ length: 10 }, () => store.recordApproval(request.id, approval("U0BOB"), 2)),
    );
    expect(results.filter((r) => r.kind === "recorded")).toHaveLength(1);
    expect(results.filter((r) => r.kind === "duplicate")).toHaveLength(9);
    expect((await store.get(request.id))?.approvals.map((a) => a.userId)).toEqual(["U0BOB"]);
  });

  it("refuses an approval after expiresAt even before the expiry job ran, and after rejection", async () => {
    const late = newRequest({ expiresAt: new Date(Date.now() - 1).toISOString() });
    await store.create(late);
    expect((await store.recordApproval(late.id, approval("U0BOB"), 1)).kind).toBe("expired");
    expect((await store.get(late.id))?.approvals).toEqual([]);

    const rejected = newRequest();
    await store.create(rejected);
    const result = await store.transition(
      rejected.id,
      ["pending_approval"],
      "rejected",
      {
        rejection: { userId: "U0CAROL", at: new Date().toISOString(), reason: "no" },
      },
      { userId: "U0CAROL", detail: "no" },
    );
    expect(result.ok).toBe(true);
    expect((await store.recordApproval(rejected.id, approval("U0BOB"), 1)).kind).toBe("wrong_state");
    expect((await store.recordApproval("rq-nonexi", approval("U0BOB"), 1)).kind).toBe("not_found");
    const events = await audit.read({ requestId: rejected.id });
    expect(events.map((e) => e.event)).toEqual(["requested", "rejected"]);
    expect(events[1]).toMatchObject({ userId: "U0CAROL", detail: "no", from: "pending_approval" });
  });

  it("approve and cancel racing on one request: exactly one wins", async () => {
    for (let round = 0; round < 10; round++) {
      const request = newRequest();
      await store.create(request);
      const [approved, cancelled] = await Promise.all([
        store.recordApproval(request.id, approval("U0BOB"), 1),
        store.transition(request.id, ["pending_approval"], "cancelled", {}, { userId: "U0ALICE" }),
      ]);
      expect(Number(approved.kind === "approved") + Number(cancelled.ok)).toBe(1);
    }
  });

  it("progress updates leave no audit entry; state changes each leave one", async () => {
    const request = newRequest({ state: "approved" });
    await store.create(request);
    await store.update(request.id, { copy: { copyRequestedAt: new Date().toISOString() } });
    await store.transition(request.id, ["approved"], "checking");
    await store.transition(request.id, ["approved"], "checking"); // already checking: refused, no entry
    const events = (await audit.read({ requestId: request.id })).map((e) => `${e.from ?? ""}>${e.event}`);
    expect(events).toEqual([">requested", "approved>checking"]);
  });

  it("reads the audit trail by time", async () => {
    const before = new Date(Date.now() - 1);
    await audit.record({
      event: "cancel_refused",
      requestId: "rq-time01",
      userId: "U0X",
      at: new Date().toISOString(),
    });
    expect((await audit.read({ since: before, requestId: "rq-time01" })).length).toBe(1);
    expect(await audit.read({ until: new Date(before.getTime() - 60_000), requestId: "rq-time01" })).toEqual(
      [],
    );
  });
});
