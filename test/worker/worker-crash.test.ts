import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BotConfigInput } from "../../src/config/load-config.js";
import { generateRequestId } from "../../src/core/ids.js";
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
import { aRequest, asCopy } from "../support/request-fixtures.js";
import { startWorkerProcess, type WorkerProcess } from "../support/worker-process.js";
import { copiesByName, seedApprovedRequests, waitUntilFinal } from "./worker-fixtures.js";

/** Short locks so that a killed worker's job is taken over within a few seconds. */
function workerConfig(redisPrefix: string, worker: Record<string, unknown> = {}): BotConfigInput {
  return {
    source: { accountUin: SOURCE_UIN, regions: ["ap-guangzhou", "ap-shanghai"] },
    destinations: {
      "dr-prod": { accountUin: DR_PROD_UIN, readRoleArn: READ_ROLE },
      "dr-blind": { accountUin: DR_BLIND_UIN },
    },
    replication: { pollInterval: "100ms", retryDelay: "50ms", retryMaxDelay: "500ms", attempts: 20 },
    worker: {
      lockDuration: "3s",
      stalledInterval: "1s",
      maxStalledCount: 1000,
      cloudCallTimeout: "2s",
      shutdownGrace: "5s",
      ...worker,
    },
    slack: { notifyChannel: NOTIFY_CHANNEL },
    approvers: { users: [BOB, CAROL] },
    redisPrefix,
  } as BotConfigInput;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("worker processes: SIGKILL, SIGTERM, several at once", () => {
  let h: Harness;
  const running = new Set<WorkerProcess>();
  beforeAll(async () => {
    // The in-process bot only serves Slack; every job runs in worker processes started below.
    h = await startHarness({ role: "app", copyDurationMs: 400 });
  });
  afterAll(async () => {
    for (const w of running) w.child.kill("SIGKILL");
    await Promise.all([...running].map((w) => w.exited));
    await h?.close();
  });

  function spawnWorker(worker: Record<string, unknown> = {}): WorkerProcess {
    const w = startWorkerProcess({
      config: workerConfig(h.redisPrefix, worker),
      simUrl: h.sim.url,
      slackApiUrl: h.slack.apiUrl,
    });
    running.add(w);
    void w.exited.then(() => running.delete(w));
    return w;
  }

  it("killed with SIGKILL at random points 20 times, workers still finish every request with one copy each", async () => {
    const workers = [spawnWorker(), spawnWorker()];
    await Promise.all(workers.map((w) => w.ready));
    const requests = await seedApprovedRequests(h.bot.deps, 10, "crash-a");
    let kills = 0;
    let batches = 0;
    while (kills < 20) {
      if (kills >= (batches + 1) * 5 - 1) {
        batches++;
        requests.push(...(await seedApprovedRequests(h.bot.deps, 6, `crash-${batches}`)));
      }
      await sleep(150 + Math.floor(Math.random() * 850));
      const alive = workers.filter((w) => w.isReady());
      if (alive.length === 0) {
        await Promise.race(workers.map((w) => w.ready));
        continue;
      }
      // A worker in the middle of whatever it was doing: a check, a copy call, a poll, a Slack post.
      const victim = alive[Math.floor(Math.random() * alive.length)] as WorkerProcess;
      victim.child.kill("SIGKILL");
      await victim.exited;
      kills++;
      workers[workers.indexOf(victim)] = spawnWorker();
    }
    await Promise.all(workers.map((w) => w.ready));
    try {
      const counts = await waitUntilFinal(
        h.bot.deps.store,
        requests.map((r) => r.id),
        90_000,
      );
      expect(counts).toEqual({ completed: requests.length });
      const copies = copiesByName(h.sim);
      for (const r of requests) {
        const calls = h.sim.calls.filter(
          (c) => c.action === "CopySnapshotCrossAccount" && c.params.SnapshotName === r.spec.newName,
        );
        expect(
          copies.get(r.spec.newName),
          `${r.spec.newName}: ${JSON.stringify(calls.map((c) => [c.at, c.errorCode]))}`,
        ).toBe(1);
      }
    } finally {
      for (const w of workers) w.child.kill("SIGTERM");
      await Promise.all(workers.map((w) => w.exited));
    }
  }, 240_000);

  it("no read role, killed during the copy call: outcome_unknown, saying a copy may exist, its name and account", async () => {
    h.sim.state.setLatency("CopySnapshotCrossAccount", 1500);
    try {
      const first = spawnWorker();
      await first.ready;
      const copiesBefore = h.sim.callsOf("CopySnapshotCrossAccount").length;
      const request = aRequest({
        id: generateRequestId(),
        state: "approved",
        destination: { alias: "dr-blind", accountUin: DR_BLIND_UIN },
        newName: "blind-crash-1",
        approvals: [{ userId: BOB, at: new Date().toISOString() }],
      });
      await h.bot.deps.store.create(request);
      await h.bot.deps.queue.enqueueRequest(request.id);
      await h.slack.waitFor(() => h.sim.callsOf("CopySnapshotCrossAccount").length > copiesBefore, {
        what: "the copy call",
        timeoutMs: 10_000,
      });
      first.child.kill("SIGKILL");
      await first.exited;
      const second = spawnWorker();
      const counts = await waitUntilFinal(h.bot.deps.store, [request.id], 30_000);
      expect(counts).toEqual({ outcome_unknown: 1 });
      const ended = await h.bot.deps.store.get(request.id);
      expect(ended?.failure?.code).toBe("copy.outcome_unknown");
      expect(ended?.failure?.message).toMatch(/a copy may exist/i);
      expect(ended?.failure?.message).toContain('"blind-crash-1"');
      expect(ended?.failure?.message).toContain(DR_BLIND_UIN);
      // The copy was in fact made, and not asked for twice.
      expect(h.sim.callsOf("CopySnapshotCrossAccount").length - copiesBefore).toBe(1);
      expect(copiesByName(h.sim).get("blind-crash-1")).toBe(1);
      second.child.kill("SIGTERM");
      await second.exited;
    } finally {
      h.sim.state.clearFaults();
    }
  }, 60_000);

  it("SIGTERM lets the step in progress finish, exits 0 within the grace, and another worker completes the request", async () => {
    h.sim.state.setLatency("CopySnapshotCrossAccount", 1500);
    try {
      const first = spawnWorker();
      await first.ready;
      const copiesBefore = h.sim.callsOf("CopySnapshotCrossAccount").length;
      const [request] = await seedApprovedRequests(h.bot.deps, 1, "sigterm");
      await h.slack.waitFor(() => h.sim.callsOf("CopySnapshotCrossAccount").length > copiesBefore, {
        what: "the copy call",
        timeoutMs: 10_000,
      });
      const sentAt = Date.now();
      first.child.kill("SIGTERM");
      const exit = await first.exited;
      expect(exit.code).toBe(0);
      expect(Date.now() - sentAt).toBeLessThan(5_000);
      // The copy call in flight was answered and recorded before the worker left.
      const saved = await h.bot.deps.store.get(request?.id ?? "");
      expect(asCopy(saved)?.progress.newSnapshotId).toMatch(/^snap-/);

      const second = spawnWorker();
      const counts = await waitUntilFinal(h.bot.deps.store, [request?.id ?? ""], 20_000);
      expect(counts).toEqual({ completed: 1 });
      expect(copiesByName(h.sim).get(request?.spec.newName ?? "")).toBe(1);
      second.child.kill("SIGTERM");
      await second.exited;
    } finally {
      h.sim.state.clearFaults();
    }
  }, 60_000);

  it("SIGTERM releases a step still running after the grace; the next worker waits out that call and finds its copy", async () => {
    h.sim.state.setLatency("CopySnapshotCrossAccount", 2500);
    try {
      const first = spawnWorker({ shutdownGrace: "300ms", cloudCallTimeout: "4s" });
      await first.ready;
      const copiesBefore = h.sim.callsOf("CopySnapshotCrossAccount").length;
      const [request] = await seedApprovedRequests(h.bot.deps, 1, "released");
      await h.slack.waitFor(() => h.sim.callsOf("CopySnapshotCrossAccount").length > copiesBefore, {
        what: "the copy call",
        timeoutMs: 10_000,
      });
      const sentAt = Date.now();
      first.child.kill("SIGTERM");
      expect((await first.exited).code).toBe(0);
      expect(Date.now() - sentAt).toBeLessThan(2_000);
      // The answer never reached the bot, but the copy is being made.
      expect(asCopy(await h.bot.deps.store.get(request?.id ?? ""))?.progress.newSnapshotId).toBeUndefined();

      const second = spawnWorker({ cloudCallTimeout: "4s" });
      const counts = await waitUntilFinal(h.bot.deps.store, [request?.id ?? ""], 40_000);
      expect(counts).toEqual({ completed: 1 });
      expect(h.sim.callsOf("CopySnapshotCrossAccount").length - copiesBefore).toBe(1);
      expect(copiesByName(h.sim).get(request?.spec.newName ?? "")).toBe(1);
      second.child.kill("SIGTERM");
      await second.exited;
    } finally {
      h.sim.state.clearFaults();
    }
  }, 90_000);
});
