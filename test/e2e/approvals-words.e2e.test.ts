import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SlackMessage } from "../../dev/slack-emulator/index.js";
import { ALICE, BOB, CAROL, type Harness, REQUEST_CHANNEL, startHarness } from "../support/harness.js";
import { requestCard as requestCardAs } from "../support/slack-steps.js";

/** An approver whose Slack speaks Chinese. */
const LI = "U0LI";

/**
 * What people read around a decision and a command, over signed HTTP (emulator), a real Redis and
 * the Tencent simulator (a copy takes 4 s, so a request can be caught while it is being copied).
 */
describe("words a person would use", () => {
  let h: Harness;
  let n = 0;
  const uniqueName = () => `words-${Date.now().toString(36)}-${++n}`;

  beforeAll(async () => {
    h = await startHarness({
      copyDurationMs: 4000,
      extraUsers: [{ id: LI, name: "li", locale: "zh-CN" }],
      config: { approvers: { users: [BOB, CAROL, LI] } },
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  const requestCard = (text: string, userId = ALICE) => requestCardAs(h, text, userId);
  const threadTexts = (card: SlackMessage) => h.slack.thread(card.channel, card.ts).map((m) => m.text ?? "");

  function click(userId: string, card: SlackMessage) {
    return h.slack.sendBlockAction(h.appUrl, {
      userId,
      actionId: "request_approve",
      value: /rq-[a-z0-9]{6}/.exec(card.text)?.[0] ?? "",
      channelId: card.channel,
      messageTs: card.ts,
    });
  }

  function privateReply(userId: string, pattern: RegExp, since: number) {
    return h.slack.waitFor(
      () => h.slack.ephemerals.slice(since).find((e) => e.user === userId && pattern.test(e.text ?? "")),
      { what: `private reply to ${userId} matching ${pattern}` },
    );
  }

  async function command(text: string, userId = ALICE): Promise<string> {
    const response = await h.slack.sendSlashCommand(h.appUrl, { text, userId, channelId: REQUEST_CHANNEL });
    expect(response.status).toBe(200);
    const body = response.body as { text?: string } | string;
    return typeof body === "string" ? body : (body.text ?? "");
  }

  it("carol approving twice is told 'You already approved this request', not her own name", async () => {
    const { card } = await requestCard(`replicate snap-abc12345 to dr-prod as "${uniqueName()}"`);
    await click(CAROL, card);
    await h.slack.waitFor(() => threadTexts(card).some((t) => t.startsWith(`Approved by <@${CAROL}>`)), {
      what: "approval in the thread",
    });
    const since = h.slack.ephemerals.length;
    await click(CAROL, card);
    const reply = await privateReply(CAROL, /already approved/, since);
    expect(reply.text).toMatch(/^🚫 You already approved this request; /);
    expect(reply.text).not.toContain(`<@${CAROL}>`);
  });

  it("a second approver clicking on a request being copied reads 'copy in progress'", async () => {
    const { card, requestId } = await requestCard(`replicate snap-abc12345 to dr-prod as "${uniqueName()}"`);
    await click(BOB, card);
    // The copy is under way: submitted to Tencent Cloud, not yet complete.
    const deadline = Date.now() + 10_000;
    for (;;) {
      const request = await h.bot.deps.store.get(requestId);
      if (request?.state === "running" && request.step === "verifying") break;
      if (Date.now() > deadline) throw new Error(`the copy never got under way: ${request?.state}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const since = h.slack.ephemerals.length;
    await click(CAROL, card);
    const reply = await privateReply(CAROL, /already approved/, since);
    expect(reply.text).toBe(`🚫 <@${BOB}> already approved this request; copy in progress.`);
    // One symbol, no internal step name.
    expect(reply.text).not.toMatch(/verifying|running|✗/);
  });

  it("a Chinese-speaking approver reads the same in Chinese", async () => {
    const { card } = await requestCard(`replicate snap-abc12345 to dr-prod as "${uniqueName()}"`);
    await click(LI, card);
    await h.slack.waitFor(() => threadTexts(card).some((t) => t.startsWith(`Approved by <@${LI}>`)), {
      what: "approval in the thread (the channel's language)",
    });
    const since = h.slack.ephemerals.length;
    await click(LI, card);
    const reply = await privateReply(LI, /已批准此申请/, since);
    expect(reply.text).toMatch(/^🚫 你已批准此申请，/);
    expect(reply.text).not.toContain(`<@${LI}>`);
  });

  it("an approver cancelling tells the requester, privately and in the thread", async () => {
    const { card, requestId } = await requestCard(`replicate snap-abc12345 to dr-prod as "${uniqueName()}"`);
    const since = h.slack.ephemerals.length;
    expect(await command(`cancel ${requestId}`, BOB)).toContain("is cancelled; nothing was done");
    const told = await privateReply(ALICE, /cancelled your request/, since);
    expect(told.text).toContain(`<@${BOB}> cancelled your request \`${requestId}\``);
    await h.slack.waitFor(
      () =>
        threadTexts(card).some(
          (t) => t.startsWith(`Cancelled by <@${BOB}>`) && t.includes(`<@${ALICE}>, make a new request`),
        ),
      { what: "the requester mentioned in the thread" },
    );
  });

  it("did you mean: an alias one edit away, a command one edit away, in the reader's language", async () => {
    const before = (await h.bot.deps.store.listRecent(1000)).length;
    const alias = await command("replicate snap-abc12345 to dr-prd");
    expect(alias).toContain("`dr-prd` is not a configured destination. Did you mean `dr-prod`?");
    expect(await command("replicate snap-abc12345 to dr-prd", LI)).toContain("你是想输入 `dr-prod` 吗？");
    expect(await command("replicate snap-abc12345 to dr-prod in ap-shangai")).toContain(
      "Did you mean `ap-shanghai`?",
    );
    expect(await command("replikate snap-abc12345 to dr-prod")).toContain(
      "I do not know the command `replikate`. Did you mean `replicate`?",
    );
    expect(await command("replikate snap-abc12345 to dr-prod", LI)).toContain("你是想输入 `replicate` 吗？");
    expect(await h.bot.deps.store.listRecent(1000)).toHaveLength(before);
    expect(
      h.sim.callsOf("DescribeSnapshots").filter((c) => JSON.stringify(c.params).includes("dr-prd")),
    ).toEqual([]);
  });

  it("an alias and a snapshot id typed with a Unicode hyphen (U+2010) are recognised", async () => {
    const name = uniqueName();
    const before = h.slack.messages.length;
    const ack = await command(`replicate snap\u2010abc12345 to dr\u2010prod as "${name}"`);
    expect(ack).toContain("`snap-abc12345`");
    expect(ack).toContain("`dr-prod`");
    const card = await h.slack.waitFor(
      () =>
        h.slack.messages.slice(before).find((m) => !m.threadTs && JSON.stringify(m.blocks).includes(name)),
      { what: "the card for dr-prod", timeoutMs: 10_000 },
    );
    expect(JSON.stringify(card.blocks)).toContain("dr-prod");
  });

  it("the reject modal and the replicate modal answer a Chinese reader in Chinese", async () => {
    const { card, requestId } = await requestCard(`replicate snap-abc12345 to dr-prod as "${uniqueName()}"`);
    const viewsBefore = h.slack.views.length;
    await h.slack.sendBlockAction(h.appUrl, {
      userId: LI,
      actionId: "request_reject",
      value: requestId,
      channelId: card.channel,
      messageTs: card.ts,
    });
    const dialog = await h.slack.waitFor(
      () => h.slack.views.slice(viewsBefore).find((v) => v.view.callback_id === "reject_reason"),
      { what: "reject modal" },
    );
    expect(JSON.stringify(dialog.view)).toContain("拒绝申请");
    const tooLong = await h.slack.sendViewSubmission(h.appUrl, {
      userId: LI,
      view: {
        id: dialog.viewId,
        state: { values: { reason: { reason_input: { type: "plain_text_input", value: "x".repeat(501) } } } },
      },
    });
    expect(tooLong.body).toMatchObject({
      response_action: "errors",
      errors: { reason: "原因请少于 500 个字符。" },
    });
    const stale = await h.slack.sendViewSubmission(h.appUrl, {
      userId: LI,
      view: { callback_id: "reject_reason", private_metadata: "not json", state: { values: {} } },
    });
    expect(stale.body).toMatchObject({ errors: { reason: "此对话框已失效，未做任何更改。" } });

    const modalsBefore = h.slack.views.length;
    await h.slack.sendShortcut(h.appUrl, { userId: LI, callbackId: "replicate_snapshot" });
    const modal = await h.slack.waitFor(
      () => h.slack.views.slice(modalsBefore).find((v) => v.view.callback_id === "replicate_snapshot_modal"),
      { what: "replicate modal" },
    );
    expect(JSON.stringify(modal.view)).toContain("复制快照");
    const bad = await h.slack.sendViewSubmission(h.appUrl, {
      userId: LI,
      view: {
        id: modal.viewId,
        state: {
          values: {
            snapshot: { value: { type: "plain_text_input", value: "snap\u2010abc12345" } },
            destination: { value: { type: "plain_text_input", value: "dr-prd" } },
            name: { value: { type: "plain_text_input", value: null } },
            region: { value: { type: "plain_text_input", value: null } },
            channel: { value: { type: "conversations_select", selected_conversation: REQUEST_CHANNEL } },
          },
        },
      },
    });
    // The pasted hyphen is read as `-`; the alias one letter off is named.
    expect(bad.body).toEqual({
      response_action: "errors",
      errors: { destination: "不是已配置的目标账号。你是想输入 dr-prod 吗？" },
    });
  });

  it("help lists only commands that work: each one answers something other than 'unknown'", async () => {
    const help = await command("help");
    const unescaped = (s: string) =>
      s.replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&amp;", "&");
    const listed = [...help.matchAll(/`(\/snapshot [^`]+)`/g)].map((m) => unescaped(m[1] ?? ""));
    const usages = listed.filter((l) => /<|\[/.test(l) || !/\s\S+\s/.test(l.replace("/snapshot ", "")));
    expect(usages.length).toBeGreaterThanOrEqual(8);
    for (const usage of new Set(listed)) {
      const typed = usage
        .replace(/^\/snapshot /, "")
        .replace(/\s*\[[^\]]*\]/g, "")
        .replace("<snap-id>", "snap-zzzz9999")
        .replace("<asp-id>", "asp-zzzz9999")
        .replace("<request-id>", "rq-zzzzzz")
        .replace("<destination>", "dr-prod");
      const answer = await command(typed, CAROL);
      expect(answer, `/snapshot ${typed}`).not.toMatch(
        /do not know the command|not available in this version|Usage:|Something went wrong/,
      );
      expect(answer.trim().length, `/snapshot ${typed}`).toBeGreaterThan(0);
    }
    // A Chinese reader gets the help explained in Chinese, the commands as they are typed.
    const zh = await command("help", LI);
    expect(zh).toContain("申请把快照跨账号复制到另一个账号");
    expect(zh).toContain("/snapshot replicate");
  });
});
