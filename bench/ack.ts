/** Slash-command ack latency: N signed commands sent at once, time from sending to the HTTP answer. */
import { spawn } from "node:child_process";
import { resolve } from "node:path";
import { ALICE, BOB, type Harness, SIGNING_SECRET } from "../test/support/harness.js";
import { benchChannel, CardWatcher, sendCommands } from "./driver.js";
import { percentile, sleep } from "./stats.js";

export interface AckResult {
  concurrent: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  non200: number;
  fiveHundreds: number;
}

/**
 * The bot in its own process (bench/bot-process.ts at `appUrl`): the commands are sent and timed
 * by bench/ack-client.ts, a process doing nothing else, after one untimed burst of the same size
 * as another person ("help": the connections and the bot's code warm, the measured sender's
 * locale not looked up in advance). Without `appUrl`, the harness's in-process bot, timed here.
 */
export async function measureAcks(
  h: Harness,
  concurrent: number,
  label: string,
  appUrl?: string,
): Promise<AckResult> {
  const watcher = new CardWatcher(h.slack);
  const commands = Array.from({ length: concurrent }, (_, i) => ({
    text: `replicate snap-abc12345 to dr-prod as "${label}-${i}"`,
    channel: benchChannel(i, concurrent),
  }));
  const sent = appUrl
    ? await timedElsewhere(h, appUrl, label, commands)
    : (await sendCommands(h.slack, h.appUrl, commands, concurrent)).map((s) => ({
        ms: s.ackMs,
        status: s.status,
      }));
  // Let the cards behind these acks be posted before the next measurement starts.
  const deadline = Date.now() + 30_000 + concurrent * 200;
  while (watcher.cards.length < concurrent && Date.now() < deadline) await sleep(100);
  watcher.close();
  const times = sent.map((s) => s.ms);
  return {
    concurrent,
    p50Ms: percentile(times, 50),
    p99Ms: percentile(times, 99),
    maxMs: Math.max(...times),
    non200: sent.filter((s) => s.status !== 200).length,
    fiveHundreds: sent.filter((s) => s.status >= 500).length,
  };
}

const ROOT = resolve(import.meta.dirname, "..");

async function timedElsewhere(
  h: Harness,
  url: string,
  label: string,
  commands: Array<{ text: string; channel: string }>,
): Promise<Array<{ ms: number; status: number }>> {
  const form = (text: string, channel: string, user: string, i: number) =>
    new URLSearchParams({
      token: "emulator-verification-token",
      team_id: "T0EMULATOR",
      channel_id: channel,
      user_id: user,
      command: "/snapshot",
      text,
      api_app_id: "A0SANDBOX",
      is_enterprise_install: "false",
      // The answers after the ack go nowhere the bench reads (the emulator refuses an unknown URL).
      response_url: `${h.slack.baseUrl}/response/bench-${label}-${user}-${i}`,
      trigger_id: `${label}.${user}.${i}.${Date.now()}`,
    }).toString();
  const job = {
    url,
    secret: SIGNING_SECRET,
    warm: commands.map((c, i) => form("help", c.channel, BOB, i)),
    bodies: commands.map((c, i) => form(c.text, c.channel, ALICE, i)),
  };
  const child = spawn(process.execPath, ["--import", "tsx", "bench/ack-client.ts"], {
    cwd: ROOT,
    stdio: ["pipe", "pipe", "inherit"],
  });
  let out = "";
  child.stdout.on("data", (chunk: Buffer) => {
    out += chunk.toString();
  });
  const exited = new Promise<number | null>((res) => child.once("exit", (code) => res(code)));
  child.stdin.end(JSON.stringify(job));
  const code = await exited;
  if (code !== 0) throw new Error(`bench/ack-client.ts exited ${code}`);
  return JSON.parse(out) as Array<{ ms: number; status: number }>;
}
