import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EmulatorListener } from "../../dev/slack-emulator/index.js";
import type { BotConfigInput } from "../../src/config/load-config.js";
import {
  BOB,
  CAROL,
  DR_BLIND_UIN,
  DR_PROD_UIN,
  type Harness,
  NOTIFY_CHANNEL,
  READ_ROLE,
  SOURCE_UIN,
  startHarness,
} from "../support/harness.js";
import { startWorkerProcess, type WorkerProcess } from "../support/worker-process.js";

const WATCH_MS = 500;

function workerConfig(redisPrefix: string): BotConfigInput {
  return {
    source: { accountUin: SOURCE_UIN, regions: ["ap-guangzhou", "ap-shanghai"] },
    destinations: {
      "dr-prod": { accountUin: DR_PROD_UIN, readRoleArn: READ_ROLE },
      "dr-blind": { accountUin: DR_BLIND_UIN },
    },
    automatic: { watchInterval: `${WATCH_MS}ms`, copyGrace: "1h", postLease: "3s", dailySummary: false },
    worker: { lockDuration: "3s", stalledInterval: "1s", maxStalledCount: 1000, shutdownGrace: "2s" },
    slack: { notifyChannel: NOTIFY_CHANNEL },
    approvers: { users: [BOB, CAROL] },
    redisPrefix,
  } as BotConfigInput;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("the policy watcher in worker processes", () => {
  let h: Harness;
  const running = new Set<WorkerProcess>();
  beforeAll(async () => {
    // The in-process bot only serves Slack; the watcher runs in the worker processes below.
    h = await startHarness({ role: "app" });
  });
  afterAll(async () => {
    for (const w of running) w.child.kill("SIGKILL");
    await Promise.all([...running].map((w) => w.exited));
    await h?.close();
  });

  function spawnWorker(): WorkerProcess {
    const w = startWorkerProcess({
      config: workerConfig(h.redisPrefix),
      simUrl: h.sim.url,
      slackApiUrl: h.slack.apiUrl,
    });
    running.add(w);
    void w.exited.then(() => running.delete(w));
    return w;
  }
  const runs = async () => (await h.bot.deps.ledger?.runs())?.count ?? 0;
  /** One watcher run lists the policies of each configured region once. */
  const policyListings = () =>
    h.sim.callsOf("DescribeAutoSnapshotPolicies").filter((c) => c.region === "ap-guangzhou" && !c.roleArn)
      .length;

  it("two workers together make one watcher run per interval, not two", async () => {
    const workers = [spawnWorker(), spawnWorker()];
    await Promise.all(workers.map((w) => w.ready));
    await h.slack.waitFor(() => policyListings() > 0, { what: "a first run", timeoutMs: 15_000 });
    const runsBefore = await runs();
    const listingsBefore = policyListings();
    const windowMs = 6000;
    await sleep(windowMs);
    const made = (await runs()) - runsBefore;
    // Each run lists once (a run at the window's edge may have counted itself and not listed yet).
    expect(Math.abs(policyListings() - listingsBefore - made)).toBeLessThanOrEqual(1);
    expect(made).toBeGreaterThanOrEqual(windowMs / WATCH_MS - 4);
    expect(made).toBeLessThanOrEqual(windowMs / WATCH_MS + 2);
    for (const w of workers) w.child.kill("SIGTERM");
    await Promise.all(workers.map((w) => w.exited));
  }, 60_000);

  it("workers killed mid-run lose no announcement and double none", async () => {
    h.sim.state.addAutoSnapshotPolicy(SOURCE_UIN, {
      id: "asp-crash001",
      name: "crashy",
      region: "ap-shanghai",
      diskIds: ["disk-db000001", "disk-db000002"],
      hours: [3],
      daysOfWeek: [],
      retentionDays: 7,
    });
    h.sim.state.setAutoSnapshotPolicyCopyTarget(SOURCE_UIN, "asp-crash001", DR_PROD_UIN);
    // Slower runs, so that kills land in the middle of one (listing, pairing, posting).
    h.sim.state.setLatency("DescribeSnapshots", 150);
    const workers = [spawnWorker(), spawnWorker()];
    await Promise.all(workers.map((w) => w.ready));
    const deadline = Date.now() + 15_000;
    while (!(await h.bot.deps.ledger?.links())?.some((l) => l.policyId === "asp-crash001")) {
      if (Date.now() > deadline) throw new Error("the watcher never followed asp-crash001");
      await sleep(100);
    }
    const sources: string[] = [];
    try {
      for (let fire = 0; fire < 8; fire++) {
        sources.push(...h.sim.state.firePolicy(SOURCE_UIN, "asp-crash001").map((s) => s.snapshotId));
        await sleep(300 + Math.floor(Math.random() * 500));
        const alive = workers.filter((w) => w.isReady());
        const victim = alive[Math.floor(Math.random() * alive.length)];
        if (victim) {
          victim.child.kill("SIGKILL");
          await victim.exited;
          workers[workers.indexOf(victim)] = spawnWorker();
        }
        await sleep(Math.max(0, 1100 - 300));
      }
      await Promise.all(workers.map((w) => w.ready));
      const announced = (id: string) =>
        h.slack.messages.filter(
          (m) =>
            m.channel === NOTIFY_CHANNEL &&
            m.text.includes("Automatic copies confirmed") &&
            m.text.includes(id),
        ).length;
      await h.slack.waitFor(() => sources.every((id) => announced(id) >= 1), {
        what: `every one of ${sources.length} copies announced`,
        timeoutMs: 60_000,
      });
      // Claims of killed runs lapse after postLease (3 s): give them time to be looked for, not reposted.
      await sleep(5000);
      expect(sources).toHaveLength(16);
      expect(Object.fromEntries(sources.map((id) => [id, announced(id)]))).toEqual(
        Object.fromEntries(sources.map((id) => [id, 1])),
      );
      expect(await h.bot.deps.ledger?.pendingAnnouncements()).toEqual([]);
    } finally {
      h.sim.state.clearFaults();
      for (const w of workers) w.child.kill("SIGTERM");
      await Promise.all(workers.map((w) => w.exited));
    }
  }, 180_000);

  it("a worker killed after its post reached Slack, before it marked it: the next one finds the post and does not repeat it", async () => {
    h.sim.state.addAutoSnapshotPolicy(SOURCE_UIN, {
      id: "asp-crash002",
      name: "posted",
      region: "ap-guangzhou",
      diskIds: ["disk-web00001"],
      hours: [3],
      daysOfWeek: [],
      retentionDays: 7,
    });
    h.sim.state.setAutoSnapshotPolicyCopyTarget(SOURCE_UIN, "asp-crash002", DR_PROD_UIN);
    const first = spawnWorker();
    await first.ready;
    const deadline = Date.now() + 15_000;
    while (!(await h.bot.deps.ledger?.links())?.some((l) => l.policyId === "asp-crash002")) {
      if (Date.now() > deadline) throw new Error("the watcher never followed asp-crash002");
      await sleep(100);
    }
    // The moment the emulator stores the post, before it answers: the worker dies without marking it.
    const killOnPost: EmulatorListener = (event) => {
      if (event.type === "message" && event.message.text.includes("asp-crash002"))
        first.child.kill("SIGKILL");
    };
    h.slack.on("change", killOnPost);
    const [source] = h.sim.state.firePolicy(SOURCE_UIN, "asp-crash002");
    await first.exited;
    h.slack.off("change", killOnPost);
    const announced = () =>
      h.slack.messages.filter(
        (m) => m.channel === NOTIFY_CHANNEL && m.text.includes(source?.snapshotId ?? "?"),
      );
    expect(announced()).toHaveLength(1);
    expect((await h.bot.deps.ledger?.pendingAnnouncements())?.map((p) => p.id)).toEqual([
      expect.stringMatching(/^copies:asp-crash002:/),
    ]);
    const second = spawnWorker();
    try {
      const historyBefore = h.slack.calls.filter((c) => c.method === "conversations.history").length;
      const settle = Date.now() + 20_000;
      while (((await h.bot.deps.ledger?.pendingAnnouncements()) ?? []).length > 0) {
        if (Date.now() > settle) throw new Error("the announcement was never marked");
        await sleep(200);
      }
      expect(announced()).toHaveLength(1);
      expect(h.slack.calls.filter((c) => c.method === "conversations.history").length).toBeGreaterThan(
        historyBefore,
      );
    } finally {
      second.child.kill("SIGTERM");
      await second.exited;
    }
  }, 60_000);
});
