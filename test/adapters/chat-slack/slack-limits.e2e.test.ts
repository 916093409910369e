import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EphemeralMessage, SlackMessage } from "../../../dev/slack-emulator/index.js";
import { BLOCK_KIT_LIMITS } from "../../../dev/slack-emulator/index.js";
import {
  ALICE,
  CAROL,
  DR_BLIND_UIN,
  DR_PROD_UIN,
  type Harness,
  READ_ROLE,
  REQUEST_CHANNEL,
  SOURCE_UIN,
  startHarness,
} from "../../support/harness.js";
import { buttonValue } from "../../support/slack-blocks.js";
import { approveOnCard, requestCard } from "../../support/slack-steps.js";

/**
 * The largest messages each Slack builder can produce, sent through signed HTTP to the emulator,
 * which refuses what Slack refuses (`invalid_blocks`, `invalid_arguments`, `msg_too_long`): names
 * made of markup, 60 destinations, 17 regions, 100 departed approvers, a 4,000-character cloud
 * error and a 500-character reject reason. Nothing may be refused, and nothing from a name or the
 * cloud may ping anyone.
 */

const RECHECK = "prerequisites_recheck";
const REGIONS = [
  "ap-guangzhou",
  "ap-shanghai",
  "ap-nanjing",
  "ap-beijing",
  "ap-chengdu",
  "ap-chongqing",
  "ap-hongkong",
  "ap-singapore",
  "ap-jakarta",
  "ap-seoul",
  "ap-tokyo",
  "ap-bangkok",
  "ap-mumbai",
  "na-siliconvalley",
  "na-ashburn",
  "eu-frankfurt",
  "sa-saopaulo",
];
/** 58 more destinations besides dr-prod and dr-blind: none a collaborator yet. */
const EXTRA = Array.from({ length: 58 }, (_, i) => ({
  alias: `dr-site-${String(i).padStart(2, "0")}-${"x".repeat(20)}`,
  uin: String(300000000000 + i),
}));
const GONE = Array.from({ length: 100 }, (_, i) => `U0GONE${String(i).padStart(3, "0")}`);

/** 60 characters of markup, and names that would ping if they reached Slack unescaped. */
const MARKUP_NAME = "<>&".repeat(20);
const PING_NAME = "<!channel> <@U0BOB> <!here|here> &amp; <https://evil.example|x>".slice(0, 60);
const PINGS = ["<!channel>", "<@U0BOB>", "<!here", "<https://evil.example"];
const LONG_ERROR = `The cloud says <!channel> <@U0BOB> & more: ${"detail & <tag> ".repeat(300)}`.slice(
  0,
  4000,
);
const REASON = `<!channel> <@U0BOB> ${"because & <reason> ".repeat(30)}`.slice(0, 500);

