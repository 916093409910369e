import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SlackMessage } from "../../dev/slack-emulator/index.js";
import {
  ALICE,
  DR_BLIND_UIN,
  DR_PROD_UIN,
  type Harness,
  NOTIFY_CHANNEL,
  READ_ROLE,
  REQUEST_CHANNEL,
  SOURCE_UIN,
  startHarness,
} from "../support/harness.js";
import { approveOnCard, requestCard } from "../support/slack-steps.js";

/** Not a collaborator of the source account and given no grant: a share needs neither. */
const DR_SHARE_UIN = "200000000009";

describe("the share method, and the copy's not-allow-listed and request-shape failures", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      config: {
        destinations: {
          "dr-prod": { accountUin: DR_PROD_UIN, readRoleArn: READ_ROLE },
          "dr-blind": { accountUin: DR_BLIND_UIN },
          "dr-share": { accountUin: DR_SHARE_UIN, method: "share" },
        },
      },
    });
    h.sim.state.addAccount({ uin: DR_SHARE_UIN, secretId: "AKIDdrshare", secretKey: "drshare-secret-key" });
    const seed = (snapshotId: string, diskUsage: "DATA_DISK" | "SYSTEM_DISK") =>
      h.sim.state.addSnapshot(SOURCE_UIN, {
        snapshotId,
        region: "ap-shanghai",
        name: `${diskUsage === "DATA_DISK" ? "data" : "system"}-nightly`,
        diskId: "disk-data0001",
        diskSize: 40,
        diskUsage,
        encrypt: false,
      });
    seed("snap-data0001", "DATA_DISK");
    seed("snap-sys00001", "SYSTEM_DISK");
  });
  afterAll(async () => {
    await h?.close();
  });

  async function approveAndWaitForNotice(card: SlackMessage, requestId: string): Promise<SlackMessage> {
    await approveOnCard(h, card, requestId);
    return h.slack.waitFor(
      () =>
        h.slack.messages.find(
          (m) => m.channel === NOTIFY_CHANNEL && !m.threadTs && m.text?.includes(requestId),
        ),
      { what: "notify-channel message", timeoutMs: 20_000 },
    );
  }

  const threadOf = (card: SlackMessage) => h.slack.thread(card.channel, card.ts).map((m) => m.text ?? "");

  it("shares a data-disk snapshot, verifies the share and says it is a share, not a copy", async () => {
    const { card, requestId } = await requestCard(h, "replicate snap-data0001 to dr-share");
    const cardText = JSON.stringify(card.blocks);
    expect(cardText).toContain("share, not a copy");
    expect(cardText).toContain("the share is gone");

    const notice = await approveAndWaitForNotice(card, requestId);
    expect(notice.text).toContain("completed");
    expect(notice.text).toContain("share, not a copy");
    expect(notice.text).toContain(DR_SHARE_UIN);

    const shares = h.sim.callsOf("ModifySnapshotsSharePermission");
    expect(shares).toHaveLength(1);
    expect(shares[0]?.params).toEqual({
      SnapshotIds: ["snap-data0001"],
      AccountIds: [DR_SHARE_UIN],
      Permission: "SHARE",
    });
    expect(shares[0]?.accountUin).toBe(SOURCE_UIN);
    expect(h.sim.state.getSnapshot(SOURCE_UIN, "snap-data0001")?.sharedWith).toEqual([DR_SHARE_UIN]);
    expect(h.sim.callsOf("DescribeSnapshotSharePermission").length).toBeGreaterThanOrEqual(2);
    expect(h.sim.callsOf("CopySnapshotCrossAccount")).toHaveLength(0);

    const thread = threadOf(card);
    expect(thread.some((t) => t.startsWith("Shared") && t.includes(DR_SHARE_UIN))).toBe(true);
    expect(thread.some((t) => t.startsWith("Verified") && t.includes("share, not a copy"))).toBe(true);
    const finalCard = h.slack.messages.find((m) => m.ts === card.ts) as SlackMessage;
    expect(finalCard.text).toContain("Completed");
    expect(JSON.stringify(finalCard.blocks)).toContain("share, not a copy");
  });

  it.each([
    [
      "replicate snap-sys00001 to dr-share",
      ["system-disk snapshot", "`method: copy`", "destinations.dr-share"],
    ],
    ['replicate snap-data0001 to dr-share as "mine"', ["share, not a copy", "does not apply"]],
  ])("%j is refused at request time with the reason and the way out", async (command, words) => {
    const before = h.slack.messages.length;
    const response = await h.slack.sendSlashCommand(h.appUrl, {
      text: command,
      userId: ALICE,
      channelId: REQUEST_CHANNEL,
    });
    expect(response.status).toBe(200);
    const said = await h.slack.waitFor(
      () => {
        const inBody = JSON.stringify(response.body ?? "");
        if (words.every((w) => inBody.includes(w))) return inBody;
        return h.slack.ephemerals.find((e) => e.user === ALICE && words.every((w) => e.text?.includes(w)))
          ?.text;
      },
      { what: `private refusal of ${command}` },
    );
    for (const word of words) expect(said).toContain(word);
    expect(h.slack.messages.length).toBe(before);
  });

  it("a copy refused because the account is not allow-listed names both ways out", async () => {
    h.sim.state.setCrossAccountAllowListed(SOURCE_UIN, false);
    try {
      const { card, requestId } = await requestCard(h, "replicate snap-data0001 to dr-prod");
      const notice = await approveAndWaitForNotice(card, requestId);
      expect(notice.text).toContain("failed");
      const failure = threadOf(card).find((t) => t.startsWith("Failed")) ?? "";
      expect(failure).toContain("not enrolled in Tencent Cloud's cross-account snapshot copy beta");
      expect(failure).toContain("ask Tencent Cloud to enable it");
      expect(failure).toContain("`method: share` under `destinations.dr-prod`");
      expect(failure).toContain("`replication.method: share`");
      expect(failure).toContain("share, not a copy");
    } finally {
      h.sim.state.setCrossAccountAllowListed(SOURCE_UIN, true);
    }
  });

  it("an InvalidParameter answer from the copy says the assumed request shape may be wrong", async () => {
    h.sim.state.injectFault({ action: "CopySnapshotCrossAccount", code: "InvalidParameter", times: 1 });
    const { card, requestId } = await requestCard(h, "replicate snap-data0001 to dr-prod");
    await approveAndWaitForNotice(card, requestId);
    const failure = threadOf(card).find((t) => t.startsWith("Failed")) ?? "";
    expect(failure).toContain("InvalidParameter");
    expect(failure).toContain("request shape");
    expect(failure).toContain("docs/decisions/002-copy-snapshot-cross-account-shape.md");
  });
});
