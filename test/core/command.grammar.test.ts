import { describe, expect, it } from "vitest";
import { checkConfiguredNames, parseSnapshotCommand } from "../../src/core/command.grammar.js";
import { toPlainText } from "../../src/core/messages/message.js";
import { isOneEditAway } from "../../src/core/nearest-word.js";

describe("parseSnapshotCommand: valid forms", () => {
  const valid: Array<[string, unknown]> = [
    [
      "replicate snap-abc12345 to dr-prod",
      { kind: "replicate", snapshotId: "snap-abc12345", destination: "dr-prod" },
    ],
    [
      "  REPLICATE   snap-abc12345   TO   dr-prod  ",
      { kind: "replicate", snapshotId: "snap-abc12345", destination: "dr-prod" },
    ],
    [
      "replicate SNAP-ABC12345 to DR-PROD",
      { kind: "replicate", snapshotId: "snap-abc12345", destination: "dr-prod" },
    ],
    [
      'replicate snap-abc12345 to dr-prod as "db before upgrade"',
      {
        kind: "replicate",
        snapshotId: "snap-abc12345",
        destination: "dr-prod",
        newName: "db before upgrade",
      },
    ],
    [
      "replicate snap-abc12345 to dr-prod as \u201cdb before upgrade\u201d",
      {
        kind: "replicate",
        snapshotId: "snap-abc12345",
        destination: "dr-prod",
        newName: "db before upgrade",
      },
    ],
    [
      'replicate snap-abc12345 to 200000000002 in ap-shanghai as "x"',
      {
        kind: "replicate",
        snapshotId: "snap-abc12345",
        destination: "200000000002",
        region: "ap-shanghai",
        newName: "x",
      },
    ],
    [
      "replicate snap-abc12345 to dr-prod as one-word in AP-GUANGZHOU",
      {
        kind: "replicate",
        snapshotId: "snap-abc12345",
        destination: "dr-prod",
        newName: "one-word",
        region: "ap-guangzhou",
      },
    ],
    [
      'replicate snap-abc12345 to dr-prod as "a &amp; b"',
      { kind: "replicate", snapshotId: "snap-abc12345", destination: "dr-prod", newName: "a & b" },
    ],
    [
      "check snap-abc12345 to dr-prod in ap-shanghai",
      { kind: "check", snapshotId: "snap-abc12345", destination: "dr-prod", region: "ap-shanghai" },
    ],
    ["auto asp-abc12345 to dr-prod", { kind: "auto", policyId: "asp-abc12345", destination: "dr-prod" }],
    ["auto list", { kind: "auto-list" }],
    ["auto ledger asp-abc12345", { kind: "auto-ledger", policyId: "asp-abc12345" }],
    ["AUTO Ledger ASP-ABC12345", { kind: "auto-ledger", policyId: "asp-abc12345" }],
    ["status rq-7f3a9c", { kind: "status", requestId: "rq-7f3a9c" }],
    ["cancel RQ-7F3A9C", { kind: "cancel", requestId: "rq-7f3a9c" }],
    ["list", { kind: "list", scope: "mine" }],
    ["list pending", { kind: "list", scope: "pending" }],
    ["accounts", { kind: "accounts" }],
    ["help", { kind: "help" }],
    ["", { kind: "help" }],
  ];
  it.each(valid)("%j", (text, expected) => {
    expect(parseSnapshotCommand(text)).toEqual({ ok: true, command: expected });
  });

  it("accepts a name of exactly 60 characters", () => {
    const name = "n".repeat(60);
    const result = parseSnapshotCommand(`replicate snap-abc12345 to dr-prod as "${name}"`);
    expect(result).toMatchObject({ ok: true, command: { newName: name } });
  });
});

