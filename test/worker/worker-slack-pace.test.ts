import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SlackMessage } from "../../dev/slack-emulator/index.js";
import { type Harness, NOTIFY_CHANNEL, REQUEST_CHANNEL, startHarness } from "../support/harness.js";
import { buttonValue } from "../support/slack-blocks.js";
import { approveOnCard } from "../support/slack-steps.js";

/**
 * Slack as it is (docs/decisions/021): the emulator enforces Slack's published rate limits and
 * answers 429 + Retry-After; the bot runs its production pacing and coalescing.
 */
describe("Slack pacing against Slack's rate limits", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ realisticSlack: true, copyDurationMs: 300 });
  });
  afterAll(async () => {
    await h?.close();
  });

  /** A thread's replies as people read them: coalesced replies are separated by a blank line. */
  const replies = (card: SlackMessage) =>
    h.slack.thread(card.channel, card.ts).flatMap((m) => (m.text ?? "").split("\n\n"));

  /** Asks for a copy named `name` and waits for its card. */
  async function submit(name: string): Promise<{ card: SlackMessage; requestId: string }> {
    await h.slack.sendSlashCommand(h.appUrl, {
      text: `replicate snap-abc12345 to dr-prod as "${name}"`,
      userId: "U0ALICE",
      channelId: REQUEST_CHANNEL,
    });
    const card = await h.slack.waitFor(
      () =>
        h.slack.messages.find(
          (m) => !m.threadTs && buttonValue(m, "request_approve") && JSON.stringify(m.blocks).includes(name),
        ),
      { what: `the card of ${name}`, timeoutMs: 90_000 },
    );
    return { card, requestId: buttonValue(card, "request_approve") ?? "" };
  }

  async function approve(card: SlackMessage, requestId: string): Promise<void> {
    await approveOnCard(h, card, requestId);
  }

  const noticeOf = (requestId: string) =>
    h.slack.messages.find((m) => m.channel === NOTIFY_CHANNEL && !m.threadTs && m.text.includes(requestId));

  async function outboxDrained(timeoutMs: number): Promise<void> {
    const pending = `${h.redisPrefix}:outbox:pending`;
    const { Redis } = await import("ioredis");
    const redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
    try {
      const deadline = Date.now() + timeoutMs;
      while ((await redis.zcard(pending)) > 0) {
        if (Date.now() > deadline) throw new Error("outbox not drained");
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      redis.disconnect();
    }
  }

  it("one replication, progress included, costs at most 8 Web API calls", async () => {
    for (const round of [1, 2]) {
      const before = h.slack.calls.length;
      const { card, requestId } = await submit(`paced-${round}-x`);
      await approve(card, requestId);
      await h.slack.waitFor(() => noticeOf(requestId), { what: "notice", timeoutMs: 30_000 });
      await outboxDrained(10_000);
      const calls = h.slack.calls.slice(before).map((c) => c.method);
      const counts: Record<string, number> = {};
      for (const m of calls) counts[m] = (counts[m] ?? 0) + 1;
      console.log(`request ${round}: ${calls.length} Web API calls ${JSON.stringify(counts)}`);
      expect(calls.length).toBeLessThanOrEqual(8);
      const thread = replies(card);
      for (const prefix of ["Approved by", "Checks passed", "Copy started", "Verified"])
        expect(
          thread.filter((t) => t.startsWith(prefix)),
          prefix,
        ).toHaveLength(1);
      const finalCard = h.slack.message(card.channel, card.ts);
      expect(finalCard?.text).toContain("Completed");
    }
    expect([...h.slack.rateLimited()]).toEqual([]);
  }, 90_000);

  it("a burst of 30 requests in one channel stays within Slack's per-channel limit; nothing is lost or doubled", async () => {
    const started = Date.now();
    const submitted = await Promise.all(Array.from({ length: 30 }, (_, i) => submit(`burst-${i}-x`)));
    const unique = new Set(submitted.map((s) => s.requestId));
    expect(unique.size).toBe(30);
    await Promise.all(submitted.map(({ card, requestId }) => approve(card, requestId)));
    await h.slack.waitFor(
      () => submitted.every(({ requestId }) => noticeOf(requestId) ?? digested(requestId)),
      {
        what: "every outcome announced",
        timeoutMs: 200_000,
      },
    );
    await outboxDrained(60_000);
    const posts = h.slack.calls.filter(
      (c) => c.method === "chat.postMessage" && c.at >= started && c.args.channel === REQUEST_CHANNEL,
    );
    // Slack's limit, as the emulator enforces it: no 429 was needed.
    expect([...h.slack.rateLimited()]).toEqual([]);
    // Sustained ≤ 1 per second: in any 10 s window at most 10 + the burst.
    const times = posts.map((c) => c.at).sort((a, b) => a - b);
    let worst = 0;
    for (let i = 0; i < times.length; i++) {
      let j = i;
      while (j < times.length && (times[j] as number) - (times[i] as number) < 10_000) j++;
      worst = Math.max(worst, j - i);
    }
    console.log(
      `burst: ${posts.length} posts in the request channel over ${Math.round(((times.at(-1) ?? 0) - (times[0] ?? 0)) / 1000)} s, at most ${worst} in any 10 s`,
    );
    expect(worst).toBeLessThanOrEqual(13);
    for (const { card } of submitted) {
      const thread = replies(card);
      for (const prefix of ["Approved by", "Checks passed", "Copy started", "Verified"])
        expect(
          thread.filter((t) => t.startsWith(prefix)),
          prefix,
        ).toHaveLength(1);
    }
  }, 300_000);

  const digested = (requestId: string) =>
    h.slack.messages.find(
      (m) =>
        m.channel === NOTIFY_CHANNEL &&
        m.text.includes("replications finished") &&
        m.text.includes(requestId),
    );
});
