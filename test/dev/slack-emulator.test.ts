import {
  App,
  type BlockButtonAction,
  isValidSlackRequest,
  type Logger,
  LogLevel,
  type types,
  webApi,
} from "@slack/bolt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BLOCK_KIT_LIMITS,
  type EmulatorEvent,
  type SlackEmulator,
  signSlackRequest,
  startSlackEmulator,
} from "../../dev/slack-emulator/index.js";

const botToken = "xoxb-emulator-test";
const signingSecret = "emulator-signing-secret";
const channel = "C0REQUESTS";

/** Keeps expected error logs (e.g. invalid_blocks details) out of the test output. */
const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  setLevel: () => {},
  getLevel: () => LogLevel.ERROR,
  setName: () => {},
};

function startEmulator(): Promise<SlackEmulator> {
  return startSlackEmulator({
    signingSecret,
    botToken,
    users: [
      { id: "U1", name: "alice", realName: "Alice Admin", isAdmin: true },
      { id: "U2", name: "bob" },
      { id: "U3", name: "gone", deleted: true },
    ],
    usergroups: [{ id: "S1", handle: "dr-approvers", users: ["U1", "U2"] }],
    channels: [{ id: channel, name: "snapshot-requests" }],
  });
}

function approvalBlocks(requestId: string): types.KnownBlock[] {
  return [
    { type: "section", block_id: "summary", text: { type: "mrkdwn", text: `Request *${requestId}*` } },
    {
      type: "actions",
      block_id: "decision",
      elements: [
        {
          type: "button",
          action_id: "approve",
          text: { type: "plain_text", text: "Approve" },
          value: requestId,
        },
        {
          type: "button",
          action_id: "reject",
          text: { type: "plain_text", text: "Reject" },
          value: requestId,
        },
      ],
    },
  ];
}

describe("signSlackRequest", () => {
  it("produces a signature Bolt accepts", () => {
    const ts = Math.floor(Date.now() / 1000);
    const body = "command=%2Fsnapshot&text=help";
    const signature = signSlackRequest(signingSecret, ts, body);
    expect(signature).toMatch(/^v0=[0-9a-f]{64}$/);
    const headers = { "x-slack-signature": signature, "x-slack-request-timestamp": ts };
    expect(isValidSlackRequest({ signingSecret, body, headers })).toBe(true);
    expect(isValidSlackRequest({ signingSecret: "other", body, headers })).toBe(false);
  });
});

