import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkReplicateForm } from "../../src/adapters/chat-slack/shortcut.replicate.js";
import { cancelRequest } from "../../src/app/cancel-request.flow.js";
import { decideRequest, precheck } from "../../src/app/decide-request.flow.js";
import { getRequestStatus } from "../../src/app/request-status.flow.js";
import { parseSnapshotCommand, type SnapshotCommand } from "../../src/core/command.grammar.js";
import { toPlainText } from "../../src/core/messages/message.js";
import { ALICE, BOB, type Harness, REQUEST_CHANNEL, startHarness } from "../support/harness.js";

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
        expectPolite(result.error.message, text);
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
});
