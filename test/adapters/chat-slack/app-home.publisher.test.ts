import { describe, expect, it } from "vitest";
import { AppHomePublisher } from "../../../src/adapters/chat-slack/app-home.publisher.js";
import type { HomeViewers } from "../../../src/core/ports/home-viewers.port.js";
import { memoryPorts } from "../../support/memory-ports.js";
import { aRequest } from "../../support/request-fixtures.js";

const ALICE = "U0ALICE";
const BOB = "U0BOB";
const CAROL = "U0CAROL";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

class MemoryViewers implements HomeViewers {
  readonly seen = new Map<string, number>();
  async opened(userId: string, atMs: number): Promise<void> {
    this.seen.set(userId, atMs);
  }
  async since(sinceMs: number): Promise<string[]> {
    return [...this.seen].filter(([, at]) => at >= sinceMs).map(([id]) => id);
  }
}

/** views.publish as a list of (user, time, blocks); optionally slow, to see changes arrive mid-publish. */
function fakeClient(delayMs = 0) {
  const published: Array<{ user: string; at: number; blocks: unknown[] }> = [];
  return {
    published,
    client: {
      views: {
        publish: async (args: { user_id: string; view: { blocks?: unknown[] } }) => {
          if (delayMs) await sleep(delayMs);
          published.push({ user: args.user_id, at: Date.now(), blocks: args.view.blocks ?? [] });
          return { ok: true };
        },
      },
    } as never,
  };
}

function setUp(options: { delayMs?: number; gapMs?: number } = {}) {
  const ports = memoryPorts();
  const viewers = new MemoryViewers();
  const { client, published } = fakeClient(options.delayMs);
  const home = new AppHomePublisher({
    client,
    deps: ports.deps,
    viewers,
    perUserIntervalMs: 400,
    settleMs: 50,
    gapMs: options.gapMs ?? 0,
  });
  const count = (user: string) => published.filter((p) => p.user === user).length;
  return { ports, viewers, home, published, count };
}

describe("AppHomePublisher: Home refreshes are coalesced per person and paced per process", () => {
  it("publishes at once on open, then turns a burst of changes into one publish per person who looks", async () => {
    const { ports, home, count } = setUp();
    const request = aRequest({ id: "rq-home01", requestedBy: ALICE });
    await ports.store.create(request);
    await home.opened(ALICE);
    await home.opened(BOB);
    await expect.poll(() => count(ALICE) + count(BOB)).toBe(2);

    // Twenty changes of alice's request in a row (a burst of steps): alice is its requester, bob approves dr-prod.
    for (let i = 0; i < 20; i += 1) home.requestChanged(request);
    await sleep(150);
    // Within the per-person interval: nothing yet.
    expect(count(ALICE)).toBe(1);
    await expect.poll(() => count(ALICE)).toBe(2);
    await expect.poll(() => count(BOB)).toBe(2);
    // Carol approves too but never opened her Home: nothing is published for her.
    expect(count(CAROL)).toBe(0);
    await sleep(500);
    expect(count(ALICE)).toBe(2);
    home.close();
  });

  it("publishes once more when a change arrives during a publish, never twice at once", async () => {
    const { ports, home, count, published } = setUp({ delayMs: 150 });
    const request = aRequest({ id: "rq-home02", requestedBy: ALICE });
    await ports.store.create(request);
    await home.opened(ALICE);
    await sleep(20);
    home.requestChanged(request);
    home.requestChanged(request);
    await expect.poll(() => count(ALICE), { timeout: 3000 }).toBe(2);
    await sleep(600);
    expect(count(ALICE)).toBe(2);
    const [first, second] = published.filter((p) => p.user === ALICE);
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(380);
    home.close();
  });

  it("keeps a gap between any two publishes of the process (views.publish's rate tier)", async () => {
    const { home, published } = setUp({ gapMs: 100 });
    const users = ["U01", "U02", "U03", "U04", "U05"];
    await Promise.all(users.map((u) => home.opened(u)));
    await expect.poll(() => published.map((p) => p.user).sort(), { timeout: 3000 }).toEqual(users);
    const times = published.map((p) => p.at).sort((a, b) => a - b);
    for (let i = 1; i < times.length; i += 1)
      expect((times[i] ?? 0) - (times[i - 1] ?? 0)).toBeGreaterThanOrEqual(90);
    home.close();
  });

  it("answers a click in the Home with a line at the top, published at once", async () => {
    const { home, published } = setUp();
    home.notify(BOB, "🚫 This request was already approved.");
    await expect.poll(() => published.length).toBe(1);
    const blocks = published.at(-1)?.blocks as Array<{ block_id?: string; text?: { text?: string } }>;
    const notice = blocks.find((b) => b.block_id === "home_notice");
    expect(notice?.text?.text).toContain("already approved");
    // The line is shown once: the next publish has none.
    home.refreshNow(BOB);
    await expect.poll(() => published.length).toBe(2);
    const next = published.at(-1)?.blocks as Array<{ block_id?: string }>;
    expect(next.some((b) => b.block_id === "home_notice")).toBe(false);
    home.close();
  });
});
