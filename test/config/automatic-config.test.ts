import { describe, expect, it } from "vitest";
import { recoveryPointObjectiveOf } from "../../src/app/recovery-point.js";
import { ConfigError, parseBotConfig } from "../../src/config/load-config.js";

const valid = {
  source: { accountUin: "100000000001", regions: ["ap-guangzhou"] },
  destinations: {
    "dr-prod": { accountUin: "200000000002" },
    "dr-weekly": { accountUin: "200000000003", recoveryPointObjective: "8d" },
  },
  approvers: { users: ["U0BOB"] },
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

describe("automatic replication configuration", () => {
  it("defaults: watch every 5 min, 2 h grace, a daily summary at 09:00 Shanghai, 26 h per destination", () => {
    const config = parseBotConfig(valid);
    expect(config.automatic).toEqual({
      watchInterval: 5 * 60_000,
      copyGrace: 2 * 3_600_000,
      postLease: 2 * 60_000,
      dailySummary: { at: "09:00", timeZone: "Asia/Shanghai" },
    });
    expect(recoveryPointObjectiveOf(config, "dr-prod")).toBe(26 * 3_600_000);
    expect(recoveryPointObjectiveOf(config, "dr-weekly")).toBe(8 * 86_400_000);
    expect(recoveryPointObjectiveOf(config, "not-configured")).toBe(26 * 3_600_000);
  });

  it("reads the contract's names, and a summary that is turned off", () => {
    const config = parseBotConfig({
      ...valid,
      automatic: { watchInterval: "200ms", copyGrace: "1s", dailySummary: false },
    });
    expect(config.automatic).toMatchObject({ watchInterval: 200, copyGrace: 1000, dailySummary: false });
    const custom = parseBotConfig({
      ...valid,
      automatic: { dailySummary: { at: "18:30", timeZone: "Europe/Berlin", channel: "C0SUMMARY" } },
    });
    expect(custom.automatic.dailySummary).toEqual({
      at: "18:30",
      timeZone: "Europe/Berlin",
      channel: "C0SUMMARY",
    });
  });

  it.each([
    [{ automatic: { watchInterval: "often" } }, "automatic.watchInterval"],
    [
      { automatic: { dailySummary: { at: "9am" } } },
      'automatic.dailySummary.at: must be a time of day like "09:00"',
    ],
    [{ automatic: { dailySummary: { timeZone: "Mars/Olympus" } } }, "must be an IANA time zone"],
    [{ automatic: { dailySummary: true } }, "automatic.dailySummary"],
    [
      { destinations: { "dr-prod": { accountUin: "200000000002", recoveryPointObjective: "soon" } } },
      "destinations.dr-prod.recoveryPointObjective",
    ],
  ])("refuses %j", (change, message) => {
    expect(errorOf(() => parseBotConfig({ ...valid, ...change }))).toContain(message);
  });
});