describe("Slack emulator Web API with the real WebClient", () => {
  let emu: SlackEmulator;
  let client: webApi.WebClient;

  beforeAll(async () => {
    emu = await startEmulator();
    client = new webApi.WebClient(botToken, {
      slackApiUrl: emu.apiUrl,
      retryConfig: { retries: 0 },
      logger: silentLogger,
    });
  });
  afterAll(async () => {
    await emu.close();
  });

  it("answers auth.test for the bot", async () => {
    const auth = await client.auth.test();
    expect(auth).toMatchObject({ ok: true, team_id: "T0SANDBOX", user_id: "U0BOT", bot_id: "B0BOT" });
  });

  it("posts, threads, updates and links messages", async () => {
    const posted = await client.chat.postMessage({
      channel,
      text: "Request rq-1",
      blocks: approvalBlocks("rq-1"),
    });
    expect(posted.ts).toMatch(/^\d{10}\.\d{6}$/);
    const reply1 = await client.chat.postMessage({ channel, text: "queued", thread_ts: posted.ts });
    const reply2 = await client.chat.postMessage({ channel, text: "copying", thread_ts: posted.ts });
    expect([posted.ts, reply1.ts, reply2.ts]).toEqual([...new Set([posted.ts, reply1.ts, reply2.ts])].sort());

    const parentTs = posted.ts ?? "";
    expect(emu.thread(channel, parentTs).map((m) => m.text)).toEqual(["queued", "copying"]);
    const card = emu.message(channel, parentTs);
    expect(card?.blocks).toEqual(approvalBlocks("rq-1"));

    const updated = await client.chat.update({ channel, ts: parentTs, text: "Approved", blocks: [] });
    expect(updated).toMatchObject({ ok: true, ts: parentTs, text: "Approved" });
    expect(card).toMatchObject({ text: "Approved", blocks: [], edits: 1 });
    expect(card?.history).toMatchObject([{ text: "Request rq-1", blocks: approvalBlocks("rq-1") }]);

    // Decoded JSON fields in the recorded call.
    const call = emu.calls.find((c) => c.method === "chat.postMessage");
    expect(call?.args.blocks).toEqual(approvalBlocks("rq-1"));

    const link = await client.chat.getPermalink({ channel, message_ts: parentTs });
    expect(link.permalink).toBe(`${emu.baseUrl}/archives/${channel}/p${parentTs.replace(".", "")}`);

    await expect(client.chat.update({ channel, ts: "1.000001", text: "x" })).rejects.toMatchObject({
      data: { error: "message_not_found" },
    });
  });

  it("records ephemerals", async () => {
    const result = await client.chat.postEphemeral({ channel, user: "U2", text: "only for bob" });
    expect(result.message_ts).toBeDefined();
    expect(emu.ephemerals.at(-1)).toMatchObject({ channel, user: "U2", text: "only for bob", via: "api" });
  });

  it("answers users.info and usergroups.users.list", async () => {
    const alice = await client.users.info({ user: "U1" });
    expect(alice.user).toMatchObject({ id: "U1", name: "alice", real_name: "Alice Admin", is_admin: true });
    const gone = await client.users.info({ user: "U3" });
    expect(gone.user?.deleted).toBe(true);
    await expect(client.users.info({ user: "U404" })).rejects.toMatchObject({
      data: { error: "user_not_found" },
    });

    const group = await client.usergroups.users.list({ usergroup: "S1" });
    expect(group.users).toEqual(["U1", "U2"]);
    await expect(client.usergroups.users.list({ usergroup: "S404" })).rejects.toMatchObject({
      data: { error: "no_such_subteam" },
    });
  });

  it("refuses other tokens, unknown methods and invalid blocks", async () => {
    const intruder = new webApi.WebClient("xoxb-wrong", {
      slackApiUrl: emu.apiUrl,
      retryConfig: { retries: 0 },
    });
    await expect(intruder.auth.test()).rejects.toMatchObject({
      code: webApi.ErrorCode.PlatformError,
      data: { error: "invalid_auth" },
    });
    await expect(client.apiCall("chat.delete", { channel, ts: "1.1" })).rejects.toMatchObject({
      data: { error: "unknown_method" },
    });
    const badBlocks = [{ type: "section", text: { type: "mrkdwn", text: "" } }];
    await expect(client.chat.postMessage({ channel, text: "x", blocks: badBlocks })).rejects.toMatchObject({
      data: { error: "invalid_blocks" },
    });
  });

  it("makes the client wait out a 429 with Retry-After, then retry", async () => {
    const retrying = new webApi.WebClient(botToken, {
      slackApiUrl: emu.apiUrl,
      retryConfig: webApi.retryPolicies.rapidRetryPolicy,
      logLevel: webApi.LogLevel.ERROR,
    });
    const rateLimited: number[] = [];
    retrying.on(webApi.WebClientEvent.RATE_LIMITED, (seconds: number) => rateLimited.push(seconds));
    emu.failNext("chat.postMessage", { retryAfterSec: 1 });
    const before = emu.calls.length;
    const started = Date.now();

    const posted = await retrying.chat.postMessage({ channel, text: "after the limit" });

    expect(posted.ok).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(rateLimited).toEqual([1]);
    expect(emu.calls.slice(before).map((c) => [c.method, c.status, c.injected ?? false])).toEqual([
      ["chat.postMessage", 429, true],
      ["chat.postMessage", 200, false],
    ]);
  });

  it("accepts JSON bodies and a token form field", async () => {
    const json = await fetch(`${emu.apiUrl}chat.postMessage`, {
      method: "POST",
      headers: { "content-type": "application/json; charset=utf-8", authorization: `Bearer ${botToken}` },
      body: JSON.stringify({ channel, text: "json body", blocks: [{ type: "divider" }] }),
    });
    expect(await json.json()).toMatchObject({ ok: true, channel, message: { text: "json body" } });
    const form = await fetch(`${emu.apiUrl}auth.test`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token: botToken }).toString(),
    });
    expect(await form.json()).toMatchObject({ ok: true, user_id: "U0BOT" });
    const anonymous = await fetch(`${emu.apiUrl}auth.test`, { method: "POST" });
    expect(await anonymous.json()).toEqual({ ok: false, error: "not_authed" });
  });

  it("times out waitFor with a summary of the state", async () => {
    await expect(
      emu.waitFor(() => false, { timeoutMs: 50, what: "a card that never comes" }),
    ).rejects.toThrow(/waiting for a card that never comes[\s\S]*Messages \(\d+/);
  });

  it("injects ok:false errors, which the client does not retry", async () => {
    emu.failNext("chat.update", { slackError: "ratelimited" });
    await expect(client.chat.update({ channel, ts: "1.1", text: "x" })).rejects.toMatchObject({
      data: { error: "ratelimited" },
    });
    expect(emu.calls.at(-1)).toMatchObject({ method: "chat.update", status: 200, injected: true });
  });
});

