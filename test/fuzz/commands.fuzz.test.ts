import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signSlackRequest } from "../../dev/slack-emulator/index.js";
import { checkReplicateForm } from "../../src/adapters/chat-slack/shortcut.replicate.js";
import { cancelRequest } from "../../src/app/cancel-request.flow.js";
import { decideRequest, precheck } from "../../src/app/decide-request.flow.js";
import { getRequestStatus } from "../../src/app/request-status.flow.js";
import { parseSnapshotCommand, type SnapshotCommand } from "../../src/core/command.grammar.js";
import { toPlainText } from "../../src/core/messages/message.js";
import {
  ALICE,
  BOB,
  type Harness,
  REQUEST_CHANNEL,
  SIGNING_SECRET,
  startHarness,
} from "../support/harness.js";

/** Deterministic: the same seed gives the same 10,000+ inputs on every run. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = mulberry32(0x5eed);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
const int = (n: number) => Math.floor(random() * n);

const TOKENS = [
  "replicate",
  "REPLICATE",
  "copy",
  "check",
  "auto",
  "list",
  "status",
  "cancel",
  "accounts",
  "help",
  "snapshot",
  "snap-abc12345",
  "SNAP-ABC12345",
  "snap-123",
  "snap-",
  "snap-abc12345x",
  "asp-12345678",
  "asp-1",
  "rq-abc123",
  "rq-ABC123",
  "rq-",
  "rq-zzzzzz",
  "to",
  "TO",
  "as",
  "in",
  "mine",
  "pending",
  "active",
  "all",
  "everything",
  "dr-prod",
  "dr-blind",
  "dr-mars",
  "200000000002",
  "1234",
  "-x",
  "ap-guangzhou",
  "ap-shanghai",
  "xx",
  "ap-",
  '"',
  "\u201c",
  "\u201d",
  "\u201e",
  '"db backup"',
  "\u201cdb\u201d",
  "&lt;",
  "&gt;",
  "&amp;",
  "<@U0BOB>",
  "<!channel>",
  "`",
  "*",
  "_",
  "~",
  "\u0000",
  "\u0007",
  "\u007f",
  "\u200b",
  "\ud83d\ude80",
  "\ud800",
  "é",
  "漢字",
  "\\",
  "%s",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal "${x}" is exactly the input under test
  "${x}",
  "__proto__",
  "constructor",
  "toString",
  "null",
  "undefined",
  "NaN",
  "-1",
  "1e309",
];
const SPACES = [" ", "  ", "\t", "\n", "\u00a0", "\u3000", ""];

function randomText(): string {
  switch (int(6)) {
    case 0: // random characters, any code unit
      return Array.from({ length: int(80) }, () => String.fromCharCode(int(0xffff))).join("");
    case 1: // very long
      return pick(TOKENS).repeat(1 + int(400));
    case 2: // nearly valid
      return `replicate ${pick(["snap-abc12345", "snap-zzz99999", "snap-1"])} to ${pick(["dr-prod", "dr-mars", "200000000002"])}${pick(["", ` as "${"n".repeat(int(70))}"`, " as", " in ap-guangzhou", " in", ' as "x" as "y"', " in a in b"])}`;
    default: {
      const parts = Array.from({ length: int(9) }, () => pick(TOKENS));
      return parts.map((p) => p + pick(SPACES)).join("");
    }
  }
}

const KINDS = new Set<SnapshotCommand["kind"]>([
  "replicate",
  "check",
  "auto",
  "auto-list",
  "status",
  "list",
  "cancel",
  "accounts",
  "help",
]);

/** A polite answer: words for a person, never a stack, `undefined` or `[object Object]`. */
function expectPolite(text: unknown, input = ""): void {
  expect(typeof text).toBe("string");
  const s = text as string;
  expect(s.trim().length).toBeGreaterThan(0);
  expect(s).not.toMatch(/\[object Object\]|\bat .+\.ts:\d+|TypeError|ReferenceError/);
  if (!input.includes("undefined")) expect(s).not.toMatch(/\bundefined\b/);
}

/** Values a tampered field takes: wrong types, nulls, arrays, objects, edge strings. */
function tamperedValue(original: unknown): unknown {
  return pick([
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
    "rq-zzzzzz",
    randomText().slice(0, 300),
    JSON.stringify(original),
  ]);
}

