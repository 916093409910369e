import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RedisRequestStore } from "../../../src/adapters/store-redis/redis-request.store.js";
import { generateRequestId } from "../../../src/core/ids.js";
import type { RequestStore } from "../../../src/core/ports/request-store.port.js";
import { reserveCopyName } from "../../../src/kinds/snapshot-copy/reserve-copy-name.js";
import { MemoryRequestStore } from "../../support/memory-ports.js";
import { aRequest } from "../../support/request-fixtures.js";

const DEST = { accountUin: "200000000002", region: "ap-shanghai" };
const BASE = "db-daily-copy-20261125";

/** Counts the reservations tried, whatever the store. */
function counting(store: RequestStore): { store: RequestStore; reserveAttempts: () => number } {
  let attempts = 0;
  const wrapped = Object.create(store) as RequestStore;
  wrapped.reserveName = (...args) => {
    attempts++;
    return store.reserveName(...args);
  };
  return { store: wrapped, reserveAttempts: () => attempts };
}

const prefix = `test-names-${randomUUID().slice(0, 8)}`;
let redis: Redis;
beforeAll(() => {
  redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
});
afterAll(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

describe.each([
  ["memory", () => new MemoryRequestStore() as RequestStore],
  ["Redis", () => new RedisRequestStore(redis, `${prefix}-${randomUUID().slice(0, 4)}`) as RequestStore],
])("default copy names are O(1) each (%s store)", (_name, makeStore) => {
  it("250 default-named requests for one snapshot and day get 250 distinct names in 250 reservations", async () => {
    const { store, reserveAttempts } = counting(makeStore());
    const names: string[] = [];
    for (let i = 0; i < 250; i++) {
      const name = await reserveCopyName({ store }, { id: `rq-n${i}`, ...DEST }, BASE, false);
      expect(name).toBeDefined();
      names.push(name as string);
    }
    expect(new Set(names).size).toBe(250);
    expect(names[0]).toBe(BASE);
    expect(names[1]).toBe(`${BASE}-2`);
    expect(names[249]).toBe(`${BASE}-250`);
    // One reservation each: the k-th request does not try k names (before: 250·251/2 = 31,375,
    // and the 201st was refused).
    expect(reserveAttempts()).toBe(250);
  });

  it("skips a number whose name was taken explicitly, and still refuses a taken explicit name", async () => {
    const { store } = counting(makeStore());
    // Holders that are pending requests: their names are theirs.
    const pending = async () => {
      const id = generateRequestId();
      await store.create(aRequest({ id, state: "pending_approval" }));
      return id;
    };
    const reserve = async (name: string, explicit: boolean, region = DEST.region) =>
      reserveCopyName(
        { store },
        { id: await pending(), accountUin: DEST.accountUin, region },
        name,
        explicit,
      );
    expect(await reserve(BASE, false)).toBe(BASE);
    expect(await reserve(`${BASE}-2`, true)).toBe(`${BASE}-2`);
    expect(await reserve(BASE, false)).toBe(`${BASE}-3`);
    expect(await reserve(`${BASE}-3`, true)).toBeUndefined();
    // Another region has its own numbers.
    expect(await reserve(BASE, false, "ap-beijing")).toBe(BASE);
  });
});

describe.each([
  ["memory", () => new MemoryRequestStore() as RequestStore],
  ["Redis", () => new RedisRequestStore(redis, `${prefix}-${randomUUID().slice(0, 4)}`) as RequestStore],
])("an explicit name reserved by a request not stored yet (%s store)", (_name, makeStore) => {
  it("is refused to a second request arriving in between: two copies never share a name", async () => {
    const store = makeStore();
    // The first request reserves its name; its record is stored only a moment later.
    const first = await reserveCopyName(
      { store },
      { id: "rq-first1", ...DEST },
      "orders-before-upgrade",
      true,
    );
    expect(first).toBe("orders-before-upgrade");
    const second = await reserveCopyName(
      { store },
      { id: "rq-secnd1", ...DEST },
      "orders-before-upgrade",
      true,
    );
    expect(second).toBeUndefined();
  });
});

describe("a name whose request was never stored", () => {
  it("is given back, so the person's next try gets it", async () => {
    const store = new MemoryRequestStore();
    const name = "orders-before-upgrade";
    expect(await reserveCopyName({ store }, { id: "rq-lost01", ...DEST }, name, true)).toBe(name);
    expect(await store.releaseName(`${DEST.accountUin}:${DEST.region}`, name, "rq-other")).toBe(false);
    expect(await store.releaseName(`${DEST.accountUin}:${DEST.region}`, name, "rq-lost01")).toBe(true);
    expect(await reserveCopyName({ store }, { id: "rq-again1", ...DEST }, name, true)).toBe(name);
  });
});
