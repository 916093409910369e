import { randomUUID } from "node:crypto";
import { WebClient } from "@slack/web-api";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SlackEmulator, startSlackEmulator } from "../../../dev/slack-emulator/index.js";
import {
  type OutcomeBody,
  requestScope,
  type SlackDeliveryOptions,
  SlackOutboxDeliverer,
  type ThreadBody,
} from "../../../src/adapters/chat-slack/slack-outbox.js";
import { RedisCallPacer, RedisOutbox } from "../../../src/adapters/store-redis/outbox.store.js";
import { createLogger } from "../../../src/main/logger.js";

const TOKEN = "xoxb-outbox-test";

/** The outbox's guarantees, with a real Redis and the emulator (Slack's rate limits on). */
describe("Slack outbox delivery", () => {
  let slack: SlackEmulator;
  let redis: Redis;
  const prefix = `test-outbox-${randomUUID().slice(0, 8)}`;
  const logger = createLogger("silent");

  beforeAll(async () => {
    slack = await startSlackEmulator({ signingSecret: "s", botToken: TOKEN, rateLimits: true });
    redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
    await slack?.close();
  });

  /** A deliverer as a fresh process would build it: nothing in memory, everything in Redis. */
  function deliverer(options: Partial<SlackDeliveryOptions> = {}) {
    const client = new WebClient(TOKEN, {
      slackApiUrl: slack.apiUrl,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
    });
    const outbox = new RedisOutbox(redis, prefix);
    return {
      outbox,
      client,
      run: new SlackOutboxDeliverer(
        client,
        {
          outbox,
          pacer: new RedisCallPacer(redis, prefix),
          coalesceMs: 0,
          postRate: { perSecond: 0.95, burst: 3 },
          tier3Rate: { perSecond: 0.75, burst: 4 },
          digest: { windowMs: 3000, threshold: 3 },
          ...options,
        },
        logger,
      ),
    };
  }

  it("a post made just before a crash (marked, not completed) is found by its key and not made again", async () => {
    const { outbox, client, run } = deliverer();
    const parent = await client.chat.postMessage({ channel: "C0CRASH", text: "card" });
    const threadId = parent.ts as string;
    const scope = requestScope("rq-crash1");
    const body: ThreadBody = { conversation: "C0CRASH", threadId, content: { text: "Checks passed." } };
    await outbox.append(scope, { key: "thread:1", kind: "thread", at: Date.now(), body });
    // The worker that crashed: it marked the post, Slack took it, the worker died before completing.
    const postKey = `${scope}:before-crash`;
    await outbox.markPosting(scope, {
      postKey,
      keys: ["thread:1"],
      conversation: "C0CRASH",
      threadId,
      at: Date.now(),
    });
    await client.chat.postMessage({
      channel: "C0CRASH",
      thread_ts: threadId,
      text: "Checks passed.",
      metadata: { event_type: "cbs_bot_outbox", event_payload: { key: postKey } },
    });
    await run.round();
    expect(slack.thread("C0CRASH", threadId).map((m) => m.text)).toEqual(["Checks passed."]);
    expect(await outbox.entries(scope)).toEqual([]);
    expect(await outbox.posting(scope)).toBeUndefined();
    // Written again (a retried step): already delivered, so ignored.
    expect(await outbox.append(scope, { key: "thread:1", kind: "thread", at: Date.now(), body })).toBe(false);
  });

  it("a post marked but never made (the crash came first) is posted exactly once", async () => {
    const { outbox, client, run } = deliverer();
    const parent = await client.chat.postMessage({ channel: "C0CRASH2", text: "card" });
    const threadId = parent.ts as string;
    const scope = requestScope("rq-crash2");
    const body: ThreadBody = { conversation: "C0CRASH2", threadId, content: { text: "Copy started." } };
    await outbox.append(scope, { key: "thread:2", kind: "thread", at: Date.now(), body });
    await outbox.markPosting(scope, {
      postKey: `${scope}:never-posted`,
      keys: ["thread:2"],
      conversation: "C0CRASH2",
      threadId,
      at: Date.now(),
    });
    await run.round();
    await run.round();
    expect(slack.thread("C0CRASH2", threadId).map((m) => m.text)).toEqual(["Copy started."]);
  });

  it("outcomes held for a digest survive a restart: a new deliverer posts them when the window ends", async () => {
    const first = deliverer({ digest: { windowMs: 1500, threshold: 3 } });
    const outcome = (id: string): OutcomeBody => ({
      conversation: "C0DIGEST",
      requestId: id,
      state: "completed",
      notice: { text: `${id} completed` },
      line: `${id} completed`,
    });
    for (const id of ["rq-d00001", "rq-d00002", "rq-d00003", "rq-d00004", "rq-d00005"])
      await first.outbox.append(requestScope(id), {
        key: "outcome",
        kind: "outcome",
        at: Date.now(),
        body: outcome(id),
      });
    await first.run.round();
    // A quiet channel: what is pending goes at once — five, so one digest.
    const posted = () => slack.messages.filter((m) => m.channel === "C0DIGEST").map((m) => m.text);
    expect(posted()).toHaveLength(1);
    expect(posted()[0]).toContain("5 replications finished");
    // Four more finish while the window is open: held in Redis…
    const later = ["rq-d00006", "rq-d00007", "rq-d00008", "rq-d00009"];
    for (const id of later)
      await first.outbox.append(requestScope(id), {
        key: "outcome",
        kind: "outcome",
        at: Date.now(),
        body: outcome(id),
      });
    await first.run.round();
    expect(posted()).toHaveLength(1);
    // …and the process "restarts": a new deliverer, nothing in memory, posts them when the window ends.
    const second = deliverer({ digest: { windowMs: 1500, threshold: 3 } });
    await new Promise((r) => setTimeout(r, 1600));
    await second.run.round();
    await second.run.round();
    expect(posted()).toHaveLength(2);
    expect(posted()[1]).toContain("4 replications finished");
    for (const id of later) expect(posted()[1]).toContain(id);
  });
});
