import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RedisAuditTrail } from "../../../src/adapters/store-redis/audit.store.js";
import { RedisRequestStore } from "../../../src/adapters/store-redis/redis-request.store.js";
import type { SnapshotCopyRequest } from "../../../src/kinds/snapshot-copy/snapshot-copy.request.js";
import type { RequestOverrides } from "../../support/request-fixtures.js";
import { aRequest, aSnapshot } from "../../support/request-fixtures.js";

const prefix = `test-store-${randomUUID().slice(0, 8)}`;
let redis: Redis;
let store: RedisRequestStore;
let audit: RedisAuditTrail;
let seq = 0;

function newRequest(overrides: RequestOverrides = {}): SnapshotCopyRequest {
  return aRequest({
    id: `rq-st${String(++seq).padStart(4, "0")}`,
    origin: "C0REQ",
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
    const result = await store.transition(rejected.id, {
      to: "rejected",
      patch: { rejection: { userId: "U0CAROL", at: new Date().toISOString(), reason: "no" } },
      note: { userId: "U0CAROL", detail: "no" },
    });
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
        store.transition(request.id, {
          to: "cancelled",
          from: { state: "pending_approval" },
          note: { userId: "U0ALICE" },
        }),
      ]);
      expect(Number(approved.kind === "approved") + Number(cancelled.ok)).toBe(1);
    }
  });

  it("progress updates leave no audit entry; state changes each leave one", async () => {
    const request = newRequest({ state: "approved" });
    await store.create(request);
    await store.update(request.id, { progress: { copyRequestedAt: new Date().toISOString() } });
    const first = { to: "running", step: "checking", from: { state: "approved" } } as const;
    expect((await store.transition(request.id, first)).ok).toBe(true);
    expect((await store.transition(request.id, first)).ok).toBe(false); // already checking: refused, no entry
    const toCopying = {
      to: "running",
      step: "copying",
      from: { state: "running", step: "checking" },
    } as const;
    expect((await store.transition(request.id, toCopying)).ok).toBe(true);
    expect((await store.transition(request.id, toCopying)).ok).toBe(false); // a second run of the step
    const events = (await audit.read({ requestId: request.id })).map((e) => `${e.from ?? ""}>${e.event}`);
    expect(events).toEqual([">requested", "approved>checking", "checking>copying"]);
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

  it("enforces the lifecycle table: moves it does not list are refused, and a final request takes no patch", async () => {
    const request = newRequest();
    await store.create(request);
    // pending_approval → completed is not in the table.
    expect((await store.transition(request.id, { to: "completed" })).ok).toBe(false);
    await expect(
      store.transition(request.id, { to: "running", step: "copying", from: { state: "pending_approval" } }),
    ).rejects.toThrow(/store.invalid_transition/);
    expect((await store.transition(request.id, { to: "rejected" })).ok).toBe(true);
    expect(await store.update(request.id, { failure: { code: "x", message: "late" } })).toBeUndefined();
    expect((await store.transition(request.id, { to: "cancelled" })).ok).toBe(false);
    expect((await store.get(request.id))?.failure).toBeUndefined();
    expect((await store.get(request.id))?.state).toBe("rejected");
  });

  it("reads a request stored by the first version and carries it on in today's shape", async () => {
    const id = "rq-v1abcd";
    const now = new Date().toISOString();
    // Exactly what the first version wrote for a manual copy in flight.
    const v1 = {
      id,
      kind: "replicate",
      state: "copying",
      requestedBy: "U0ALICE",
      requestChannel: "C0REQ",
      createdAt: now,
      updatedAt: now,
      snapshot: aSnapshot(),
      destination: {
        alias: "dr-prod",
        accountUin: "200000000002",
        readRoleArn: "qcs::cam::uin/2:roleName/r",
      },
      newName: "db-copy-v1",
      card: { channel: "C0APPROVALS", ts: "1700000000.000100" },
      approvals: [{ userId: "U0BOB", at: now }],
      requiredApprovals: 1,
      copy: { copyRequestedAt: now },
      checks: [],
    };
    await redis.set(`${prefix}:request:${id}`, JSON.stringify(v1));
    const read = await store.get(id);
    expect(read).toMatchObject({
      id,
      kind: "snapshot-copy",
      state: "running",
      step: "copying",
      origin: "C0REQ",
      card: { conversation: "C0APPROVALS", id: "1700000000.000100" },
      spec: { snapshot: { snapshotId: "snap-abc12345" }, newName: "db-copy-v1" },
      progress: { copyRequestedAt: now },
      approvals: [{ userId: "U0BOB" }],
    });
    // The next step's move works on it (the record is rewritten in today's shape first).
    const moved = await store.transition(id, {
      to: "running",
      step: "verifying",
      from: { state: "running", step: "copying" },
      patch: { progress: { copyRequestedAt: now, newSnapshotId: "snap-new00001" } },
    });
    expect(moved.ok).toBe(true);
    expect(JSON.parse((await redis.get(`${prefix}:request:${id}`)) ?? "{}")).toMatchObject({
      v: 2,
      state: "running",
      step: "verifying",
    });
  });
});
