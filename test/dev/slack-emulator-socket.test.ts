import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { type SlackEmulator, startSlackEmulator } from "../../dev/slack-emulator/index.js";

const appToken = "xapp-1-A0SANDBOX-emulator";
const botToken = "xoxb-emulator";

async function open(emu: SlackEmulator, token: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${emu.apiUrl}apps.connections.open`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}` },
  });
  return (await response.json()) as Record<string, unknown>;
}

/** A raw Socket Mode client: every JSON message it receives, in order. */
async function connect(url: string): Promise<{ ws: WebSocket; messages: Record<string, unknown>[] }> {
  const ws = new WebSocket(url);
  const messages: Record<string, unknown>[] = [];
  ws.on("message", (data) => messages.push(JSON.parse(data.toString()) as Record<string, unknown>));
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  return { ws, messages };
}

async function until<T>(probe: () => T | undefined): Promise<T> {
  await expect.poll(probe).toBeTruthy();
  return probe() as T;
}

describe("slack emulator: Socket Mode", () => {
  let emu: SlackEmulator;
  beforeAll(async () => {
    emu = await startSlackEmulator({ signingSecret: "s", botToken, appToken, transport: "socket" });
  });
  afterAll(async () => {
    await emu.close();
  });

  it("apps.connections.open takes only the app-level token and hands out a one-use ws:// URL", async () => {
    expect(await open(emu, botToken)).toEqual({ ok: false, error: "not_allowed_token_type" });
    expect(await open(emu, "xapp-wrong")).toEqual({ ok: false, error: "invalid_auth" });
    const answer = await open(emu, appToken);
    expect(answer.ok).toBe(true);
    expect(String(answer.url)).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/link\/\?ticket=/);
    const { ws, messages } = await connect(String(answer.url));
    const hello = await until(() => messages[0]);
    expect(hello).toMatchObject({
      type: "hello",
      num_connections: 1,
      connection_info: { app_id: "A0SANDBOX" },
    });
    expect(hello.debug_info).toBeTypeOf("object");
    ws.close();
    await expect(connect(String(answer.url))).rejects.toThrow(/401/);
  });

  it("delivers a command as an envelope; the ack's payload is the send's body", async () => {
    const { ws, messages } = await connect(String((await open(emu, appToken)).url));
    const sent = emu.sendSlashCommand("unused", { text: "help", userId: "U1", channelId: "C1" });
    const envelope = await until(() => messages.find((m) => m.type === "slash_commands"));
    expect(envelope).toMatchObject({ accepts_response_payload: true, retry_attempt: 0, retry_reason: "" });
    expect(envelope.payload).toMatchObject({
      command: "/snapshot",
      text: "help",
      user_id: "U1",
      channel_id: "C1",
    });
    ws.send(JSON.stringify({ envelope_id: envelope.envelope_id, payload: { text: "hi" } }));
    expect(await sent).toMatchObject({ status: 200, body: { text: "hi" } });
    ws.close();
  });

  it("an envelope not acked when its socket drops is sent again on the next connection, one attempt later", async () => {
    const first = await connect(String((await open(emu, appToken)).url));
    await until(() => emu.socket.connected || undefined);
    const sent = emu.sendShortcut("unused", { userId: "U1", callbackId: "cb" });
    const envelope = await until(() => first.messages.find((m) => m.type === "interactive"));
    emu.dropSocket({ reason: "warning" });
    expect(await until(() => first.messages.find((m) => m.type === "disconnect"))).toMatchObject({
      reason: "warning",
    });
    first.ws.close();
    const second = await connect(String((await open(emu, appToken)).url));
    const again = await until(() => second.messages.find((m) => m.type === "interactive"));
    expect(again).toMatchObject({ envelope_id: envelope.envelope_id, retry_attempt: 1 });
    second.ws.send(JSON.stringify({ envelope_id: again.envelope_id, payload: {} }));
    expect(await sent).toMatchObject({ status: 200, body: "" });
    expect(emu.requests.at(-1)?.deliveries).toBe(2);
    second.ws.close();
  });
});
