import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  ConfigError,
  loadBotConfigFile,
  parseBotConfig,
  parseEnvironment,
} from "../../src/config/load-config.js";

const valid = {
  source: { accountUin: "100000000001", regions: ["ap-guangzhou", "ap-shanghai"] },
  destinations: {
    "dr-prod": {
      accountUin: "200000000002",
      readRoleArn: "qcs::cam::uin/200000000002:roleName/snapshot-bot-reader",
    },
  },
  slack: { approvalChannel: "C0APPROVALS", notifyChannel: "C0NOTIFY" },
  approvers: { users: ["U0BOB"] },
  requestTtl: "24h",
};

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error("expected a ConfigError");
}

describe("bot configuration", () => {
  it("accepts the documented example and fills defaults", () => {
    const config = parseBotConfig(valid);
    expect(config.requestTtl).toBe(24 * 3600 * 1000);
    expect(config.replication.method).toBe("copy");
    expect(config.approvers).toMatchObject({ required: 1, allowSelfApproval: false });
    expect(config.redisPrefix).toBe("cbs-bot");
    expect(config.camCacheTtl).toBe(60_000);
    expect(Object.isFrozen(config.destinations)).toBe(true);
  });

  it("accepts replication.method: share, and a method per destination", () => {
    expect(parseBotConfig({ ...valid, replication: { method: "share" } }).replication.method).toBe("share");
    const config = parseBotConfig({
      ...valid,
      destinations: { "dr-prod": { accountUin: "200000000002", method: "share" } },
    });
    expect(config.replication.method).toBe("copy");
    expect(config.destinations["dr-prod"]?.method).toBe("share");
  });

  it("accepts a UIN written as a YAML number", () => {
    const config = parseBotConfig({ ...valid, source: { ...valid.source, accountUin: 100000000001 } });
    expect(config.source.accountUin).toBe("100000000001");
  });

  const broken: Array<[string, unknown, string]> = [
    ["missing source", { ...valid, source: undefined }, "source"],
    [
      "bad UIN",
      { ...valid, source: { ...valid.source, accountUin: "12ab" } },
      "source.accountUin: must be an account UIN",
    ],
    ["no regions", { ...valid, source: { ...valid.source, regions: [] } }, "source.regions"],
    [
      "bad region",
      { ...valid, source: { ...valid.source, regions: ["Guangzhou"] } },
      "source.regions.0: must be a region name",
    ],
    ["no destinations", { ...valid, destinations: {} }, "at least one destination"],
    [
      "bad role ARN",
      { ...valid, destinations: { "dr-prod": { accountUin: "200000000002", readRoleArn: "reader" } } },
      "destinations.dr-prod.readRoleArn: must look like qcs::cam::uin",
    ],
    [
      "destination is the source",
      { ...valid, destinations: { "dr-prod": { accountUin: "100000000001" } } },
      "destinations.dr-prod.accountUin: is the source account itself",
    ],
    [
      "same UIN twice",
      { ...valid, destinations: { a: { accountUin: "200000000002" }, b: { accountUin: "200000000002" } } },
      'destinations.b.accountUin: is already used by destination "a"',
    ],
    ["no approvers", { ...valid, approvers: { users: [] } }, "at least one approver"],
    ["bad TTL", { ...valid, requestTtl: "tomorrow" }, 'requestTtl: "tomorrow" is not a duration'],
    ["unknown key", { ...valid, approver: {} }, "approver"],
    [
      "bad method",
      { ...valid, replication: { method: "teleport" } },
      'replication.method: must be "copy" or "share", not "teleport"',
    ],
    [
      "bad destination method",
      { ...valid, destinations: { "dr-prod": { accountUin: "200000000002", method: "mirror" } } },
      'destinations.dr-prod.method: must be "copy" or "share", not "mirror"',
    ],
  ];
  it.each(broken)("refuses %s with one line naming the field", (_name, input, expected) => {
    const message = errorOf(() => parseBotConfig(input, "bot.config.yml"));
    expect(message).toContain(expected);
    expect(message.startsWith("bot.config.yml: ")).toBe(true);
    expect(message).not.toContain("\n");
  });

  it("reads YAML from the file named by BOT_CONFIG and names the file in errors", () => {
    const dir = mkdtempSync(join(tmpdir(), "cbs-config-"));
    const good = join(dir, "good.yml");
    writeFileSync(
      good,
      'source: { accountUin: "100000000001", regions: [ap-guangzhou] }\ndestinations: { dr-prod: { accountUin: "200000000002" } }\napprovers: { users: [U0BOB] }\n',
    );
    expect(loadBotConfigFile(good).destinations["dr-prod"]?.accountUin).toBe("200000000002");
    const bad = join(dir, "bad.yml");
    writeFileSync(bad, "source: [unclosed\n");
    expect(errorOf(() => loadBotConfigFile(bad))).toContain(`${bad}: not valid YAML`);
    expect(errorOf(() => loadBotConfigFile(join(dir, "missing.yml")))).toContain(
      "configuration file not found",
    );
  });
});

describe("environment", () => {
  it("applies the documented defaults", () => {
    const env = parseEnvironment({});
    expect(env).toMatchObject({
      SLACK_API_URL: "https://slack.com/api/",
      PORT: 3000,
      REDIS_URL: "redis://127.0.0.1:6379",
      BOT_CONFIG: "./bot.config.yml",
      LOG_LEVEL: "info",
    });
    expect(env.SLACK_BOT_TOKEN).toBeUndefined();
  });
  it("treats empty variables as unset", () => {
    expect(parseEnvironment({ SLACK_BOT_TOKEN: "  " }).SLACK_BOT_TOKEN).toBeUndefined();
  });
  it.each([
    [{ PORT: "eighty" }, "PORT must be a port number"],
    [{ REDIS_URL: "localhost:6379" }, "REDIS_URL must start with redis://"],
    [{ LOG_LEVEL: "loud" }, "LOG_LEVEL"],
    [{ TENCENTCLOUD_API_ENDPOINT: "not a url" }, "TENCENTCLOUD_API_ENDPOINT must be a URL"],
  ])("refuses %j", (env, expected) => {
    expect(errorOf(() => parseEnvironment(env))).toContain(expected);
  });
});
