import { WebClient } from "@slack/web-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SlackEmulator, startSlackEmulator } from "../../../dev/slack-emulator/index.js";
import { SlackNotifier } from "../../../src/adapters/chat-slack/slack.notifier.js";
import { code, text } from "../../../src/core/messages/message.js";
import { silentLogger } from "../../../src/core/ports/logger.port.js";
import { createKindRegistry } from "../../../src/kinds/registry.js";

/**
 * Automatic replication's keyed posts (docs/decisions/018): `announce` stores the key in the
 * message's metadata and `findAnnouncement` reads it back from the channel's history, which is
 * how a run taking over a lapsed claim knows whether the post it would make was already made.
 */
describe("SlackNotifier: keyed announcements", () => {
  let slack: SlackEmulator;
  let notifier: SlackNotifier;
  beforeAll(async () => {
    slack = await startSlackEmulator({ signingSecret: "s", botToken: "xoxb-ann" });
    const client = new WebClient("xoxb-ann", { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } });
    notifier = new SlackNotifier(client, createKindRegistry(), 1, silentLogger);
  });
  afterAll(async () => {
    await slack?.close();
  });

  it("finds its own post by key, after a time, among many; not another key's", async () => {
    const since = Date.now() - 1000;
    const ref = await notifier.announce(
      "C0NOTIFY",
      { text: text`copies ${code("snap-a")}` },
      "copies:asp-1:7",
    );
    for (let i = 0; i < 250; i++) {
      await notifier.announce("C0NOTIFY", { text: text`filler ${i}` }, `filler:${i}`);
    }
    expect(slack.messages.find((m) => m.ts === ref.id)?.text).toBe("copies `snap-a`");
    expect(await notifier.findAnnouncement("C0NOTIFY", "copies:asp-1:7", since)).toEqual(ref);
    expect(await notifier.findAnnouncement("C0NOTIFY", "copies:asp-1:8", since)).toBeUndefined();
    expect(await notifier.findAnnouncement("C0OTHER", "copies:asp-1:7", since)).toBeUndefined();
    expect(
      await notifier.findAnnouncement("C0NOTIFY", "copies:asp-1:7", Date.now() + 60_000),
    ).toBeUndefined();
  });
});
