import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { describeState } from "../../src/adapters/chat-slack/approval-card.blocks.js";
import {
  renderCancelOutcome,
  renderChecking,
  renderCommandError,
  renderHelp,
  renderList,
  renderLookingUp,
  renderNotYetAvailable,
  renderRefusal,
  renderReplicateOutcome,
  renderStatus,
  renderUnexpectedError,
} from "../../src/adapters/chat-slack/command-replies.blocks.js";
import { renderText } from "../../src/adapters/chat-slack/mrkdwn.renderer.js";
import { buildRejectReasonView } from "../../src/adapters/chat-slack/reject-reason.view.js";
import { renderRateLimited } from "../../src/adapters/chat-slack/request-rate-limit.js";
import { buildReplicateModal, checkReplicateForm } from "../../src/adapters/chat-slack/shortcut.replicate.js";
import { cancelRequest } from "../../src/app/cancel-request.flow.js";
import { decideRequest } from "../../src/app/decide-request.flow.js";
import { expireRequest } from "../../src/app/expire-request.flow.js";
import { checkConfiguredNames, parseSnapshotCommand } from "../../src/core/command.grammar.js";
import { asText, type Message, type Text, toPlainText, tr } from "../../src/core/messages/message.js";
import type { Request, RequestState } from "../../src/core/request/request.js";
import { type MemoryPorts, memoryPorts } from "../support/memory-ports.js";
import { aRequest, type RequestOverrides } from "../support/request-fixtures.js";
import { expectBothLanguages, renderIn } from "../support/translations.js";

const ALICE = "U0ALICE";
const BOB = "U0BOB";
const CAROL = "U0CAROL";
const DAVE = "U0DAVE";
const AT = "2026-12-02T05:57:02.756Z";

