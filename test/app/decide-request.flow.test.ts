import { describe, expect, it } from "vitest";
import { decideRequest } from "../../src/app/decide-request.flow.js";
import { toPlainText } from "../../src/core/messages/message.js";
import { type MemoryPorts, memoryPorts } from "../support/memory-ports.js";
import { aRequest, type RequestOverrides } from "../support/request-fixtures.js";

const ALICE = "U0ALICE";
const BOB = "U0BOB";
const CAROL = "U0CAROL";
const DAVE = "U0DAVE";

async function setUp(
  overrides: RequestOverrides = {},
  options: Parameters<typeof memoryPorts>[0] = {},
): Promise<MemoryPorts & { id: string }> {
  const ports = memoryPorts(options);
  const request = aRequest({
    expiresAt: new Date(ports.clock.now().getTime() + 3600_000).toISOString(),
    requiredApprovals: 1,
    ...overrides,
  });
  await ports.store.create(request);
  return { ...ports, id: request.id };
}

describe("decideRequest: refusals change nothing, say why, and are audited", () => {
  const cases: Array<{
    name: string;
    overrides?: RequestOverrides;
    userId: string;
    decision: "approve" | "reject";
    says: RegExp;
    event: string;
    state?: string;
  }> = [
    {
      name: "a non-approver's Approve",
      userId: DAVE,
      decision: "approve",
      says: /not an approver for copies to dr-prod/,
      event: "approval_refused",
    },
    {
      name: "a non-approver's Reject",
      userId: DAVE,
      decision: "reject",
      says: /Only an approver can reject/,
      event: "reject_refused",
    },
    {
      name: "an approver approving their own request",
      overrides: { requestedBy: BOB },
      userId: BOB,
      decision: "approve",
      says: /second pair of eyes/,
      event: "approval_refused",
    },
    {
      name: "a second Approve by the same approver",
      overrides: { requiredApprovals: 2, approvals: [{ userId: BOB, at: "2026-11-25T09:00:00.000Z" }] },
      userId: BOB,
      decision: "approve",
      says: /already approved this request/,
      event: "approval_refused",
    },
    {
      name: "an Approve on a rejected request",
      overrides: { state: "rejected", rejection: { userId: CAROL, at: "2026-11-25T09:00:00.000Z" } },
      userId: BOB,
      decision: "approve",
      says: /@U0CAROL already rejected this request/,
      event: "approval_refused",
      state: "rejected",
    },
  ];

  it.each(cases)("$name", async ({ overrides, userId, decision, says, event, state }) => {
    const ports = await setUp(overrides);
    const outcome = await decideRequest(ports.deps, { requestId: ports.id, userId, decision });
    expect(outcome.kind).toBe("refused");
    expect(outcome.kind === "refused" && toPlainText(outcome.message)).toMatch(says);
    expect((await ports.store.get(ports.id))?.state).toBe(state ?? "pending_approval");
    expect(ports.notifier.thread(ports.id)).toEqual([]);
    expect(ports.queue.calls).toEqual([]);
    const last = ports.audit.entries.at(-1);
    expect(last).toMatchObject({ event, requestId: ports.id, userId });
    expect(last?.detail).toMatch(says);
  });

  it("a click on a request that no longer exists", async () => {
    const ports = memoryPorts();
    const outcome = await decideRequest(ports.deps, {
      requestId: "rq-gone00",
      userId: BOB,
      decision: "approve",
    });
    expect(outcome.kind === "refused" && toPlainText(outcome.message)).toMatch(/no longer exists/);
  });
});

