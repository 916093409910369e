import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RedisAuditTrail } from "../../../src/adapters/store-redis/audit.store.js";
import { RedisRequestStore } from "../../../src/adapters/store-redis/redis-request.store.js";
import { aSnapshot } from "../../support/request-fixtures.js";
import { describeRequestStoreContract } from "../../support/request-store.contract.js";

const prefix = `test-store-${randomUUID().slice(0, 8)}`;
let redis: Redis;
let store: RedisRequestStore;
let audit: RedisAuditTrail;
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

describeRequestStoreContract("RedisRequestStore", () => ({ store, audit }));

describe("RedisRequestStore", () => {
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
