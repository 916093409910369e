import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ALICE,
  BOB,
  DR_BLIND_UIN,
  DR_LOCKED_UIN,
  DR_NEW_UIN,
  DR_PROD_UIN,
  type Harness,
  REQUEST_CHANNEL,
  SOURCE_UIN,
  startHarness,
} from "../support/harness.js";
import { buttonValue } from "../support/slack-blocks.js";
import { approveOnCard, privateAnswer, requestCard as requestCardAs } from "../support/slack-steps.js";

const RECHECK = "prerequisites_recheck";
const CAM_ACTIONS = ["ListCollaborators", "ListAttachedUserAllPolicies", "GetPolicy"];

/** Prerequisite checks end to end: Slack emulator → Bolt → flows → real SDK → simulator, real Redis. */
describe("prerequisite checks before approval and at run time", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ unreadyDestinations: true });
  });
  afterAll(async () => {
    await h?.close();
  });

  const camCalls = () => h.sim.calls.filter((c) => CAM_ACTIONS.includes(c.action)).length;
  const cards = () => h.slack.messages.filter((m) => !m.threadTs && buttonValue(m, "request_approve"));

  const command = (text: string, reply: RegExp | string) => privateAnswer(h, text, reply);

  const requestCard = (text: string) => requestCardAs(h, text);

  it("50 requests in a burst to one destination make a handful of CAM calls, not three per request", async () => {
    const camBefore = camCalls();
    const cardsBefore = cards().length;
    const responses = await Promise.all(
      Array.from({ length: 50 }, () =>
        h.slack.sendSlashCommand(h.appUrl, {
          text: "replicate snap-abc12345 to dr-prod in ap-shanghai",
          userId: ALICE,
          channelId: REQUEST_CHANNEL,
        }),
      ),
    );
    expect(responses.every((r) => r.status === 200)).toBe(true);
    await h.slack.waitFor(() => cards().length - cardsBefore >= 50, {
      what: "50 approval cards",
      timeoutMs: 25_000,
    });
    const used = camCalls() - camBefore;
    expect(used).toBeGreaterThanOrEqual(1);
    expect(used).toBeLessThanOrEqual(5);
    expect(
      h.sim.callsOf("ListAttachedUserAllPolicies").filter((c) => c.params.TargetUin === Number(DR_PROD_UIN))
        .length,
    ).toBeLessThanOrEqual(2);
    expect(h.sim.callsOf("ListAttachedUserAllPolicies").every((c) => !c.errorCode)).toBe(true);
  });

  it("a ready destination gets a card whose checks are all ✓", async () => {
    const { card } = await requestCard("replicate snap-abc12345 to dr-prod");
    const text = JSON.stringify(card.blocks);
    expect(text).toContain("Prerequisite checks");
    // snapshot, collaborator, permission, and dr-prod's read role (a real AssumeRole)
    expect(text.match(/✓/g)?.length).toBe(4);
    expect(text).toContain("can assume read role");
    expect(text).not.toMatch(/✗|\?\s/);
    expect(text).toContain("is a collaborator of 100000000001");
    expect(text).toContain('policy \\"SnapshotCrossAccountCopy\\"');
  });

  it("CAM refusing with its rate limit shows '?' on the card instead of failing the request", async () => {
    h.sim.state.injectFault({ action: "ListAttachedUserAllPolicies", code: "RequestLimitExceeded" });
    try {
      const { card } = await requestCard("replicate snap-abc12345 to dr-blind");
      const text = JSON.stringify(card.blocks);
      expect(text).toMatch(/\? I could not read the collaborator's policies/);
      expect(text).toContain("RequestLimitExceeded");
    } finally {
      h.sim.state.clearFaults();
    }
  });

  it("a read role whose AssumeRole is refused is refused at request time with the trust-policy fix; no copy call", async () => {
    // The role exists, but its trust policy does not name the source account: STS refuses.
    h.sim.state.injectFault({ action: "AssumeRole", code: "AuthFailure.UnauthorizedOperation" });
    try {
      const messagesBefore = h.slack.messages.length;
      const copiesBefore = h.sim.callsOf("CopySnapshotCrossAccount").length;
      const reply = await command("replicate snap-abc12345 to dr-prod", "cannot assume read role");
      expect(reply.text).toContain("policies/destination-read-role.trust.json");
      expect(reply.text).toContain(`allow account ${SOURCE_UIN} to call \`sts:AssumeRole\``);
      expect(reply.text).toContain(`In destination account ${DR_PROD_UIN}`);
      // Not the bot's own API key.
      expect(reply.text).not.toMatch(/TENCENTCLOUD_SECRET|bot's own API key/);
      expect(reply.text).toContain("Nothing was created");
      expect(h.sim.callsOf("AssumeRole").at(-1)?.errorCode).toBe("AuthFailure.UnauthorizedOperation");
      expect(h.sim.callsOf("CopySnapshotCrossAccount")).toHaveLength(copiesBefore);
      expect(h.slack.messages.length).toBe(messagesBefore);
    } finally {
      h.sim.state.clearFaults();
    }
  });

  it("a destination that is not a collaborator is refused privately, with the fix, and no card", async () => {
    const messagesBefore = h.slack.messages.length;
    const reply = await command("replicate snap-abc12345 to dr-new", "is not a collaborator");
    expect(reply.text).toContain(`Account ${DR_NEW_UIN} (dr-new) is not a collaborator of ${SOURCE_UIN}`);
    expect(reply.text).toContain("CAM console → User list → Collaborators");
    expect(reply.text).toContain("Nothing was created");
    expect(buttonValue(reply, RECHECK)).toBeTruthy();
    expect(JSON.stringify(reply.blocks)).toContain("cvm:CopyAutoSnapshotPolicyCrossAccount"); // the policy JSON
    expect(h.slack.messages.length).toBe(messagesBefore);
  });

  it("a collaborator without permission is refused with the minimal policy; Re-check after the fix says what changed", async () => {
    const messagesBefore = h.slack.messages.length;
    const reply = await command("replicate snap-abc12345 to dr-locked", "cvm:CopySnapshotCrossAccount");
    expect(reply.text).toContain(`has no policy attached in ${SOURCE_UIN}`);
    expect(reply.text).toContain(
      '"action":["cvm:CopySnapshotCrossAccount","cvm:CopyAutoSnapshotPolicyCrossAccount"]',
    );
    expect(reply.text).toContain("CAM console → Policies → Create custom policy");
    expect(h.slack.messages.length).toBe(messagesBefore);

    // Nothing fixed yet: Re-check says so.
    await h.slack.sendBlockAction(h.appUrl, {
      userId: ALICE,
      actionId: RECHECK,
      value: buttonValue(reply, RECHECK) ?? "",
      channelId: REQUEST_CHANNEL,
      messageTs: reply.ts,
    });
    await h.slack.waitFor(() => reply.edits === 1 && reply.text.includes("Nothing changed"), {
      what: "re-check with nothing changed",
      timeoutMs: 10_000,
    });

    h.sim.state.attachUserPolicy(SOURCE_UIN, DR_LOCKED_UIN, 70001);
    await h.slack.sendBlockAction(h.appUrl, {
      userId: ALICE,
      actionId: RECHECK,
      value: buttonValue(reply, RECHECK) ?? "",
      channelId: REQUEST_CHANNEL,
      messageTs: reply.ts,
    });
    await h.slack.waitFor(() => reply.edits === 2, { what: "re-check after the fix", timeoutMs: 10_000 });
    expect(reply.text).toContain("What changed: ✗ → ✓ cvm:CopySnapshotCrossAccount");
    expect(reply.text).toContain("All checks pass now");
    expect(buttonValue(reply, RECHECK)).toBeUndefined();
    expect(h.slack.messages.length).toBe(messagesBefore);
    h.sim.state.detachUserPolicy(SOURCE_UIN, DR_LOCKED_UIN, 70001);
  });

  it("/snapshot check is a private dry run that creates nothing", async () => {
    const messagesBefore = h.slack.messages.length;
    const copiesBefore = h.sim.callsOf("CopySnapshotCrossAccount").length;
    const ready = await command("check snap-abc12345 to dr-prod", "All checks pass");
    expect(ready.text).toContain("dry run: nothing was created");
    for (const fact of [
      "db-daily",
      "100 GiB",
      "data disk",
      "disk-db000001",
      "encrypted",
      "ap-shanghai",
      "2026-11-24 03:00:00",
    ])
      expect(ready.text).toContain(fact);
    expect(buttonValue(ready, RECHECK)).toBeUndefined();

    const missing = await command("check snap-zzz99999 to dr-new", "dry run");
    expect(missing.text).toContain("was not found in source account");
    expect(missing.text).toContain("is not a collaborator");
    expect(buttonValue(missing, RECHECK)).toBeTruthy();
    expect(h.slack.messages.length).toBe(messagesBefore);
    expect(h.sim.callsOf("CopySnapshotCrossAccount")).toHaveLength(copiesBefore);
  });

  it("/snapshot accounts lists every destination with its collaborator and permission status", async () => {
    // dr-locked is now also in a group whose policy denies the copy actions (read fresh: no cache).
    h.sim.state.addPolicy(SOURCE_UIN, {
      policyId: 70002,
      name: "NoCrossAccountCopies",
      type: "custom",
      document: JSON.stringify({
        version: "2.0",
        statement: { effect: "Deny", action: "cvm:Copy*CrossAccount", resource: "*" },
      }),
    });
    h.sim.state.addGroup(SOURCE_UIN, { groupId: 7, name: "auditors", members: [DR_LOCKED_UIN] });
    h.sim.state.attachGroupPolicy(SOURCE_UIN, 7, 70002);
    const reply = await command("accounts", "Destinations of source account");
    const lines = reply.text.split("\n");
    const block = (alias: string) => {
      const start = lines.findIndex((l) => l.startsWith(`${alias} (`));
      return lines.slice(start, start + 4).join("\n");
    };
    expect(block("dr-prod")).toMatch(/ready for copies \(not for automatic replication\)/);
    expect(block("dr-prod")).toMatch(/✓ Account 200000000002 \(dr-prod\) is a collaborator/);
    expect(block("dr-prod")).toMatch(/✗ None of the 1 policy/);
    expect(block("dr-new")).toMatch(/not ready\n✗ Account 200000000004 \(dr-new\) is not a collaborator/);
    expect(block("dr-locked")).toMatch(/not ready\n✓ Account 200000000005 \(dr-locked\) is a collaborator/);
    expect(block("dr-locked")).toContain(
      `✗ Policy "NoCrossAccountCopies" (through group auditors) statement 1 explicitly denies cvm:CopySnapshotCrossAccount to ${DR_LOCKED_UIN}`,
    );
    expect(reply.text).toContain("policies/minimal-cross-account-copy.json");
    expect(buttonValue(reply, RECHECK)).toBeTruthy();

    h.sim.state.addCollaborator(SOURCE_UIN, DR_NEW_UIN);
    await h.slack.sendBlockAction(h.appUrl, {
      userId: ALICE,
      actionId: RECHECK,
      value: buttonValue(reply, RECHECK) ?? "",
      channelId: REQUEST_CHANNEL,
      messageTs: reply.ts,
    });
    await h.slack.waitFor(() => reply.edits === 1, { what: "accounts re-checked", timeoutMs: 10_000 });
    expect(reply.text).toContain(`dr-new: ✗ → ✓ Collaborator ${DR_NEW_UIN}`);
    h.sim.state.removeCollaborator(SOURCE_UIN, DR_NEW_UIN);
  });

  it("a permission revoked after the card's checks fails the job in the worker, with the fix in the thread and no copy", async () => {
    const { card, requestId } = await requestCard("replicate snap-abc12345 to dr-blind");
    expect(JSON.stringify(card.blocks).match(/✓/g)?.length).toBe(3);
    // The card's facts were true when it was posted; CAM changes before the worker runs.
    h.sim.state.detachUserPolicy(SOURCE_UIN, DR_BLIND_UIN, 70001);
    try {
      await approveOnCard(h, card, requestId);
      const failed = await h.slack.waitFor(
        () => h.slack.thread(card.channel, card.ts).find((m) => m.text.startsWith("Failed:")),
        { what: "failure in the thread", timeoutMs: 20_000 },
      );
      expect(failed.text).toContain("cvm:CopySnapshotCrossAccount");
      expect(failed.text).toContain("Nothing was copied");
      expect(failed.text).toContain("How to fix:");
      // The failure reply itself carries Re-check, like every failed-check message.
      expect(buttonValue(failed, RECHECK)).toBeTruthy();
      expect(failed.text).toContain(
        '"action":["cvm:CopySnapshotCrossAccount","cvm:CopyAutoSnapshotPolicyCrossAccount"]',
      );
      const checks = h.slack
        .thread(card.channel, card.ts)
        .find((m) => m.text.startsWith("Checks before copying"));
      expect(checks?.text).toMatch(/✗ .*has no policy attached/);
      const copies = h.sim
        .callsOf("CopySnapshotCrossAccount")
        .filter((c) => c.params.TargetAccountUin === DR_BLIND_UIN);
      expect(copies).toHaveLength(0);
      const finalCard = await h.slack.waitFor(
        () => {
          const m = h.slack.message(card.channel, card.ts);
          return m?.text.includes("Failed") ? m : undefined;
        },
        { what: "card shows failed", timeoutMs: 10_000 },
      );
      expect(JSON.stringify(finalCard.blocks)).toContain("✗");
      expect(buttonValue(finalCard, RECHECK)).toBeTruthy();

      // Re-check from the card answers the clicker privately and leaves the card alone.
      h.sim.state.attachUserPolicy(SOURCE_UIN, DR_BLIND_UIN, 70001);
      const edits = finalCard.edits;
      await h.slack.sendBlockAction(h.appUrl, {
        userId: BOB,
        actionId: RECHECK,
        value: buttonValue(finalCard, RECHECK) ?? "",
        channelId: card.channel,
        messageTs: card.ts,
      });
      const answer = await h.slack.waitFor(
        () => h.slack.ephemerals.find((e) => e.user === BOB && e.text.includes("Re-checked")),
        { what: "private re-check answer", timeoutMs: 10_000 },
      );
      expect(answer.text).toContain("✗ → ✓ cvm:CopySnapshotCrossAccount");
      expect(h.slack.message(card.channel, card.ts)?.edits).toBe(edits);
    } finally {
      h.sim.state.attachUserPolicy(SOURCE_UIN, DR_BLIND_UIN, 70001);
    }
  });
});
