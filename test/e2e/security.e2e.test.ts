import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SendOptions, signSlackRequest } from "../../dev/slack-emulator/index.js";
import {
  ALICE,
  BOB,
  type Harness,
  REQUEST_CHANNEL,
  SIGNING_SECRET,
  startHarness,
} from "../support/harness.js";

const FORGED: Array<[string, SendOptions]> = [
  ["a forged signature", { signature: `v0=${"ab".repeat(32)}` }],
  ["no signature", { signature: null }],
  ["a replayed (6 minutes old) request", { timestampSec: Math.floor(Date.now() / 1000) - 6 * 60 }],
  // Bolt bounds only the past: the gate refuses the future too, or such a body stays replayable.
  ["a timestamp 1 hour ahead", { timestampSec: Math.floor(Date.now() / 1000) + 60 * 60 }],
  ["a timestamp 1 year ahead", { timestampSec: Math.floor(Date.now() / 1000) + 365 * 24 * 60 * 60 }],
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

async function until(probe: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A person who floods the bot (the per-user limit is 10 a minute here, as in production). */
const MALLORY = "U0MALLORY";

/** Signed, well-formed at the transport, broken inside: 400 with nothing done, never 500 or a crash. */
describe("malformed signed requests, repeats and floods", () => {
  let h: Harness;
  let redis: Redis;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  beforeAll(async () => {
    process.on("unhandledRejection", onUnhandled);
    h = await startHarness({
      config: { slack: { requestRateLimit: { perUser: 10, window: "1m" } } },
      extraUsers: [{ id: MALLORY, name: "mallory" }],
    });
    redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
  });
  afterAll(async () => {
    process.off("unhandledRejection", onUnhandled);
    redis?.disconnect();
    await h?.close();
  });

  /** POSTs `rawBody` signed now (or at `timestampSec`) with Slack's exact content type. */
  async function postSigned(rawBody: string, timestampSec = Math.floor(Date.now() / 1000)) {
    const response = await fetch(h.appUrl, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "x-slack-request-timestamp": String(timestampSec),
        "x-slack-signature": signSlackRequest(SIGNING_SECRET, timestampSec, rawBody),
      },
      body: rawBody,
    });
    return { status: response.status, text: await response.text() };
  }
  const payloadBody = (payload: unknown) =>
    new URLSearchParams({ payload: JSON.stringify(payload) }).toString();

  async function stillServes(): Promise<void> {
    expect((await fetch(`${h.opsUrl}/healthz`)).status).toBe(200);
    const help = await h.slack.sendSlashCommand(h.appUrl, {
      text: "help",
      userId: ALICE,
      channelId: REQUEST_CHANNEL,
    });
    expect(help.status).toBe(200);
  }

  /** A real card (by ALICE), to aim clicks at. */
  async function postCard(name: string) {
    const before = h.slack.messages.length;
    const sent = await h.slack.sendSlashCommand(h.appUrl, {
      text: `replicate snap-abc12345 to dr-prod as "${name}"`,
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
    return { card, requestId: /rq-[a-z0-9]{6}/.exec(card.text)?.[0] ?? "" };
  }

  /** A block_actions payload as Slack sends it for a click on `card`, with `patch` applied. */
  function clickPayload(
    card: { channel: string; ts: string },
    value: unknown,
    patch: Record<string, unknown> = {},
  ) {
    return {
      type: "block_actions",
      user: { id: BOB, username: "bob", name: "bob", team_id: "T0EMULATOR" },
      api_app_id: "A0EMULATOR",
      token: "emulator-verification-token",
      container: { type: "message", message_ts: card.ts, channel_id: card.channel, is_ephemeral: false },
      trigger_id: `${Date.now()}.${Math.random()}`,
      team: { id: "T0EMULATOR", domain: "emulator" },
      channel: { id: card.channel, name: "requests" },
      response_url: `${h.slack.baseUrl}/response/none`,
      actions: [
        { action_id: "request_approve", block_id: "b", type: "button", value, action_ts: "1700000000.1" },
      ],
      ...patch,
    };
  }

  it("payload=null and other bodies Bolt cannot read get 400, and the process still serves", async () => {
    const bodies = [
      "payload=null",
      "payload=1",
      "payload=%22x%22",
      "payload=%5B%5D",
      "payload=not-json",
      "payload=%7B%7D",
      "payload=a&payload=b",
      payloadBody({ type: "block_actions" }),
      payloadBody({ type: "view_submission", user: { id: ALICE } }),
      payloadBody({ type: "shortcut", user: { id: ALICE }, callback_id: "replicate_snapshot" }),
      payloadBody({ type: "event_callback", event: { type: "message" } }),
      payloadBody({ type: "block_suggestion", user: { id: ALICE }, name: "x" }),
      "",
      "command=%2Fsnapshot",
    ];
    for (const body of bodies) {
      expect({ body, status: (await postSigned(body)).status }).toEqual({ body, status: 400 });
    }
    await stillServes();
    expect(unhandled).toEqual([]);
  });

  it("a command or click whose user or channel is null or missing gets 400, not 500, and does nothing", async () => {
    const { card, requestId } = await postCard("null-users");
    const command = (patch: Record<string, string | null>) => {
      const fields: Record<string, string> = {
        command: "/snapshot",
        text: "replicate snap-abc12345 to dr-prod",
        user_id: ALICE,
        channel_id: REQUEST_CHANNEL,
        trigger_id: `${Date.now()}.t`,
        response_url: `${h.slack.baseUrl}/response/none`,
      };
      for (const [k, v] of Object.entries(patch)) {
        if (v === null) delete fields[k];
        else fields[k] = v;
      }
      return new URLSearchParams(fields).toString();
    };
    const bodies = [
      command({ user_id: null }),
      command({ channel_id: null }),
      command({ user_id: "" }),
      command({ trigger_id: null }),
      payloadBody(clickPayload(card, requestId, { user: null })),
      payloadBody(clickPayload(card, requestId, { user: undefined })),
      payloadBody(clickPayload(card, requestId, { user: { id: null } })),
      payloadBody(clickPayload(card, requestId, { channel: null })),
      payloadBody(clickPayload(card, requestId, { channel: undefined, container: { type: "message" } })),
      payloadBody(clickPayload(card, requestId, { actions: [] })),
      payloadBody(clickPayload(card, requestId, { actions: null })),
    ];
    const calls = h.sim.callsOf("DescribeSnapshots").length;
    for (const body of bodies) {
      expect({ body, status: (await postSigned(body)).status }).toEqual({ body, status: 400 });
    }
    await new Promise((r) => setTimeout(r, 150));
    expect(h.sim.callsOf("DescribeSnapshots")).toHaveLength(calls);
    expect((await h.bot.deps.store.get(requestId))?.state).toBe("pending_approval");
    await stillServes();
    expect(unhandled).toEqual([]);
  });

  it("a command or click without a response_url gets a clean 400 (nothing to answer through)", async () => {
    const { card, requestId } = await postCard("no-response-url");
    const fields = {
      command: "/snapshot",
      text: "list",
      user_id: ALICE,
      channel_id: REQUEST_CHANNEL,
      trigger_id: `${Date.now()}.u`,
    };
    expect((await postSigned(new URLSearchParams(fields).toString())).status).toBe(400);
    expect(
      (await postSigned(payloadBody(clickPayload(card, requestId, { response_url: undefined })))).status,
    ).toBe(400);
    expect((await h.bot.deps.store.get(requestId))?.state).toBe("pending_approval");
    await stillServes();
  });

  it("a button value sent as a JSON array is refused and nothing is applied", async () => {
    const { card, requestId } = await postCard("array-value");
    for (const value of [[requestId], { id: requestId }, 42, null]) {
      const answer = await postSigned(payloadBody(clickPayload(card, value)));
      expect(answer.status).toBe(400);
    }
    await new Promise((r) => setTimeout(r, 150));
    expect((await h.bot.deps.store.get(requestId))?.state).toBe("pending_approval");
    expect(h.sim.callsOf("CopySnapshotCrossAccount")).toHaveLength(0);
    // The same click with the id as a string is taken: the 400s above were for the value alone.
    expect((await postSigned(payloadBody(clickPayload(card, requestId)))).status).toBe(200);
    await until(async () => (await h.bot.deps.store.get(requestId))?.state !== "pending_approval");
  });

  it("the same signed command delivered three times (retries, a replayed body) makes one request and one card", async () => {
    const cardsBefore = (await h.bot.deps.store.listRecent(500)).length;
    const messagesBefore = h.slack.messages.length;
    const input = { text: "replicate snap-abc12345 to dr-blind", userId: ALICE, channelId: REQUEST_CHANNEL };
    const first = await h.slack.sendSlashCommand(h.appUrl, input);
    expect(first.status).toBe(200);
    // Slack's retry of the same delivery carries the same trigger id and X-Slack-Retry-Num.
    const retried = await h.slack.sendSlashCommand(
      h.appUrl,
      { ...input, triggerId: first.triggerId },
      { retryNum: 1 },
    );
    expect(retried.status).toBe(200);
    // An attacker's byte-for-byte replay of the signed body within its 5 minutes.
    const sent = h.slack.requests.find((r) => r.triggerId === first.triggerId);
    const raw = new URLSearchParams(sent?.payload as Record<string, string>).toString();
    expect((await postSigned(raw)).status).toBe(200);
    await h.slack.waitFor(
      () => h.slack.messages.slice(messagesBefore).find((m) => !m.threadTs && m.text.includes("rq-")),
      { what: "card" },
    );
    await new Promise((r) => setTimeout(r, 500));
    expect((await h.bot.deps.store.listRecent(500)).length).toBe(cardsBefore + 1);
    // Cards only: an earlier test's copy may announce its outcome in the notify channel meanwhile.
    const cards = h.slack.messages
      .slice(messagesBefore)
      .filter((m) => !m.threadTs && m.channel === REQUEST_CHANNEL && m.text.includes("rq-"));
    expect(cards).toHaveLength(1);
  });

  it("a replayed click is applied once", async () => {
    const { card, requestId } = await postCard("replayed-click");
    const first = await h.slack.sendBlockAction(h.appUrl, {
      userId: BOB,
      actionId: "request_approve",
      channelId: card.channel,
      messageTs: card.ts,
    });
    expect(first.status).toBe(200);
    await until(async () => (await h.bot.deps.store.get(requestId))?.state !== "pending_approval");
    const ephemerals = h.slack.ephemerals.length;
    // Byte-for-byte replays of the signed click (within its 5 minutes): acked, never applied again.
    const sent = h.slack.requests.find((r) => r.triggerId === first.triggerId);
    for (let i = 0; i < 2; i++) expect((await postSigned(payloadBody(sent?.payload))).status).toBe(200);
    await new Promise((r) => setTimeout(r, 300));
    // A second vote would have answered "already decided" privately: nothing was said.
    expect(h.slack.ephemerals.length).toBe(ephemerals);
  });

  it("150 cards attempted by one person quickly: at most the limit are made, the rest refused politely", async () => {
    const attempts = Array.from({ length: 150 }, (_, i) => i);
    const answers: string[] = [];
    for (let batch = 0; batch < attempts.length; batch += 25) {
      const sent = await Promise.all(
        attempts.slice(batch, batch + 25).map((i) =>
          h.slack.sendSlashCommand(h.appUrl, {
            text: `replicate snap-abc12345 to dr-prod as "flood-${i}"`,
            userId: MALLORY,
            channelId: REQUEST_CHANNEL,
          }),
        ),
      );
      for (const r of sent) {
        expect(r.status).toBe(200);
        const body = r.body as { text?: string } | string;
        answers.push(typeof body === "string" ? body : (body.text ?? ""));
      }
    }
    const refused = answers.filter((t) =>
      t.includes("You have made 10 requests in the last minute; wait a moment"),
    );
    expect(refused).toHaveLength(140);
    // The shortcut's submission counts too: its modal says so, nothing is created.
    const modal = await h.slack.sendViewSubmission(h.appUrl, {
      userId: MALLORY,
      view: {
        callback_id: "replicate_snapshot_modal",
        state: {
          values: {
            snapshot: { value: { type: "plain_text_input", value: "snap-abc12345" } },
            destination: { value: { type: "plain_text_input", value: "dr-prod" } },
            channel: { value: { type: "conversations_select", selected_conversation: REQUEST_CHANNEL } },
          },
        },
      },
    });
    expect(modal.status).toBe(200);
    expect(JSON.stringify(modal.body)).toContain("wait a moment");
    await until(
      async () =>
        (await h.bot.deps.store.listRecent(500)).filter((r) => r.requestedBy === MALLORY).length >= 10,
    );
    await new Promise((r) => setTimeout(r, 500));
    const made = (await h.bot.deps.store.listRecent(500)).filter((r) => r.requestedBy === MALLORY);
    expect(made).toHaveLength(10);
    // Another person is not held back by MALLORY's flood.
    const other = await h.slack.sendSlashCommand(h.appUrl, {
      text: 'replicate snap-abc12345 to dr-prod as "not-flooded"',
      userId: BOB,
      channelId: REQUEST_CHANNEL,
    });
    expect(JSON.stringify(other.body)).not.toContain("wait a moment");
  });
});
