import { describe, expect, it } from "vitest";
import type { Request } from "../../src/core/request/request.js";
import { MeteredRequestStore } from "../../src/main/metered-request-store.js";
import { BotMetrics, instrumentSlackFetch, scrapeMetrics } from "../../src/main/metrics.js";
import { MemoryRequestStore } from "../support/memory-ports.js";

function fakeQueue(name: string, answer: "now" | "never" | "fails", waitingSince?: number) {
  const late = <T>(value: T): Promise<T> =>
    answer === "now"
      ? Promise.resolve(value)
      : answer === "fails"
        ? Promise.reject(new Error("down"))
        : new Promise<T>(() => undefined);
  return {
    name,
    getJobCounts: () => late({ waiting: waitingSince ? 1 : 0, active: 2 }),
    // biome-ignore lint/suspicious/noExplicitAny: a stand-in for BullMQ's Job.
    getJobs: () => late(waitingSince ? [{ timestamp: waitingSince, delay: 0 } as any] : []),
  };
}

/** The Lua stamp script, in JS: enough for the store decorator's timing. */
function fakeRedis() {
  const hash = new Map<string, string>();
  return {
    eval: async (_script: string, _n: number, ...[, id = "", stamp = ""]: string[]) => {
      const prev = hash.get(id) ?? null;
      if (stamp) hash.set(id, stamp);
      else hash.delete(id);
      return prev;
    },
  };
}

function request(overrides: Partial<Request> = {}): Request {
  return {
    id: "req-1",
    kind: "snapshot-copy",
    state: "pending_approval",
    requestedBy: "U1",
    origin: "C1",
    createdAt: "2026-01-01T00:00:00.000Z",
    updatedAt: "2026-01-01T00:00:00.000Z",
    destination: { alias: "dr", accountUin: "2" },
    approvals: [],
    spec: {},
    progress: {},
    ...overrides,
  };
}

describe("BotMetrics", () => {
  it("keeps one registry per bot: two bots in one process count apart", async () => {
    const a = new BotMetrics();
    const b = new BotMetrics();
    a.recordCloudCall({ action: "DescribeSnapshots", durationMs: 120 });
    a.recordCloudCall({ action: "DescribeSnapshots", code: "InternalError", durationMs: 5 });
    const textA = await a.registry.metrics();
    const textB = await b.registry.metrics();
    expect(textA).toContain('cbs_bot_cloud_calls_total{action="DescribeSnapshots",outcome="ok"} 1');
    expect(textA).toContain(
      'cbs_bot_cloud_calls_total{action="DescribeSnapshots",outcome="InternalError"} 1',
    );
    expect(textA).toContain('cbs_bot_cloud_call_duration_seconds_count{action="DescribeSnapshots"} 2');
    expect(textB).not.toContain('action="DescribeSnapshots"');
  });

  it("serves the queue gauges when Redis answers, and cbs_bot_redis_up 0 without them when it does not", async () => {
    const metrics = new BotMetrics();
    const now = Date.now();
    const up = await scrapeMetrics(metrics, [fakeQueue("replication", "now", now - 30_000)], 200)();
    expect(up).toContain("cbs_bot_redis_up 1");
    expect(up).toContain('cbs_bot_queue_jobs{queue="replication",state="active"} 2');
    expect(up).toMatch(/cbs_bot_queue_oldest_waiting_age_seconds\{queue="replication"\} (29|30|31)\b/);

    for (const answer of ["never", "fails"] as const) {
      const started = Date.now();
      const down = await scrapeMetrics(metrics, [fakeQueue("replication", answer)], 200)();
      expect(Date.now() - started).toBeLessThan(1000);
      expect(down).toContain("cbs_bot_redis_up 0");
      // The gauges of the last good scrape do not linger.
      expect(down).not.toContain("cbs_bot_queue_jobs{");
      expect(down).not.toContain("cbs_bot_queue_oldest_waiting_age_seconds{");
    }
  });

  it("counts Slack Web API requests by method and outcome from the fetch the clients use", async () => {
    const metrics = new BotMetrics();
    const answers: Record<string, () => Response> = {
      "chat.postMessage": () => Response.json({ ok: true }),
      "chat.update": () => Response.json({ ok: false, error: "message_not_found" }),
      "users.info": () => new Response("busy", { status: 503 }),
    };
    const fetchFn = instrumentSlackFetch(metrics, "http://slack.test/api", async (input) => {
      const method = String(input).split("/").pop() ?? "";
      const answer = answers[method];
      if (!answer) throw new TypeError("fetch failed");
      return answer();
    });
    expect(await (await fetchFn("http://slack.test/api/chat.postMessage", {})).json()).toEqual({ ok: true });
    await fetchFn("http://slack.test/api/chat.update", {});
    await fetchFn("http://slack.test/api/users.info", {});
    await expect(fetchFn("http://slack.test/api/conversations.info", {})).rejects.toThrow();
    await new Promise((r) => setTimeout(r, 10));
    const text = await metrics.registry.metrics();
    expect(text).toContain('cbs_bot_slack_calls_total{method="chat.postMessage",outcome="ok"} 1');
    expect(text).toContain('cbs_bot_slack_calls_total{method="chat.update",outcome="message_not_found"} 1');
    expect(text).toContain('cbs_bot_slack_calls_total{method="users.info",outcome="http_503"} 1');
    expect(text).toContain(
      'cbs_bot_slack_calls_total{method="conversations.info",outcome="network_error"} 1',
    );
  });
});

describe("MeteredRequestStore", () => {
  it("counts every state entered, times the approval wait and each step, without changing the store's answers", async () => {
    const metrics = new BotMetrics();
    let now = Date.parse("2026-01-01T00:00:00.000Z");
    const inner = new MemoryRequestStore({ clock: { now: () => new Date(now) } });
    const store = new MeteredRequestStore(inner, metrics, fakeRedis(), "test");
    await store.create(request());
    now += 90_000;
    const approval = await store.recordApproval(
      "req-1",
      { userId: "U2", at: new Date(now).toISOString() },
      1,
    );
    expect(approval.kind).toBe("approved");
    now += 1000;
    await store.transition("req-1", { to: "running", step: "checking", from: { state: "approved" } });
    now += 2000;
    await store.transition("req-1", {
      to: "running",
      step: "copying",
      from: { state: "running", step: "checking" },
    });
    now += 60_000;
    const refused = await store.transition("req-1", { to: "approved" });
    expect(refused.ok).toBe(false);
    await store.transition("req-1", { to: "completed" });
    await new Promise((r) => setTimeout(r, 10));

    const text = await metrics.registry.metrics();
    for (const [state, n] of [
      ["pending_approval", 1],
      ["approved", 1],
      ["running", 1],
      ["completed", 1],
    ] as const)
      expect(text).toContain(`cbs_bot_request_transitions_total{kind="snapshot-copy",state="${state}"} ${n}`);
    expect(text).toContain('cbs_bot_request_approval_wait_seconds_sum{kind="snapshot-copy"} 90');
    expect(text).toContain(
      'cbs_bot_request_step_duration_seconds_sum{kind="snapshot-copy",step="checking"} 2',
    );
    expect(text).toContain(
      'cbs_bot_request_step_duration_seconds_sum{kind="snapshot-copy",step="copying"} 60',
    );
  });
});
