import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SlackEmulator, signSlackRequest, startSlackEmulator } from "../../dev/slack-emulator/index.js";
import { checkInboundRequest } from "../../src/adapters/chat-slack/inbound-request.js";

const botToken = "xoxb-home-test";
const signingSecret = "home-signing-secret";

interface Received {
  headers: IncomingMessage["headers"];
  body: string;
}

/**
 * The emulator's App Home as Slack does it: `app_home_opened` delivered as a signed Events API JSON
 * body, `views.publish` checked like any view (100 blocks, valid Block Kit) and kept per user, and a
 * click in a Home view shaped like Slack's (a view container, no channel, message or response_url).
 * The app's gate takes both shapes and refuses what is not one.
 */
describe("Slack emulator: App Home", () => {
  let slack: SlackEmulator;
  let app: Server;
  let appUrl: string;
  const received: Received[] = [];

  beforeAll(async () => {
    slack = await startSlackEmulator({
      signingSecret,
      botToken,
      users: [{ id: "U1", name: "alice" }],
    });
    app = createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => {
        body += c.toString();
      });
      req.on("end", () => {
        received.push({ headers: req.headers, body });
        res.end();
      });
    });
    await new Promise<void>((r) => app.listen(0, "127.0.0.1", r));
    appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}/slack/events`;
  });
  afterAll(async () => {
    await slack?.close();
    await new Promise<void>((r) => app.close(() => r()));
  });

  const publish = (view: unknown, userId = "U1") =>
    fetch(`${slack.apiUrl}views.publish`, {
      method: "POST",
      headers: { authorization: `Bearer ${botToken}`, "content-type": "application/json" },
      body: JSON.stringify({ user_id: userId, view }),
    }).then((r) => r.json() as Promise<{ ok: boolean; error?: string; view?: { id: string } }>);

  const button = (value: string) => ({
    type: "actions",
    block_id: `b-${value}`,
    elements: [
      { type: "button", action_id: "request_approve", value, text: { type: "plain_text", text: "Approve" } },
    ],
  });

  it("delivers app_home_opened as signed JSON that the app's gate dispatches", async () => {
    await slack.sendAppHomeOpened(appUrl, { userId: "U1" });
    const last = received.at(-1) as Received;
    expect(last.headers["content-type"]).toBe("application/json");
    const ts = Number(last.headers["x-slack-request-timestamp"]);
    expect(last.headers["x-slack-signature"]).toBe(signSlackRequest(signingSecret, ts, last.body));
    const body = JSON.parse(last.body);
    expect(body).toMatchObject({
      type: "event_callback",
      event: { type: "app_home_opened", user: "U1", tab: "home" },
    });
    expect(body.event.view).toBeUndefined();
    const checked = checkInboundRequest("application/json", last.body);
    expect(checked).toMatchObject({ verdict: "dispatch", kind: "event" });
    if (checked.verdict === "dispatch") expect(checked.deliveryKey).toBe(`event:${body.event_id}`);
  });

  it("keeps one Home view per user, refuses more than 100 blocks or invalid ones, and sends it on the next open", async () => {
    const first = await publish({ type: "home", blocks: [button("rq-aaaaaa")] });
    expect(first.ok).toBe(true);
    const second = await publish({ type: "home", blocks: [button("rq-bbbbbb"), button("rq-cccccc")] });
    expect(second.view?.id).toBe(first.view?.id);
    expect(slack.homeView("U1")?.blocks).toHaveLength(2);

    const tooMany = Array.from({ length: 101 }, () => ({ type: "divider" }));
    expect(await publish({ type: "home", blocks: tooMany })).toMatchObject({
      ok: false,
      error: "invalid_arguments",
    });
    const hundred = Array.from({ length: 100 }, () => ({ type: "divider" }));
    expect(await publish({ type: "home", blocks: hundred }, "U1")).toMatchObject({ ok: true });
    const badButton = {
      type: "actions",
      elements: [{ type: "button", action_id: "x", text: { type: "mrkdwn", text: "*x*" } }],
    };
    expect(await publish({ type: "home", blocks: [badButton] })).toMatchObject({ ok: false });
    expect(await publish({ type: "modal", blocks: [] })).toMatchObject({
      ok: false,
      error: "invalid_arguments",
    });
    expect(await publish({ type: "home", blocks: [] }, "U0NOBODY")).toMatchObject({
      ok: false,
      error: "user_not_found",
    });

    await publish({ type: "home", blocks: [button("rq-bbbbbb"), button("rq-cccccc")] });
    await slack.sendAppHomeOpened(appUrl, { userId: "U1" });
    const body = JSON.parse((received.at(-1) as Received).body);
    expect(body.event.view).toMatchObject({ type: "home", id: first.view?.id });
  });

  it("sends a click in the Home as Slack does: a view container, the view, no channel or response_url", async () => {
    await slack.sendHomeBlockAction(appUrl, {
      userId: "U1",
      actionId: "request_approve",
      value: "rq-cccccc",
    });
    const last = received.at(-1) as Received;
    expect(last.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    const payload = JSON.parse(new URLSearchParams(last.body).get("payload") ?? "{}");
    expect(payload.container).toEqual({ type: "view", view_id: slack.homeView("U1")?.id });
    expect(payload.view).toMatchObject({ type: "home", id: slack.homeView("U1")?.id });
    expect(payload.actions[0]).toMatchObject({
      action_id: "request_approve",
      value: "rq-cccccc",
      block_id: "b-rq-cccccc",
    });
    for (const key of ["channel", "message", "response_url"]) expect(payload[key]).toBeUndefined();
    expect(checkInboundRequest("application/x-www-form-urlencoded", last.body)).toMatchObject({
      verdict: "dispatch",
      kind: "block_actions",
    });
  });

  it("the gate: other events are acked and ignored, malformed ones refused, a message click still needs its channel", () => {
    const event = (e: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
      JSON.stringify({ type: "event_callback", event_id: "Ev1", team_id: "T1", event: e, ...extra });
    expect(checkInboundRequest("application/json", event({ type: "message", user: "U1" }))).toMatchObject({
      verdict: "ignore",
    });
    expect(checkInboundRequest("application/json", event({ type: "app_home_opened" }))).toMatchObject({
      verdict: "refuse",
    });
    expect(
      checkInboundRequest(
        "application/json",
        JSON.stringify({ type: "event_callback", event: { type: "app_home_opened", user: "U1" } }),
      ),
    ).toMatchObject({ verdict: "refuse" });
    const click = (container: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
      new URLSearchParams({
        payload: JSON.stringify({
          type: "block_actions",
          user: { id: "U1" },
          trigger_id: "1.2",
          container,
          actions: [{ action_id: "request_approve", type: "button", value: "rq-aaaaaa" }],
          ...extra,
        }),
      }).toString();
    const form = "application/x-www-form-urlencoded";
    // A view container without its view, and a message click without a channel or response_url.
    expect(checkInboundRequest(form, click({ type: "view", view_id: "V1" }))).toMatchObject({
      verdict: "refuse",
    });
    expect(checkInboundRequest(form, click({ type: "message" }))).toMatchObject({ verdict: "refuse" });
    expect(
      checkInboundRequest(form, click({ type: "message", channel_id: "C1" }, { channel: { id: "C1" } })),
    ).toMatchObject({ verdict: "refuse" });
  });
});
