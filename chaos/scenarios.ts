/** The chaos scenarios: bounded counts, each under the run's deadline, each returning its row. */

import { pool, sleep } from "../bench/stats.js";
import { signSlackRequest } from "../dev/slack-emulator/index.js";
import type { BotConfigInput } from "../src/config/load-config.js";
import {
  ALICE,
  BOB,
  CAROL,
  DR_BLIND_UIN,
  DR_PROD_UIN,
  type Harness,
  type HarnessOptions,
  NOTIFY_CHANNEL,
  READ_ROLE,
  REQUEST_CHANNEL,
  SIGNING_SECRET,
  SOURCE_UIN,
  startHarness,
} from "../test/support/harness.js";
import { ThrowawayRedis } from "../test/support/throwaway-redis.js";
import { startWorkerProcess, type WorkerProcess } from "../test/support/worker-process.js";
import { CrashCounter, runRequests, type ScenarioRow, toRow } from "./flow.js";
import { Fuzzer, fuzzBody } from "./fuzz.js";

export interface ChaosSizes {
  /** Requests per request scenario. */
  requests: number;
  kills: number;
  fuzz: number;
  /** Repeats of each forged variant. */
  forgedRepeat: number;
  /** Transient cloud error rate, 0.1–0.3. */
  faultRate: number;
  /** The whole run's budget. */
  deadlineMs: number;
  only: string[];
}

export type Scenario = (s: ChaosSizes, deadline: number) => Promise<ScenarioRow>;

const FAST = {
  replication: { pollInterval: "200ms", retryDelay: "50ms", retryMaxDelay: "500ms", attempts: 25 },
} as Partial<BotConfigInput>;

const remaining = (deadline: number, cap: number) => Math.max(5_000, Math.min(cap, deadline - Date.now()));

async function withBot<T>(options: HarnessOptions, run: (h: Harness, crashes: CrashCounter) => Promise<T>) {
  const crashes = new CrashCounter();
  const h = await startHarness({ copyDurationMs: 600, config: FAST, ...options });
  try {
    return await run(h, crashes);
  } finally {
    await h.close().catch(() => undefined);
    crashes.stop();
  }
}

/** Does the in-process bot still answer? A dead listener counts as a crash. */
async function serves(h: Harness): Promise<boolean> {
  try {
    const health = await fetch(`${h.opsUrl}/healthz`);
    const help = await h.slack.sendSlashCommand(h.appUrl, {
      text: "help",
      userId: ALICE,
      channelId: REQUEST_CHANNEL,
    });
    return health.status === 200 && help.status === 200;
  } catch {
    return false;
  }
}

const alternate = (i: number) => (i % 2 === 0 ? "dr-prod" : "dr-blind");
/** Without a read role, a copy call whose answer was lost is not repeated: the request stops, as designed. */
const blindUnknown = (f: { destination: string; code: string }) =>
  f.destination === "dr-blind" && f.code === "copy.outcome_unknown";

export const workerKills: Scenario = async (s, deadline) => {
  return withBot({ role: "app" }, async (h, crashes) => {
    const config = {
      source: { accountUin: SOURCE_UIN, regions: ["ap-guangzhou", "ap-shanghai"] },
      destinations: {
        "dr-prod": { accountUin: DR_PROD_UIN, readRoleArn: READ_ROLE },
        "dr-blind": { accountUin: DR_BLIND_UIN },
      },
      replication: { pollInterval: "200ms", retryDelay: "50ms", retryMaxDelay: "500ms", attempts: 25 },
      worker: { lockDuration: "3s", stalledInterval: "1s", maxStalledCount: 1000, cloudCallTimeout: "2s" },
      slack: { notifyChannel: NOTIFY_CHANNEL },
      approvers: { users: [BOB, CAROL] },
      redisPrefix: h.redisPrefix,
    } as BotConfigInput;
    const killed = new Set<WorkerProcess>();
    const all: WorkerProcess[] = [];
    let workerCrashes = 0;
    const spawnWorker = () => {
      const w = startWorkerProcess({ config, simUrl: h.sim.url, slackApiUrl: h.slack.apiUrl });
      all.push(w);
      void w.exited.then((e) => {
        if (!killed.has(w) && !(e.signal === "SIGTERM" || e.code === 0)) workerCrashes++;
      });
      return w;
    };
    const workers = [spawnWorker(), spawnWorker()];
    await Promise.all(workers.map((w) => w.ready));
    let kills = 0;
    try {
      const out = await runRequests(h, {
        label: "kill",
        count: s.requests,
        destination: alternate,
        // Requests keep arriving through the kills (about 0.6 s apart), so they land mid-step.
        spreadMs: s.kills * 600,
        timeoutMs: remaining(deadline, 180_000),
        during: async () => {
          while (kills < s.kills && Date.now() < deadline) {
            await sleep(150 + Math.floor(Math.random() * 850));
            const alive = workers.filter((w) => w.isReady());
            if (alive.length === 0) {
              await Promise.race(workers.map((w) => w.ready));
              continue;
            }
            const victim = alive[Math.floor(Math.random() * alive.length)] as WorkerProcess;
            killed.add(victim);
            victim.child.kill("SIGKILL");
            await victim.exited;
            kills++;
            workers[workers.indexOf(victim)] = spawnWorker();
          }
          await Promise.all(workers.map((w) => w.ready));
        },
      });
      return toRow(
        "worker SIGKILL at random points",
        out,
        blindUnknown,
        crashes.count + workerCrashes + ((await serves(h)) ? 0 : 1),
        `${kills} kills, dr-prod (read role) and dr-blind (none)`,
      );
    } finally {
      for (const w of all)
        if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill("SIGKILL");
      await Promise.all(all.map((w) => w.exited));
    }
  });
};

