/** Seeded generators of command texts and interaction payloads (types, nulls, missing fields, arrays, unknown ids, tampered values). */
import { parseSnapshotCommand } from "../src/core/command.grammar.js";
import { ALICE, BOB, REQUEST_CHANNEL } from "../test/support/harness.js";

export function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TOKENS = [
  "replicate",
  "copy",
  "check",
  "auto",
  "list",
  "status",
  "cancel",
  "accounts",
  "help",
  "snap-abc12345",
  "snap-123",
  "asp-12345678",
  "rq-abc123",
  "rq-zzzzzz",
  "to",
  "as",
  "in",
  "mine",
  "all",
  "dr-prod",
  "dr-mars",
  "200000000002",
  "ap-guangzhou",
  "xx",
  '"',
  "\u201c",
  '"db backup"',
  "&lt;",
  "<@U0BOB>",
  "<!channel>",
  "`",
  "*",
  "\u0000",
  "\u200b",
  "\ud83d\ude80",
  "\ud800",
  "漢字",
  "\\",
  "%s",
  "__proto__",
  "constructor",
  "null",
  "undefined",
  "NaN",
  "-1",
  "1e309",
];
const SPACES = [" ", "  ", "\t", "\n", "\u00a0", ""];
const ACTIONS = [
  "request_approve",
  "request_reject",
  "request_cancel",
  "prerequisites_recheck",
  "unknown_action",
  "",
  "__proto__",
];

export class Fuzzer {
  private readonly random: () => number;
  constructor(seed: number) {
    this.random = mulberry32(seed);
  }
  int(n: number): number {
    return Math.floor(this.random() * n);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }
  text(): string {
    switch (this.int(5)) {
      case 0:
        return Array.from({ length: this.int(80) }, () => String.fromCharCode(this.int(0xffff))).join("");
      case 1:
        return this.pick(TOKENS).repeat(1 + this.int(300));
      case 2:
        return `replicate ${this.pick(["snap-zzz99999", "snap-1", "snap-abc12345"])} to ${this.pick(["dr-mars", "200000000009", "dr-nope"])}${this.pick(["", " as", " in", ' as "x" as "y"'])}`;
      default:
        return Array.from({ length: this.int(9) }, () => this.pick(TOKENS) + this.pick(SPACES)).join("");
    }
  }
  /** A command text that the app answers at once (no request made): valid replicate/check/auto are bent. */
  commandText(): string {
    const text = this.text().slice(0, 2000);
    const parsed = parseSnapshotCommand(text);
    if (parsed.ok && ["replicate", "check", "auto"].includes(parsed.command.kind))
      return `${text} as "a" as "b"`;
    return text;
  }
  tampered(original: unknown): unknown {
    return this.pick([
      null,
      undefined,
      [],
      [original],
      {},
      { id: original },
      42,
      -1,
      true,
      "",
      " ",
      "x".repeat(3000),
      "__proto__",
      "rq-abc123",
      this.text().slice(0, 200),
      JSON.stringify(original),
    ]);
  }
}

const PATHS: readonly (readonly string[])[] = [
  ["type"],
  ["user"],
  ["user", "id"],
  ["team"],
  ["channel"],
  ["channel", "id"],
  ["container"],
  ["container", "channel_id"],
  ["trigger_id"],
  ["response_url"],
  ["actions"],
  ["actions", "0"],
  ["actions", "0", "action_id"],
  ["actions", "0", "value"],
  ["view"],
  ["view", "callback_id"],
  ["view", "private_metadata"],
  ["view", "state"],
  ["view", "state", "values"],
  ["callback_id"],
  ["command"],
];

function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let at: unknown = target;
  for (const key of path.slice(0, -1)) {
    if (typeof at !== "object" || at === null) return;
    const record = at as Record<string, unknown>;
    if (typeof record[key] !== "object" || record[key] === null) record[key] = {};
    at = record[key];
  }
  if (typeof at !== "object" || at === null) return;
  const last = path[path.length - 1] as string;
  if (value === undefined) delete (at as Record<string, unknown>)[last];
  else (at as Record<string, unknown>)[last] = value;
}

/** One form-encoded body: a slash command (fields missing, replaced, repeated) or a tampered interaction. */
export function fuzzBody(f: Fuzzer, responseUrl: string, i: number): string {
  const shape = f.int(10);
  if (shape === 0)
    return new URLSearchParams({
      payload: f.pick(["null", "[]", "1", '"s"', "{", "true", "[null]", "{}", f.text().slice(0, 40)]),
    }).toString();
  if (shape <= 4) {
    const fields: [string, string][] = [
      ["command", "/snapshot"],
      ["text", f.commandText()],
      ["user_id", ALICE],
      ["channel_id", REQUEST_CHANNEL],
      ["trigger_id", `${i}.${f.int(1e9)}`],
      ["response_url", responseUrl],
    ];
    for (let m = 0; m < f.int(3); m++) {
      const at = f.int(fields.length);
      switch (f.int(3)) {
        case 0:
          fields.splice(at, 1);
          break;
        case 1:
          fields.push([f.pick(["command", "text", "user_id", "channel_id"]), f.text().slice(0, 60)]);
          break;
        default:
          fields[at] = [fields[at]?.[0] ?? "text", f.pick(["", "/other", "null", f.text().slice(0, 60)])];
      }
    }
    return new URLSearchParams(fields).toString();
  }
  const user = { id: f.pick([ALICE, BOB, "U0EVE"]), username: "x", team_id: "T0EMULATOR" };
  const team = { id: "T0EMULATOR", domain: "emulator" };
  const payload: Record<string, unknown> =
    shape <= 7
      ? {
          type: "block_actions",
          user,
          team,
          trigger_id: `${i}.${f.int(1e9)}`,
          container: { type: "message", message_ts: "1700000000.000100", channel_id: REQUEST_CHANNEL },
          channel: { id: REQUEST_CHANNEL, name: "requests" },
          response_url: responseUrl,
          actions: [
            {
              action_id: f.pick(ACTIONS),
              block_id: "b",
              type: "button",
              value: f.pick(["rq-abc123", "rq-zzzzzz", '{"k":"accounts"}', f.text().slice(0, 100)]),
              action_ts: "1700000000.1",
            },
          ],
        }
      : shape === 8
        ? {
            type: "view_submission",
            user,
            team,
            trigger_id: `${i}.${f.int(1e9)}`,
            view: {
              id: `V${f.int(1e6)}`,
              callback_id: f.pick(["reject_reason", "replicate_snapshot_modal", "unknown_view"]),
              private_metadata: f.pick([
                "",
                "{}",
                JSON.stringify({ requestId: "rq-abc123", channel: "C0X" }),
              ]),
              state: {
                values: { snapshot: { value: { type: "plain_text_input", value: f.text().slice(0, 50) } } },
              },
            },
          }
        : {
            type: "shortcut",
            user,
            team,
            trigger_id: `${i}.${f.int(1e9)}`,
            callback_id: f.pick(["replicate_snapshot", "unknown_shortcut"]),
          };
  for (let m = 0; m <= f.int(3); m++) {
    const path = f.pick(PATHS);
    setPath(
      payload,
      path,
      f.tampered(path.reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], payload)),
    );
  }
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}
