import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SlackMessage } from "../../dev/slack-emulator/index.js";
import type { BullmqJobQueue } from "../../src/adapters/queue-bullmq/bullmq-job.queue.js";
import type { StoredAuditEntry } from "../../src/core/ports/audit.port.js";
import { runAudit } from "../../src/main/audit-cli.js";
import {
  ALICE,
  BOB,
  CAROL,
  DR_BLIND_UIN,
  DR_PROD_UIN,
  type Harness,
  READ_ROLE,
  REQUEST_CHANNEL,
  SOURCE_UIN,
  startHarness,
} from "../support/harness.js";
import { hasButtons } from "../support/slack-blocks.js";
import { requestCard as requestCardAs } from "../support/slack-steps.js";

const DAVE = "U0DAVE";
const GONE = "U0GONE";
const APPROVER_GROUP = "S0APPROVERS";
const MISSING_GROUP = "S0MISSING";
const OTHER_CHANNEL = "C0ELSEWHERE";

/**
 * Approval rules over signed HTTP (emulator) and a real Redis:
 * - dr-prod: the global approvers (bob, carol), 1 approval, anyone may ask;
 * - dr-blind: its own approvers (bob, carol, a user who left, the approver group and a group that
 *   no longer exists), 2 approvals, and only alice and carol may ask.
 */
