import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SlackMessage } from "../../dev/slack-emulator/index.js";
import {
  ALICE,
  BOB,
  CAROL,
  DR_BLIND_UIN,
  DR_PROD_UIN,
  type Harness,
  NOTIFY_CHANNEL,
  REQUEST_CHANNEL,
  startHarness,
} from "../support/harness.js";
import { asCopy } from "../support/request-fixtures.js";
import { buttonValue, hasButtons } from "../support/slack-blocks.js";
import { approveOnCard, requestCard as requestCardAs } from "../support/slack-steps.js";

// The same flows over both of Slack's transports: signed HTTP requests and Socket Mode.
describe.each(["http", "socket"] as const)(
  "walking skeleton (%s): /snapshot replicate → Approve → copy → thread + channel notice",
  (transport) => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness({ transport });
    });
    afterAll(async () => {
      await h?.close();
    });

    async function requestCard(text: string): Promise<{ card: SlackMessage; requestId: string }> {
      const result = await requestCardAs(h, text);
      expect(buttonValue(result.card, "request_reject")).toBe(result.requestId);
      return result;
    }

    it("copies the approved snapshot exactly once and reports every step", async () => {
      const { card, requestId } = await requestCard('replicate snap-abc12345 to dr-prod as "db-dr-copy"');
      expect(card.channel).toBe(REQUEST_CHANNEL);
      const cardText = JSON.stringify(card.blocks);
      for (const fact of [
        "snap-abc12345",
        "db-daily",
        "ap-shanghai",
        "disk-db000001",
        "100 GiB",
        "data disk",
        "encrypted",
        DR_PROD_UIN,
        "db-dr-copy",
      ]) {
        expect(cardText).toContain(fact);
      }
      expect(h.sim.callsOf("CopySnapshotCrossAccount")).toHaveLength(0);

      // Alice is not an approver: privately refused, nothing changes.
      const own = await approveOnCard(h, card, requestId, ALICE);
      expect(own.status).toBe(200);
      await h.slack.waitFor(
        () => h.slack.ephemerals.find((e) => e.user === ALICE && /not an approver/.test(e.text ?? "")),
        {
          what: "non-approver refusal",
        },
      );
      expect(hasButtons(h.slack.messages.find((m) => m.ts === card.ts) as SlackMessage)).toBe(true);

      const approve = await approveOnCard(h, card, requestId);
      expect(approve.status).toBe(200);

      const notice = await h.slack.waitFor(
        () =>
          h.slack.messages.find(
            (m) => m.channel === NOTIFY_CHANNEL && !m.threadTs && m.text?.includes(requestId),
          ),
        { what: "notify-channel message", timeoutMs: 20_000 },
      );
      const copies = h.sim.callsOf("CopySnapshotCrossAccount");
      expect(copies).toHaveLength(1);
      expect(copies[0]?.params).toMatchObject({
        SnapshotIds: ["snap-abc12345"],
        TargetAccountUin: DR_PROD_UIN,
        SnapshotName: "db-dr-copy",
      });
      const newSnapshotId = h.sim.state.copies[0]?.newSnapshotId ?? "";
      expect(newSnapshotId).toMatch(/^snap-[a-z0-9]{8}$/);
      expect(notice.text).toContain("completed");
      for (const fact of [requestId, "snap-abc12345", DR_PROD_UIN, newSnapshotId])
        expect(notice.text).toContain(fact);

      const thread = h.slack.thread(card.channel, card.ts).map((m) => m.text ?? "");
      expect(thread.some((t) => t.includes("Approved by") && t.includes(BOB))).toBe(true);
      expect(thread.some((t) => t.startsWith("Checks passed"))).toBe(true);
      expect(thread.some((t) => t.startsWith("Copy started") && t.includes(newSnapshotId))).toBe(true);
      expect(thread.some((t) => t.startsWith("Verified") && t.includes("Completed in"))).toBe(true);
      // The copy was followed through the destination's read role, not the source's keys.
      expect(h.sim.callsOf("AssumeRole").length).toBeGreaterThanOrEqual(1);
      expect(h.sim.callsOf("DescribeSnapshots").some((c) => c.accountUin === DR_PROD_UIN)).toBe(true);

      const finalCard = h.slack.messages.find((m) => m.ts === card.ts) as SlackMessage;
      expect(finalCard.text).toContain("Completed");
      expect(hasButtons(finalCard)).toBe(false);

      // A second click after the decision changes nothing and starts no second copy.
      await approveOnCard(h, card, requestId);
      await h.slack.waitFor(
        () => h.slack.ephemerals.find((e) => e.user === BOB && /already approved/.test(e.text ?? "")),
        {
          what: "refusal of a second approval",
        },
      );
      expect(h.sim.callsOf("CopySnapshotCrossAccount")).toHaveLength(1);
    });

    it("an approver cannot approve their own request", async () => {
      const response = await h.slack.sendSlashCommand(h.appUrl, {
        text: "replicate snap-abc12345 to dr-prod",
        userId: CAROL,
        channelId: REQUEST_CHANNEL,
      });
      expect(response.status).toBe(200);
      const card = await h.slack.waitFor(
        () =>
          h.slack.messages.find(
            (m) => !m.threadTs && m.blocks && JSON.stringify(m.blocks).includes(`<@${CAROL}>`),
          ),
        { what: "carol's card" },
      );
      await h.slack.sendBlockAction(h.appUrl, {
        userId: CAROL,
        actionId: "request_approve",
        value: buttonValue(card, "request_approve") ?? "",
        channelId: card.channel,
        messageTs: card.ts,
      });
      await h.slack.waitFor(
        () => h.slack.ephemerals.find((e) => e.user === CAROL && /second pair of eyes/.test(e.text ?? "")),
        { what: "self-approval refusal" },
      );
      expect(hasButtons(h.slack.message(card.channel, card.ts) as SlackMessage)).toBe(true);
    });

    it("without a read role, reports the copy as submitted and says it cannot be verified", async () => {
      const { card, requestId } = await requestCard("replicate snap-abc12345 to dr-blind");
      // Flagged on the card, before anyone approves.
      expect(JSON.stringify(card.blocks)).toContain("No read role for dr-blind");
      await approveOnCard(h, card, requestId);
      const notice = await h.slack.waitFor(
        () => h.slack.messages.find((m) => m.channel === NOTIFY_CHANNEL && m.text?.includes(requestId)),
        // The previous test's notice opened the channel's 3 s digest window: this one may wait for its end.
        { what: "submitted notice", timeoutMs: 10_000 },
      );
      expect(notice.text).toContain("submitted");
      expect(notice.text).toContain(DR_BLIND_UIN);
      const thread = h.slack.thread(card.channel, card.ts).map((m) => m.text ?? "");
      expect(thread.some((t) => t.includes("cannot be verified") && t.includes("readRoleArn"))).toBe(true);
      const copy = h.sim
        .callsOf("CopySnapshotCrossAccount")
        .filter((c) => c.params.TargetAccountUin === DR_BLIND_UIN);
      expect(copy).toHaveLength(1);
      // Default name: <source name>-copy-<yyyymmdd>
      expect(String(copy[0]?.params.SnapshotName)).toMatch(/^db-daily-copy-\d{8}$/);
    });

    it("no two requests share a copy name in one destination: defaults get -2, a taken explicit name is refused", async () => {
      const first = await requestCard('replicate snap-abc12345 to dr-prod as "shared-name"');
      const response = await h.slack.sendSlashCommand(h.appUrl, {
        text: 'replicate snap-abc12345 to dr-prod as "shared-name"',
        userId: ALICE,
        channelId: REQUEST_CHANNEL,
      });
      expect(response.status).toBe(200);
      await h.slack.waitFor(
        () =>
          h.slack.ephemerals.find((e) => e.user === ALICE && e.text.includes("under the name `shared-name`")),
        { what: "refusal of a taken name" },
      );
      const a = await requestCard("replicate snap-abc12345 to dr-blind");
      const b = await requestCard("replicate snap-abc12345 to dr-blind");
      const nameOf = async (id: string) => asCopy(await h.bot.deps.store.get(id))?.spec.newName ?? "";
      // dr-blind's default name was already used by an earlier test: each new request takes the next number.
      const [nameA, nameB] = [await nameOf(a.requestId), await nameOf(b.requestId)];
      expect(nameA).toMatch(/^db-daily-copy-\d{8}-(\d+)$/);
      expect(Number(nameB.split("-").at(-1))).toBe(Number(nameA.split("-").at(-1)) + 1);
      // Once the first request ends without a copy, its name is free again.
      await h.slack.sendSlashCommand(h.appUrl, {
        text: `cancel ${first.requestId}`,
        userId: ALICE,
        channelId: REQUEST_CHANNEL,
      });
      await expect.poll(async () => (await h.bot.deps.store.get(first.requestId))?.state).toBe("cancelled");
      const again = await requestCard('replicate snap-abc12345 to dr-prod as "shared-name"');
      expect(await nameOf(again.requestId)).toBe("shared-name");
    });

    it("a rejected request loses its buttons and copies nothing", async () => {
      const copiesBefore = h.sim.callsOf("CopySnapshotCrossAccount").length;
      const { card, requestId } = await requestCard("replicate snap-abc12345 to dr-prod");
      await h.slack.sendBlockAction(h.appUrl, {
        userId: BOB,
        actionId: "request_reject",
        value: requestId,
        channelId: card.channel,
        messageTs: card.ts,
      });
      // Reject asks for an optional reason in a modal; submitting it empty rejects without one.
      const dialog = await h.slack.waitFor(
        () =>
          h.slack.views.find(
            (v) =>
              v.view.callback_id === "reject_reason" && String(v.view.private_metadata).includes(requestId),
          ),
        { what: "reject-reason modal" },
      );
      await h.slack.sendViewSubmission(h.appUrl, { userId: BOB, view: { id: dialog.viewId } });
      const rejected = await h.slack.waitFor(
        () => h.slack.messages.find((m) => m.ts === card.ts && m.text?.includes("Rejected")),
        { what: "rejected card" },
      );
      expect(hasButtons(rejected)).toBe(false);
      await h.slack.waitFor(
        () => h.slack.thread(card.channel, card.ts).find((m) => m.text?.includes("Rejected by")),
        {
          what: "rejection in the thread",
        },
      );
      expect(h.sim.callsOf("CopySnapshotCrossAccount")).toHaveLength(copiesBefore);
    });

    it.each([
      ["replicate snap-123 to dr-prod", "is not a snapshot id"],
      ["replicate snap-abc12345", "to &lt;destination&gt;"],
      ["replicate snap-abc12345 to dr-mars", "is not a configured destination"],
      ["replicate snap-zzz99999 to dr-prod", "was not found in source account"],
      ["replicate snap-creat001 to dr-prod", "only a NORMAL snapshot can be copied"],
    ])("%j is answered privately and creates nothing", async (text, reply) => {
      const messagesBefore = h.slack.messages.length;
      const response = await h.slack.sendSlashCommand(h.appUrl, {
        text,
        userId: ALICE,
        channelId: REQUEST_CHANNEL,
      });
      expect(response.status).toBe(200);
      const said = await h.slack.waitFor(
        () => {
          const inBody = JSON.stringify(response.body ?? "");
          if (inBody.includes(reply)) return inBody;
          return h.slack.ephemerals.find((e) => e.user === ALICE && e.text?.includes(reply))?.text;
        },
        { what: `private reply containing "${reply}"` },
      );
      expect(said).toContain(reply);
      expect(h.slack.messages.length).toBe(messagesBefore);
    });

    it("serves /healthz, /readyz and Prometheus /metrics that count the cloud calls made", async () => {
      const base = h.opsUrl;
      // Socket Mode serves no Slack endpoint: nothing reaches the app over HTTP.
      const events = await fetch(`${base}/slack/events`, { method: "POST", body: "" });
      expect(events.status).toBe(transport === "socket" ? 404 : 401);
      expect(new Set(h.slack.requests.map((r) => r.url))).toEqual(
        new Set([transport === "socket" ? "socket" : h.appUrl]),
      );
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      expect((await fetch(`${base}/readyz`)).status).toBe(200);
      const response = await fetch(`${base}/metrics`);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toContain("text/plain");
      const text = await response.text();
      const copies = h.sim.callsOf("CopySnapshotCrossAccount").filter((c) => !c.errorCode).length;
      expect(copies).toBeGreaterThan(0);
      expect(text).toContain(
        `cbs_bot_cloud_calls_total{action="CopySnapshotCrossAccount",outcome="ok"} ${copies}`,
      );
      expect(text).toMatch(/cbs_bot_queue_jobs\{queue="replication",state="completed"\} [1-9]/);
      expect(text).toMatch(/cbs_bot_queue_jobs\{queue="replication",state="waiting"\} \d+/);
      expect(text).toContain("cbs_bot_redis_up 1");
    });
  },
);
