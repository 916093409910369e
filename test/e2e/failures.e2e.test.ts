import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EphemeralMessage, SlackMessage } from "../../dev/slack-emulator/index.js";
import {
  ALICE,
  DR_BLIND_UIN,
  DR_NEW_UIN,
  DR_PROD_UIN,
  type Harness,
  REQUEST_CHANNEL,
  SOURCE_UIN,
  startHarness,
} from "../support/harness.js";
import { asCopy } from "../support/request-fixtures.js";
import { buttonValue } from "../support/slack-blocks.js";
import { approveOnCard, privateAnswer, requestCard } from "../support/slack-steps.js";

const RECHECK = "prerequisites_recheck";
const ASK_AGAIN = "request_ask_again";

/**
 * Failures that say what to do (issue 13), end to end over signed HTTP: what happened, the Tencent
 * request id, the fix, and the next step (Re-check, Ask again with what was typed); a copy that
 * vanished; the wait for a new copy to be listed; why a request failed in the audit trail; a
 * refusal on a cached CAM answer says how old it is.
 */
describe("failures that say what to do", () => {
  let h: Harness;
  beforeAll(async () => {
    // Copies take 1.5 s: long enough for the poller to list one before it can vanish.
    h = await startHarness({ unreadyDestinations: true, copyDurationMs: 1500 });
  });
  afterAll(async () => {
    await h?.close();
  });

  const thread = (card: SlackMessage) => h.slack.thread(card.channel, card.ts);
  const audit = async (requestId: string) => (await h.bot.deps.audit?.read({ requestId })) ?? [];

  async function approve(card: SlackMessage, requestId: string): Promise<void> {
    const response = await approveOnCard(h, card, requestId);
    expect(response.status).toBe(200);
  }

  function threadReply(card: SlackMessage, match: RegExp, what: string, timeoutMs = 20_000) {
    return h.slack.waitFor(() => thread(card).find((m) => match.test(m.text)), { what, timeoutMs });
  }

  async function click(
    userId: string,
    actionId: string,
    message: { ts: string; channel?: string },
    value: string,
    answer: RegExp,
  ): Promise<EphemeralMessage> {
    const before = h.slack.ephemerals.length;
    const response = await h.slack.sendBlockAction(h.appUrl, {
      userId,
      actionId,
      value,
      channelId: message.channel ?? REQUEST_CHANNEL,
      messageTs: message.ts,
    });
    expect(response.status).toBe(200);
    return h.slack.waitFor(
      () => h.slack.ephemerals.slice(before).find((e) => e.user === userId && answer.test(e.text)),
      { what: `private answer matching ${answer}`, timeoutMs: 15_000 },
    );
  }

  const command = (text: string, reply: RegExp) => privateAnswer(h, text, reply);

  it("a copy Tencent refuses: the thread says what happened, the Tencent request id, the fix and Ask again; Ask again makes a new card with the same snapshot, destination and name", async () => {
    const { card, requestId } = await requestCard(h, 'replicate snap-abc12345 to dr-prod as "db-nightly-dr"');
    h.sim.state.setCrossAccountAllowListed(SOURCE_UIN, false);
    try {
      await approve(card, requestId);
      const failed = await threadReply(card, /^Failed:/, "the failure in the thread");
      const stored = await h.bot.deps.store.get(requestId);
      expect(stored?.state).toBe("failed");
      expect(stored?.failure?.cloudRequestId).toBeTruthy();
      expect(failed.text).toContain("Tencent Cloud refused the call");
      expect(failed.text).toContain(
        `Tencent request id: ${stored?.failure?.cloudRequestId} (error UnsupportedOperation.NotInWhitelist)`,
      );
      expect(failed.text).toMatch(/How to fix: Account 100000000001 is not enrolled .*`method: share`/s);
      expect(failed.text).toContain("Next: once it is fixed, Ask again");
      expect(buttonValue(failed, ASK_AGAIN)).toBe(requestId);
      // No failed check: nothing to Re-check.
      expect(buttonValue(failed, RECHECK)).toBeUndefined();

      // Why it failed, in the audit trail: the code and the reason in plain English.
      const entry = (await audit(requestId)).find((e) => e.event === "failed");
      expect(entry?.detail).toMatch(
        /^UnsupportedOperation\.NotInWhitelist: Tencent Cloud refused the call: ".+"$/,
      );

      // Fixed: Ask again, one click, by the requester.
      h.sim.state.setCrossAccountAllowListed(SOURCE_UIN, true);
      const cardsBefore = h.slack.messages.length;
      const answer = await click(
        ALICE,
        ASK_AGAIN,
        failed,
        buttonValue(failed, ASK_AGAIN) ?? "",
        /waiting for approval/,
      );
      const fresh = await h.slack.waitFor(
        () =>
          h.slack.messages.slice(cardsBefore).find((m) => !m.threadTs && buttonValue(m, "request_approve")),
        { what: "a fresh card", timeoutMs: 10_000 },
      );
      const freshId = buttonValue(fresh, "request_approve") ?? "";
      expect(freshId).not.toBe(requestId);
      expect(answer.text).toContain(freshId);
      const again = asCopy(await h.bot.deps.store.get(freshId));
      expect(again).toMatchObject({
        state: "pending_approval",
        requestedBy: ALICE,
        origin: REQUEST_CHANNEL,
        destination: { alias: "dr-prod", accountUin: DR_PROD_UIN },
        spec: { newName: "db-nightly-dr", snapshot: { snapshotId: "snap-abc12345", region: "ap-shanghai" } },
      });
      expect(JSON.stringify(fresh.blocks)).toContain("db-nightly-dr");
    } finally {
      h.sim.state.setCrossAccountAllowListed(SOURCE_UIN, true);
    }
  });

  it("a run-time check failure: Re-check keeps the typed `as` name in what it suggests, and Ask again keeps it too", async () => {
    const { card, requestId } = await requestCard(
      h,
      'replicate snap-abc12345 to dr-blind in ap-shanghai as "blind-keep"',
    );
    h.sim.state.detachUserPolicy(SOURCE_UIN, DR_BLIND_UIN, 70001);
    try {
      await approve(card, requestId);
      const failed = await threadReply(card, /^Failed:/, "the run-time failure");
      expect(failed.text).toContain("Nothing was copied");
      expect(failed.text).toContain("How to fix:");
      expect(failed.text).toContain("Next: fix it, press Re-check");
      expect(buttonValue(failed, RECHECK)).toBeTruthy();
      expect(buttonValue(failed, ASK_AGAIN)).toBe(requestId);
      const entry = (await audit(requestId)).find((e) => e.event === "failed");
      expect(entry?.detail).toMatch(
        /^cam\.permission_missing: .*cvm:CopySnapshotCrossAccount.*Nothing was copied\.$/,
      );

      h.sim.state.attachUserPolicy(SOURCE_UIN, DR_BLIND_UIN, 70001);
      const rechecked = await click(ALICE, RECHECK, failed, buttonValue(failed, RECHECK) ?? "", /Re-checked/);
      expect(rechecked.text).toContain("All checks pass now");
      expect(rechecked.text).toContain(
        '`/snapshot replicate snap-abc12345 to dr-blind in ap-shanghai as "blind-keep"`',
      );

      const cardsBefore = h.slack.messages.length;
      await click(ALICE, ASK_AGAIN, failed, buttonValue(failed, ASK_AGAIN) ?? "", /waiting for approval/);
      const fresh = await h.slack.waitFor(
        () =>
          h.slack.messages.slice(cardsBefore).find((m) => !m.threadTs && buttonValue(m, "request_approve")),
        { what: "a fresh card", timeoutMs: 10_000 },
      );
      const again = asCopy(await h.bot.deps.store.get(buttonValue(fresh, "request_approve") ?? ""));
      expect(again?.spec.newName).toBe("blind-keep");
      expect(again?.destination.alias).toBe("dr-blind");
      expect(again?.spec.snapshot.snapshotId).toBe("snap-abc12345");
    } finally {
      h.sim.state.attachUserPolicy(SOURCE_UIN, DR_BLIND_UIN, 70001);
    }
  });

  it("a copy that was listed and then vanished in the destination is reported as vanished, with what to check", async () => {
    const { card, requestId } = await requestCard(h, 'replicate snap-abc12345 to dr-prod as "gone-soon"');
    // Tencent lists the copy while it copies, then it disappears (a copy that failed there).
    h.sim.state.setNextCopyOutcome("fail");
    await approve(card, requestId);
    const failed = await threadReply(card, /^Failed:/, "the vanished copy", 30_000);
    const stored = asCopy(await h.bot.deps.store.get(requestId));
    expect(stored?.progress.seenAt).toBeTruthy();
    expect(stored?.failure?.code).toBe("copy.vanished");
    expect(failed.text).toMatch(/The copy `snap-[a-z0-9]+` vanished from account dr-prod \(200000000002\)/);
    expect(failed.text).toMatch(/first seen <!date\^\d+\^/);
    expect(failed.text).toContain("How to fix: Check in account 200000000002's CBS console");
    expect(buttonValue(failed, ASK_AGAIN)).toBe(requestId);
    const entry = (await audit(requestId)).find((e) => e.event === "failed");
    expect(entry?.detail).toMatch(/^copy\.vanished: The copy snap-[a-z0-9]+ vanished from account dr-prod/);
  });

  it("while a new copy is not listed yet, the thread says what it waits for and until when", async () => {
    const { card, requestId } = await requestCard(
      h,
      'replicate snap-abc12345 to dr-prod as "not-listed-yet"',
    );
    // The copy fails at once (never listed), and each look takes longer than the copy lived.
    h.sim.state.setNextCopyOutcome("fail");
    h.sim.state.setLatency("DescribeSnapshots", 1600);
    try {
      await approve(card, requestId);
      const waiting = await threadReply(card, /^Waiting for the new copy/, "the wait for the copy", 30_000);
      const stored = asCopy(await h.bot.deps.store.get(requestId));
      const until = Math.floor((Date.parse(stored?.progress.startedAt ?? "") + 120_000) / 1000);
      expect(waiting.text).toContain(`to be listed in account ${DR_PROD_UIN} (ap-shanghai)`);
      expect(waiting.text).toMatch(new RegExp(`I wait until <!date\\^${until}\\^`));
      expect(waiting.text).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/);
      expect(stored?.state).toBe("running");
    } finally {
      h.sim.state.clearFaults();
      // Not left waiting two minutes for a copy that will never be listed.
      await h.bot.deps.store.transition(requestId, { to: "failed" }).catch(() => undefined);
    }
  });

  it("a refusal on a cached CAM answer says how old it is; Re-check asks CAM afresh", async () => {
    // A dry run caches the collaborator list; the request a moment later is refused on that answer.
    // A refusal on an answer older than 5 s asks CAM again first (no cache notice then): on a loaded
    // machine the two commands can take that long, so the pair is tried again (at most three times).
    // Under two parallel test files it was also seen once without the notice inside 5 s (not yet
    // understood; the note on issue 13 says so).
    const cachedNotice = /CAM answer from the cache, checked [1-5] s ago; Re-check asks CAM again/;
    let refused: Awaited<ReturnType<typeof command>> | undefined;
    for (let attempt = 1; attempt <= 3; attempt++) {
      const started = Date.now();
      await command("check snap-abc12345 to dr-new", /dry run/);
      await new Promise((resolve) => setTimeout(resolve, 1200));
      refused = await command("replicate snap-abc12345 to dr-new", /is not a collaborator/);
      if (cachedNotice.test(refused.text ?? "")) break;
      // Not a cached answer this time: say why in the log if it was not the freshness window.
      if (Date.now() - started < 4500)
        console.warn("cached-answer test: refused on a fresh answer", refused.text);
    }
    if (!refused) throw new Error("no refusal");
    expect(refused.text).toMatch(cachedNotice);
    const listsBefore = h.sim.callsOf("ListCollaborators").length;
    // On a private message the Re-check answer replaces it.
    await h.slack.sendBlockAction(h.appUrl, {
      userId: ALICE,
      actionId: RECHECK,
      value: buttonValue(refused, RECHECK) ?? "",
      channelId: REQUEST_CHANNEL,
      messageTs: refused.ts,
    });
    const rechecked = await h.slack.waitFor(
      () => (refused.edits >= 1 && refused.text.includes("Re-checked") ? refused : undefined),
      { what: "the re-check answer", timeoutMs: 10_000 },
    );
    expect(h.sim.callsOf("ListCollaborators").length).toBeGreaterThan(listsBefore);
    expect(rechecked.text).toContain(`Account ${DR_NEW_UIN} (dr-new) is not a collaborator`);
    expect(rechecked.text).not.toContain("from the cache");
  });
});