describe("approvals you can trust", () => {
  let h: Harness;
  let name = 0;
  const uniqueName = () => `appr-${Date.now().toString(36)}-${++name}`;

  beforeAll(async () => {
    h = await startHarness({
      extraUsers: [
        { id: DAVE, name: "dave" },
        { id: GONE, name: "gone", deleted: true },
      ],
      usergroups: [{ id: APPROVER_GROUP, handle: "dr-approvers", users: [DAVE] }],
      config: {
        destinations: {
          "dr-prod": { accountUin: DR_PROD_UIN, readRoleArn: READ_ROLE },
          "dr-blind": {
            accountUin: DR_BLIND_UIN,
            approvers: {
              users: [BOB, CAROL, GONE],
              usergroups: [APPROVER_GROUP, MISSING_GROUP],
              required: 2,
            },
            requesters: { users: [ALICE, CAROL] },
          },
        },
        slack: { requestChannels: [REQUEST_CHANNEL] },
        approvers: { users: [BOB, CAROL], mention: APPROVER_GROUP },
      },
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  const requestCard = (text: string, userId = ALICE) => requestCardAs(h, text, userId);

  function click(userId: string, card: SlackMessage, actionId = "request_approve", retryNum?: number) {
    return h.slack.sendBlockAction(
      h.appUrl,
      {
        userId,
        actionId,
        // The live card loses its buttons once decided; a click on an old copy still carries the id.
        value: /rq-[a-z0-9]{6}/.exec(card.text)?.[0] ?? "",
        channelId: card.channel,
        messageTs: card.ts,
      },
      retryNum === undefined ? {} : { retryNum },
    );
  }

  async function privateReply(userId: string, pattern: RegExp, since: number) {
    return h.slack.waitFor(
      () => h.slack.ephemerals.slice(since).find((e) => e.user === userId && pattern.test(e.text ?? "")),
      { what: `private reply to ${userId} matching ${pattern}` },
    );
  }

  const threadTexts = (card: SlackMessage) => h.slack.thread(card.channel, card.ts).map((m) => m.text ?? "");
  const current = (card: SlackMessage) => h.slack.message(card.channel, card.ts);
  const audit = (requestId: string): Promise<StoredAuditEntry[]> =>
    h.bot.deps.audit?.read({ requestId }) ?? Promise.resolve([]);
  const copiesNamed = (newName: string) =>
    h.sim.callsOf("CopySnapshotCrossAccount").filter((c) => c.params.SnapshotName === newName);

  it("refuses a non-approver and the requester privately, changing nothing, and records both", async () => {
    const { card, requestId } = await requestCard(
      `replicate snap-abc12345 to dr-prod as "${uniqueName()}"`,
      CAROL,
    );
    const since = h.slack.ephemerals.length;
    await click(ALICE, card);
    await privateReply(ALICE, /not an approver for copies to dr-prod/, since);
    await click(CAROL, card);
    await privateReply(CAROL, /second pair of eyes/, since);
    expect(hasButtons(current(card))).toBe(true);
    expect((await h.bot.deps.store.get(requestId))?.approvals).toEqual([]);
    const refusals = (await audit(requestId)).filter((e) => e.event === "approval_refused");
    expect(refusals.map((e) => e.userId).sort()).toEqual([ALICE, CAROL]);
  });

  it("20 concurrent Approve clicks (and a Slack retry) give one approval, one job and one copy", async () => {
    const newName = uniqueName();
    const { card, requestId } = await requestCard(`replicate snap-abc12345 to dr-prod as "${newName}"`);
    const clicks = Array.from({ length: 20 }, (_, i) =>
      click(i % 2 === 0 ? BOB : CAROL, card, "request_approve", i === 19 ? 1 : undefined),
    );
    const answers = await Promise.all(clicks);
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
    await h.slack.waitFor(
      () => copiesNamed(newName).length === 1 && current(card)?.text.includes("Completed"),
      {
        what: "the one copy to complete",
        timeoutMs: 15_000,
      },
    );
    const request = await h.bot.deps.store.get(requestId);
    expect(request?.approvals).toHaveLength(1);
    expect(threadTexts(card).filter((t) => t.startsWith("Approved by"))).toHaveLength(1);
    const approvedVersions = [current(card), ...(current(card)?.history ?? [])].filter((v) =>
      v?.text.includes("Approved, queued to start"),
    );
    // The outbox coalesces card updates, so the "queued" version may be skipped, but never shown twice.
    expect(approvedVersions.length).toBeLessThanOrEqual(1);
    const queue = (h.bot.deps.queue as BullmqJobQueue).queue;
    expect((await queue.getJob(requestId))?.id).toBe(requestId);
    expect((await audit(requestId)).filter((e) => e.event === "approved")).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 300));
    expect(copiesNamed(newName)).toHaveLength(1);
  });

  it("2-of-N on a destination with its own approvers: 1/2 after the first, approved after the second", async () => {
    const newName = uniqueName();
    const { card, requestId } = await requestCard(`replicate snap-abc12345 to dr-blind as "${newName}"`);
    const posted = JSON.stringify(card.blocks);
    expect(posted).toContain("Approvals: 0/2");
    // Never every approver one by one; the configured group once.
    expect(posted).toContain(`<!subteam^${APPROVER_GROUP}>`);
    expect(posted).not.toContain(`<@${BOB}>`);
    // A user who left and a group that no longer exists are shown, not a crash.
    expect(posted).toContain(`approver <@${GONE}> has left the workspace`);
    expect(posted).toContain(`approver group ${MISSING_GROUP} no longer exists`);

    const since = h.slack.ephemerals.length;
    await click(BOB, card);
    await h.slack.waitFor(() => JSON.stringify(current(card)?.blocks).includes("(1/2)"), {
      what: "card 1/2",
    });
    expect(hasButtons(current(card))).toBe(true);
    await privateReply(BOB, /1 more approval needed/, since);
    await click(BOB, card);
    await privateReply(BOB, /already approved/, since);
    expect(copiesNamed(newName)).toHaveLength(0);

    await click(DAVE, card); // through the approver user group
    await h.slack.waitFor(() => copiesNamed(newName).length === 1, {
      what: "copy after 2/2",
      timeoutMs: 10_000,
    });
    const request = await h.bot.deps.store.get(requestId);
    expect(request?.approvals.map((a) => a.userId)).toEqual([BOB, DAVE]);
    const events = (await audit(requestId)).map((e) => `${e.event}:${e.userId ?? ""}:${e.detail ?? ""}`);
    expect(events).toContain(`approval_recorded:${BOB}:1/2`);
    expect(events).toContain(`approved:${DAVE}:2/2`);
  });

  it("two approvers at once on a 2-approval request: both votes count, exactly one job", async () => {
    const newName = uniqueName();
    const { card, requestId } = await requestCard(`replicate snap-abc12345 to dr-blind as "${newName}"`);
    await Promise.all([
      click(BOB, card),
      click(CAROL, card),
      click(BOB, card),
      click(CAROL, card, "request_approve", 1),
    ]);
    await h.slack.waitFor(() => copiesNamed(newName).length === 1, { what: "copy", timeoutMs: 10_000 });
    expect((await h.bot.deps.store.get(requestId))?.approvals.map((a) => a.userId).sort()).toEqual([
      BOB,
      CAROL,
    ]);
    expect((await audit(requestId)).filter((e) => e.event === "approved")).toHaveLength(1);
  });

  it("per-destination requesters and request channels refuse politely and create nothing", async () => {
    const before = (await h.bot.deps.store.listRecent(1000)).length;
    const outsider = await h.slack.sendSlashCommand(h.appUrl, {
      text: "replicate snap-abc12345 to dr-blind",
      userId: BOB,
      channelId: REQUEST_CHANNEL,
    });
    expect(outsider.status).toBe(200);
    const since = h.slack.ephemerals.length - 1;
    await h.slack.waitFor(
      () =>
        JSON.stringify(outsider.body).includes("not among the people") ||
        h.slack.ephemerals
          .slice(Math.max(0, since))
          .some((e) => e.user === BOB && /not among the people/.test(e.text)),
      { what: "requester refusal" },
    );
    const elsewhere = await h.slack.sendSlashCommand(h.appUrl, {
      text: "replicate snap-abc12345 to dr-prod",
      userId: ALICE,
      channelId: OTHER_CHANNEL,
    });
    await h.slack.waitFor(
      () =>
        JSON.stringify(elsewhere.body).includes("are taken in") ||
        h.slack.ephemerals.some((e) => e.user === ALICE && /are taken in/.test(e.text)),
      { what: "request channel refusal" },
    );
    expect(await h.bot.deps.store.listRecent(1000)).toHaveLength(before);
  });

  it("reject asks for a reason in a modal; the reason is on the card and in the thread", async () => {
    const newName = uniqueName();
    const { card, requestId } = await requestCard(`replicate snap-abc12345 to dr-prod as "${newName}"`);
    const since = h.slack.ephemerals.length;
    const viewsBefore = h.slack.views.length;
    await click(ALICE, card, "request_reject");
    await privateReply(ALICE, /Only an approver can reject/, since);
    expect(h.slack.views.length).toBe(viewsBefore);

    await click(CAROL, card, "request_reject");
    const dialog = await h.slack.waitFor(
      () => h.slack.views.slice(viewsBefore).find((v) => v.view.callback_id === "reject_reason"),
      { what: "reject modal" },
    );
    const submitted = await h.slack.sendViewSubmission(h.appUrl, {
      userId: CAROL,
      view: {
        id: dialog.viewId,
        state: {
          values: { reason: { reason_input: { type: "plain_text_input", value: "wrong <disk> & region" } } },
        },
      },
    });
    expect(submitted.status).toBe(200);
    await h.slack.waitFor(() => current(card)?.text.includes("Rejected"), { what: "rejected card" });
    expect(hasButtons(current(card))).toBe(false);
    expect(JSON.stringify(current(card)?.blocks)).toContain("wrong &lt;disk&gt; &amp; region");
    await h.slack.waitFor(
      // Escaped like every piece of text a person typed: it can never ping or link.
      () =>
        threadTexts(card).find(
          (t) => t.includes("Rejected by") && t.includes("wrong &lt;disk&gt; &amp; region"),
        ),
      {
        what: "reason in the thread",
      },
    );
    // Approve after reject: refused, nothing copied.
    await click(BOB, card);
    await privateReply(BOB, new RegExp(`<@${CAROL}> already rejected this request`), since);
    expect(copiesNamed(newName)).toHaveLength(0);
    const rejected = (await audit(requestId)).find((e) => e.event === "rejected");
    expect(rejected).toMatchObject({
      userId: CAROL,
      detail: "wrong <disk> & region",
      from: "pending_approval",
    });
  });

  it("/snapshot cancel: by the requester while pending; refused for others; approve afterwards refused", async () => {
    const newName = uniqueName();
    const { card, requestId } = await requestCard(`replicate snap-abc12345 to dr-prod as "${newName}"`);
    const byOther = await h.slack.sendSlashCommand(h.appUrl, {
      text: `cancel ${requestId}`,
      userId: DAVE,
      channelId: REQUEST_CHANNEL,
    });
    expect(JSON.stringify(byOther.body)).toContain("Only the requester");
    const cancelled = await h.slack.sendSlashCommand(h.appUrl, {
      text: `cancel ${requestId}`,
      userId: ALICE,
      channelId: REQUEST_CHANNEL,
    });
    expect(JSON.stringify(cancelled.body)).toContain("is cancelled");
    await h.slack.waitFor(() => current(card)?.text.includes("Cancelled"), { what: "cancelled card" });
    expect(hasButtons(current(card))).toBe(false);
    expect(threadTexts(card).some((t) => t.startsWith(`Cancelled by <@${ALICE}>`))).toBe(true);
    const since = h.slack.ephemerals.length;
    await click(BOB, card);
    await privateReply(BOB, new RegExp(`<@${ALICE}> cancelled this request`), since);
    expect(copiesNamed(newName)).toHaveLength(0);
    const again = await h.slack.sendSlashCommand(h.appUrl, {
      text: `cancel ${requestId}`,
      userId: ALICE,
      channelId: REQUEST_CHANNEL,
    });
    expect(JSON.stringify(again.body)).toContain("cannot be cancelled");
    const events = (await audit(requestId)).map((e) => `${e.event}:${e.userId ?? ""}`);
    expect(events).toEqual([
      `requested:${ALICE}`,
      `cancel_refused:${DAVE}`,
      `cancelled:${ALICE}`,
      `approval_refused:${BOB}`,
      `cancel_refused:${ALICE}`,
    ]);
  });

  it("stops before copying when the approved plan no longer holds (the snapshot's size changed)", async () => {
    h.sim.state.addSnapshot(SOURCE_UIN, {
      snapshotId: "snap-plan0001",
      region: "ap-guangzhou",
      name: "grows",
      diskId: "disk-plan0001",
      diskSize: 100,
      diskUsage: "DATA_DISK",
      encrypt: false,
      createTime: "2026-11-24 03:00:00",
    });
    const newName = uniqueName();
    const { card, requestId } = await requestCard(`replicate snap-plan0001 to dr-prod as "${newName}"`);
    // The snapshot's recorded size changes between the approval card and the run.
    h.sim.state.setSnapshotSize(SOURCE_UIN, "snap-plan0001", 200);
    const cardsBefore = h.slack.messages.filter((m) => !m.threadTs).length;
    await click(BOB, card);
    const stop = await h.slack.waitFor(
      () => threadTexts(card).find((t) => t.includes("The plan approved no longer holds")),
      { what: "plan-changed stop", timeoutMs: 10_000 },
    );
    expect(stop).toContain("100 GiB to 200 GiB");
    expect(stop).toContain("asks for a fresh approval");
    expect(copiesNamed(newName)).toHaveLength(0);
    // The bot asks again: a new card with the plan as it is now, waiting for approvers.
    const fresh = await h.slack.waitFor(
      () => threadTexts(card).find((t) => t.startsWith("A fresh request")),
      { what: "fresh request in the old thread", timeoutMs: 10_000 },
    );
    const freshId = /`(rq-[a-z0-9]{6})`/.exec(fresh)?.[1] ?? "";
    expect(freshId).not.toBe(requestId);
    expect((await h.bot.deps.store.get(freshId))?.state).toBe("pending_approval");
    const freshCard = h.slack.messages
      .slice(cardsBefore)
      .find((m) => !m.threadTs && m.text.includes(freshId));
    expect(JSON.stringify(freshCard?.blocks)).toContain("200 GiB");
    expect((await h.bot.deps.store.get(requestId))?.state).toBe("failed");
    expect((await audit(requestId)).map((e) => e.event)).toContain("plan_changed");
  });

  it("/snapshot status, list and help answer privately, with links to the cards", async () => {
    const { card, requestId } = await requestCard(`replicate snap-abc12345 to dr-prod as "${uniqueName()}"`);
    const status = await h.slack.sendSlashCommand(h.appUrl, {
      text: `status ${requestId}`,
      userId: BOB,
      channelId: REQUEST_CHANNEL,
    });
    const statusText = JSON.stringify(status.body);
    expect(statusText).toContain("Waiting for approval");
    expect(statusText).toContain(`/archives/${card.channel}/p${card.ts.replace(".", "")}`);
    expect(status.body).toMatchObject({ response_type: "ephemeral" });

    const pending = await h.slack.sendSlashCommand(h.appUrl, {
      text: "list pending",
      userId: BOB,
      channelId: REQUEST_CHANNEL,
    });
    const pendingText = JSON.stringify(pending.body);
    expect(pendingText).toContain(requestId);
    expect(pendingText).toContain("/archives/");
    const mine = await h.slack.sendSlashCommand(h.appUrl, {
      text: "list",
      userId: DAVE,
      channelId: REQUEST_CHANNEL,
    });
    expect(JSON.stringify(mine.body)).toContain("Your requests: none");
    const all = await h.slack.sendSlashCommand(h.appUrl, {
      text: "list all",
      userId: DAVE,
      channelId: REQUEST_CHANNEL,
    });
    expect(JSON.stringify(all.body)).toContain(requestId);
    const help = await h.slack.sendSlashCommand(h.appUrl, {
      text: "help",
      userId: DAVE,
      channelId: REQUEST_CHANNEL,
    });
    // Escaped like all reply text (Slack shows `&lt;` as `<`).
    for (const command of [
      "status &lt;request-id&gt;",
      "list [mine|pending|active|all]",
      "cancel &lt;request-id&gt;",
    ])
      expect(JSON.stringify(help.body)).toContain(command);
    const unknown = await h.slack.sendSlashCommand(h.appUrl, {
      text: "status rq-zzzzzz",
      userId: DAVE,
      channelId: REQUEST_CHANNEL,
    });
    expect(JSON.stringify(unknown.body)).toContain("No request `rq-zzzzzz` is known");
  });

  it("the global shortcut opens a modal validated with response_action errors, then posts the card", async () => {
    await h.slack.sendShortcut(h.appUrl, { userId: ALICE, callbackId: "replicate_snapshot" });
    const modal = await h.slack.waitFor(
      () => h.slack.views.find((v) => v.view.callback_id === "replicate_snapshot_modal"),
      { what: "replicate modal" },
    );
    const values = (snapshot: string, destination: string, name: string, channel: string) => ({
      snapshot: { value: { type: "plain_text_input", value: snapshot } },
      destination: { value: { type: "plain_text_input", value: destination } },
      name: { value: { type: "plain_text_input", value: name } },
      region: { value: { type: "plain_text_input", value: null } },
      channel: { value: { type: "conversations_select", selected_conversation: channel } },
    });
    const bad = await h.slack.sendViewSubmission(h.appUrl, {
      userId: ALICE,
      view: {
        id: modal.viewId,
        state: { values: values("snap-12", "dr-mars", "x".repeat(61), OTHER_CHANNEL) },
      },
    });
    expect(bad.status).toBe(200);
    expect(bad.body).toMatchObject({ response_action: "errors" });
    const errors = (bad.body as { errors: Record<string, string> }).errors;
    expect(Object.keys(errors).sort()).toEqual(["channel", "destination", "name", "snapshot"]);

    const before = h.slack.messages.length;
    const newName = uniqueName();
    const good = await h.slack.sendViewSubmission(h.appUrl, {
      userId: ALICE,
      view: {
        id: modal.viewId,
        state: { values: values("SNAP-ABC12345", "dr-prod", newName, REQUEST_CHANNEL) },
      },
    });
    expect(good.status).toBe(200);
    expect(good.body === "" || !JSON.stringify(good.body).includes("errors")).toBe(true);
    const card = await h.slack.waitFor(
      () =>
        h.slack.messages.slice(before).find((m) => !m.threadTs && JSON.stringify(m.blocks).includes(newName)),
      { what: "card from the modal" },
    );
    expect(card.channel).toBe(REQUEST_CHANNEL);
    await h.slack.waitFor(
      () => h.slack.ephemerals.find((e) => e.user === ALICE && e.text.includes("is waiting for approval")),
      {
        what: "private confirmation",
      },
    );
  });

  it("`npm run audit -- --since …` prints every step as JSON lines", async () => {
    const newName = uniqueName();
    const { card, requestId } = await requestCard(`replicate snap-abc12345 to dr-prod as "${newName}"`);
    await click(BOB, card);
    await h.slack.waitFor(() => current(card)?.text.includes("Completed"), {
      what: "completion",
      timeoutMs: 10_000,
    });
    const lines: string[] = [];
    const count = await runAudit(
      ["--since", "10m", "--request", requestId, "--prefix", h.redisPrefix],
      { REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379", BOT_CONFIG: "/nonexistent.yml" },
      (line) => lines.push(line),
    );
    expect(count).toBe(lines.length);
    const entries = lines.map((l) => JSON.parse(l) as StoredAuditEntry);
    expect(entries.map((e) => e.event)).toEqual([
      "requested",
      "approved",
      "checking",
      "copying",
      "verifying",
      "completed",
    ]);
    expect(entries[0]).toMatchObject({ requestId, userId: ALICE });
    expect(entries[1]).toMatchObject({ requestId, userId: BOB, from: "pending_approval" });
    for (const e of entries) expect(Number.isNaN(Date.parse(e.at))).toBe(false);
    const future: string[] = [];
    await runAudit(
      ["--since", new Date(Date.now() + 60_000).toISOString(), "--prefix", h.redisPrefix],
      { REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379", BOT_CONFIG: "/nonexistent.yml" },
      (line) => future.push(line),
    );
    expect(future).toEqual([]);
  });
});