/** English of what other rooms (kinds, the card) give these messages: interpolated, not ours to translate. */
const words = (value: string | Text): string[] =>
  (typeof value === "string" ? value : renderIn("en", () => renderText(value)))
    // What the check strips before it compares (code spans, mentions, dates) splits the value too.
    .split(/`[^`]*`|<[@#!][^>]*>/)
    .map((piece) => piece.trim())
    .filter((piece) => piece.length > 0);

function interpolated(ports: MemoryPorts, request: Request): string[] {
  const kind = ports.deps.kinds.of(request);
  const card = kind.describeCard(request);
  return [
    ...words(describeState(request, kind)),
    ...words(card.summary),
    ...card.facts.flatMap(words),
    request.failure ? toPlainText(asText(request.failure.message)) : "",
    request.failure?.fix ?? "",
  ].filter(Boolean);
}

/** Every message a flow posts or tells, as the Text it built (the memory notifier keeps only English). */
function capture(ports: MemoryPorts): Text[] {
  const said: Text[] = [];
  const notifier = ports.notifier;
  const post = notifier.postThreadReply.bind(notifier);
  const tell = notifier.tellUser.bind(notifier);
  notifier.postThreadReply = async (request: Request, message: Text | Message) => {
    said.push(Array.isArray(message) ? (message as Text) : (message as Message).text);
    await post(request, message);
  };
  notifier.tellUser = async (conversation: string, userId: string, message: Text) => {
    said.push(message);
    await tell(conversation, userId, message);
  };
  return said;
}

async function withRequest(overrides: RequestOverrides = {}, config = {}) {
  const ports = memoryPorts({ config });
  const request = aRequest({
    expiresAt: new Date(ports.clock.now().getTime() + 3600_000).toISOString(),
    requiredApprovals: 1,
    ...overrides,
  });
  await ports.store.create(request);
  return { ports, request, said: capture(ports) };
}

describe("grammar errors in both languages", () => {
  const inputs = [
    "replicate",
    "replicate snap-abc12345",
    "replicate snap-abc12345 dr-prod",
    "replicate snap-abc12345 ot dr-prod",
    "replicate snap-abc12345 to",
    "replicate to dr-prod",
    "replicate snap-123 to dr-prod",
    "replicate snap\u00b7abc12345 to dr-prod",
    'replicate snap-abc12345 to "dr\u2010prod!"',
    "replicate snap-abc12345 to dr_prod!",
    'replicate snap-abc12345 to dr-prod as ""',
    `replicate snap-abc12345 to dr-prod as "${"x".repeat(61)}"`,
    'replicate snap-abc12345 to dr-prod as "a\u0007"',
    "replicate snap-abc12345 to dr-prod as",
    'replicate snap-abc12345 to dr-prod as "unterminated',
    'replicate snap-abc12345 to dr-prod as "a" as "b"',
    "replicate snap-abc12345 to dr-prod in",
    "replicate snap-abc12345 to dr-prod in mars",
    "replicate snap-abc12345 to dr-prod in ap-guangzhou in ap-shanghai",
    "replicate snap-abc12345 to dr-prod please",
    'check snap-abc12345 to dr-prod as "x"',
    "check snap-abc12345 to dr-prod please",
    "auto snap-abc12345 to dr-prod",
    "auto lsit",
    "auto list now",
    "auto ledger",
    "auto ledger snap-abc12345",
    "auto ledger asp-abc12345 now",
    "status",
    "status 42",
    "cancel rq-7f3a9c now",
    "list everything",
    "list pendng",
    "list mine now",
    "help me",
    "accounts all",
    "delete snap-abc12345",
    "replikate snap-abc12345 to dr-prod",
    "snap-abc12345 to dr-prod",
  ];

  it.each(inputs)("%j", (input) => {
    const result = parseSnapshotCommand(input);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const { en, zh } = expectBothLanguages(() => renderCommandError(result.error));
    expect(en).toContain("Usage:");
    expect(zh).toContain("用法：");
    // One symbol per message.
    expect([...zh.matchAll(/\p{Extended_Pictographic}/gu)].map((m) => m[0])).toEqual(["⚠"]);
  });

  it("covers every error code the grammar gives", () => {
    const codes = new Set(
      inputs.map((i) => {
        const r = parseSnapshotCommand(i);
        return r.ok ? "" : r.error.code;
      }),
    );
    const source = readFileSync(new URL("../../src/core/command.grammar.ts", import.meta.url), "utf8");
    const all = new Set([...source.matchAll(/fail\(\s*"([a-z_]+)"/g)].map((m) => `command.${m[1]}`));
    expect([...all].filter((c) => !codes.has(c))).toEqual([]);
    expect(all.size).toBeGreaterThan(20);
  });

  it("did you mean, for a configured alias and a region", () => {
    const known = {
      destinations: ["dr-prod", "dr-blind"],
      accountUins: ["200000000002"],
      regions: ["ap-guangzhou", "ap-shanghai"],
    };
    for (const input of [
      "replicate snap-abc12345 to dr-prd",
      "check snap-abc12345 to dr-prod in ap-shangai",
    ]) {
      const parsed = parseSnapshotCommand(input);
      const error = parsed.ok ? checkConfiguredNames(parsed.command, known) : undefined;
      expect(error).toBeDefined();
      if (!error) continue;
      const { en, zh } = expectBothLanguages(() => renderCommandError(error));
      expect(en).toMatch(/Did you mean `(dr-prod|ap-shanghai)`\?/);
      expect(zh).toMatch(/你是想输入 `(dr-prod|ap-shanghai)` 吗？/);
    }
  });
});

describe("help and command replies in both languages", () => {
  it("help explains every command in Chinese; the commands stay as typed", () => {
    const { en, zh } = expectBothLanguages(() => renderHelp());
    for (const command of ["/snapshot replicate", "/snapshot check", "/snapshot auto", "/snapshot status"]) {
      expect(en).toContain(command);
      expect(zh).toContain(command);
    }
    expect(zh).toContain("申请把快照跨账号复制到另一个账号");
  });

  it("progress acks, the waiting answer, refusals, cancel, errors and the rate limit", async () => {
    const ports = memoryPorts();
    const request = aRequest();
    const builders: Array<() => string> = [
      () => renderLookingUp("snap-abc12345", "dr-prod"),
      () => renderChecking("snap-abc12345", "dr-prod"),
      () => renderReplicateOutcome({ kind: "posted", request, cardChannel: "C0REQUESTS" }),
      () => renderRefusal([tr("Not now.", "现在不行。")]),
      () => renderNotYetAvailable("auto"),
      () => renderCancelOutcome({ kind: "cancelled", request }),
      () => renderUnexpectedError(),
      () => renderRateLimited(1, 60_000),
      () => renderRateLimited(12, 3_600_000),
      () => renderRateLimited(3, 300_000),
      () => renderRateLimited(3, 30_000),
    ];
    for (const build of builders) expectBothLanguages(build, interpolated(ports, request));
  });

  it("a refusal carries one symbol, even when its message starts with its own", () => {
    const rendered = renderIn("en", () => renderRefusal(["⚠️ Already a warning."]));
    expect(rendered).toBe("⚠️ Already a warning.");
    expect(renderIn("en", () => renderRefusal(["No."]))).toBe("🚫 No.");
  });

  const states: Array<[RequestState, RequestOverrides]> = [
    ["pending_approval", { expiresAt: AT, requiredApprovals: 2 }],
    ["approved", { approvals: [{ userId: BOB, at: AT }], requiredApprovals: 1 }],
    ["running", { step: "verifying", approvals: [{ userId: BOB, at: AT }], requiredApprovals: 1 }],
    ["completed", { approvals: [{ userId: BOB, at: AT }], requiredApprovals: 1 }],
    ["failed", { approvals: [{ userId: BOB, at: AT }], failure: { code: "copy.stuck", message: "stuck" } }],
    ["rejected", { rejection: { userId: BOB, at: AT, reason: "wrong disk" } }],
    ["cancelled", { cancellation: { userId: ALICE, at: AT } }],
    ["expired", {}],
  ];

  it.each(states)("/snapshot status of a %s request", async (state, overrides) => {
    const ports = memoryPorts();
    const request = aRequest({ state, createdAt: AT, ...overrides });
    await ports.store.create(request);
    const status = { request, link: "https://example.slack.com/archives/C0REQUESTS/p1" };
    const { zh } = expectBothLanguages(
      () => renderStatus(request.id, status, ports.deps.kinds),
      [...interpolated(ports, request), "wrong disk"],
    );
    expect(zh).toContain("<!date^");
  });

  it("/snapshot status of an unknown request, and every list, empty and not", async () => {
    const ports = memoryPorts();
    expectBothLanguages(() => renderStatus("rq-zzzzzz", undefined, ports.deps.kinds));
    const request = aRequest();
    for (const scope of ["mine", "pending", "active", "all"] as const) {
      expectBothLanguages(() => renderList({ scope, items: [], more: 0 }, ports.deps.kinds));
      expectBothLanguages(
        () => renderList({ scope, items: [{ request }], more: 3 }, ports.deps.kinds),
        interpolated(ports, request),
      );
    }
  });
});

describe("decision, cancel and expiry messages in both languages", () => {
  it("every refusal of an Approve or a Reject, said to the person who clicked", async () => {
    const cases: Array<{ overrides: RequestOverrides; userId: string; decision: "approve" | "reject" }> = [
      { overrides: {}, userId: DAVE, decision: "approve" },
      { overrides: {}, userId: DAVE, decision: "reject" },
      { overrides: { requestedBy: BOB }, userId: BOB, decision: "approve" },
      {
        overrides: { requiredApprovals: 2, approvals: [{ userId: BOB, at: AT }] },
        userId: BOB,
        decision: "approve",
      },
      { overrides: { expiresAt: "2020-01-01T00:00:00.000Z" }, userId: BOB, decision: "approve" },
      ...(
        [
          ["approved", {}],
          ["running", { step: "copying" }],
          ["running", { step: "verifying" }],
          ["completed", {}],
          ["submitted", {}],
          ["failed", {}],
          ["outcome_unknown", {}],
        ] as const
      ).flatMap(([state, extra]) =>
        [BOB, CAROL].map((userId) => ({
          overrides: { state, ...extra, approvals: [{ userId: CAROL, at: AT }] } as RequestOverrides,
          userId,
          decision: "approve" as const,
        })),
      ),
      {
        overrides: { state: "rejected", rejection: { userId: CAROL, at: AT } },
        userId: BOB,
        decision: "approve",
      },
      {
        overrides: { state: "rejected", rejection: { userId: CAROL, at: AT } },
        userId: CAROL,
        decision: "reject",
      },
      {
        overrides: { state: "cancelled", cancellation: { userId: ALICE, at: AT } },
        userId: BOB,
        decision: "approve",
      },
      { overrides: { state: "expired" }, userId: BOB, decision: "approve" },
    ];
    for (const { overrides, userId, decision } of cases) {
      const { ports, request, said } = await withRequest(overrides);
      const outcome = await decideRequest(ports.deps, { requestId: request.id, userId, decision });
      expect(outcome.kind).toBe("refused");
      if (outcome.kind !== "refused") continue;
      const values = interpolated(ports, request);
      const { en } = expectBothLanguages(() => renderRefusal(outcome.message), values);
      // Nobody is told about themselves in the third person.
      expect(en).not.toContain(`<@${userId}>`);
      for (const message of said) expectBothLanguages(() => renderText(message), values);
    }
  });

  it("an unknown request, an approval counted, an approval that approves, a rejection", async () => {
    const gone = memoryPorts();
    const outcome = await decideRequest(gone.deps, {
      requestId: "rq-gone00",
      userId: BOB,
      decision: "approve",
    });
    if (outcome.kind === "refused") expectBothLanguages(() => renderRefusal(outcome.message));

    const { ports, request, said } = await withRequest(
      { requiredApprovals: 2 },
      { approvers: { users: [BOB, CAROL] } },
    );
    await decideRequest(ports.deps, { requestId: request.id, userId: BOB, decision: "approve" });
    await decideRequest(ports.deps, { requestId: request.id, userId: CAROL, decision: "approve" });
    const rejected = await withRequest();
    await decideRequest(rejected.ports.deps, {
      requestId: rejected.request.id,
      userId: BOB,
      decision: "reject",
      reason: "wrong disk",
    });
    const plain = await withRequest();
    await decideRequest(plain.ports.deps, { requestId: plain.request.id, userId: BOB, decision: "reject" });
    const all = [...said, ...rejected.said, ...plain.said];
    expect(all).toHaveLength(4);
    for (const message of all) expectBothLanguages(() => renderText(message), ["wrong disk"]);
  });

  it("cancels: by the requester, by an approver (the requester is told), and every refusal", async () => {
    for (const [state, userId] of [
      ["pending_approval", ALICE],
      ["pending_approval", BOB],
      ["approved", BOB],
    ] as const) {
      const { ports, request, said } = await withRequest({ state });
      const outcome = await cancelRequest(ports.deps, { requestId: request.id, userId });
      expect(outcome.kind).toBe("cancelled");
      const values = interpolated(ports, request);
      expect(said).toHaveLength(userId === ALICE ? 1 : 2);
      for (const message of said) expectBothLanguages(() => renderText(message), values);
      expectBothLanguages(() => renderCancelOutcome(outcome), values);
    }
    for (const [overrides, userId] of [
      [{}, DAVE],
      [{ state: "running", step: "copying" }, ALICE],
      [{ state: "completed" }, ALICE],
      [{ state: "expired" }, ALICE],
      [{ state: "cancelled", cancellation: { userId: ALICE, at: AT } }, ALICE],
      [{ state: "rejected", rejection: { userId: BOB, at: AT } }, ALICE],
    ] as Array<[RequestOverrides, string]>) {
      const { ports, request } = await withRequest(overrides);
      const outcome = await cancelRequest(ports.deps, { requestId: request.id, userId });
      expect(outcome.kind).toBe("refused");
      expectBothLanguages(() => renderCancelOutcome(outcome), interpolated(ports, request));
    }
    const gone = memoryPorts();
    const unknown = await cancelRequest(gone.deps, { requestId: "rq-nothere", userId: ALICE });
    expectBothLanguages(() => renderCancelOutcome(unknown));
  });

  it("an expiry: the thread and the requester's private word, with and without approvals", async () => {
    for (const overrides of [{}, { requiredApprovals: 2, approvals: [{ userId: BOB, at: AT }] }]) {
      const { ports, request, said } = await withRequest(overrides);
      await expireRequest(ports.deps, request.id);
      expect(said).toHaveLength(2);
      for (const message of said)
        expectBothLanguages(() => renderText(message), interpolated(ports, request));
    }
  });
});

describe("both modals in both languages", () => {
  it("the reject-reason modal", () => {
    const ports = memoryPorts();
    const request = aRequest();
    const kind = ports.deps.kinds.of(request);
    const { zh } = expectBothLanguages(
      () => buildRejectReasonView(request, kind, "C0REQUESTS"),
      interpolated(ports, request),
    );
    expect(zh).toContain("拒绝申请");
  });

  it("the replicate modal and its errors", () => {
    const ports = memoryPorts();
    const config = ports.deps.config;
    const { zh } = expectBothLanguages(
      () => buildReplicateModal(config),
      [
        ...Object.keys(config.destinations),
        ...config.source.regions,
        // The channel picker's filter and the name pattern's placeholders are not words anyone reads.
        "public",
        "private",
        "-copy-<yyyymmdd>",
      ],
    );
    expect(zh).toContain("复制快照");
    const values = (
      snapshot: string,
      destination: string,
      name: string,
      region: string,
      channel: string,
    ) => ({
      snapshot: { value: { value: snapshot } },
      destination: { value: { value: destination } },
      name: { value: { value: name } },
      region: { value: { value: region } },
      channel: { value: { selected_conversation: channel } },
    });
    for (const form of [
      values("snap-12", "dr-mars", "x".repeat(61), "mars", "X"),
      values("snap-abc12345", "dr-prd", "", "ap-shangai", "C0REQUESTS"),
    ]) {
      const { zh: errors } = expectBothLanguages(
        () => checkReplicateForm(form, config),
        [...Object.keys(config.destinations)],
      );
      expect(errors).toMatch(/[\u4e00-\u9fff]/);
    }
    // Look-alike hyphens typed or pasted into the form are read as `-`.
    expect(
      checkReplicateForm(
        values("snap\u2010abc12345", "dr\u2013prod", "", "ap\u2212shanghai", "C0REQUESTS"),
        config,
      ),
    ).toMatchObject({
      ok: true,
      form: { snapshotId: "snap-abc12345", destination: "dr-prod", region: "ap-shanghai" },
    });
  });
});