describe("decideRequest: approvals", () => {
  it("one approval of one: approved, exactly one job, and the thread says it is queued", async () => {
    const ports = await setUp();
    const outcome = await decideRequest(ports.deps, {
      requestId: ports.id,
      userId: BOB,
      decision: "approve",
    });
    expect(outcome.kind).toBe("approved");
    expect((await ports.store.get(ports.id))?.state).toBe("approved");
    expect(ports.queue.calls).toEqual([ports.id]);
    expect(ports.notifier.thread(ports.id)).toEqual(["Approved by @U0BOB. Queued for replication."]);
    expect(ports.notifier.cards.get(ports.id)?.state).toBe("approved");
    expect(ports.audit.eventsOf(ports.id, true)).toEqual(["requested", "approved:1/1"]);
  });

  it("two of N: the first vote is counted and says one more is needed; the second approves; a third is refused", async () => {
    const ports = await setUp(
      { requiredApprovals: 2 },
      { config: { approvers: { users: [BOB, CAROL, DAVE] } } },
    );
    const first = await decideRequest(ports.deps, { requestId: ports.id, userId: BOB, decision: "approve" });
    expect(first).toMatchObject({ kind: "approval_recorded", remaining: 1 });
    expect(ports.queue.calls).toEqual([]);
    const second = await decideRequest(ports.deps, {
      requestId: ports.id,
      userId: CAROL,
      decision: "approve",
    });
    expect(second.kind).toBe("approved");
    const third = await decideRequest(ports.deps, { requestId: ports.id, userId: DAVE, decision: "approve" });
    expect(third.kind).toBe("refused");
    expect(ports.queue.calls).toEqual([ports.id]);
    expect(ports.notifier.thread(ports.id)).toEqual([
      "Approved by @U0BOB (1/2); 1 more approval needed.",
      "Approved by @U0CAROL (2/2). Queued for replication.",
    ]);
    expect(ports.audit.eventsOf(ports.id, true)).toEqual([
      "requested",
      "approval_recorded:1/2",
      "approved:2/2",
      expect.stringMatching(/^approval_refused:@U0BOB, @U0CAROL already approved this request; queued/),
    ]);
  });

  it("an approver through a Slack user group may approve; an unreadable group grants nothing", async () => {
    const ports = await setUp(
      {},
      { config: { approvers: { users: [], usergroups: ["S0DBA", "S0GONE"] } }, groups: { S0DBA: [DAVE] } },
    );
    const refused = await decideRequest(ports.deps, {
      requestId: ports.id,
      userId: BOB,
      decision: "approve",
    });
    expect(refused.kind).toBe("refused");
    const approved = await decideRequest(ports.deps, {
      requestId: ports.id,
      userId: DAVE,
      decision: "approve",
    });
    expect(approved.kind).toBe("approved");
  });

  it("the concurrent clicks of one approver yield one vote and one job", async () => {
    const ports = await setUp();
    const outcomes = await Promise.all(
      Array.from({ length: 5 }, () =>
        decideRequest(ports.deps, { requestId: ports.id, userId: BOB, decision: "approve" }),
      ),
    );
    expect(outcomes.filter((o) => o.kind === "approved")).toHaveLength(1);
    expect(ports.queue.calls).toEqual([ports.id]);
    expect((await ports.store.get(ports.id))?.approvals).toHaveLength(1);
  });
});

describe("decideRequest: rejection and expiry", () => {
  it("a rejection with a reason: rejected, the thread quotes the reason and tells the requester, nothing queued", async () => {
    const ports = await setUp();
    const outcome = await decideRequest(ports.deps, {
      requestId: ports.id,
      userId: CAROL,
      decision: "reject",
      reason: "  wrong disk  ",
    });
    expect(outcome.kind).toBe("rejected");
    const stored = await ports.store.get(ports.id);
    expect(stored?.state).toBe("rejected");
    expect(stored?.rejection).toMatchObject({ userId: CAROL, reason: "wrong disk" });
    expect(ports.notifier.thread(ports.id)).toEqual([
      "Rejected by @U0CAROL: wrong disk. Nothing was done. @U0ALICE, make a new request if it is still needed.",
    ]);
    expect(ports.queue.calls).toEqual([]);
    expect(ports.audit.entries.at(-1)).toMatchObject({
      event: "rejected",
      from: "pending_approval",
      userId: CAROL,
      detail: "wrong disk",
    });
  });

  it("a rejection without a reason says so plainly", async () => {
    const ports = await setUp();
    await decideRequest(ports.deps, { requestId: ports.id, userId: BOB, decision: "reject", reason: "   " });
    expect(ports.notifier.thread(ports.id)[0]).toMatch(/^Rejected by @U0BOB\. Nothing was done\./);
    expect((await ports.store.get(ports.id))?.rejection?.reason).toBeUndefined();
  });

  it.each(["approve", "reject"] as const)(
    "a %s after the request's time is up: expired (before the expiry job ran), and the click refused",
    async (decision) => {
      const ports = await setUp();
      ports.clock.advance(3600_000);
      const outcome = await decideRequest(ports.deps, { requestId: ports.id, userId: BOB, decision });
      expect(outcome.kind === "refused" && toPlainText(outcome.message)).toMatch(
        /expired before enough approvers/,
      );
      expect((await ports.store.get(ports.id))?.state).toBe("expired");
      expect(ports.queue.calls).toEqual([]);
      expect(ports.notifier.thread(ports.id)).toEqual([
        expect.stringMatching(/^Expired: nobody approved it in time\./),
      ]);
      expect(ports.notifier.told).toEqual([
        expect.objectContaining({ userId: ALICE, conversation: "C0REQUESTS" }),
      ]);
      expect(ports.audit.eventsOf(ports.id)).toEqual([
        "requested",
        "expired",
        decision === "approve" ? "approval_refused" : "reject_refused",
      ]);
    },
  );
});
