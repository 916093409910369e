import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildAppHome } from "../../src/adapters/chat-slack/app-home.blocks.js";
import { renderText } from "../../src/adapters/chat-slack/mrkdwn.renderer.js";
import { withLocale } from "../../src/adapters/chat-slack/reader-locale.js";
import { SLACK_LIMITS } from "../../src/adapters/chat-slack/slack-limits.js";
import { type HomeData, HomeReadiness, readAppHome } from "../../src/app/app-home.flow.js";
import { labelText } from "../../src/core/messages/message.js";
import type { Request } from "../../src/core/request/request.js";
import { ALICE, BOB, BOT_TOKEN, CAROL, type Harness, startHarness } from "../support/harness.js";
import { approveOnCard, requestCard } from "../support/slack-steps.js";
import { expectBothLanguages, readableText } from "../support/translations.js";

const LI = "U0LI";

type Element = { type?: string; action_id?: string; value?: string; confirm?: unknown };
type ViewBlock = { type?: string; block_id?: string; elements?: Element[]; text?: { text?: string } };

const blocksOf = (view: Record<string, unknown> | undefined): ViewBlock[] =>
  (Array.isArray(view?.blocks) ? view.blocks : []) as ViewBlock[];

/** The Approve button for `requestId` in a view, if it offers one. */
function approveButton(view: Record<string, unknown> | undefined, requestId: string): Element | undefined {
  for (const block of blocksOf(view))
    for (const e of block.elements ?? [])
      if (e.action_id === "request_approve" && e.value === requestId) return e;
  return undefined;
}

