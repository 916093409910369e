import { describe, expect, it } from "vitest";
import { parseSnapshotCommand } from "../../src/core/command.grammar.js";

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
    ["replicate snap-abc12345 dr-prod", "command.missing_to", "Expected `to`"],
    ["replicate snap-abc12345 to", "command.missing_destination", "Name a destination"],
    ["replicate to dr-prod", "command.missing_snapshot", "id is missing"],
    ["replicate snap-123 to dr-prod", "command.invalid_snapshot", "8 letters or digits"],
    ["replicate vol-abc12345 to dr-prod", "command.invalid_snapshot", "snap-"],
    ["replicate snap-abc12345 to dr_prod!", "command.invalid_destination", "configured alias"],
    ["replicate snap-abc12345 to 123", "command.invalid_destination", "5–20 digits"],
    ['replicate snap-abc12345 to dr-prod as ""', "command.empty_name", "empty"],
    [`replicate snap-abc12345 to dr-prod as "${"x".repeat(61)}"`, "command.name_too_long", "at most 60"],
    ["replicate snap-abc12345 to dr-prod as", "command.missing_name", "must follow `as`"],
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
    expect(`${result.error.message} ${result.error.usage}`).toContain(phrase);
    expect(result.error.usage).toMatch(/^\/snapshot /);
  });

  it("has at least 15 distinct invalid cases", () => {
    expect(new Set(invalid.map(([text]) => text)).size).toBeGreaterThanOrEqual(15);
  });
});
