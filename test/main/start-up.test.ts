import { describe, expect, it } from "vitest";
import { startSlackEmulator } from "../../dev/slack-emulator/index.js";
import { buildBotConfig, ConfigError, parseEnvironment } from "../../src/config/load-config.js";
import { startBot } from "../../src/main/compose.js";
import { createLogger } from "../../src/main/logger.js";

const configInput = {
  source: { accountUin: "100000000001", regions: ["ap-guangzhou"] },
  destinations: { "dr-prod": { accountUin: "200000000002" } },
  approvers: { users: ["U0BOB"] },
};
const config = buildBotConfig(configInput);

async function refusal(env: Record<string, string>): Promise<string> {
  const error = await startBot({
    env: parseEnvironment(env),
    config,
    role: "all",
    logger: createLogger("silent"),
  }).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return (error as Error).message;
}

describe("start-up refuses what it cannot honour, in one line", () => {
  it("names SLACK_BOT_TOKEN when it is missing", async () => {
    expect(await refusal({})).toContain("SLACK_BOT_TOKEN is required");
  });
  it("names SLACK_SIGNING_SECRET for the app role in HTTP mode", async () => {
    expect(await refusal({ SLACK_BOT_TOKEN: "xoxb-1" })).toContain("SLACK_SIGNING_SECRET is required");
  });
  it("refuses an SLACK_APP_TOKEN that is not an app-level token, in one line naming it", () => {
    for (const token of ["xoxb-123", "app-1", "xapp-"]) {
      let error: unknown;
      try {
        parseEnvironment({ SLACK_BOT_TOKEN: "xoxb-1", SLACK_APP_TOKEN: token });
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(ConfigError);
      const message = (error as Error).message;
      expect(message).toContain("SLACK_APP_TOKEN must be an app-level token (xapp-…)");
      expect(message).not.toContain("\n");
      // The value is not echoed: a misplaced token is a secret all the same.
      if (token.length > 5) expect(message).not.toContain(token);
    }
  });
  it("names the Tencent Cloud key when it is missing", async () => {
    expect(await refusal({ SLACK_BOT_TOKEN: "xoxb-1", SLACK_SIGNING_SECRET: "s" })).toContain(
      "TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY are required",
    );
  });
});

describe("Socket Mode start-up (SLACK_APP_TOKEN)", () => {
  it("starts without SLACK_SIGNING_SECRET, serves /healthz on PORT, and is ready once connected", async () => {
    const slack = await startSlackEmulator({
      signingSecret: "unused",
      botToken: "xoxb-1",
      appToken: "xapp-1-A0-test",
    });
    const bot = await startBot({
      env: parseEnvironment({
        SLACK_BOT_TOKEN: "xoxb-1",
        SLACK_APP_TOKEN: "xapp-1-A0-test",
        SLACK_API_URL: slack.apiUrl,
        REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
        TENCENTCLOUD_SECRET_ID: "AKIDx",
        TENCENTCLOUD_SECRET_KEY: "k",
      }),
      config: buildBotConfig({ ...configInput, redisPrefix: "test-start-socket" }),
      role: "app",
      logger: createLogger("silent"),
      port: 0,
    });
    try {
      const base = `http://127.0.0.1:${bot.port}`;
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      await slack.waitForSocket();
      await expect.poll(async () => (await fetch(`${base}/readyz`)).status).toBe(200);
      // No Slack endpoint over HTTP in Socket Mode.
      expect((await fetch(`${base}/slack/events`, { method: "POST", body: "" })).status).toBe(404);
      expect(slack.calls.filter((c) => c.method === "apps.connections.open")).toHaveLength(1);
    } finally {
      await bot.close();
      await slack.close();
    }
    expect(slack.socket.connected).toBe(false);
  });
});