export const redisRestarts: Scenario = async (s, deadline) => {
  const redis = await ThrowawayRedis.start();
  try {
    // Short locks, as in the kill scenario: a job whose lock Redis lost is taken over in seconds,
    // not after the 30 s defaults (the scenario would mostly measure those).
    const config = {
      ...FAST,
      worker: { lockDuration: "3s", stalledInterval: "1s", maxStalledCount: 1000 },
    } as Partial<BotConfigInput>;
    return await withBot({ redisUrl: redis.url, copyDurationMs: 1500, config }, async (h, crashes) => {
      const out = await runRequests(h, {
        label: "redis",
        count: s.requests,
        destination: () => "dr-prod",
        timeoutMs: remaining(deadline, 120_000),
        duringAfterCommands: true,
        during: async () => {
          for (const signal of ["SIGTERM", "SIGKILL"] as const) {
            await sleep(800);
            await redis.stop(signal);
            await sleep(1500);
            await redis.start();
          }
        },
      });
      return toRow(
        "Redis SIGTERM and SIGKILL restarts",
        out,
        () => false,
        crashes.count + ((await serves(h)) ? 0 : 1),
        "AOF, fsync always",
      );
    });
  } finally {
    await redis.dispose();
  }
};

export const cloudFaults: Scenario = async (s, deadline) =>
  withBot({}, async (h, crashes) => {
    const out = await runRequests(h, {
      label: "faults",
      count: s.requests,
      destination: alternate,
      timeoutMs: remaining(deadline, 120_000),
      during: async () => {
        h.sim.state.injectFault({ action: "*", code: "InternalError", rate: s.faultRate / 2 });
        h.sim.state.injectFault({
          action: "*",
          code: "InternalError",
          rate: s.faultRate / 2,
          httpStatus: 502,
        });
      },
    });
    h.sim.state.clearFaults();
    return toRow(
      `${Math.round(s.faultRate * 100)}% transient cloud errors`,
      out,
      blindUnknown,
      crashes.count + ((await serves(h)) ? 0 : 1),
      "half InternalError, half HTTP 502, every action",
    );
  });

const SLACK_METHODS = [
  "chat.postMessage",
  "chat.update",
  "chat.postEphemeral",
  "chat.getPermalink",
  "users.info",
  "usergroups.users.list",
  "conversations.info",
  "views.open",
  "auth.test",
];

export const slackErrors: Scenario = async (s, deadline) =>
  withBot({ slackRetries: 3 }, async (h, crashes) => {
    let stop = false;
    let injected = 0;
    const pending = new Map<string, number>();
    const rearmAt = new Map<string, number>();
    // One failure waiting per method at a time, armed again only once the last one's Retry-After
    // (1 s) has passed and then within 1.5 s: Slack failing often, not down. Armed again as soon
    // as it was hit, any caller that waits out Retry-After would meet a failure on every call.
    const hitsOf = (method: string) => h.slack.calls.filter((c) => c.injected && c.method === method);
    const injector = (async () => {
      for (let n = 0; !stop && Date.now() < deadline; n++) {
        for (const method of SLACK_METHODS) {
          const hits = hitsOf(method);
          if ((pending.get(method) ?? 0) > hits.length) continue;
          const lastHit = hits.at(-1)?.at;
          if (lastHit !== undefined && !rearmAt.has(method))
            rearmAt.set(method, lastHit + 1_000 + Math.floor(Math.random() * 1_500));
          if (Date.now() < (rearmAt.get(method) ?? 0)) continue;
          rearmAt.delete(method);
          h.slack.failNext(method, n % 2 === 0 ? { retryAfterSec: 1 } : { status: n % 4 === 1 ? 500 : 503 });
          pending.set(method, (pending.get(method) ?? 0) + 1);
          injected++;
        }
        await sleep(200);
      }
    })();
    try {
      const out = await runRequests(h, {
        label: "slack",
        count: s.requests,
        destination: () => "dr-prod",
        timeoutMs: remaining(deadline, 120_000),
      });
      return toRow(
        "Slack 429s and 5xx on every method",
        out,
        () => false,
        crashes.count + ((await serves(h)) ? 0 : 1),
        `${injected} failures injected, ${h.slack.calls.filter((c) => c.injected).length} hit`,
      );
    } finally {
      stop = true;
      await injector;
    }
  });

