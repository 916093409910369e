import { describe, expect, it } from "vitest";
import { expireRequest } from "../../src/app/expire-request.flow.js";
import type { RequestState } from "../../src/core/request/lifecycle.js";
import { memoryPorts } from "../support/memory-ports.js";
import { aRequest } from "../support/request-fixtures.js";

describe("expireRequest", () => {
  it("a pending request: expired, the thread says nothing was done, and the requester is told privately", async () => {
    const ports = memoryPorts();
    const request = aRequest();
    await ports.store.create(request);
    const outcome = await expireRequest(ports.deps, request.id);
    expect(outcome.kind).toBe("expired");
    expect((await ports.store.get(request.id))?.state).toBe("expired");
    expect(ports.notifier.cards.get(request.id)?.state).toBe("expired");
    expect(ports.notifier.thread(request.id)).toEqual([
      "Expired: nobody approved it in time. Nothing was done. @U0ALICE, make a new request if it is still needed.",
    ]);
    expect(ports.notifier.told).toEqual([
      {
        conversation: "C0REQUESTS",
        userId: "U0ALICE",
        text: `Your request ${request.id} (snap-abc12345 → dr-prod (200000000002) as "db-copy") expired without enough approvals; nothing was done. Make a new request if it is still needed.`,
      },
    ]);
    expect(ports.audit.entries.at(-1)).toMatchObject({ event: "expired", from: "pending_approval" });
  });

  it("counts the approvals it had", async () => {
    const ports = memoryPorts();
    const request = aRequest({
      requiredApprovals: 2,
      approvals: [{ userId: "U0BOB", at: "2026-11-25T09:00:00.000Z" }],
    });
    await ports.store.create(request);
    await expireRequest(ports.deps, request.id);
    expect(ports.notifier.thread(request.id)[0]).toMatch(/^Expired: only 1 of 2 approvals came in time\./);
  });

  it("still expires when the requester cannot be told privately", async () => {
    const ports = memoryPorts();
    const request = aRequest();
    await ports.store.create(request);
    ports.notifier.tellUser = async () => {
      throw new Error("channel_not_found");
    };
    expect((await expireRequest(ports.deps, request.id)).kind).toBe("expired");
  });

  it.each(["approved", "running", "rejected", "cancelled", "expired", "completed"] as const)(
    "a %s request is left as it is, and nobody is told anything",
    async (state: RequestState) => {
      const ports = memoryPorts();
      const request = aRequest({ state, ...(state === "running" ? { step: "copying" } : {}) });
      await ports.store.create(request);
      expect(await expireRequest(ports.deps, request.id)).toEqual({ kind: "unchanged" });
      expect((await ports.store.get(request.id))?.state).toBe(state);
      expect(ports.notifier.replies).toEqual([]);
      expect(ports.notifier.told).toEqual([]);
      expect(ports.audit.eventsOf(request.id)).toEqual(["requested"]);
    },
  );

  it("an unknown request: unchanged", async () => {
    expect(await expireRequest(memoryPorts().deps, "rq-nothere")).toEqual({ kind: "unchanged" });
  });
});
