import { describe, expect, it } from "vitest";
import { cancelRequest } from "../../src/app/cancel-request.flow.js";
import { toPlainText } from "../../src/core/messages/message.js";
import type { RequestState } from "../../src/core/request/lifecycle.js";
import { memoryPorts } from "../support/memory-ports.js";
import { aRequest } from "../support/request-fixtures.js";

const ALICE = "U0ALICE";
const BOB = "U0BOB";
const DAVE = "U0DAVE";

async function attempt(state: RequestState, userId: string) {
  const ports = memoryPorts();
  const request = aRequest({ state, ...(state === "running" ? { step: "copying" } : {}) });
  await ports.store.create(request);
  const outcome = await cancelRequest(ports.deps, { requestId: request.id, userId });
  return { ports, id: request.id, outcome, stored: await ports.store.get(request.id) };
}

describe("cancelRequest", () => {
  it.each([
    {
      who: "the requester",
      userId: ALICE,
      state: "pending_approval",
      says: "Cancelled by @U0ALICE. Nothing was done.",
    },
    {
      who: "an approver",
      userId: BOB,
      state: "pending_approval",
      says: "Cancelled by @U0BOB. Nothing was done. @U0ALICE, make a new request if it is still needed.",
    },
    {
      who: "the requester",
      userId: ALICE,
      state: "approved",
      says: "Cancelled by @U0ALICE before it started. Nothing was done.",
    },
  ] as const)(
    "$who cancels a $state request: cancelled, and the thread says nothing was done",
    async ({ userId, state, says }) => {
      const { ports, id, outcome, stored } = await attempt(state, userId);
      expect(outcome.kind).toBe("cancelled");
      expect(stored?.state).toBe("cancelled");
      expect(stored?.cancellation).toEqual({ userId, at: ports.clock.now().toISOString() });
      expect(ports.notifier.thread(id)).toEqual([says]);
      expect(ports.notifier.cards.get(id)?.state).toBe("cancelled");
      expect(ports.audit.entries.at(-1)).toMatchObject({ event: "cancelled", from: state, userId });
      // The requester hears of an approver's cancel privately too, as of a rejection; not of their own.
      expect(ports.notifier.told.map((t) => `${t.userId}: ${t.text}`)).toEqual(
        userId === ALICE
          ? []
          : [
              expect.stringMatching(
                new RegExp(`^U0ALICE: @U0BOB cancelled your request ${id} \\(.+\\); nothing was done\\.`),
              ),
            ],
      );
    },
  );

  it.each([
    {
      why: "someone else",
      userId: DAVE,
      state: "pending_approval",
      says: /Only the requester \(@U0ALICE\) or an approver/,
    },
    { why: "a running request", userId: ALICE, state: "running", says: /copy in progress, and work Tencent/ },
    {
      why: "a running request, even for an approver",
      userId: BOB,
      state: "running",
      says: /copy in progress, and work Tencent/,
    },
    { why: "a completed request", userId: ALICE, state: "completed", says: /cannot be cancelled/ },
    {
      why: "an expired request",
      userId: ALICE,
      state: "expired",
      says: /cannot be cancelled\. This request expired/,
    },
  ] as const)("refuses $why, changes nothing, and audits the refusal", async ({ userId, state, says }) => {
    const { ports, id, outcome, stored } = await attempt(state, userId);
    expect(outcome.kind).toBe("refused");
    expect(outcome.kind === "refused" && toPlainText(outcome.message)).toMatch(says);
    expect(stored?.state).toBe(state);
    expect(stored?.cancellation).toBeUndefined();
    expect(ports.notifier.thread(id)).toEqual([]);
    expect(ports.audit.eventsOf(id)).toEqual(["requested", "cancel_refused"]);
    expect(ports.audit.entries.at(-1)).toMatchObject({ userId, detail: expect.stringMatching(says) });
  });

  it("an unknown request: says so, nothing recorded", async () => {
    const ports = memoryPorts();
    const outcome = await cancelRequest(ports.deps, { requestId: "rq-nothere", userId: ALICE });
    expect(outcome.kind === "refused" && toPlainText(outcome.message)).toMatch(
      /No request rq-nothere is known/,
    );
    expect(ports.audit.entries).toEqual([]);
  });

  it("a request that started between the read and the write: refused with where it is now", async () => {
    const ports = memoryPorts();
    const request = aRequest({ state: "approved" });
    await ports.store.create(request);
    // The worker moves it to its first step while the cancel looks the canceller up.
    const get = ports.store.get.bind(ports.store);
    ports.store.get = async (id) => {
      const read = await get(id);
      await ports.store.transition(id, { to: "running", step: "checking", from: { state: "approved" } });
      return read;
    };
    const outcome = await cancelRequest(ports.deps, { requestId: request.id, userId: ALICE });
    expect(outcome.kind === "refused" && toPlainText(outcome.message)).toMatch(
      /cannot be cancelled: copy in progress/,
    );
    expect((await get(request.id))?.state).toBe("running");
    expect(ports.audit.eventsOf(request.id)).toEqual(["requested", "checking", "cancel_refused"]);
  });
});
