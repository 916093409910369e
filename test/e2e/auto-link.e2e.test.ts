import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SlackMessage } from "../../dev/slack-emulator/index.js";
import {
  ALICE,
  DR_BLIND_UIN,
  DR_PROD_UIN,
  type Harness,
  NOTIFY_CHANNEL,
  REQUEST_CHANNEL,
  SOURCE_UIN,
  startHarness,
} from "../support/harness.js";
import { buttonValue } from "../support/slack-blocks.js";
import { approveOnCard, privateAnswer, requestCard } from "../support/slack-steps.js";

const LINK = "CopyAutoSnapshotPolicyCrossAccount";
/** A teammate whose Slack reads Chinese. */
const LI = "U0LI";
/** An account nobody configured: someone linked a policy to it by hand. */
const STRANGER_UIN = "300000000009";

/** `/snapshot auto` and `/snapshot auto list` end to end: signed Slack requests → bot → SDK → simulator. */
describe("automatic replication: linking a scheduled snapshot policy", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ extraUsers: [{ id: LI, name: "li", locale: "zh-CN" }] });
    const { state } = h.sim;
    state.addAccount({ uin: STRANGER_UIN, secretId: "AKIDstranger", secretKey: "stranger-secret-key" });
    // dr-prod may link policies; dr-blind has only the manual copy's grant (the harness's 70001).
    state.addPolicy(SOURCE_UIN, {
      policyId: 70002,
      name: "AutoPolicyCrossAccountCopy",
      type: "custom",
      document: JSON.stringify({
        version: "2.0",
        statement: [{ effect: "allow", action: ["cvm:CopyAutoSnapshotPolicyCrossAccount"], resource: "*" }],
      }),
    });
    state.attachUserPolicy(SOURCE_UIN, DR_PROD_UIN, 70002);
    const policy = (id: string, extra: Partial<Parameters<typeof state.addAutoSnapshotPolicy>[1]> = {}) =>
      state.addAutoSnapshotPolicy(SOURCE_UIN, {
        id,
        name: `policy-${id.slice(4)}`,
        region: "ap-shanghai",
        diskIds: ["disk-db000001"],
        hours: [3],
        daysOfWeek: [],
        retentionDays: 7,
        ...extra,
      });
    policy("asp-dbdaily1", { name: "db-daily", hours: [3] });
    policy("asp-twice001", { name: "twice-weekly", hours: [13, 1], daysOfWeek: [4, 1], diskIds: [] });
    policy("asp-taken001", { name: "taken" });
    policy("asp-strange1", { name: "by-hand" });
    policy("asp-isolat01", { state: "ISOLATED" });
    policy("asp-paused01", { isActivated: false });
    policy("asp-unlinkd1", { name: "not-linked" });
    state.setAutoSnapshotPolicyCopyTarget(SOURCE_UIN, "asp-taken001", DR_BLIND_UIN);
    state.setAutoSnapshotPolicyCopyTarget(SOURCE_UIN, "asp-strange1", STRANGER_UIN);
  });
  afterAll(async () => {
    await h?.close();
  });

  const cards = () => h.slack.messages.filter((m) => !m.threadTs && buttonValue(m, "request_approve"));

  const command = (text: string, reply: RegExp) => privateAnswer(h, text, reply);

  it("links a policy after approval with exactly one call, confirmed by reading CopyToAccountUin back", async () => {
    const { card, requestId } = await requestCard(h, "auto asp-dbdaily1 to dr-prod");
    const cardText = JSON.stringify(card.blocks);
    for (const fact of [
      "asp-dbdaily1",
      "db-daily",
      "ap-shanghai",
      "daily at 03:00",
      "disk-db000001",
      "kept 7 days",
      "activated",
      DR_PROD_UIN,
    ])
      expect(cardText).toContain(fact);
    expect(cardText).toContain("cvm:CopyAutoSnapshotPolicyCrossAccount");
    expect(h.sim.callsOf(LINK)).toHaveLength(0);

    await approveOnCard(h, card, requestId);
    const notice = await h.slack.waitFor(
      () =>
        h.slack.messages.find(
          (m) => m.channel === NOTIFY_CHANNEL && !m.threadTs && m.text?.includes(requestId),
        ),
      { what: "notify-channel message", timeoutMs: 20_000 },
    );
    expect(notice.text).toContain("linked");
    expect(notice.text).toContain("CopyToAccountUin");
    expect(notice.text).toContain(DR_PROD_UIN);
    const calls = h.sim.callsOf(LINK);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.params).toEqual({
      AutoSnapshotPolicyIds: ["asp-dbdaily1"],
      TargetAccountUin: DR_PROD_UIN,
    });
    expect(h.sim.state.getAutoSnapshotPolicy(SOURCE_UIN, "asp-dbdaily1")?.copyToAccountUin).toBe(DR_PROD_UIN);
    // The read-back came after the call.
    const linkAt = calls[0]?.at ?? 0;
    expect(
      h.sim
        .callsOf("DescribeAutoSnapshotPolicies")
        .some((c) => c.at >= linkAt && c.accountUin === SOURCE_UIN),
    ).toBe(true);
    const thread = h.slack.thread(card.channel, card.ts).map((m) => m.text ?? "");
    expect(thread.some((t) => t.startsWith("Link requested"))).toBe(true);
    expect(
      thread.some(
        (t) =>
          t.startsWith("Confirmed") && t.includes("as replicating to account") && t.includes(DR_PROD_UIN),
      ),
    ).toBe(true);
    const finalCard = h.slack.messages.find((m) => m.ts === card.ts) as SlackMessage;
    expect(finalCard.text).toContain("Completed");
  });

  it("says so when the policy already replicates to that account, and creates nothing", async () => {
    const before = { cards: cards().length, calls: h.sim.callsOf(LINK).length };
    const reply = await command("auto asp-dbdaily1 to dr-prod", /already replicates/);
    expect(reply.text).toContain(DR_PROD_UIN);
    expect(reply.text).toContain("Nothing was created");
    expect(cards().length).toBe(before.cards);
    expect(h.sim.callsOf(LINK).length).toBe(before.calls);
  });

  it("refuses a policy linked to another account, naming it and how that link is removed", async () => {
    const before = { cards: cards().length, calls: h.sim.callsOf(LINK).length };
    const reply = await command("auto asp-taken001 to dr-prod", /cannot ask/);
    const all = `${reply.text} ${JSON.stringify(reply.blocks)}`;
    expect(all).toContain(DR_BLIND_UIN);
    expect(all).toContain("dr-blind");
    expect(all).toContain("Replicate to my account");
    expect(all).toContain("never overwrites or deletes");
    expect(buttonValue(reply, "prerequisites_recheck")).toContain("asp-taken001");
    expect(cards().length).toBe(before.cards);
    expect(h.sim.callsOf(LINK).length).toBe(before.calls);
    expect(h.sim.state.getAutoSnapshotPolicy(SOURCE_UIN, "asp-taken001")?.copyToAccountUin).toBe(
      DR_BLIND_UIN,
    );
  });

  it.each([
    ["asp-nothere1", /was not found/, /Check the id/],
    ["asp-isolat01", /ISOLATED/, /Restore the policy/],
    ["asp-paused01", /not activated/, /Activate it/],
  ])("refuses %s with the fix", async (policyId, reason, fix) => {
    const before = cards().length;
    const reply = await command(`auto ${policyId} to dr-prod`, /cannot ask/);
    const all = `${reply.text} ${JSON.stringify(reply.blocks)}`;
    expect(all).toMatch(reason);
    expect(all).toMatch(fix);
    expect(buttonValue(reply, "prerequisites_recheck")).toContain(policyId);
    expect(cards().length).toBe(before);
  });

  it("warns on the card when no disks are bound, and says the schedule in words", async () => {
    const { card } = await requestCard(h, "auto asp-twice001 to dr-prod in ap-shanghai");
    const cardText = JSON.stringify(card.blocks);
    expect(cardText).toContain("Mon and Thu at 01:00, 13:00");
    expect(cardText).toMatch(/No disks are bound/);
  });

  it("refuses a destination without the grant, with the minimal policy", async () => {
    const reply = await command("auto asp-unlinkd1 to dr-blind", /cannot ask/);
    const all = `${reply.text} ${JSON.stringify(reply.blocks)}`;
    expect(all).toContain("cvm:CopyAutoSnapshotPolicyCrossAccount");
    expect(all).toContain("minimal-cross-account-copy.json");
    expect(all).toContain(
      '\\"action\\":[\\"cvm:CopySnapshotCrossAccount\\",\\"cvm:CopyAutoSnapshotPolicyCrossAccount\\"]',
    );
  });

  it("Re-check of a refused link asks again and says what changed", async () => {
    const reply = await command("auto asp-paused01 to dr-prod", /cannot ask/);
    const value = buttonValue(reply, "prerequisites_recheck") ?? "";
    // Someone activates the policy; Re-check sees it.
    h.sim.state.removeAutoSnapshotPolicy(SOURCE_UIN, "asp-paused01");
    h.sim.state.addAutoSnapshotPolicy(SOURCE_UIN, {
      id: "asp-paused01",
      name: "paused",
      region: "ap-shanghai",
      diskIds: ["disk-db000001"],
      hours: [3],
      daysOfWeek: [],
      retentionDays: 7,
    });
    await h.slack.sendBlockAction(h.appUrl, {
      userId: ALICE,
      actionId: "prerequisites_recheck",
      value,
      channelId: REQUEST_CHANNEL,
      messageTs: reply.ts,
    });
    const answer = await h.slack.waitFor(() => h.slack.ephemerals.find((e) => /Re-checked/.test(e.text)), {
      what: "Re-check answer",
      timeoutMs: 10_000,
    });
    expect(answer.text).toMatch(/✗ → ✓/);
    expect(answer.text).toContain("/snapshot auto asp-paused01 to dr-prod");
  });

  it("auto list matches the cloud, including a link made by hand to an account the configuration does not know", async () => {
    // The policy takes its snapshot; the cloud copies it to dr-prod by itself.
    const taken = h.sim.state.firePolicy(SOURCE_UIN, "asp-dbdaily1");
    expect(taken).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 800));
    const reply = await command("auto list", /Automatic replication/);
    const text = reply.text;
    // Every linked policy, and only those.
    expect(text).toContain("asp-dbdaily1");
    expect(text).toContain("asp-taken001");
    expect(text).toContain("asp-strange1");
    expect(text).not.toContain("asp-unlinkd1");
    const rowOf = (id: string) => text.slice(text.indexOf(id)).split("\n• ")[0] ?? "";
    const db = rowOf("asp-dbdaily1");
    expect(db).toContain("dr-prod");
    expect(db).toContain(DR_PROD_UIN);
    expect(db).toContain("disk-db000001");
    expect(db).toContain(taken[0]?.snapshotId ?? "?");
    expect(db).toMatch(/Last confirmed copy: `snap-[a-z0-9]{8}`/);
    expect(db).toMatch(/within objective .*objective 26 h\)/);
    expect(db).toMatch(/Replicate to my account.*CopyFromAccountUin 100000000001/);
    const blind = rowOf("asp-taken001");
    expect(blind).toContain("dr-blind");
    expect(blind).toContain("not verifiable (no read role)");
    const stranger = rowOf("asp-strange1");
    expect(stranger).toContain(STRANGER_UIN);
    expect(stranger).toContain("not in the bot's configuration");
    expect(text).toMatch(/other polic(y|ies) replicates? nowhere/);

    // The same list for someone whose Slack reads Chinese: the cloud's facts as they are, words in Chinese.
    const before = h.slack.ephemerals.length;
    await h.slack.sendSlashCommand(h.appUrl, { text: "auto list", userId: LI, channelId: REQUEST_CHANNEL });
    const zh = await h.slack.waitFor(
      () => h.slack.ephemerals.slice(before).find((e) => e.user === LI && e.text.includes("自动复制")),
      { what: "auto list in Chinese", timeoutMs: 10_000 },
    );
    for (const fact of [
      "asp-dbdaily1",
      "asp-taken001",
      "asp-strange1",
      DR_PROD_UIN,
      STRANGER_UIN,
      "每天 03:00",
    ])
      expect(zh.text).toContain(fact);
    expect(zh.text).toContain("最近确认的副本");
    expect(zh.text).toContain("不在机器人的配置中");
    expect(zh.text).not.toMatch(/Last confirmed copy|not verifiable|replicates? nowhere/);
  });
});
