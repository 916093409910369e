import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, expect, it } from "vitest";
import { RedisReplicationLedger } from "../../../src/adapters/store-redis/ledger.store.js";
import { describeLedgerContract } from "../../support/ledger.contract.js";
import { MemoryLedger } from "../../support/memory-ports.js";

const prefix = `test-ledger-${randomUUID().slice(0, 8)}`;
let redis: Redis;
beforeAll(() => {
  redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
});
afterAll(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

describeLedgerContract("RedisReplicationLedger", () => new RedisReplicationLedger(redis, prefix));
describeLedgerContract("MemoryLedger", () => new MemoryLedger());

it("counts runs in Redis", async () => {
  const ledger = new RedisReplicationLedger(redis, prefix);
  expect(await ledger.countRun(1000)).toBe(1);
  expect(await ledger.countRun(2000)).toBe(2);
  expect(await ledger.runs()).toEqual({ count: 2, lastAt: 2000 });
});