describe("parseSnapshotCommand: invalid input gets a helpful reply", () => {
  // [text, error code, a phrase the reply must contain so the person knows what to change]
  const invalid: Array<[string, string, string]> = [
    ["replicate", "command.missing_arguments", "needs an id and a destination"],
    ["replicate snap-abc12345", "command.missing_to", "to <destination>"],
    ["replicate snap-abc12345 dr-prod", "command.missing_to", "Expected to after"],
    ["replicate snap-abc12345 to", "command.missing_destination", "Name a destination"],
    ["replicate to dr-prod", "command.missing_snapshot", "id is missing"],
    ["replicate snap-123 to dr-prod", "command.invalid_snapshot", "8 letters or digits"],
    ["replicate vol-abc12345 to dr-prod", "command.invalid_snapshot", "snap-"],
    ["replicate snap-abc12345 to dr_prod!", "command.invalid_destination", "configured alias"],
    ["replicate snap-abc12345 to 123", "command.invalid_destination", "5–20 digits"],
    ['replicate snap-abc12345 to dr-prod as ""', "command.empty_name", "empty"],
    [`replicate snap-abc12345 to dr-prod as "${"x".repeat(61)}"`, "command.name_too_long", "at most 60"],
    ["replicate snap-abc12345 to dr-prod as", "command.missing_name", "must follow as"],
    ['replicate snap-abc12345 to dr-prod as "unterminated', "command.unbalanced_quote", "never closed"],
    ['replicate snap-abc12345 to dr-prod as "a" as "b"', "command.duplicate_name", "twice"],
    ["replicate snap-abc12345 to dr-prod in", "command.missing_region", "ap-guangzhou"],
    ["replicate snap-abc12345 to dr-prod in mars", "command.invalid_region", "not a region"],
    [
      "replicate snap-abc12345 to dr-prod in ap-guangzhou in ap-shanghai",
      "command.duplicate_region",
      "twice",
    ],
    ["replicate snap-abc12345 to dr-prod please", "command.unexpected_word", "please"],
    ['check snap-abc12345 to dr-prod as "x"', "command.unexpected_name", "does not take a new name"],
    ["auto snap-abc12345 to dr-prod", "command.invalid_policy", "asp-"],
    ["auto list now", "command.unexpected_word", "nothing after"],
    ["auto ledger", "command.missing_policy", "asp-abc12345"],
    ["auto ledger snap-abc12345", "command.invalid_policy", "asp-"],
    ["auto ledger asp-abc12345 now", "command.unexpected_word", "now"],
    ["status", "command.missing_request", "rq-7f3a9c"],
    ["status 42", "command.invalid_request", "not a request id"],
    ["cancel rq-7f3a9c now", "command.unexpected_word", "now"],
    ["list everything", "command.invalid_scope", "mine, pending, active or all"],
    ["help me", "command.unexpected_word", "nothing after"],
    ["delete snap-abc12345", "command.unknown_command", "do not know the command"],
    ["snap-abc12345 to dr-prod", "command.unknown_command", "replicate snap-abc12345 to dr-prod"],
  ];
  it.each(invalid)("%j → %s", (text, code, phrase) => {
    const result = parseSnapshotCommand(text);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe(code);
    expect(`${toPlainText(result.error.message)} ${result.error.usage}`).toContain(phrase);
    // The same error in Chinese: a different sentence, with Chinese in it.
    expect(toPlainText(result.error.message, "zh-CN")).toMatch(/[\u4e00-\u9fff]/);
    expect(result.error.usage).toMatch(/^\/snapshot /);
  });

  it("has at least 15 distinct invalid cases", () => {
    expect(new Set(invalid.map(([text]) => text)).size).toBeGreaterThanOrEqual(15);
  });
});

