import { createServer, type Server, type Socket, connect as tcpConnect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BotConfigInput } from "../../src/config/load-config.js";
import {
  ALICE,
  BOB,
  CAROL,
  DR_PROD_UIN,
  type Harness,
  NOTIFY_CHANNEL,
  READ_ROLE,
  REQUEST_CHANNEL,
  SOURCE_UIN,
  startHarness,
} from "../support/harness.js";
import { buttonValue } from "../support/slack-blocks.js";
import { startWorkerProcess, type WorkerProcess } from "../support/worker-process.js";

/**
 * A TCP proxy in front of Redis for one worker: it forwards everything until a command matches
 * `stopAt`, then forwards nothing more and calls `onStop` (the worker is killed there, its command
 * never reaching Redis).
 */
async function startCuttingProxy(
  stopAt: (seen: string) => boolean,
  onStop: () => void,
): Promise<{ url: string; stopped: () => boolean; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  let stopped = false;
  const server: Server = createServer((client) => {
    const upstream = tcpConnect(6379, "127.0.0.1");
    sockets.add(client);
    sockets.add(upstream);
    let tail = "";
    client.on("data", (chunk: Buffer) => {
      if (stopped) return;
      const seen = tail + chunk.toString("latin1");
      if (stopAt(seen)) {
        stopped = true;
        onStop();
        for (const s of sockets) s.destroy();
        return;
      }
      tail = seen.slice(-8192);
      upstream.write(chunk);
    });
    upstream.on("data", (chunk: Buffer) => {
      if (!stopped) client.write(chunk);
    });
    for (const s of [client, upstream]) {
      s.on("error", () => undefined);
      s.on("close", () => {
        client.destroy();
        upstream.destroy();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `redis://127.0.0.1:${port}`,
    stopped: () => stopped,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function workerConfig(redisPrefix: string): BotConfigInput {
  return {
    source: { accountUin: SOURCE_UIN, regions: ["ap-guangzhou"] },
    destinations: { "dr-prod": { accountUin: DR_PROD_UIN, readRoleArn: READ_ROLE } },
    replication: { pollInterval: "100ms", retryDelay: "50ms", retryMaxDelay: "500ms", attempts: 20 },
    worker: { lockDuration: "2s", stalledInterval: "1s", maxStalledCount: 1000, shutdownGrace: "2s" },
    slack: { notifyChannel: NOTIFY_CHANNEL },
    approvers: { users: [BOB, CAROL] },
    redisPrefix,
  } as BotConfigInput;
}

describe("a worker killed between a state change and its Slack messages", () => {
  let h: Harness;
  const workers: WorkerProcess[] = [];
  beforeAll(async () => {
    // The in-process bot only serves Slack (it posts the card); the steps and the outbox
    // delivery run in the worker processes below.
    h = await startHarness({ role: "app", copyDurationMs: 300 });
  });
  afterAll(async () => {
    for (const w of workers)
      if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill("SIGKILL");
    await Promise.all(workers.map((w) => w.exited));
    await h?.close();
  });

  it("the request completed but its reply was never written: another worker tells the thread once, with the outcome", async () => {
    let first: WorkerProcess | undefined;
    // The outbox append of the "Verified" reply: it comes right after the store made the request
    // completed, and is the first thing that change writes.
    const proxy = await startCuttingProxy(
      (seen) => seen.includes("HSETNX") && seen.includes("Verified"),
      () => first?.child.kill("SIGKILL"),
    );
    try {
      first = startWorkerProcess({
        config: workerConfig(h.redisPrefix),
        simUrl: h.sim.url,
        slackApiUrl: h.slack.apiUrl,
        redisUrl: proxy.url,
      });
      workers.push(first);
      await first.ready;

      const before = h.slack.messages.length;
      await h.slack.sendSlashCommand(h.appUrl, {
        text: `replicate snap-abc12345 to dr-prod as "outbox-crash"`,
        userId: ALICE,
        channelId: REQUEST_CHANNEL,
      });
      const card = await h.slack.waitFor(
        () => h.slack.messages.slice(before).find((m) => !m.threadTs && buttonValue(m, "request_approve")),
        { what: "approval card" },
      );
      const requestId = buttonValue(card, "request_approve") ?? "";
      await h.slack.sendBlockAction(h.appUrl, {
        userId: BOB,
        actionId: "request_approve",
        value: requestId,
        channelId: card.channel,
        messageTs: card.ts,
      });
      const exit = await first.exited;
      expect(proxy.stopped()).toBe(true);
      expect(exit.signal).toBe("SIGKILL");
      // The change itself was made; what it had to say was not written.
      expect((await h.bot.deps.store.get(requestId))?.state).toBe("completed");

      const second = startWorkerProcess({
        config: workerConfig(h.redisPrefix),
        simUrl: h.sim.url,
        slackApiUrl: h.slack.apiUrl,
      });
      workers.push(second);
      await second.ready;
      const thread = () => h.slack.thread(card.channel, card.ts).map((m) => m.text ?? "");
      const completedReplies = () => thread().filter((t) => t.includes(`Copy ${requestId} completed`));
      const notices = () =>
        h.slack.messages.filter(
          (m) => m.channel === NOTIFY_CHANNEL && !m.threadTs && (m.text ?? "").includes(requestId),
        );
      await h.slack.waitFor(() => completedReplies().length > 0 && notices().length > 0, {
        what: "the completion told in the thread and the notify channel",
        timeoutMs: 45_000,
      });
      await h.slack.waitFor(
        () => (h.slack.messages.find((m) => m.ts === card.ts)?.text ?? "").match(/complet/i),
        { what: "the card showing the request completed", timeoutMs: 15_000 },
      );
      // Rounds go on: nothing is told twice.
      await new Promise((r) => setTimeout(r, 3_000));
      expect(completedReplies(), thread().join("\n---\n")).toHaveLength(1);
      expect(thread().filter((t) => t.startsWith("Verified"))).toHaveLength(0);
      expect(thread().filter((t) => t.includes("Approved by"))).toHaveLength(1);
      expect(notices()).toHaveLength(1);
      expect(
        h.sim.callsOf("CopySnapshotCrossAccount").filter((c) => c.params.SnapshotName === "outbox-crash"),
      ).toHaveLength(1);
    } finally {
      await proxy.close();
    }
  }, 120_000);
});
