import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SlackMessage } from "../../dev/slack-emulator/index.js";
import { ALICE, BOB, CAROL, type Harness, REQUEST_CHANNEL, startHarness } from "../support/harness.js";
import { hasButtons } from "../support/slack-blocks.js";

const requestIdOf = (card: SlackMessage) => /rq-[a-z0-9]{6}/.exec(card.text)?.[0] ?? "";

/** Pending requests expire after `requestTtl` (a delayed job); a running copy cannot be cancelled. */
describe("expiry and cancelling a copy in flight", () => {
  let h: Harness;
  beforeAll(async () => {
    // A copy takes 4 s in the simulator so that one is still running when it is cancelled.
    h = await startHarness({ config: { requestTtl: "1500ms" }, copyDurationMs: 4000 });
  });
  afterAll(async () => {
    await h?.close();
  });

  async function requestCard(userId = ALICE): Promise<SlackMessage> {
    const before = h.slack.messages.length;
    await h.slack.sendSlashCommand(h.appUrl, {
      text: "replicate snap-abc12345 to dr-prod",
      userId,
      channelId: REQUEST_CHANNEL,
    });
    return h.slack.waitFor(() => h.slack.messages.slice(before).find((m) => !m.threadTs && hasButtons(m)), {
      what: "approval card",
    });
  }

  const approve = (userId: string, card: SlackMessage) =>
    h.slack.sendBlockAction(h.appUrl, {
      userId,
      actionId: "request_approve",
      value: requestIdOf(card),
      channelId: card.channel,
      messageTs: card.ts,
    });

  it("expires a pending request after requestTtl: card updated, buttons gone, requester told; approve refused", async () => {
    const card = await requestCard();
    const requestId = requestIdOf(card);
    const copiesBefore = h.sim.callsOf("CopySnapshotCrossAccount").length;
    const expired = await h.slack.waitFor(
      () => {
        const now = h.slack.message(card.channel, card.ts);
        return now?.text.includes("Expired") ? now : undefined;
      },
      { what: "expired card", timeoutMs: 6000 },
    );
    expect(hasButtons(expired)).toBe(false);
    await h.slack.waitFor(
      () =>
        h.slack
          .thread(card.channel, card.ts)
          .find((m) => m.text.startsWith("Expired") && m.text.includes(`<@${ALICE}>`)),
      { what: "expiry in the thread" },
    );
    await h.slack.waitFor(
      () =>
        h.slack.ephemerals.find(
          (e) =>
            e.user === ALICE &&
            e.text.includes(`${requestId}\` (snap-abc12345 → dr-prod`) &&
            e.text.includes("expired without enough approvals"),
        ),
      { what: "requester told privately" },
    );
    const since = h.slack.ephemerals.length;
    await approve(BOB, { ...card, text: card.text });
    await h.slack.waitFor(
      () =>
        h.slack.ephemerals
          .slice(since)
          .find((e) => e.user === BOB && /expired before enough approvers/.test(e.text)),
      { what: "approve-after-expiry refusal" },
    );
    expect((await h.bot.deps.store.get(requestId))?.state).toBe("expired");
    expect(h.sim.callsOf("CopySnapshotCrossAccount")).toHaveLength(copiesBefore);
    const events = (await h.bot.deps.audit?.read({ requestId }))?.map((e) => e.event);
    expect(events).toEqual(["requested", "expired", "approval_refused"]);
  });

  it("a copy already running cannot be cancelled, and says so", async () => {
    const card = await requestCard(CAROL);
    const requestId = requestIdOf(card);
    await approve(BOB, card);
    await h.slack.waitFor(
      () => h.slack.thread(card.channel, card.ts).find((m) => m.text.startsWith("Copy started")),
      { what: "copy started" },
    );
    const answer = await h.slack.sendSlashCommand(h.appUrl, {
      text: `cancel ${requestId}`,
      userId: CAROL,
      channelId: REQUEST_CHANNEL,
    });
    expect(JSON.stringify(answer.body)).toContain(
      "cannot be cancelled: copy in progress, and work Tencent Cloud has started cannot be called back",
    );
    const stored = await h.bot.deps.store.get(requestId);
    expect(stored?.state).toBe("running");
    expect(["copying", "verifying"]).toContain(stored?.step);
    // The expiry job of an approved request finds it decided and leaves it alone.
    await new Promise((r) => setTimeout(r, 1700));
    expect((await h.bot.deps.store.get(requestId))?.state).not.toBe("expired");
  });
});
