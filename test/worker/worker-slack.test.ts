import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SlackMessage } from "../../dev/slack-emulator/index.js";
import { ALICE, type Harness, NOTIFY_CHANNEL, REQUEST_CHANNEL, startHarness } from "../support/harness.js";
import { asCopy } from "../support/request-fixtures.js";
import { buttonValue } from "../support/slack-blocks.js";
import { approveOnCard } from "../support/slack-steps.js";
import { seedApprovedRequests, waitUntilFinal } from "./worker-fixtures.js";

describe("worker errors and Slack side effects", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      copyDurationMs: 300,
      slackRetries: 2,
      config: {
        replication: {
          pollInterval: "100ms",
          retryDelay: "50ms",
          retryMaxDelay: "400ms",
          maxCopyDuration: "3s",
        },
      },
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  /** Asks for a copy in Slack and approves it; returns the card. */
  async function requestAndApprove(
    name: string,
    destination = "dr-prod",
    beforeApprove: () => void = () => undefined,
  ): Promise<{ card: SlackMessage; requestId: string }> {
    const before = h.slack.messages.length;
    await h.slack.sendSlashCommand(h.appUrl, {
      text: `replicate snap-abc12345 to ${destination} as "${name}"`,
      userId: ALICE,
      channelId: REQUEST_CHANNEL,
    });
    const card = await h.slack.waitFor(
      () => h.slack.messages.slice(before).find((m) => !m.threadTs && buttonValue(m, "request_approve")),
      { what: "approval card" },
    );
    const requestId = buttonValue(card, "request_approve") ?? "";
    beforeApprove();
    await approveOnCard(h, card, requestId);
    return { card, requestId };
  }

  const threadOf = (card: SlackMessage) => h.slack.thread(card.channel, card.ts).map((m) => m.text ?? "");

  it("a permanent error fails the request after exactly one call, with the fix and the Tencent request id in the thread", async () => {
    const calls = h.sim.callsOf("CopySnapshotCrossAccount").length;
    h.sim.state.injectFault({ action: "CopySnapshotCrossAccount", code: "UnauthorizedOperation", times: 1 });
    const { card, requestId } = await requestAndApprove("perm-error");
    const failed = await h.slack.waitFor(() => threadOf(card).find((t) => t.startsWith("Failed")), {
      what: "failure reply",
      timeoutMs: 15_000,
    });
    expect(h.sim.callsOf("CopySnapshotCrossAccount").length - calls).toBe(1);
    const failedCall = h.sim.callsOf("CopySnapshotCrossAccount").at(-1);
    expect(failed).toContain("How to fix:");
    expect(failed).toContain("collaborator");
    expect(failed).toContain(`Tencent request id: ${failedCall?.requestId}`);
    expect((await h.bot.deps.store.get(requestId))?.state).toBe("failed");
    await new Promise((r) => setTimeout(r, 500));
    expect(h.sim.callsOf("CopySnapshotCrossAccount").length - calls).toBe(1);
  });

  it("a step retried after transient errors posts each thread reply once and copies once", async () => {
    h.sim.state.injectFault({ action: "CopySnapshotCrossAccount", code: "InternalError", times: 2 });
    h.sim.state.injectFault({ action: "DescribeSnapshots", code: "RequestLimitExceeded", times: 2 });
    const { card, requestId } = await requestAndApprove("retried-once");
    await h.slack.waitFor(() => threadOf(card).find((t) => t.startsWith("Verified")), {
      what: "verified reply",
      timeoutMs: 20_000,
    });
    const thread = threadOf(card);
    for (const prefix of ["Checks passed", "Copy started", "Verified"])
      expect(
        thread.filter((t) => t.startsWith(prefix)),
        prefix,
      ).toHaveLength(1);
    expect(h.sim.state.copies.filter((c) => c.name === "retried-once")).toHaveLength(1);
    expect((await h.bot.deps.store.get(requestId))?.state).toBe("completed");
  });

  it("a copy made although Tencent answered InternalError is found by name, not made twice", async () => {
    h.sim.state.injectFault({
      action: "CopySnapshotCrossAccount",
      code: "InternalError",
      times: 1,
      applied: true,
    });
    const { card, requestId } = await requestAndApprove("lost-answer");
    await h.slack.waitFor(() => threadOf(card).find((t) => t.startsWith("Verified")), {
      what: "verified reply",
      timeoutMs: 20_000,
    });
    expect(
      h.sim.callsOf("CopySnapshotCrossAccount").filter((c) => c.params.SnapshotName === "lost-answer"),
    ).toHaveLength(1);
    expect(h.sim.state.copies.filter((c) => c.name === "lost-answer")).toHaveLength(1);
    const request = await h.bot.deps.store.get(requestId);
    expect(asCopy(request)?.progress.newSnapshotId).toBe(
      h.sim.state.copies.find((c) => c.name === "lost-answer")?.newSnapshotId,
    );
  });

  it("without a read role, an unanswered copy call is not repeated: the request stops with what to check", async () => {
    h.sim.state.injectFault({ action: "CopySnapshotCrossAccount", code: "InternalError", times: 1 });
    const before = h.sim.callsOf("CopySnapshotCrossAccount").length;
    const approved = await requestAndApprove("blind-unknown", "dr-blind");
    // Not "Failed": the copy may well exist, and the thread says where to look for it.
    const unknown = await h.slack.waitFor(
      () => threadOf(approved.card).find((t) => t.startsWith("Outcome unknown")),
      { what: "outcome unknown", timeoutMs: 15_000 },
    );
    expect(unknown).toContain("A copy may exist");
    expect(unknown).toContain('"blind-unknown"');
    expect(unknown).toContain("readRoleArn");
    expect((await h.bot.deps.store.get(approved.requestId))?.state).toBe("outcome_unknown");
    expect(h.sim.callsOf("CopySnapshotCrossAccount").length - before).toBe(1);
  });

  it("a Slack 429 with Retry-After on a thread reply is waited out; the reply is posted once", async () => {
    // The next chat.postMessage after the card is the first thread reply of the approval.
    const { card } = await requestAndApprove("slack-429", "dr-prod", () =>
      h.slack.failNext("chat.postMessage", { retryAfterSec: 1 }),
    );
    await h.slack.waitFor(
      () => {
        const thread = threadOf(card);
        return thread.some((t) => t.startsWith("Verified")) && thread.some((t) => t.includes("Approved by"));
      },
      { what: "the delayed approval reply and the verified reply", timeoutMs: 20_000 },
    );
    const thread = threadOf(card);
    expect(thread.filter((t) => t.includes("Approved by"))).toHaveLength(1);
    for (const prefix of ["Checks passed", "Copy started", "Verified"])
      expect(
        thread.filter((t) => t.startsWith(prefix)),
        prefix,
      ).toHaveLength(1);
    expect(h.slack.calls.some((c) => c.method === "chat.postMessage" && c.injected)).toBe(true);
  });

  it("Slack failing the card post five times in a row (429s, a 503) is waited out: one card, the request goes on", async () => {
    const injected = h.slack.calls.filter((c) => c.injected).length;
    for (const failure of [
      { retryAfterSec: 1 },
      { retryAfterSec: 1 },
      { status: 503 },
      { retryAfterSec: 1 },
      { retryAfterSec: 1 },
    ])
      h.slack.failNext("chat.postMessage", failure);
    const before = h.slack.messages.length;
    await h.slack.sendSlashCommand(h.appUrl, {
      text: `replicate snap-abc12345 to dr-prod as "card-patience"`,
      userId: ALICE,
      channelId: REQUEST_CHANNEL,
    });
    const card = await h.slack.waitFor(
      () => h.slack.messages.slice(before).find((m) => !m.threadTs && buttonValue(m, "request_approve")),
      { what: "approval card, after Slack's failures", timeoutMs: 30_000 },
    );
    const requestId = buttonValue(card, "request_approve") ?? "";
    expect(h.slack.calls.filter((c) => c.injected).length - injected).toBe(5);
    const cards = h.slack.messages.filter(
      (m) => !m.threadTs && buttonValue(m, "request_approve") === requestId,
    );
    expect(cards).toHaveLength(1);
    expect((await h.bot.deps.store.get(requestId))?.state).toBe("pending_approval");
    await approveOnCard(h, card, requestId);
    await h.slack.waitFor(() => threadOf(card).find((t) => t.startsWith("Verified")), {
      what: "the copy verified",
      timeoutMs: 20_000,
    });
    expect((await h.bot.deps.store.get(requestId))?.state).toBe("completed");
  }, 40_000);

  it("a copy stuck beyond maxCopyDuration is reported with what to check, not waited on forever", async () => {
    h.sim.state.setNextCopyOutcome("stuck");
    const { card, requestId } = await requestAndApprove("stuck-copy");
    const failed = await h.slack.waitFor(() => threadOf(card).find((t) => t.startsWith("Failed")), {
      what: "stuck report",
      timeoutMs: 15_000,
    });
    expect(failed).toContain("42%");
    expect(failed).toContain("stopped waiting");
    expect(failed).toContain("How to fix:");
    expect((await h.bot.deps.store.get(requestId))?.failure?.code).toBe("copy.stuck");
  });

  it("many copies finishing together reach the notify channel as a digest, not a flood", async () => {
    await new Promise((r) => setTimeout(r, 3500)); // a quiet channel first
    const before = h.slack.messages.length;
    const requests = await seedApprovedRequests(h.bot.deps, 10, "digest");
    expect(
      await waitUntilFinal(
        h.bot.deps.store,
        requests.map((r) => r.id),
        30_000,
      ),
    ).toEqual({ completed: 10 });
    const posts = await h.slack.waitFor(
      () => {
        const notices = h.slack.messages.slice(before).filter((m) => m.channel === NOTIFY_CHANNEL);
        const text = notices.map((m) => m.text ?? "").join("\n");
        return requests.every((r) => text.includes(r.id)) ? notices : undefined;
      },
      { what: "every outcome announced", timeoutMs: 10_000 },
    );
    expect(posts.length).toBeLessThanOrEqual(4);
    expect(posts.some((m) => /replications finished/.test(m.text ?? ""))).toBe(true);
  });
});