/** Sets (or, for undefined, deletes) `path` inside `target`, creating objects on the way. */
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

/** The fields of an interaction payload that Bolt or a listener reads, as paths to tamper with. */
const PAYLOAD_PATHS: readonly (readonly string[])[] = [
  ["type"],
  ["user"],
  ["user", "id"],
  ["team"],
  ["channel"],
  ["channel", "id"],
  ["container"],
  ["container", "channel_id"],
  ["container", "is_ephemeral"],
  ["trigger_id"],
  ["response_url"],
  ["actions"],
  ["actions", "0"],
  ["actions", "0", "action_id"],
  ["actions", "0", "value"],
  ["actions", "0", "action_ts"],
  ["view"],
  ["view", "id"],
  ["view", "callback_id"],
  ["view", "private_metadata"],
  ["view", "state"],
  ["view", "state", "values"],
  ["callback_id"],
  ["event"],
  ["name"],
  ["command"],
];

const COMMAND_FIELDS = ["command", "text", "user_id", "channel_id", "trigger_id", "response_url", "team_id"];

describe("fuzz: 10,000+ random and malformed commands and interactions", () => {
  let h: Harness;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  beforeAll(async () => {
    process.on("unhandledRejection", onUnhandled);
    h = await startHarness();
  });
  afterAll(async () => {
    process.off("unhandledRejection", onUnhandled);
    await h?.close();
  });

  it("the grammar answers 10,000 random command texts without throwing", () => {
    let invalid = 0;
    for (let i = 0; i < 10_000; i++) {
      const text = randomText();
      const result = parseSnapshotCommand(text);
      if (result.ok) {
        expect(KINDS.has(result.command.kind)).toBe(true);
      } else {
        invalid++;
        expect(result.error.code).toMatch(/^command\.[a-z_]+$/);
        expectPolite(toPlainText(result.error.message), text);
        expectPolite(toPlainText(result.error.message, "zh-CN"), text);
        expectPolite(result.error.usage, text);
      }
    }
    expect(invalid).toBeGreaterThan(5000);
  });

  it("the flows answer 3,000 random clicks, cancels and status look-ups with values, never throws", async () => {
    const users = ["U0EVE", ALICE, "", `U0${"X".repeat(300)}`, "__proto__", BOB];
    const ids = ["rq-abc123", "rq-zzzzzz", "rq-000000", "rq-", "", "rq-abc123\u0000", "RQ-ABC123"];
    for (let i = 0; i < 3000; i++) {
      const requestId = random() < 0.8 ? pick(ids) : `rq-${Math.random().toString(36).slice(2, 8)}`;
      const userId = pick(users);
      const op = int(4);
      if (op === 0) {
        const outcome = await decideRequest(h.bot.deps, {
          requestId,
          userId,
          decision: pick(["approve", "reject"] as const),
          reason: randomText(),
        });
        expect(outcome.kind).toBe("refused");
        if (outcome.kind === "refused") expectPolite(toPlainText(outcome.message));
      } else if (op === 1) {
        const outcome = await cancelRequest(h.bot.deps, { requestId, userId });
        expect(outcome.kind).toBe("refused");
        if (outcome.kind === "refused") expectPolite(toPlainText(outcome.message));
      } else if (op === 2) {
        expect((await precheck(h.bot.deps, requestId, userId, "reject")).kind).toBe("refused");
      } else {
        expect(await getRequestStatus(h.bot.deps, requestId)).toBeUndefined();
      }
    }
  });

  it("the shortcut modal's validation answers 2,000 random form states with errors, never throws", () => {
    const field = () =>
      pick([
        undefined,
        null,
        { value: randomText() },
        { value: null },
        { selected_conversation: pick(["C0REQUESTS", "X", "", randomText()]) },
        { value: 42 },
        "string",
        [],
      ]);
    for (let i = 0; i < 2000; i++) {
      const values =
        random() < 0.1
          ? pick([null, "x", 7, [], { snapshot: "x" }])
          : Object.fromEntries(
              ["snapshot", "destination", "name", "region", "channel", "extra"].map((b) => [
                b,
                { value: field() },
              ]),
            );
      const checked = checkReplicateForm(values, h.bot.deps.config);
      if (!checked.ok) for (const message of Object.values(checked.errors)) expectPolite(message);
    }
  });

  it("a few hundred random commands, clicks and submissions over signed HTTP: 200 and a polite private answer", async () => {
    const bad: string[] = [];
    let sent = 0;
    for (let i = 0; i < 240; i++) {
      const text = randomText().slice(0, 2000);
      const parsed = parseSnapshotCommand(text);
      // Valid replicate/check commands would look snapshots up; keep this to answers the app gives at once.
      if (
        parsed.ok &&
        !["status", "list", "help", "cancel", "accounts", "auto-list"].includes(parsed.command.kind)
      )
        continue;
      sent++;
      const response = await h.slack.sendSlashCommand(h.appUrl, {
        text,
        userId: ALICE,
        channelId: REQUEST_CHANNEL,
      });
      if (response.status !== 200) bad.push(`${response.status} for ${JSON.stringify(text)}`);
      const body = response.body as { text?: string } | string;
      expectPolite(typeof body === "string" ? body : body.text, text);
    }
    for (let i = 0; i < 120; i++) {
      // Slack only sends the action ids of buttons the app made; their values are what is fuzzed.
      const response = await h.slack.sendBlockAction(h.appUrl, {
        userId: pick([ALICE, BOB, "U0EVE"]),
        actionId: pick(["request_approve", "request_reject"]),
        value: pick([randomText().slice(0, 200), "rq-abc123", "", "rq-zzzzzz"]),
        channelId: REQUEST_CHANNEL,
        messageTs: "1700000000.000100",
        message: { ts: "1700000000.000100", text: "x", blocks: [] },
      });
      if (response.status !== 200) bad.push(`${response.status} for a click`);
    }
    for (let i = 0; i < 60; i++) {
      const response = await h.slack.sendViewSubmission(h.appUrl, {
        userId: ALICE,
        view: {
          callback_id: pick(["replicate_snapshot_modal", "reject_reason"]),
          private_metadata: pick([
            "",
            "{}",
            "not json",
            JSON.stringify({ requestId: "rq-abc123", channel: "C0X" }),
            randomText(),
          ]),
          state: {
            values: { snapshot: { value: { type: "plain_text_input", value: randomText().slice(0, 100) } } },
          },
        },
      });
      if (response.status !== 200) bad.push(`${response.status} for a submission`);
      if (response.body && typeof response.body === "object") {
        const errors = (response.body as { errors?: Record<string, string> }).errors ?? {};
        for (const message of Object.values(errors)) expectPolite(message);
      }
    }
    expect(sent).toBeGreaterThan(150);
    expect(bad).toEqual([]);
    // Every refused click got a private answer; nothing was created or copied.
    await new Promise((r) => setTimeout(r, 200));
    for (const e of h.slack.ephemerals) expectPolite(e.text, "undefined");
    expect(await h.bot.deps.store.listRecent(10)).toEqual([]);
    expect(h.sim.callsOf("CopySnapshotCrossAccount")).toHaveLength(0);
    expect(unhandled).toEqual([]);
  });

  it("1,000 fuzzed signed payloads (types, nulls, missing fields, arrays, unknown ids, tampered values): no 500, the process serves on", async () => {
    const responseUrl = `${h.slack.baseUrl}/response/fuzz`;
    const interaction = (): Record<string, unknown> => {
      const user = { id: pick([ALICE, BOB, "U0EVE"]), username: "x", team_id: "T0EMULATOR" };
      const team = { id: "T0EMULATOR", domain: "emulator" };
      switch (int(4)) {
        case 0:
        case 1:
          return {
            type: "block_actions",
            user,
            team,
            trigger_id: `${i}.${int(1e9)}`,
            container: { type: "message", message_ts: "1700000000.000100", channel_id: REQUEST_CHANNEL },
            channel: { id: REQUEST_CHANNEL, name: "requests" },
            response_url: responseUrl,
            actions: [
              {
                action_id: pick([
                  "request_approve",
                  "request_reject",
                  "prerequisites_recheck",
                  "unknown_action",
                  "",
                ]),
                block_id: "b",
                type: "button",
                value: pick([
                  "rq-abc123",
                  "rq-zzzzzz",
                  '{"k":"accounts"}',
                  '{"s":"snap-abc12345","d":"dr-prod"}',
                  randomText().slice(0, 100),
                ]),
                action_ts: "1700000000.1",
              },
            ],
          };
        case 2:
          return {
            type: "view_submission",
            user,
            team,
            trigger_id: `${i}.${int(1e9)}`,
            view: {
              id: `V${int(1e6)}`,
              callback_id: pick(["reject_reason", "replicate_snapshot_modal", "unknown_view"]),
              private_metadata: pick(["", "{}", JSON.stringify({ requestId: "rq-abc123", channel: "C0X" })]),
              state: {
                values: {
                  snapshot: {
                    value: {
                      type: "plain_text_input",
                      value: pick(["snap-nope0000", randomText().slice(0, 50)]),
                    },
                  },
                  reason: { reason_input: { type: "plain_text_input", value: randomText().slice(0, 50) } },
                },
              },
            },
          };
        default:
          return {
            type: "shortcut",
            user,
            team,
            trigger_id: `${i}.${int(1e9)}`,
            callback_id: pick(["replicate_snapshot", "unknown_shortcut"]),
            action_ts: "1700000000.2",
          };
      }
    };
    const rawBody = (): string => {
      const shape = int(10);
      if (shape === 0) {
        // Not a payload object at all.
        return new URLSearchParams({
          payload: pick(["null", "[]", "1", '"s"', "{", "true", "[null]", "{}", randomText().slice(0, 40)]),
        }).toString();
      }
      if (shape <= 3) {
        // A slash command's form: fields missing, empty, repeated or replaced.
        const fields: [string, string][] = [
          ["command", "/snapshot"],
          [
            "text",
            pick([
              "help",
              "list",
              "status rq-abc123",
              "cancel rq-zzzzzz",
              "accounts",
              randomText().slice(0, 200),
            ]),
          ],
          ["user_id", ALICE],
          ["channel_id", REQUEST_CHANNEL],
          ["trigger_id", `${i}.${int(1e9)}`],
          ["response_url", responseUrl],
        ];
        for (let m = 0; m <= int(3); m++) {
          const at = int(fields.length);
          const key = pick(COMMAND_FIELDS);
          switch (int(4)) {
            case 0:
              fields.splice(at, 1);
              break;
            case 1:
              fields.push([key, pick(["", "x", randomText().slice(0, 60)])]);
              break;
            case 2:
              fields[at] = [fields[at]?.[0] ?? key, pick(["", "/other", "null", randomText().slice(0, 60)])];
              break;
            default:
              fields.push(["payload", pick(["null", "{}", "x"])]);
          }
        }
        return new URLSearchParams(fields).toString();
      }
      const payload = interaction();
      for (let m = 0; m <= int(3); m++) {
        const path = pick(PAYLOAD_PATHS);
        setPath(
          payload,
          path,
          tamperedValue(
            path.reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], payload),
          ),
        );
      }
      return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
    };

    const statuses = new Map<number, number>();
    const fiveHundreds: string[] = [];
    const others: string[] = [];
    let i = 0;
    for (; i < 1000; i++) {
      const body = rawBody();
      const timestampSec = Math.floor(Date.now() / 1000);
      const response = await fetch(h.appUrl, {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          "x-slack-request-timestamp": String(timestampSec),
          "x-slack-signature": signSlackRequest(SIGNING_SECRET, timestampSec, body),
        },
        body,
      });
      await response.text();
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      if (response.status >= 500) fiveHundreds.push(body.slice(0, 300));
      if (response.status !== 200 && response.status !== 400)
        others.push(`${response.status} ${body.slice(0, 300)}`);
    }
    expect(i).toBeGreaterThanOrEqual(950);
    expect(fiveHundreds).toEqual([]);
    // Only "taken" and "refused, nothing done": no 404 (an un-acked request) and no crash.
    expect(others).toEqual([]);
    expect([...statuses.keys()].sort()).toEqual([200, 400]);
    expect((await fetch(`${h.opsUrl}/healthz`)).status).toBe(200);
    const help = await h.slack.sendSlashCommand(h.appUrl, {
      text: "help",
      userId: ALICE,
      channelId: REQUEST_CHANNEL,
    });
    expect(help.status).toBe(200);
    await new Promise((r) => setTimeout(r, 300));
    expect(await h.bot.deps.store.listRecent(10)).toEqual([]);
    expect(h.sim.callsOf("CopySnapshotCrossAccount")).toHaveLength(0);
    expect(unhandled).toEqual([]);
  });
});
