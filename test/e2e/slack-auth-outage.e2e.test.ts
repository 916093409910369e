import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CardWatcher } from "../../bench/driver.js";
import { ALICE, type Harness, REQUEST_CHANNEL, startHarness } from "../support/harness.js";

/**
 * Slack failing auth.test (429, 5xx) must not hold up or break the Slack entry: the bot does not
 * ask Slack who it is to ack a command. Before, Bolt's one auth.test at start-up was awaited by
 * every ack: a Slack blip then answered commands 404 (no ack in 3 s), then refused them until a restart.
 */
describe("Slack's auth.test failing", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ slackRetries: 3 });
    for (let i = 0; i < 40; i++)
      h.slack.failNext("auth.test", i % 2 === 0 ? { retryAfterSec: 1 } : { status: 503 });
  });
  afterAll(async () => {
    await h?.close();
  });

  it("commands are still acked at once and carded", async () => {
    const watcher = new CardWatcher(h.slack);
    try {
      for (let i = 0; i < 3; i++) {
        const started = Date.now();
        const answer = await h.slack.sendSlashCommand(h.appUrl, {
          text: `replicate snap-abc12345 to dr-prod as "auth-outage-${i}"`,
          userId: ALICE,
          channelId: REQUEST_CHANNEL,
        });
        expect(answer.status).toBe(200);
        expect(Date.now() - started).toBeLessThan(2_500);
      }
      await h.slack.waitFor(() => watcher.cards.length >= 3, { what: "three cards", timeoutMs: 15_000 });
    } finally {
      watcher.close();
    }
  }, 30_000);
});
