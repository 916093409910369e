import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signSlackRequest } from "../../dev/slack-emulator/index.js";
import { RedisRequestRateLimiter } from "../../src/adapters/store-redis/request-rate-limit.store.js";
import { silentLogger } from "../../src/core/ports/logger.port.js";
import { processHandlers } from "../../src/main/cli.js";
import { currentSlackRequest, inSlackRequest } from "../../src/main/request-scope.js";
import { createSlackHttpGate } from "../../src/main/slack-http-gate.js";

const SECRET = "gate-secret";
const NOW_MS = 1_800_000_000_000;
const NOW = NOW_MS / 1000;

/** A slash command's form, as Slack sends it. */
const command = (trigger = "111.222") =>
  new URLSearchParams({
    command: "/snapshot",
    text: "help",
    user_id: "U0ALICE",
    channel_id: "C0REQUESTS",
    trigger_id: trigger,
    response_url: "https://hooks.slack.com/commands/T0/1/x",
  }).toString();

describe("the Slack HTTP gate in front of Bolt", () => {
  let server: Server;
  let url: string;
  const reached: string[] = [];
  const claimed = new Set<string>();
  let guardDown = false;

  beforeAll(async () => {
    const gate = createSlackHttpGate({
      signingSecret: SECRET,
      logger: silentLogger,
      now: () => NOW_MS,
      bodyLimit: 64 * 1024,
      deliveryGuard: {
        claimFirstDelivery: async (key) => {
          if (guardDown) throw new Error("redis down");
          if (claimed.has(key)) return false;
          claimed.add(key);
          return true;
        },
      },
      inner: (req, res) => {
        const raw = (req as { rawBody?: Buffer }).rawBody?.toString() ?? "";
        reached.push(`${currentSlackRequest()?.transport}:${raw.length}`);
        res.end("bolt");
      },
    });
    server = createServer(gate);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  async function post(body: string, ts: number = NOW, signature?: string) {
    const response = await fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "x-slack-request-timestamp": String(ts),
        "x-slack-signature": signature ?? signSlackRequest(SECRET, ts, body),
      },
      body,
    });
    return { status: response.status, text: await response.text() };
  }

  it("takes a request signed now, and hands Bolt the body it read (in a request scope)", async () => {
    const before = reached.length;
    expect(await post(command("t-now"))).toEqual({ status: 200, text: "bolt" });
    expect(reached.slice(before)).toEqual([`http:${command("t-now").length}`]);
  });

  it.each([
    ["5 min 1 s ahead", NOW + 301],
    ["1 hour ahead", NOW + 3600],
    ["1 year ahead", NOW + 365 * 86400],
    ["5 min 1 s old", NOW - 301],
  ])("refuses a timestamp %s with 401, nothing reaching Bolt", async (_what, ts) => {
    const before = reached.length;
    expect((await post(command(`t-${ts}`), ts)).status).toBe(401);
    expect(reached.length).toBe(before);
  });

  it("takes a timestamp 4 minutes either side (clock skew)", async () => {
    expect((await post(command("t-ahead"), NOW + 240)).status).toBe(200);
    expect((await post(command("t-behind"), NOW - 240)).status).toBe(200);
  });

  it("refuses wrong, short and malformed signatures and timestamps", async () => {
    const body = command("t-sig");
    const good = signSlackRequest(SECRET, NOW, body);
    for (const signature of [good.slice(0, -1), `${good}0`, good.replace("v0=", "v1="), "", "v0="]) {
      expect((await post(body, NOW, signature)).status).toBe(401);
    }
    expect((await post(body, Number.NaN)).status).toBe(401);
  });

  it("answers a body over the limit 413", async () => {
    expect((await post(`text=${"x".repeat(70 * 1024)}`)).status).toBe(413);
  });

  it("acks a repeated delivery with an empty 200 and does not hand it to Bolt; lets it through when the guard is down", async () => {
    const body = command("t-repeat");
    expect((await post(body)).text).toBe("bolt");
    const before = reached.length;
    expect(await post(body)).toEqual({ status: 200, text: "" });
    expect(reached.length).toBe(before);
    guardDown = true;
    try {
      expect((await post(body)).text).toBe("bolt");
    } finally {
      guardDown = false;
    }
  });
});

describe("the process-level handlers (cli.ts)", () => {
  it("keep serving after an exception raised by a Slack request's handling, and exit after any other", () => {
    const logged: string[] = [];
    const exits: number[] = [];
    const handlers = processHandlers({ error: (_f, message) => logged.push(message) }, (code) =>
      exits.push(code),
    );
    inSlackRequest({ transport: "http" }, () => handlers.uncaughtException(new Error("in a listener")));
    expect(exits).toEqual([]);
    handlers.unhandledRejection(new Error("nobody awaited"));
    expect(exits).toEqual([]);
    handlers.uncaughtException(new Error("in a worker loop"));
    expect(exits).toEqual([1]);
    expect(logged).toEqual([
      "uncaught exception while handling a Slack request; still serving",
      "unhandled promise rejection; still serving",
      "uncaught exception; exiting",
    ]);
  });
});

describe("the per-user request rate limit (Redis)", () => {
  let redis: Redis;
  const prefix = `test-ratelimit-${process.pid}-${Date.now()}`;
  beforeAll(() => {
    redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  it("allows `perUser` in a window, shared by every limiter on the same prefix, and again once it slides", async () => {
    let now = 1_000_000;
    const clock = { now: () => new Date(now) };
    const a = new RedisRequestRateLimiter(redis, prefix, { perUser: 3, windowMs: 60_000, clock });
    const b = new RedisRequestRateLimiter(redis, prefix, { perUser: 3, windowMs: 60_000, clock });
    const answers = await Promise.all([a, b, a, b, a].map((l) => l.take("U0ONE")));
    expect(answers.filter((x) => x.allowed)).toHaveLength(3);
    expect(answers.find((x) => !x.allowed)).toEqual({ allowed: false, count: 3, windowMs: 60_000 });
    expect((await a.take("U0TWO")).allowed).toBe(true);
    now += 60_001;
    expect((await b.take("U0ONE")).allowed).toBe(true);
  });
});