export const readRoleRefused: Scenario = async (s, deadline) =>
  withBot({}, async (h, crashes) => {
    const out = await runRequests(h, {
      label: "role",
      count: Math.max(2, Math.ceil(s.requests / 3)),
      destination: () => "dr-prod",
      timeoutMs: remaining(deadline, 90_000),
      // Refused from the start, the commands themselves are refused (no card): a different row.
      duringBeforeClicks: true,
      during: async () => {
        h.sim.state.injectFault({ action: "AssumeRole", code: "AuthFailure.UnauthorizedOperation" });
      },
    });
    h.sim.state.clearFaults();
    // The read role is how the bot sees the copy: refused, the request stops with what to check.
    return toRow(
      "the read role refused (AssumeRole)",
      out,
      () => true,
      crashes.count + ((await serves(h)) ? 0 : 1),
    );
  });

export const vanishingCopy: Scenario = async (s, deadline) =>
  withBot(
    { config: { replication: { ...FAST.replication, maxCopyDuration: "4s" } } as Partial<BotConfigInput> },
    async (h, crashes) => {
      const vanish = Math.max(1, Math.floor(s.requests / 10));
      const out = await runRequests(h, {
        label: "vanish",
        count: Math.max(vanish + 1, Math.ceil(s.requests / 3)),
        destination: () => "dr-prod",
        concurrency: 1,
        timeoutMs: remaining(deadline, 90_000),
        during: async () => {
          for (let k = 0; k < vanish; k++) {
            const before = h.sim.state.copies.length;
            h.sim.state.setNextCopyOutcome("fail");
            const until = Math.min(deadline, Date.now() + 10_000);
            while (h.sim.state.copies.length === before && Date.now() < until) await sleep(20);
          }
        },
      });
      return toRow(
        "a copy that vanishes",
        out,
        // Gone from the destination: reported as vanished (listed once, then gone), as missing (never
        // listed), or as not finished within maxCopyDuration.
        (f) => f.code === "copy.vanished" || f.code === "copy.missing" || f.code === "copy.stuck",
        crashes.count + ((await serves(h)) ? 0 : 1),
        `${vanish} vanished`,
      );
    },
  );

