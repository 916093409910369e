import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SendOptions } from "../../dev/slack-emulator/index.js";
import { ALICE, BOB, type Harness, REQUEST_CHANNEL, startHarness } from "../support/harness.js";

const FORGED: Array<[string, SendOptions]> = [
  ["a forged signature", { signature: `v0=${"ab".repeat(32)}` }],
  ["no signature", { signature: null }],
  ["a replayed (6 minutes old) request", { timestampSec: Math.floor(Date.now() / 1000) - 6 * 60 }],
];

/** Slack request verification is on everywhere: 401 and no side effect for anything not signed now. */
describe("signed requests only", () => {
  let h: Harness;
  let redis: Redis;
  beforeAll(async () => {
    h = await startHarness();
    redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
  });
  afterAll(async () => {
    redis?.disconnect();
    await h?.close();
  });

  /** Request records, the request index and the audit trail: what a side effect would leave. */
  async function storedState(): Promise<string> {
    const keys = (await redis.keys(`${h.redisPrefix}:request*`)).sort();
    const values = await Promise.all(
      keys.map((k) => redis.type(k).then((t) => (t === "string" ? redis.get(k) : t))),
    );
    const audit = await redis.xlen(`${h.redisPrefix}:audit`);
    return JSON.stringify({ keys, values, audit });
  }

  it.each(FORGED)("a slash command with %s gets 401 and creates nothing", async (_what, opts) => {
    const before = await storedState();
    const posted = h.slack.messages.length;
    const response = await h.slack.sendSlashCommand(
      h.appUrl,
      { text: "replicate snap-abc12345 to dr-prod", userId: ALICE, channelId: REQUEST_CHANNEL },
      opts,
    );
    expect(response.status).toBe(401);
    await new Promise((r) => setTimeout(r, 150));
    expect(await storedState()).toBe(before);
    expect(h.slack.messages.length).toBe(posted);
    expect(h.sim.callsOf("DescribeSnapshots")).toHaveLength(0);
  });

  it.each(FORGED)("an Approve click with %s gets 401 and changes nothing", async (_what, opts) => {
    const before = h.slack.messages.length;
    const sent = await h.slack.sendSlashCommand(h.appUrl, {
      text: "replicate snap-abc12345 to dr-prod",
      userId: ALICE,
      channelId: REQUEST_CHANNEL,
    });
    expect(sent.status).toBe(200);
    const card = await h.slack.waitFor(
      () =>
        h.slack.messages
          .slice(before)
          .find((m) => !m.threadTs && JSON.stringify(m.blocks).includes("request_approve")),
      { what: "card" },
    );
    const requestId = /rq-[a-z0-9]{6}/.exec(card.text)?.[0] ?? "";
    const stateBefore = await storedState();
    const editsBefore = card.edits;
    for (const actionId of ["request_approve", "request_reject"]) {
      const response = await h.slack.sendBlockAction(
        h.appUrl,
        { userId: BOB, actionId, value: requestId, channelId: card.channel, messageTs: card.ts },
        opts,
      );
      expect(response.status).toBe(401);
    }
    const forgedView = await h.slack.sendViewSubmission(
      h.appUrl,
      {
        userId: BOB,
        view: {
          callback_id: "reject_reason",
          private_metadata: JSON.stringify({ requestId, channel: card.channel }),
          state: { values: {} },
        },
      },
      opts,
    );
    expect(forgedView.status).toBe(401);
    const forgedShortcut = await h.slack.sendShortcut(
      h.appUrl,
      { userId: BOB, callbackId: "replicate_snapshot" },
      opts,
    );
    expect(forgedShortcut.status).toBe(401);
    await new Promise((r) => setTimeout(r, 150));
    expect(await storedState()).toBe(stateBefore);
    expect((await h.bot.deps.store.get(requestId))?.state).toBe("pending_approval");
    expect(h.slack.views).toHaveLength(0);
    expect(h.slack.message(card.channel, card.ts)?.edits).toBe(editsBefore);
    expect(h.sim.callsOf("CopySnapshotCrossAccount")).toHaveLength(0);
  });
});