describe("Slack emulator enforces Slack's Block Kit limits", () => {
  type Method =
    | "chat.postMessage"
    | "chat.update"
    | "chat.postEphemeral"
    | "views.open"
    | "views.update"
    | "views.publish";
  const chatMethods: Method[] = ["chat.postMessage", "chat.update", "chat.postEphemeral"];
  const viewMethods: Method[] = ["views.open", "views.update", "views.publish"];
  type Block = Record<string, unknown>;

  const chars = (n: number) => "x".repeat(n);
  const plain = (n: number) => ({ type: "plain_text", text: chars(n) });
  const mrkdwn = (n: number) => ({ type: "mrkdwn", text: chars(n) });
  const section = (extra: Block = {}): Block => ({ type: "section", text: mrkdwn(1), ...extra });
  const button = (extra: Block = {}): Block => ({
    type: "button",
    action_id: "go",
    text: plain(2),
    value: "v",
    ...extra,
  });
  const actions = (element: Block): Block[] => [{ type: "actions", elements: [element] }];
  const option = (text: number, value = "v") => ({ text: plain(text), value });
  const select = (extra: Block): Block[] => [
    section({ accessory: { type: "static_select", action_id: "pick", options: [option(1)], ...extra } }),
  ];
  const confirm = (title: number, text: number) => ({
    title: plain(title),
    text: plain(text),
    confirm: plain(3),
    deny: plain(2),
  });

  /**
   * One row per limit: the blocks (or view, or text) with the limited thing at size `n`, and the
   * methods that must refuse it at `limit + 1` while accepting it at `limit`.
   */
  interface LimitCase {
    limit: keyof typeof BLOCK_KIT_LIMITS;
    methods: Method[];
    blocks?: (n: number) => Block[];
    view?: (n: number) => Block;
    text?: (n: number) => string;
  }
  const anySurface = [...chatMethods, ...viewMethods];
  const cases: LimitCase[] = [
    { limit: "sectionText", methods: anySurface, blocks: (n) => [{ type: "section", text: mrkdwn(n) }] },
    {
      limit: "sectionFieldText",
      methods: anySurface,
      blocks: (n) => [{ type: "section", fields: [mrkdwn(n)] }],
    },
    {
      limit: "sectionFields",
      methods: anySurface,
      blocks: (n) => [{ type: "section", fields: Array.from({ length: n }, () => mrkdwn(1)) }],
    },
    { limit: "headerText", methods: anySurface, blocks: (n) => [{ type: "header", text: plain(n) }] },
    {
      limit: "contextElements",
      methods: anySurface,
      blocks: (n) => [{ type: "context", elements: Array.from({ length: n }, () => mrkdwn(1)) }],
    },
    { limit: "buttonText", methods: anySurface, blocks: (n) => actions(button({ text: plain(n) })) },
    { limit: "buttonValue", methods: anySurface, blocks: (n) => actions(button({ value: chars(n) })) },
    { limit: "placeholder", methods: anySurface, blocks: (n) => select({ placeholder: plain(n) }) },
    { limit: "optionText", methods: anySurface, blocks: (n) => select({ options: [option(n)] }) },
    {
      limit: "selectOptions",
      methods: anySurface,
      blocks: (n) => select({ options: Array.from({ length: n }, (_, i) => option(1, `v${i}`)) }),
    },
    { limit: "blockId", methods: anySurface, blocks: (n) => [section({ block_id: chars(n) })] },
    { limit: "actionId", methods: anySurface, blocks: (n) => actions(button({ action_id: chars(n) })) },
    {
      limit: "confirmTitle",
      methods: anySurface,
      blocks: (n) => actions(button({ confirm: confirm(n, 1) })),
    },
    { limit: "confirmText", methods: anySurface, blocks: (n) => actions(button({ confirm: confirm(1, n) })) },
    {
      limit: "messageBlocks",
      methods: chatMethods,
      blocks: (n) => Array.from({ length: n }, () => section()),
    },
    {
      limit: "viewBlocks",
      methods: viewMethods,
      blocks: (n) => Array.from({ length: n }, () => section()),
    },
    {
      limit: "modalTitle",
      methods: ["views.open", "views.update"],
      view: (n) => ({ type: "modal", title: plain(n), blocks: [section()] }),
    },
    { limit: "messageText", methods: chatMethods, text: (n) => chars(n) },
  ];

  let emu: SlackEmulator;
  let messageTs = "";
  let modalId = "";

  /** A raw JSON call, so the test sees Slack's HTTP status and body as they are. */
  async function call(
    method: Method,
    args: Record<string, unknown>,
  ): Promise<{ status: number; body: Block }> {
    const response = await fetch(`${emu.apiUrl}${method}`, {
      method: "POST",
      headers: { authorization: `Bearer ${botToken}`, "content-type": "application/json; charset=utf-8" },
      body: JSON.stringify(args),
    });
    return { status: response.status, body: (await response.json()) as Block };
  }

  function argsFor(method: Method, row: LimitCase, n: number): Record<string, unknown> {
    const blocks = row.blocks?.(n) ?? [section()];
    if (method.startsWith("chat.")) {
      const target =
        method === "chat.update" ? { ts: messageTs } : method === "chat.postEphemeral" ? { user: "U1" } : {};
      return { channel, text: row.text?.(n) ?? "fallback", ...(row.text ? {} : { blocks }), ...target };
    }
    const view =
      row.view?.(n) ??
      (method === "views.publish" ? { type: "home", blocks } : { type: "modal", title: plain(5), blocks });
    if (method === "views.open") return { trigger_id: "1.2.trigger", view };
    if (method === "views.update") return { view_id: modalId, view };
    return { user_id: "U1", view };
  }

  beforeAll(async () => {
    emu = await startEmulator();
    const posted = await call("chat.postMessage", { channel, text: "to be edited" });
    messageTs = String(posted.body.ts);
    const opened = await call("views.open", {
      trigger_id: "1.2.trigger",
      view: { type: "modal", title: plain(5), blocks: [section()] },
    });
    modalId = String((opened.body.view as Block).id);
  });
  afterAll(async () => {
    await emu.close();
  });

  it.each(cases)("$limit: accepted at the limit, refused one over", async (row) => {
    const limit = BLOCK_KIT_LIMITS[row.limit];
    for (const method of row.methods) {
      const atLimit = await call(method, argsFor(method, row, limit));
      expect({ method, ...atLimit }).toMatchObject({ method, status: 200, body: { ok: true } });
      const over = await call(method, argsFor(method, row, limit + 1));
      // Slack's codes: invalid_blocks for messages, invalid_arguments for views, msg_too_long for text.
      const error = row.text
        ? "msg_too_long"
        : method.startsWith("chat.")
          ? "invalid_blocks"
          : "invalid_arguments";
      expect({ method, ...over }).toMatchObject({ method, status: 200, body: { ok: false, error } });
    }
  });

  it("names the offending field with a json-pointer, as Slack does", async () => {
    const over = await call("chat.postMessage", {
      channel,
      text: "x",
      blocks: [section(), { type: "header", text: plain(BLOCK_KIT_LIMITS.headerText + 1) }],
    });
    expect(over.body.response_metadata).toEqual({
      messages: ["[ERROR] must be less than 151 characters [json-pointer:/blocks/1/text/text]"],
    });
  });

  it("keeps one Home tab per user across views.publish", async () => {
    const first = await call("views.publish", { user_id: "U2", view: { type: "home", blocks: [section()] } });
    const second = await call("views.publish", { user_id: "U2", view: { type: "home", blocks: [] } });
    expect((second.body.view as Block).id).toBe((first.body.view as Block).id);
    const modal = await call("views.publish", {
      user_id: "U2",
      view: { type: "modal", title: plain(3), blocks: [] },
    });
    expect(modal.body).toMatchObject({ ok: false, error: "invalid_arguments" });
    const nobody = await call("views.publish", { user_id: "U404", view: { type: "home", blocks: [] } });
    expect(nobody.body).toMatchObject({ ok: false, error: "user_not_found" });
  });
});

