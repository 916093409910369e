import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SlackMessage } from "../../dev/slack-emulator/index.js";
import { BOB, type Harness, NOTIFY_CHANNEL, REQUEST_CHANNEL, startHarness } from "../support/harness.js";
import { asCopy } from "../support/request-fixtures.js";
import { buttonValue } from "../support/slack-blocks.js";
import { requestCard } from "../support/slack-steps.js";

const settle = () => new Promise((resolve) => setTimeout(resolve, 700));

/** Socket Mode across dropped connections: every command and click acts once, none is lost. */
describe("Socket Mode: a dropped socket loses and doubles nothing", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ transport: "socket" });
  });
  afterAll(async () => {
    await h?.close();
  });

  function approve(card: SlackMessage, requestId: string, opts: { loseFirstAck?: boolean } = {}) {
    return h.slack.sendBlockAction(
      h.appUrl,
      {
        userId: BOB,
        actionId: "request_approve",
        value: requestId,
        channelId: card.channel,
        messageTs: card.ts,
      },
      opts,
    );
  }

  /** The flow ran to its end once: one copy, one approval, one "Approved by" and one notice. */
  async function expectCompletedOnce(
    card: SlackMessage,
    requestId: string,
    ephemeralsBefore: number,
  ): Promise<void> {
    await h.slack.waitFor(
      () => h.slack.messages.find((m) => m.channel === NOTIFY_CHANNEL && m.text?.includes(requestId)),
      { what: `notice for ${requestId}`, timeoutMs: 20_000 },
    );
    // Time for a second answer to land, were a repeated delivery acted on (the ack comes first).
    await settle();
    const request = await h.bot.deps.store.get(requestId);
    expect(request?.state).toBe("completed");
    expect(request?.approvals).toHaveLength(1);
    const name = asCopy(request)?.spec.newName;
    expect(name).toBeTruthy();
    const copies = h.sim.callsOf("CopySnapshotCrossAccount").filter((c) => c.params.SnapshotName === name);
    expect(copies).toHaveLength(1);
    const thread = h.slack.thread(card.channel, card.ts).map((m) => m.text ?? "");
    expect(thread.filter((t) => t.includes("Approved by"))).toHaveLength(1);
    expect(
      h.slack.messages.filter((m) => m.channel === NOTIFY_CHANNEL && m.text?.includes(requestId)),
    ).toHaveLength(1);
    // Nothing was said to the approver: no refusal of a second vote.
    expect(h.slack.ephemerals.slice(ephemeralsBefore).filter((e) => e.user === BOB)).toEqual([]);
  }

  const newCard = () => requestCard(h, "replicate snap-abc12345 to dr-prod");

  it("a socket closed with `disconnect` after the card is posted: the click waits for the reconnect and acts once", async () => {
    const { card, requestId } = await newCard();
    const ephemerals = h.slack.ephemerals.length;
    const connections = h.slack.socket.connections;
    h.slack.dropSocket({ reason: "refresh_requested" });
    const click = await approve(card, requestId);
    expect(click.status).toBe(200);
    expect(h.slack.socket.connections).toBe(connections + 1);
    await expectCompletedOnce(card, requestId, ephemerals);
  });

  it("a socket cut without `disconnect` (raw close): the bot reconnects and the click acts once", async () => {
    const { card, requestId } = await newCard();
    const ephemerals = h.slack.ephemerals.length;
    const connections = h.slack.socket.connections;
    h.slack.dropSocket({ raw: true });
    await approve(card, requestId);
    expect(h.slack.socket.connections).toBe(connections + 1);
    await expectCompletedOnce(card, requestId, ephemerals);
  });

  it("a socket dropped between the click and its ack: Slack sends the click again, it approves once", async () => {
    const { card, requestId } = await newCard();
    const ephemerals = h.slack.ephemerals.length;
    const click = await approve(card, requestId, { loseFirstAck: true });
    expect(click.status).toBe(200);
    const sent = h.slack.requests.filter((r) => r.triggerId === click.triggerId);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.deliveries).toBe(2);
    await expectCompletedOnce(card, requestId, ephemerals);
  });

  it("a slash command whose ack is lost is delivered again and makes one request, not two", async () => {
    const before = h.slack.messages.length;
    const response = await h.slack.sendSlashCommand(
      h.appUrl,
      { text: "replicate snap-abc12345 to dr-prod", userId: "U0ALICE", channelId: REQUEST_CHANNEL },
      { loseFirstAck: true },
    );
    expect(response.status).toBe(200);
    expect(h.slack.requests.find((r) => r.triggerId === response.triggerId)?.deliveries).toBe(2);
    await h.slack.waitFor(
      () => h.slack.messages.slice(before).find((m) => !m.threadTs && buttonValue(m, "request_approve")),
      { what: "the card" },
    );
    await settle();
    const cards = h.slack.messages
      .slice(before)
      .filter((m) => !m.threadTs && buttonValue(m, "request_approve"));
    expect(cards).toHaveLength(1);
  });

  it("/readyz answers 503 while the socket is down and 200 once it is back; /healthz stays 200", async () => {
    await expect.poll(async () => (await fetch(`${h.opsUrl}/readyz`)).status).toBe(200);
    h.slack.dropSocket({ raw: true });
    await expect.poll(async () => (await fetch(`${h.opsUrl}/readyz`)).status, { interval: 20 }).toBe(503);
    expect((await fetch(`${h.opsUrl}/healthz`)).status).toBe(200);
    await h.slack.waitForSocket();
    await expect.poll(async () => (await fetch(`${h.opsUrl}/readyz`)).status).toBe(200);
  });
});
