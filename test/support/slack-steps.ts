import { expect } from "vitest";
import type { EphemeralMessage, SlackMessage } from "../../dev/slack-emulator/index.js";
import { ALICE, BOB, type Harness, REQUEST_CHANNEL } from "./harness.js";
import { buttonValue } from "./slack-blocks.js";

/** Types `/snapshot <text>` as `userId` and waits for the approval card it produces. */
export async function requestCard(
  h: Harness,
  text: string,
  userId: string = ALICE,
): Promise<{ card: SlackMessage; requestId: string }> {
  const before = h.slack.messages.length;
  const response = await h.slack.sendSlashCommand(h.appUrl, { text, userId, channelId: REQUEST_CHANNEL });
  expect(response.status).toBe(200);
  const card = await h.slack.waitFor(
    () => h.slack.messages.slice(before).find((m) => !m.threadTs && buttonValue(m, "request_approve")),
    { what: `approval card for "${text}"`, timeoutMs: 10_000 },
  );
  const requestId = buttonValue(card, "request_approve") ?? "";
  expect(requestId).toMatch(/^rq-[a-z0-9]{6}$/);
  return { card, requestId };
}

/** Clicks Approve on the request's card as `userId` (the card's real block_actions). */
export function approveOnCard(
  h: Harness,
  card: Pick<SlackMessage, "channel" | "ts">,
  requestId: string,
  userId: string = BOB,
): ReturnType<Harness["slack"]["sendBlockAction"]> {
  return h.slack.sendBlockAction(h.appUrl, {
    userId,
    actionId: "request_approve",
    value: requestId,
    channelId: card.channel,
    messageTs: card.ts,
  });
}

/** Types `/snapshot <text>` as `userId` and waits for their private answer that matches `reply`. */
export async function privateAnswer(
  h: Harness,
  text: string,
  reply: RegExp | string,
  userId: string = ALICE,
): Promise<EphemeralMessage> {
  const before = h.slack.ephemerals.length;
  const response = await h.slack.sendSlashCommand(h.appUrl, { text, userId, channelId: REQUEST_CHANNEL });
  expect(response.status).toBe(200);
  return h.slack.waitFor(
    () =>
      h.slack.ephemerals
        .slice(before)
        .find(
          (e) =>
            e.user === userId && (typeof reply === "string" ? e.text.includes(reply) : reply.test(e.text)),
        ),
    { what: `private answer to "${text}" matching ${reply}`, timeoutMs: 10_000 },
  );
}
