import { expect } from "vitest";
import { type Harness, NOTIFY_CHANNEL } from "./harness.js";
import { approveOnCard, requestCard } from "./slack-steps.js";

/** One replication from the slash command to the notify channel's notice: card, Approve, copy. */
export async function replicateOnce(h: Harness, text: string): Promise<{ requestId: string }> {
  const { card, requestId } = await requestCard(h, text);
  const approve = await approveOnCard(h, card, requestId);
  expect(approve.status).toBe(200);
  const notice = await h.slack.waitFor(
    () =>
      h.slack.messages.find(
        (m) => m.channel === NOTIFY_CHANNEL && !m.threadTs && m.text?.includes(requestId),
      ),
    { what: "notify-channel notice", timeoutMs: 20_000 },
  );
  expect(notice.text).toContain("completed");
  return { requestId };
}
