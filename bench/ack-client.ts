/**
 * The ack figure's timing client, in a process of its own (bench/ack.ts starts it): it signs and
 * sends the given slash-command bodies all at once and times each answer. Nothing else runs here,
 * so the emulator and simulator serving the bot (in the bench's process) do not delay the clock.
 * stdin: {"url", "secret", "warm": [form bodies sent first, untimed], "bodies": [form bodies]};
 * stdout: [{"ms", "status"}] for `bodies`, in their order.
 */
import { signSlackRequest } from "../dev/slack-emulator/index.js";

interface Job {
  url: string;
  secret: string;
  warm: string[];
  bodies: string[];
}

async function send(url: string, secret: string, body: string): Promise<{ ms: number; status: number }> {
  const started = performance.now();
  const ts = Math.floor(Date.now() / 1000);
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "x-slack-request-timestamp": String(ts),
        "x-slack-signature": signSlackRequest(secret, ts, body),
      },
      body,
    });
    await res.text();
    return { ms: performance.now() - started, status: res.status };
  } catch {
    return { ms: Number.NaN, status: 0 };
  }
}

async function main(): Promise<void> {
  let input = "";
  for await (const chunk of process.stdin) input += String(chunk);
  const job = JSON.parse(input) as Job;
  await Promise.all(job.warm.map((body) => send(job.url, job.secret, body)));
  // The warm-up's work behind its acks settles first.
  await new Promise((r) => setTimeout(r, 2_000));
  const results = await Promise.all(job.bodies.map((body) => send(job.url, job.secret, body)));
  process.stdout.write(JSON.stringify(results));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(2);
});
