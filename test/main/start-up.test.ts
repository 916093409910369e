import { describe, expect, it } from "vitest";
import { buildBotConfig, ConfigError, parseEnvironment } from "../../src/config/load-config.js";
import { startBot } from "../../src/main/compose.js";
import { createLogger } from "../../src/main/logger.js";

const config = buildBotConfig({
  source: { accountUin: "100000000001", regions: ["ap-guangzhou"] },
  destinations: { "dr-prod": { accountUin: "200000000002" } },
  approvers: { users: ["U0BOB"] },
});

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
  it("names SLACK_SIGNING_SECRET for the app role", async () => {
    expect(await refusal({ SLACK_BOT_TOKEN: "xoxb-1" })).toContain("SLACK_SIGNING_SECRET is required");
  });
  it("refuses Socket Mode instead of silently ignoring SLACK_APP_TOKEN", async () => {
    expect(await refusal({ SLACK_BOT_TOKEN: "xoxb-1", SLACK_APP_TOKEN: "xapp-1" })).toContain(
      "SLACK_APP_TOKEN (Socket Mode) is not supported",
    );
  });
  it("names the Tencent Cloud key when it is missing", async () => {
    expect(await refusal({ SLACK_BOT_TOKEN: "xoxb-1", SLACK_SIGNING_SECRET: "s" })).toContain(
      "TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY are required",
    );
  });
});