describe("every Slack message and view stays within Slack's limits and escapes what people and the cloud wrote", () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({
      extraUsers: GONE.map((id) => ({ id, name: id.toLowerCase(), deleted: true })),
      config: {
        source: { accountUin: SOURCE_UIN, regions: REGIONS },
        destinations: {
          "dr-prod": {
            accountUin: DR_PROD_UIN,
            readRoleArn: READ_ROLE,
            approvers: { users: [CAROL, ...GONE] },
          },
          "dr-blind": { accountUin: DR_BLIND_UIN },
          ...Object.fromEntries(EXTRA.map((d) => [d.alias, { accountUin: d.uin }])),
        },
        // 60 destinations are checked one after the other: let CAM answer as fast as it can.
        approvers: { users: [CAROL] },
      },
    });
    for (const d of EXTRA) h.sim.state.addAccount({ uin: d.uin, secretId: `AKID${d.uin}`, secretKey: "k" });
    h.sim.state.addSnapshot(SOURCE_UIN, {
      snapshotId: "snap-markup01",
      region: "sa-saopaulo",
      name: MARKUP_NAME,
      diskId: "disk-mark0001",
      diskSize: 20,
      diskUsage: "DATA_DISK",
      encrypt: false,
      createTime: "2026-11-24 03:00:00",
    });
    h.sim.state.addSnapshot(SOURCE_UIN, {
      snapshotId: "snap-pingme01",
      region: "ap-mumbai",
      name: PING_NAME,
      diskId: "disk-ping0001",
      diskSize: 20,
      diskUsage: "DATA_DISK",
      encrypt: false,
      createTime: "2026-11-24 03:00:00",
    });
  }, 60_000);
  afterAll(async () => {
    await h?.close();
  });

  const mark = () => ({
    calls: h.slack.calls.length,
    posts: h.slack.responseUrlPosts.length,
    requests: h.slack.requests.length,
  });
  type Mark = ReturnType<typeof mark>;

  /** Everything the bot sent Slack since `since`: Web API arguments, response_url bodies, HTTP acks. */
  function sent(since: Mark): string[] {
    return [
      ...h.slack.calls.slice(since.calls).map((c) => JSON.stringify(c.args)),
      ...h.slack.responseUrlPosts.slice(since.posts).map((p) => JSON.stringify(p.body)),
      ...h.slack.requests.slice(since.requests).map((r) => JSON.stringify(r.body ?? "")),
    ];
  }

  /** Slack accepted every call (no invalid_blocks, invalid_arguments, msg_too_long), and nothing pings. */
  function expectAccepted(since: Mark): void {
    const refused = h.slack.calls
      .slice(since.calls)
      .filter((c) => (c.response as { ok?: boolean }).ok !== true)
      .map((c) => `${c.method}: ${JSON.stringify(c.response)}`);
    expect(refused).toEqual([]);
    const refusedPosts = h.slack.responseUrlPosts
      .slice(since.posts)
      .filter((p) => p.status !== 200)
      .map((p) => JSON.stringify(p));
    expect(refusedPosts.map((p) => p.slice(0, 2000))).toEqual([]);
    for (const r of h.slack.requests.slice(since.requests)) {
      const text = (r.body as { text?: unknown } | undefined)?.text;
      if (typeof text === "string") expect(text.length).toBeLessThanOrEqual(BLOCK_KIT_LIMITS.messageText);
    }
    for (const body of sent(since)) for (const ping of PINGS) expect(body).not.toContain(ping);
  }

  async function command(text: string, reply: (e: EphemeralMessage) => boolean, timeoutMs = 20_000) {
    const before = h.slack.ephemerals.length;
    const response = await h.slack.sendSlashCommand(h.appUrl, {
      text,
      userId: ALICE,
      channelId: REQUEST_CHANNEL,
    });
    expect(response.status).toBe(200);
    return h.slack.waitFor(() => h.slack.ephemerals.slice(before).find((e) => e.user === ALICE && reply(e)), {
      what: `private answer to "${text}"`,
      timeoutMs,
    });
  }

  const blockTexts = (blocks: unknown[]) => JSON.stringify(blocks);

  it("/snapshot accounts with 60 destinations, then its Re-check with 20 changed destinations", async () => {
    const since = mark();
    const reply = await command("accounts", (e) => e.text.includes("Destinations of source account"), 60_000);
    expect(reply.blocks.length).toBeGreaterThan(1);
    expect(reply.blocks.length).toBeLessThanOrEqual(BLOCK_KIT_LIMITS.messageBlocks);
    // Every destination is named, or the rest are summarised with how many.
    const shown = EXTRA.filter((d) => blockTexts(reply.blocks).includes(d.alias)).length;
    if (shown < EXTRA.length) expect(blockTexts(reply.blocks)).toMatch(/…and \d+ more destinations?/);
    expect(blockTexts(reply.blocks)).toContain("dr-prod");
    const value = buttonValue(reply, RECHECK);
    expect(value).toBeTruthy();
    expectAccepted(since);

    // 20 destinations become collaborators with the copy permission: 20 changed destinations.
    for (const d of EXTRA.slice(0, 20)) {
      h.sim.state.addCollaborator(SOURCE_UIN, d.uin);
      h.sim.state.attachUserPolicy(SOURCE_UIN, d.uin, 70001);
    }
    const recheck = mark();
    await h.slack.sendBlockAction(h.appUrl, {
      userId: ALICE,
      actionId: RECHECK,
      value: value ?? "",
      channelId: REQUEST_CHANNEL,
      messageTs: reply.ts,
    });
    await h.slack.waitFor(() => reply.edits === 1, { what: "accounts re-checked", timeoutMs: 60_000 });
    expect(reply.text).toContain(`${EXTRA[0]?.alias}: ✗ → ✓ Collaborator ${EXTRA[0]?.uin}`);
    expect(blockTexts(reply.blocks)).toContain("What changed");
    expect(reply.blocks.length).toBeLessThanOrEqual(BLOCK_KIT_LIMITS.messageBlocks);
    expectAccepted(recheck);
  }, 150_000);

  it("/snapshot accounts when CAM answers with a 4,000-character error naming <!channel>", async () => {
    h.sim.state.injectFault({
      action: "ListCollaborators",
      code: "InvalidParameterValue",
      message: LONG_ERROR,
    });
    try {
      const since = mark();
      const reply = await command(
        "accounts",
        (e) => e.text.includes("Destinations of source account"),
        60_000,
      );
      expect(reply.text).toContain("I could not read the collaborator list");
      expect(blockTexts(reply.blocks)).toContain("The cloud says &lt;!channel&gt;");
      expect(reply.blocks.length).toBeLessThanOrEqual(BLOCK_KIT_LIMITS.messageBlocks);
      expectAccepted(since);
    } finally {
      h.sim.state.clearFaults();
    }
  }, 90_000);

  it("the shortcut's modal opens with 17 regions and 60 destinations", async () => {
    const since = mark();
    const viewsBefore = h.slack.views.length;
    await h.slack.sendShortcut(h.appUrl, { userId: ALICE, callbackId: "replicate_snapshot" });
    const opened = await h.slack.waitFor(
      () => h.slack.views.slice(viewsBefore).find((v) => v.view.callback_id === "replicate_snapshot_modal"),
      { what: "replicate modal", timeoutMs: 10_000 },
    );
    const region = JSON.stringify(
      (opened.view.blocks as Array<{ block_id?: string }>).find((b) => b.block_id === "region"),
    );
    expect(region).toContain("ap-guangzhou");
    expect(region).toMatch(/…and \d+ more/);
    expect(region).toContain("sa-saopaulo"); // every region in the hint
    expectAccepted(since);
    expect(h.slack.calls.slice(since.calls).some((c) => c.method === "views.open")).toBe(true);
  });

  it("/snapshot check of snapshots named with markup, and with a 4,000-character cloud error", async () => {
    const since = mark();
    const markup = await command("check snap-markup01 to dr-prod", (e) => e.text.includes("dry run"));
    expect(markup.text).toContain("&lt;&gt;&amp;");
    const ping = await command("check snap-pingme01 to dr-prod", (e) => e.text.includes("dry run"));
    expect(ping.text).toContain("&lt;!channel&gt; &lt;@U0BOB&gt;");
    expectAccepted(since);

    h.sim.state.injectFault({
      action: "DescribeSnapshots",
      code: "InvalidParameterValue",
      message: LONG_ERROR,
    });
    try {
      const failing = mark();
      const reply = await command("check snap-pingme01 to dr-prod", (e) => e.text.includes("dry run"));
      expect(reply.text).toContain("could not be verified");
      expect(blockTexts(reply.blocks)).toContain("…");
      expect(buttonValue(reply, RECHECK)).toBeTruthy();
      const refusal = await command(`replicate snap-pingme01 to dr-prod as "${MARKUP_NAME}"`, (e) =>
        e.text.includes(":no_entry_sign:"),
      );
      expect(buttonValue(refusal, RECHECK)).toBeTruthy();
      expectAccepted(failing);
    } finally {
      h.sim.state.clearFaults();
    }
  }, 60_000);

  it("a card for a markup-named snapshot and copy, 100 departed approvers, a 500-character reject reason", async () => {
    const since = mark();
    const { card, requestId } = await requestCard(
      h,
      `replicate snap-pingme01 to dr-prod as "${MARKUP_NAME}"`,
    );
    const posted = blockTexts(card.blocks);
    expect(posted).toContain("&lt;!channel&gt; &lt;@U0BOB&gt;");
    expect(posted).toContain("&lt;&gt;&amp;&lt;&gt;&amp;");
    expect(posted).toContain(`approver <@${GONE[0]}> has left the workspace`);
    expect(posted).toMatch(/…and \d+ more/);
    expect(card.text).toContain(requestId);

    await h.slack.sendBlockAction(h.appUrl, {
      userId: CAROL,
      actionId: "request_reject",
      value: requestId,
      channelId: card.channel,
      messageTs: card.ts,
    });
    const modal = await h.slack.waitFor(
      () =>
        h.slack.views.find(
          (v) => v.view.callback_id === "reject_reason" && JSON.stringify(v.view).includes(requestId),
        ),
      { what: "reject modal", timeoutMs: 10_000 },
    );
    await h.slack.sendViewSubmission(h.appUrl, {
      userId: CAROL,
      view: {
        id: modal.viewId,
        state: { values: { reason: { reason_input: { type: "plain_text_input", value: REASON } } } },
      },
    });
    const current = () => h.slack.message(card.channel, card.ts) as SlackMessage | undefined;
    await h.slack.waitFor(() => current()?.text.includes("Rejected"), {
      what: "card rejected",
      timeoutMs: 10_000,
    });
    expect(blockTexts(current()?.blocks ?? [])).toContain("&lt;!channel&gt; &lt;@U0BOB&gt; because &amp;");

    const status = await h.slack.sendSlashCommand(h.appUrl, {
      text: `status ${requestId}`,
      userId: ALICE,
      channelId: REQUEST_CHANNEL,
    });
    expect(JSON.stringify(status.body)).toContain(requestId);
    expectAccepted(since);
  }, 60_000);

  it("a copy that fails with a 4,000-character cloud error: card, thread and outcome notice", async () => {
    h.sim.state.injectFault({
      action: "CopySnapshotCrossAccount",
      code: "InvalidParameterValue",
      message: LONG_ERROR,
    });
    try {
      const since = mark();
      const { card, requestId } = await requestCard(
        h,
        `replicate snap-markup01 to dr-prod as "${MARKUP_NAME}"`,
      );
      await approveOnCard(h, card, requestId, CAROL);
      const notice = await h.slack.waitFor(
        () =>
          h.slack.messages.find((m) => m.channel !== card.channel && m.text.includes(`${requestId} failed`)),
        { what: "failure notice", timeoutMs: 30_000 },
      );
      expect(notice.text).toContain("The cloud says &lt;!channel&gt;");
      const thread = h.slack.thread(card.channel, card.ts);
      expect(thread.some((m) => m.text.includes("The cloud says &lt;!channel&gt;"))).toBe(true);
      expectAccepted(since);
    } finally {
      h.sim.state.clearFaults();
    }
  }, 60_000);

  it("help, unknown destinations and bad input are echoed escaped", async () => {
    const since = mark();
    for (const text of [
      "help",
      "check snap-abc12345 to <!channel>",
      'replicate snap-abc12345 to dr-prod as "<@U0BOB>" extra',
    ]) {
      const response = await h.slack.sendSlashCommand(h.appUrl, {
        text,
        userId: ALICE,
        channelId: REQUEST_CHANNEL,
      });
      expect(response.status).toBe(200);
    }
    await new Promise((r) => setTimeout(r, 500));
    expectAccepted(since);
    expect(JSON.stringify(h.slack.requests.at(-3)?.body)).toContain("&lt;snap-id&gt;");
  });
});