/** A value as untranslatedWords sees it, once it has taken out code spans, mentions and dates. */
const asCheckerReadsIt = (value: string) =>
  value
    .replace(/<!date\^[^>]*>/g, " ")
    .replace(/<[@#!][^>]*>/g, " ")
    .replace(/<https?:[^|>]*\|?/g, " ")
    .replace(/`[^`]*`/g, " ");

const readable = (view: Record<string, unknown> | undefined) => readableText(blocksOf(view));

/**
 * The bot's Home tab through the emulator over signed HTTP (Events API `app_home_opened`, clicks
 * from a view container) and a real Redis: what an approver and a requester see, a decision taken
 * there, the Home in Chinese, and Slack's 100-block limit.
 */
describe("App Home", () => {
  let h: Harness;
  let n = 0;
  const unique = () => `home-${Date.now().toString(36)}-${++n}`;

  beforeAll(async () => {
    h = await startHarness({
      extraUsers: [{ id: LI, name: "li", locale: "zh-CN" }],
      config: { approvers: { users: [BOB, CAROL, LI] } },
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  const open = async (userId: string) => {
    const answer = await h.slack.sendAppHomeOpened(h.appUrl, { userId });
    expect(answer.status).toBe(200);
  };

  it("shows an approver the request waiting for them, with the card's Approve (and its confirm dialog) and Reject", async () => {
    const { card, requestId } = await requestCard(h, `replicate snap-abc12345 to dr-prod as "${unique()}"`);
    await open(BOB);
    const home = await h.slack.waitFor(
      () => {
        const view = h.slack.homeView(BOB);
        return approveButton(view, requestId) ? view : undefined;
      },
      { what: "bob's Home with the request", timeoutMs: 10_000 },
    );
    expect(home.type).toBe("home");
    const text = readable(home);
    expect(text).toMatch(/Waiting for your decision \(\d+\)/);
    expect(text).toContain("Disaster recovery overview");
    expect(text).toMatch(
      /\*dr-prod\* \(200000000002\) · ✅ collaborator · ✅ copy permission · . automatic replication permission · ✅ read role/,
    );
    expect(text).toMatch(/\*dr-blind\* \(200000000003\) · .*⚠️ no read role/);
    // The same confirm dialog as the card's Approve.
    const onCard = (card.blocks as ViewBlock[])
      .flatMap((b) => b.elements ?? [])
      .find((e) => e.action_id === "request_approve");
    expect(approveButton(home, requestId)?.confirm).toEqual(onCard?.confirm);
    const reject = blocksOf(home)
      .flatMap((b) => b.elements ?? [])
      .find((e) => e.action_id === "request_reject" && e.value === requestId);
    expect(reject).toBeDefined();
  });

  it("approves from the Home: the request is approved, the card updated, the Home refreshed without it", async () => {
    const { card, requestId } = await requestCard(h, `replicate snap-abc12345 to dr-prod as "${unique()}"`);
    await open(BOB);
    await open(CAROL);
    await h.slack.waitFor(() => approveButton(h.slack.homeView(BOB), requestId), {
      what: "the request in bob's Home",
      timeoutMs: 10_000,
    });
    await h.slack.waitFor(() => approveButton(h.slack.homeView(CAROL), requestId), {
      what: "the request in carol's Home",
      timeoutMs: 10_000,
    });

    const click = await h.slack.sendHomeBlockAction(h.appUrl, {
      userId: BOB,
      actionId: "request_approve",
      value: requestId,
    });
    expect(click.status).toBe(200);
    const payload = h.slack.requests.at(-1)?.payload as Record<string, unknown>;
    expect(payload.container).toMatchObject({ type: "view" });
    expect(payload.channel).toBeUndefined();
    expect(payload.response_url).toBeUndefined();

    await h.slack.waitFor(
      () => {
        const live = h.slack.message(card.channel, card.ts);
        return live && live.edits > 0 && !JSON.stringify(live.blocks).includes("request_approve")
          ? live
          : undefined;
      },
      { what: "the card updated without its buttons", timeoutMs: 10_000 },
    );
    const stored = await h.bot.deps.store.get(requestId);
    expect(stored?.approvals.map((a) => a.userId)).toEqual([BOB]);
    expect(stored?.state).not.toBe("pending_approval");
    await h.slack.waitFor(() => !approveButton(h.slack.homeView(BOB), requestId), {
      what: "bob's Home without the request",
      timeoutMs: 10_000,
    });
    // Carol looks at her Home too: the request leaves hers without her opening it again.
    await h.slack.waitFor(() => !approveButton(h.slack.homeView(CAROL), requestId), {
      what: "carol's Home without the request",
      timeoutMs: 10_000,
    });

    // A click on a Home that was not refreshed yet is refused in the Home itself, and changes nothing.
    await h.slack.sendHomeBlockAction(h.appUrl, {
      userId: CAROL,
      actionId: "request_approve",
      value: requestId,
    });
    // The refusal names who decided already (bob), at the top of her Home.
    const notice = await h.slack.waitFor(
      () => blocksOf(h.slack.homeView(CAROL)).find((b) => b.block_id === "home_notice")?.text?.text,
      { what: "the refusal at the top of carol's Home", timeoutMs: 10_000 },
    );
    expect(notice).toContain(`<@${BOB}>`);
    expect(blocksOf(h.slack.homeView(CAROL))[2]?.block_id).toBe("home_notice");
    expect((await h.bot.deps.store.get(requestId))?.approvals).toHaveLength(1);
  });

  it("rejects from the Home: the reason modal, the request rejected, gone from the Home", async () => {
    const { card, requestId } = await requestCard(h, `replicate snap-abc12345 to dr-prod as "${unique()}"`);
    await open(BOB);
    await h.slack.waitFor(() => approveButton(h.slack.homeView(BOB), requestId), {
      what: "the request in bob's Home",
      timeoutMs: 10_000,
    });
    const viewsBefore = h.slack.views.length;
    await h.slack.sendHomeBlockAction(h.appUrl, {
      userId: BOB,
      actionId: "request_reject",
      value: requestId,
    });
    const dialog = await h.slack.waitFor(
      () => h.slack.views.slice(viewsBefore).find((v) => v.view.callback_id === "reject_reason"),
      { what: "the reject modal" },
    );
    await h.slack.sendViewSubmission(h.appUrl, {
      userId: BOB,
      view: {
        id: dialog.viewId,
        state: { values: { reason: { reason_input: { type: "plain_text_input", value: "not this one" } } } },
      },
    });
    await h.slack.waitFor(() => h.slack.message(card.channel, card.ts)?.text.includes("Rejected"), {
      what: "the card rejected",
      timeoutMs: 10_000,
    });
    expect((await h.bot.deps.store.get(requestId))?.state).toBe("rejected");
    await h.slack.waitFor(() => !approveButton(h.slack.homeView(BOB), requestId), {
      what: "bob's Home without the rejected request",
      timeoutMs: 10_000,
    });
  });

  it("shows a requester their recent request, and its outcome with a link to its thread", async () => {
    const { card, requestId } = await requestCard(h, `replicate snap-abc12345 to dr-prod as "${unique()}"`);
    await open(ALICE);
    const home = await h.slack.waitFor(
      () => {
        const view = h.slack.homeView(ALICE);
        return readable(view).includes(requestId) ? view : undefined;
      },
      { what: "alice's Home with her request", timeoutMs: 10_000 },
    );
    const text = readable(home);
    expect(text).toContain("Your requests");
    expect(text).toContain(`⏳ Waiting for approval · \`${requestId}\``);
    // Not an approver: no decisions section, no buttons.
    expect(text).not.toContain("Waiting for your decision");
    expect(approveButton(home, requestId)).toBeUndefined();

    // Bob approves on the card; the copy runs; alice's Home follows without her opening it again.
    await approveOnCard(h, card, requestId);
    const done = await h.slack.waitFor(
      () => {
        const view = h.slack.homeView(ALICE);
        return new RegExp(`🟢 Completed · \`${requestId}\``).test(JSON.stringify(view?.blocks))
          ? view
          : undefined;
      },
      { what: "alice's Home showing the request completed", timeoutMs: 20_000 },
    );
    // Latest copies and failures link to the card's thread (a permalink, not an API call per request).
    expect(JSON.stringify(done.blocks)).toMatch(/\/archives\/C0REQUESTS\/p\d+\|thread>/);
  });

  it("coalesces refreshes: a burst of changes for one person is a few publishes, not one per change", async () => {
    await open(ALICE);
    await h.slack.waitFor(() => h.slack.homeView(ALICE), { what: "alice's Home" });
    await new Promise((resolve) => setTimeout(resolve, 3500));
    const before = h.slack.calls.filter(
      (c) => c.method === "views.publish" && c.args.user_id === ALICE,
    ).length;
    const burst = 6;
    await Promise.all(
      Array.from({ length: burst }, () =>
        requestCard(h, `replicate snap-abc12345 to dr-prod as "${unique()}"`),
      ),
    );
    // Each request is at least two changes (stored, card posted): 12+ changes.
    await new Promise((resolve) => setTimeout(resolve, 4000));
    const after = h.slack.calls.filter(
      (c) => c.method === "views.publish" && c.args.user_id === ALICE,
    ).length;
    expect(after - before).toBeGreaterThanOrEqual(1);
    expect(after - before).toBeLessThanOrEqual(3);
    const mine = readable(h.slack.homeView(ALICE));
    expect(mine.match(/Waiting for approval · `rq-/g)?.length ?? 0).toBeGreaterThanOrEqual(burst);
    // Bob opened his Home earlier: the new requests appeared there without him opening it again.
    await h.slack.waitFor(
      () =>
        Number(readable(h.slack.homeView(BOB)).match(/Waiting for your decision \((\d+)\)/)?.[1]) >= burst,
      { what: "bob's Home listing the burst", timeoutMs: 10_000 },
    );
  });

  it("reads in the reader's Slack locale: Chinese for a zh-CN approver", async () => {
    const { requestId } = await requestCard(h, `replicate snap-abc12345 to dr-prod as "${unique()}"`);
    await open(LI);
    const home = await h.slack.waitFor(
      () => {
        const view = h.slack.homeView(LI);
        return approveButton(view, requestId) ? view : undefined;
      },
      { what: "li's Home with the request", timeoutMs: 10_000 },
    );
    const text = readable(home);
    expect(text).toContain("待您审批");
    expect(text).toContain("容灾概览");
    expect(text).toContain("批准");
    expect(text).not.toContain("Waiting for your decision");

    // Every word of the Home builder in both languages (the kind's own card words are its tests').
    const data = await readAppHome(h.bot.deps, LI, new HomeReadiness());
    const kindWords = [...data.awaitingDecision, ...data.mine, ...data.latest].flatMap(({ request }) => {
      const content = h.bot.deps.kinds.of(request).describeCard(request);
      return withLocale("zh-CN", () => [
        renderText(content.summary),
        renderText(content.confirm, SLACK_LIMITS.confirmText),
        labelText(content.confirmTitle ?? "", "zh-CN"),
      ]).map(asCheckerReadsIt);
    });
    expectBothLanguages(
      () => buildAppHome(data, h.bot.deps.kinds, { at: new Date().toISOString(), notice: undefined }),
      kindWords,
    );
  });

  it("stays within Slack's 100 blocks: the decisions that do not fit are counted", async () => {
    const { requestId } = await requestCard(h, `replicate snap-abc12345 to dr-prod as "${unique()}"`);
    const one = (await h.bot.deps.store.get(requestId)) as Request;
    const many = Array.from({ length: 80 }, (_, i) => ({
      request: { ...one, id: `rq-${String(i).padStart(6, "0")}` },
    }));
    const data: HomeData = {
      userId: BOB,
      approver: true,
      awaitingDecision: many,
      mine: many.slice(0, 30),
      links: [],
      latest: many.slice(0, 30),
    };
    const view = buildAppHome(data, h.bot.deps.kinds, { at: new Date().toISOString(), notice: "a notice" });
    expect(view.blocks.length).toBeLessThanOrEqual(100);
    expect(view.blocks.length).toBeGreaterThan(90);
    const text = readableText(view.blocks);
    expect(text).toMatch(/…and \d+ more waiting for your decision/);
    const shown = view.blocks.filter((b) => b.type === "actions").length;
    expect(text).toContain(`…and ${80 - shown} more waiting for your decision`);
    // What the bot publishes, Slack (the emulator) takes; one block more, it refuses.
    const publish = (blocks: unknown[]) =>
      fetch(`${h.slack.apiUrl}views.publish`, {
        method: "POST",
        headers: { authorization: `Bearer ${BOT_TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify({ user_id: BOB, view: { type: "home", blocks } }),
      }).then((r) => r.json() as Promise<{ ok: boolean; error?: string }>);
    expect(await publish(view.blocks)).toMatchObject({ ok: true });
    const tooMany = Array.from({ length: 101 }, () => ({ type: "divider" }));
    expect(await publish(tooMany)).toMatchObject({ ok: false, error: "invalid_arguments" });
  });
});

describe("App Home over Socket Mode", () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ transport: "socket" });
  });
  afterAll(async () => {
    await h?.close();
  });

  it("app_home_opened arrives as an events_api envelope and the Home is published", async () => {
    const { requestId } = await requestCard(
      h,
      `replicate snap-abc12345 to dr-prod as "home-socket-${Date.now()}"`,
    );
    const answer = await h.slack.sendAppHomeOpened(h.appUrl, { userId: CAROL });
    expect(answer.status).toBe(200);
    await h.slack.waitFor(() => approveButton(h.slack.homeView(CAROL), requestId), {
      what: "carol's Home over Socket Mode",
      timeoutMs: 10_000,
    });
    await h.slack.sendHomeBlockAction(h.appUrl, {
      userId: CAROL,
      actionId: "request_approve",
      value: requestId,
    });
    await h.slack.waitFor(() => !approveButton(h.slack.homeView(CAROL), requestId), {
      what: "carol's Home without the request",
      timeoutMs: 10_000,
    });
    expect((await h.bot.deps.store.get(requestId))?.approvals.map((a) => a.userId)).toEqual([CAROL]);
  });
});