describe("parseSnapshotCommand: what the person meant", () => {
  const meant = (input: string) => {
    const result = parseSnapshotCommand(input);
    return result.ok ? "" : toPlainText(result.error.message);
  };

  it.each([
    ["replikate snap-abc12345 to dr-prod", "Did you mean replicate?"],
    ["stauts rq-7f3a9c", "Did you mean status?"],
    ["cancle rq-7f3a9c", "Did you mean cancel?"],
    ["lst", "Did you mean list?"],
    ["list pendng", "Did you mean pending?"],
    ["auto lsit", "Did you mean list?"],
    ["replicate snap-abc12345 ot dr-prod", "Did you mean to?"],
  ])("%j → %s", (input, suggestion) => {
    expect(meant(input)).toContain(suggestion);
  });

  it("suggests nothing when no command is one edit away", () => {
    expect(meant("delete snap-abc12345")).not.toContain("Did you mean");
    expect(meant("xyzzy")).not.toContain("Did you mean");
  });

  it.each(["\u2010", "\u2011", "\u2012", "\u2013", "\u2014", "\u2015", "\u2212", "\uff0d"])(
    "a look-alike hyphen %j in an alias, a snapshot id, a region or a request id is read as -",
    (hyphen) => {
      expect(
        parseSnapshotCommand(`replicate snap${hyphen}abc12345 to dr${hyphen}prod in ap${hyphen}shanghai`),
      ).toEqual({
        ok: true,
        command: {
          kind: "replicate",
          snapshotId: "snap-abc12345",
          destination: "dr-prod",
          region: "ap-shanghai",
        },
      });
      expect(parseSnapshotCommand(`status rq${hyphen}7f3a9c`)).toMatchObject({ ok: true });
    },
  );

  it("a quoted new name keeps its dashes as typed", () => {
    expect(parseSnapshotCommand('replicate snap-abc12345 to dr-prod as "db \u2013 before"')).toMatchObject({
      ok: true,
      command: { newName: "db \u2013 before" },
    });
  });

  it("names a character that cannot be in an id, with its code point", () => {
    expect(meant("replicate snap\u00b7abc12345 to dr-prod")).toContain("has the character · (U+00B7)");
    expect(meant('replicate snap-abc12345 to "dr\u2010prod!"')).toContain(
      "has a Unicode hyphen (U+2010); type -",
    );
  });

  it("a destination or region one edit from a configured one: did you mean", () => {
    const known = {
      destinations: ["dr-prod", "dr-blind"],
      accountUins: ["200000000002"],
      regions: ["ap-guangzhou", "ap-shanghai"],
    };
    const parsed = (input: string) => {
      const result = parseSnapshotCommand(input);
      if (!result.ok) throw new Error("expected a command");
      return result.command;
    };
    const dest = checkConfiguredNames(parsed("replicate snap-abc12345 to dr-prd"), known);
    expect(dest?.code).toBe("command.unknown_destination");
    expect(toPlainText(dest?.message ?? [])).toBe(
      "dr-prd is not a configured destination. Did you mean dr-prod?",
    );
    expect(toPlainText(dest?.message ?? [], "zh-CN")).toContain("你是想输入 dr-prod 吗？");
    const region = checkConfiguredNames(parsed("check snap-abc12345 to dr-prod in ap-shangai"), known);
    expect(region?.code).toBe("command.unknown_region");
    expect(toPlainText(region?.message ?? [])).toContain("Did you mean ap-shanghai?");
    expect(checkConfiguredNames(parsed("replicate snap-abc12345 to dr-prod"), known)).toBeUndefined();
    expect(checkConfiguredNames(parsed("replicate snap-abc12345 to 200000000002"), known)).toBeUndefined();
    // Far from every alias: the flow answers with the configured list instead.
    expect(checkConfiguredNames(parsed("replicate snap-abc12345 to dr-mars"), known)).toBeUndefined();
  });

  it("one edit: added, dropped, changed or two neighbours swapped", () => {
    expect(isOneEditAway("dr-prd", "dr-prod")).toBe(true);
    expect(isOneEditAway("replikate", "replicate")).toBe(true);
    expect(isOneEditAway("lsit", "list")).toBe(true);
    expect(isOneEditAway("list", "list")).toBe(false);
    expect(isOneEditAway("lst", "last")).toBe(true);
    expect(isOneEditAway("dr-pd", "dr-prod")).toBe(false);
    expect(isOneEditAway("abcd", "badc")).toBe(false);
  });
});