describe("Slack emulator driving the real Bolt App over HTTP", () => {
  let emu: SlackEmulator;
  let app: App;
  let appUrl: string;
  const events: EmulatorEvent[] = [];
  const handled: string[] = [];

  beforeAll(async () => {
    emu = await startEmulator();
    emu.on("change", (e) => events.push(e));
    app = new App({
      token: botToken,
      signingSecret,
      logLevel: LogLevel.ERROR,
      clientOptions: { slackApiUrl: emu.apiUrl, retryConfig: { retries: 0 } },
    });
    app.command("/snapshot", async ({ command, ack, respond }) => {
      handled.push(`command:${command.text}`);
      if (command.text === "help") {
        await ack("Usage: /snapshot replicate <snap-id> to <destination>");
        return;
      }
      await ack();
      await respond({ text: `Working on: ${command.text}` });
    });
    app.action<BlockButtonAction>("approve", async ({ ack, body, action, client }) => {
      await ack();
      handled.push(`approve:${action.value ?? "?"}`);
      const channelId = body.channel?.id ?? "";
      await client.chat.update({
        channel: channelId,
        ts: body.message?.ts ?? "",
        text: `Approved by <@${body.user.id}>`,
        blocks: [],
      });
    });
    app.action<BlockButtonAction>("reject", async ({ ack, respond }) => {
      await ack();
      await respond({ replace_original: true, text: "Rejected" });
    });
    app.shortcut("replicate_snapshot", async ({ ack, shortcut, client }) => {
      await ack();
      await client.views.open({
        trigger_id: shortcut.trigger_id,
        view: {
          type: "modal",
          callback_id: "replicate_modal",
          title: { type: "plain_text", text: "Replicate a snapshot" },
          submit: { type: "plain_text", text: "Request" },
          blocks: [],
        },
      });
    });
    app.view("replicate_modal", async ({ ack, view }) => {
      const snap = view.state.values.snapshot?.id?.value;
      await ack({ response_action: "errors", errors: { snapshot: `Unknown snapshot ${snap ?? "?"}` } });
    });
    // Port 0: the OS picks a free port; Bolt's HTTPReceiver returns the listening server.
    const server = await app.start({ port: 0, host: "127.0.0.1" });
    const address = server.address();
    if (address === null || typeof address === "string") throw new Error("Bolt app has no TCP address");
    appUrl = `http://127.0.0.1:${address.port}/slack/events`;
  });
  afterAll(async () => {
    await app.stop();
    await emu.close();
  });

  it("returns a command's ack text in the HTTP body", async () => {
    const result = await emu.sendSlashCommand(appUrl, { text: "help", userId: "U1", channelId: channel });
    expect(result.status).toBe(200);
    expect(result.body).toBe("Usage: /snapshot replicate <snap-id> to <destination>");
    expect(result.responseUrl).toMatch(new RegExp(`^${emu.baseUrl}/response/`));
    expect(emu.requests.at(-1)).toMatchObject({ kind: "slash_command", status: 200 });
  });

  it("records respond() as an ephemeral for the user", async () => {
    const result = await emu.sendSlashCommand(appUrl, {
      text: "status rq-1",
      userId: "U2",
      channelId: channel,
    });
    expect(result).toMatchObject({ status: 200, body: "" });
    const reply = await emu.waitFor(() => emu.ephemerals.find((e) => e.via === "response_url"), {
      what: "the respond() ephemeral",
    });
    expect(reply).toMatchObject({ channel, user: "U2", text: "Working on: status rq-1" });
    expect(emu.responseUrlPosts).toHaveLength(1);
    expect(emu.responseUrlPosts[0]?.id).toBe(result.responseUrl.split("/").at(-1));
  });

  it("delivers a block action whose handler calls chat.update", async () => {
    const posted = await app.client.chat.postMessage({
      channel,
      text: "Request rq-7",
      blocks: approvalBlocks("rq-7"),
    });
    const ts = posted.ts ?? "";
    const result = await emu.sendBlockAction(appUrl, {
      userId: "U1",
      actionId: "approve",
      channelId: channel,
      messageTs: ts,
    });
    expect(result.status).toBe(200);
    const card = await emu.waitFor(() => emu.messages.find((m) => m.ts === ts && m.edits === 1), {
      what: "the approved card",
    });
    expect(card).toMatchObject({ text: "Approved by <@U1>", blocks: [] });
    // The button's value came from the stored message.
    expect(handled).toContain("approve:rq-7");
    const payload = emu.requests.at(-1)?.payload;
    expect(payload).toMatchObject({
      type: "block_actions",
      container: { type: "message", message_ts: ts, channel_id: channel, is_ephemeral: false },
      message: { ts, text: "Request rq-7" },
      actions: [{ action_id: "approve", block_id: "decision", value: "rq-7", type: "button" }],
    });
  });

  it("applies replace_original from an action's response_url", async () => {
    const posted = await app.client.chat.postMessage({
      channel,
      text: "Request rq-8",
      blocks: approvalBlocks("rq-8"),
    });
    const ts = posted.ts ?? "";
    await emu.sendBlockAction(appUrl, {
      userId: "U2",
      actionId: "reject",
      channelId: channel,
      messageTs: ts,
    });
    const card = await emu.waitFor(() => emu.messages.find((m) => m.ts === ts && m.edits === 1), {
      what: "the rejected card",
    });
    expect(card).toMatchObject({ text: "Rejected", blocks: [] });
  });

  it("honours response_url in_channel, delete_original and the 5-use limit", async () => {
    const posted = await app.client.chat.postMessage({
      channel,
      text: "Request rq-9",
      blocks: approvalBlocks("rq-9"),
    });
    const ts = posted.ts ?? "";
    const action = await emu.sendBlockAction(appUrl, {
      userId: "U2",
      actionId: "reject",
      channelId: channel,
      messageTs: ts,
    });
    await emu.waitFor(() => emu.message(channel, ts)?.text === "Rejected", { what: "the rejected card" });
    const post = (body: unknown) =>
      fetch(action.responseUrl, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });

    expect((await post({ response_type: "in_channel", text: "Announced" })).status).toBe(200);
    expect(emu.messages.at(-1)).toMatchObject({ channel, text: "Announced", user: "U0BOT" });
    expect((await post({ delete_original: true })).status).toBe(200);
    expect(emu.message(channel, ts)).toBeUndefined();
    expect((await post({ text: "fourth" })).status).toBe(200);
    expect((await post({ text: "fifth" })).status).toBe(200);
    const sixth = await post({ text: "sixth" });
    expect(sixth.status).toBe(404);
    expect(await sixth.json()).toEqual({ ok: false, error: "used_url" });
  });

  it("rejects a forged or missing signature with 401", async () => {
    const before = handled.length;
    const forged = await emu.sendSlashCommand(
      appUrl,
      { text: "help", userId: "U1", channelId: channel },
      { signature: `v0=${"0".repeat(64)}` },
    );
    expect(forged.status).toBe(401);
    const missing = await emu.sendSlashCommand(
      appUrl,
      { text: "help", userId: "U1", channelId: channel },
      { signature: null },
    );
    expect(missing.status).toBe(401);
    expect(handled.length).toBe(before);
  });

  it("rejects a timestamp older than 5 minutes with 401", async () => {
    const result = await emu.sendSlashCommand(
      appUrl,
      { text: "help", userId: "U1", channelId: channel },
      { timestampSec: Math.floor(Date.now() / 1000) - 6 * 60 },
    );
    expect(result.status).toBe(401);
  });

  it("opens a modal from a shortcut and returns view_submission errors as JSON", async () => {
    const shortcut = await emu.sendShortcut(appUrl, { userId: "U1", callbackId: "replicate_snapshot" });
    expect(shortcut.status).toBe(200);
    const opened = await emu.waitFor(() => emu.views.find((v) => v.triggerId === shortcut.triggerId), {
      what: "views.open",
    });
    expect(opened.view).toMatchObject({ callback_id: "replicate_modal", type: "modal" });

    const submitted = await emu.sendViewSubmission(appUrl, {
      userId: "U1",
      view: {
        id: opened.viewId,
        state: { values: { snapshot: { id: { type: "plain_text_input", value: "snap-x" } } } },
      },
    });
    expect(submitted).toMatchObject({
      status: 200,
      body: { response_action: "errors", errors: { snapshot: "Unknown snapshot snap-x" } },
    });
  });

  it("emits numbered change events", () => {
    expect(events.length).toBeGreaterThan(0);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(new Set(events.map((e) => e.type))).toEqual(
      new Set(["api_call", "message", "request", "response_url", "ephemeral", "view"]),
    );
  });
});