export const forgedRequests: Scenario = async (s) =>
  withBot({}, async (h, crashes) => {
    const now = () => Math.floor(Date.now() / 1000);
    const command = new URLSearchParams({
      command: "/snapshot",
      text: "replicate snap-abc12345 to dr-prod",
      user_id: ALICE,
      channel_id: REQUEST_CHANNEL,
      trigger_id: "1.2",
      response_url: `${h.slack.baseUrl}/response/none`,
    }).toString();
    const click = new URLSearchParams({
      payload: JSON.stringify({
        type: "block_actions",
        user: { id: BOB },
        team: { id: "T0EMULATOR" },
        channel: { id: REQUEST_CHANNEL },
        container: { type: "message", message_ts: "1700000000.000100", channel_id: REQUEST_CHANNEL },
        trigger_id: "1.3",
        response_url: `${h.slack.baseUrl}/response/none`,
        actions: [{ action_id: "request_approve", value: "rq-abc123", type: "button", block_id: "b" }],
      }),
    }).toString();
    const signed = (body: string, ts = now()) => ({
      "x-slack-request-timestamp": String(ts),
      "x-slack-signature": signSlackRequest(SIGNING_SECRET, ts, body),
    });
    type Variant = { what: string; body: string; headers: Record<string, string>; expect: number[] };
    const variants: Variant[] = [];
    for (const [kind, body] of [
      ["command", command],
      ["click", click],
    ] as const) {
      variants.push(
        {
          what: `${kind}: forged signature`,
          body,
          headers: {
            "x-slack-request-timestamp": String(now()),
            "x-slack-signature": `v0=${"ab".repeat(32)}`,
          },
          expect: [401],
        },
        {
          what: `${kind}: unsigned`,
          body,
          headers: { "x-slack-request-timestamp": String(now()) },
          expect: [401],
        },
        { what: `${kind}: no headers`, body, headers: {}, expect: [401] },
        { what: `${kind}: replayed (6 min old)`, body, headers: signed(body, now() - 360), expect: [401] },
        { what: `${kind}: future-dated (1 h)`, body, headers: signed(body, now() + 3600), expect: [401] },
        {
          what: `${kind}: signed for another body`,
          body: `${body}&x=1`,
          headers: signed(body),
          expect: [401],
        },
      );
    }
    const big = `command=%2Fsnapshot&text=${"a".repeat(2 * 1024 * 1024)}`;
    variants.push(
      { what: "oversized signed (2 MiB)", body: big, headers: signed(big), expect: [413] },
      { what: "oversized unsigned (2 MiB)", body: big, headers: {}, expect: [401, 413] },
    );
    for (const body of [
      "payload=null",
      "payload=1",
      "payload=not-json",
      "payload=%7B%7D",
      "payload=a&payload=b",
      "",
      "command=%2Fsnapshot",
      `payload=${encodeURIComponent(JSON.stringify({ type: "block_actions" }))}`,
    ])
      variants.push(
        { what: `malformed signed: ${body.slice(0, 30)}`, body, headers: signed(body), expect: [400] },
        { what: `malformed unsigned: ${body.slice(0, 30)}`, body, headers: {}, expect: [401] },
      );
    let sent = 0;
    let asExpected = 0;
    let fiveHundreds = 0;
    const odd: string[] = [];
    for (let r = 0; r < s.forgedRepeat; r++)
      for (const v of variants) {
        // Built per send: timestamps are "now" at sending, not at the table's creation.
        sent++;
        const headers = { "content-type": "application/x-www-form-urlencoded", ...v.headers };
        const status = await fetch(h.appUrl, { method: "POST", headers, body: v.body })
          .then(async (res) => {
            await res.text();
            return res.status;
          })
          .catch(() => 0);
        if (status >= 500) fiveHundreds++;
        if (v.expect.includes(status)) asExpected++;
        else if (odd.length < 5) odd.push(`${v.what} → ${status}`);
      }
    const created = (await h.bot.deps.store.listRecent(10)).length;
    const copies = h.sim.callsOf("CopySnapshotCrossAccount").length;
    return {
      scenario: "forged, replayed, future-dated, oversized, malformed requests",
      sent,
      completed: 0,
      failedAsExpected: asExpected,
      lost: sent - asExpected,
      duplicated: copies,
      fiveHundreds,
      crashes: crashes.count + ((await serves(h)) ? 0 : 1),
      note: [
        `${variants.length} variants × ${s.forgedRepeat}`,
        created ? `${created} requests created` : "",
        ...odd,
      ]
        .filter(Boolean)
        .join("; "),
    };
  });

export const fuzzInputs: Scenario = async (s) =>
  withBot({}, async (h, crashes) => {
    const f = new Fuzzer(0x5eed);
    const responseUrl = `${h.slack.baseUrl}/response/fuzz`;
    const statuses = new Map<number, number>();
    const bodies = Array.from({ length: s.fuzz }, (_, i) => fuzzBody(f, responseUrl, i));
    await pool(bodies, 8, async (body) => {
      const ts = Math.floor(Date.now() / 1000);
      const status = await fetch(h.appUrl, {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          "x-slack-request-timestamp": String(ts),
          "x-slack-signature": signSlackRequest(SIGNING_SECRET, ts, body),
        },
        body,
      })
        .then(async (res) => {
          await res.text();
          return res.status;
        })
        .catch(() => 0);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    });
    const ok = statuses.get(200) ?? 0;
    const refused = statuses.get(400) ?? 0;
    const fiveHundreds = [...statuses].filter(([st]) => st >= 500 || st === 0).reduce((a, [, n]) => a + n, 0);
    const created = (await h.bot.deps.store.listRecent(10)).length;
    return {
      scenario: `fuzz: ${s.fuzz} command texts and interaction payloads`,
      sent: s.fuzz,
      completed: ok,
      failedAsExpected: refused,
      lost: s.fuzz - ok - refused - fiveHundreds,
      duplicated: h.sim.callsOf("CopySnapshotCrossAccount").length,
      fiveHundreds,
      crashes: crashes.count + ((await serves(h)) ? 0 : 1),
      note: `statuses ${JSON.stringify(Object.fromEntries(statuses))}${created ? `; ${created} requests created` : ""}`,
    };
  });

export const SCENARIOS: Record<string, Scenario> = {
  kills: workerKills,
  redis: redisRestarts,
  faults: cloudFaults,
  slack: slackErrors,
  role: readRoleRefused,
  vanish: vanishingCopy,
  forged: forgedRequests,
  fuzz: fuzzInputs,
};
