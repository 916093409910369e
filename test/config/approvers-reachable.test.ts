import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadBotConfigFile, parseBotConfig } from "../../src/config/load-config.js";

const base = {
  source: { accountUin: "100000000001", regions: ["ap-guangzhou"] },
  destinations: { "dr-prod": { accountUin: "200000000002" } },
  approvers: { users: ["U0BOB", "U0CAROL"], required: 2 },
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

describe("approvals that can never be reached are refused at start", () => {
  const refused: Array<[string, unknown, string[]]> = [
    [
      "required above the users, no group",
      { ...base, approvers: { users: ["U0BOB"], required: 2 } },
      ["approvers.required: is 2 but approvers lists 1 distinct user and no user group", "any number"],
    ],
    [
      "the same user twice counts once",
      { ...base, approvers: { users: ["U0BOB", "U0BOB"], required: 2 } },
      ["approvers.required: is 2 but approvers lists 1 distinct user"],
    ],
    [
      "a destination's own required above its users",
      {
        ...base,
        destinations: {
          "dr-prod": { accountUin: "200000000002", approvers: { users: ["U0DAVE"], required: 2 } },
        },
      },
      [
        "destinations.dr-prod.approvers.required: is 2 but destinations.dr-prod.approvers lists 1 distinct user",
      ],
    ],
    [
      "a destination's users below the inherited required",
      {
        ...base,
        destinations: { "dr-prod": { accountUin: "200000000002", approvers: { users: ["U0DAVE"] } } },
      },
      [
        "destinations.dr-prod.approvers: lists 1 distinct user and no user group but inherits approvers.required = 2",
      ],
    ],
    [
      "every requester is an approver and may not approve their own request",
      {
        ...base,
        destinations: { "dr-prod": { accountUin: "200000000002", requesters: { users: ["U0BOB"] } } },
      },
      [
        "destinations.dr-prod.requesters: are all among the 2 users of approvers",
        "at most 1 approval but needs 2",
      ],
    ],
  ];
  it.each(refused)("%s", (_name, input, expected) => {
    const message = errorOf(() => parseBotConfig(input, "bot.config.yml"));
    for (const part of expected) expect(message).toContain(part);
    expect(message).toContain("no request could ever be approved");
    expect(message).not.toContain("\n");
  });

  const accepted: Array<[string, unknown]> = [
    ["required equal to the users", base],
    [
      "a group makes the count unbounded",
      { ...base, approvers: { users: ["U0BOB"], usergroups: ["S0DBA"], required: 3 } },
    ],
    [
      "a destination with a group",
      {
        ...base,
        destinations: {
          "dr-prod": { accountUin: "200000000002", approvers: { usergroups: ["S0DBA"], required: 5 } },
        },
      },
    ],
    [
      "requesters who approve, with self-approval allowed",
      {
        ...base,
        approvers: { ...base.approvers, allowSelfApproval: true },
        destinations: { "dr-prod": { accountUin: "200000000002", requesters: { users: ["U0BOB"] } } },
      },
    ],
    [
      "requesters who are not all approvers",
      {
        ...base,
        destinations: {
          "dr-prod": { accountUin: "200000000002", requesters: { users: ["U0BOB", "U0EVE"] } },
        },
      },
    ],
  ];
  it.each(accepted)("accepts %s", (_name, input) => {
    expect(() => parseBotConfig(input)).not.toThrow();
  });
});

describe("Slack ids are checked by kind", () => {
  it.each([
    [
      { ...base, approvers: { users: ["C0APPROVALS"], required: 1 } },
      "approvers.users.0: must be a Slack user id like U0123ABCD",
    ],
    [
      { ...base, approvers: { users: ["U0BOB"], usergroups: ["U0CAROL"] } },
      "approvers.usergroups.0: must be a Slack user group id like S0123ABCD",
    ],
    [
      { ...base, approvers: { ...base.approvers, mention: "C0X" } },
      "approvers.mention: must be a Slack user group id",
    ],
    [
      {
        ...base,
        destinations: { "dr-prod": { accountUin: "200000000002", requesters: { users: ["S0DBA"] } } },
      },
      "destinations.dr-prod.requesters.users.0: must be a Slack user id",
    ],
  ])("refuses %j", (input, expected) => {
    expect(errorOf(() => parseBotConfig(input))).toContain(expected);
  });
  it("accepts Enterprise Grid user ids (W…)", () => {
    expect(
      parseBotConfig({ ...base, approvers: { users: ["W0BOB", "U0CAROL"], required: 2 } }).approvers.users,
    ).toEqual(["W0BOB", "U0CAROL"]);
  });
});

describe("a configuration file that is not a mapping", () => {
  const dir = mkdtempSync(join(tmpdir(), "cbs-config-empty-"));
  it.each([
    ["empty", "", "the file is empty (copy bot.config.example.yml to start)"],
    ["only comments", "# nothing yet\n", "the file is empty"],
    ["a list", "- source\n", "expected a YAML mapping of settings"],
    ["a word", "hello\n", "not a string"],
  ])("%s gets one line", (name, text, expected) => {
    const path = join(dir, `${name.replace(/\W/g, "-")}.yml`);
    writeFileSync(path, text);
    const message = errorOf(() => loadBotConfigFile(path));
    expect(message).toBe(message.split("\n")[0]);
    expect(message.startsWith(`${path}: `)).toBe(true);
    expect(message).toContain(expected);
  });
});
