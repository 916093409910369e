import { describe, expect, it } from "vitest";
import {
  buildApprovalCard,
  buildOutcomeNotice,
  describeState,
} from "../../src/adapters/chat-slack/approval-card.blocks.js";
import { renderText } from "../../src/adapters/chat-slack/mrkdwn.renderer.js";
import { buildOutcomeDigest } from "../../src/adapters/chat-slack/outcome-digest.js";
import { buildDigest, type OutcomeBody } from "../../src/adapters/chat-slack/slack-outbox.js";
import type { RequestKind } from "../../src/app/request-kind.js";
import { text, tr } from "../../src/core/messages/message.js";
import type { AutoSnapshotPolicy } from "../../src/core/ports/policy-cloud.port.js";
import type { Request, RequestState } from "../../src/core/request/request.js";
import type { PolicyLinkRequest } from "../../src/kinds/policy-link/policy-link.request.js";
import { createKindRegistry } from "../../src/kinds/registry.js";
import { aRequest, aSnapshot } from "../support/request-fixtures.js";
import { expectBothLanguages, renderIn } from "../support/translations.js";

/**
 * Issue 13: the card in every state, the notify channel's outcome line, the digest and the parts of
 * the status and list replies these files give, each rendered in English and in Chinese, with no
 * English left in the Chinese, no raw ISO time and no internal state name.
 */
const kinds = createKindRegistry();
const LINK = "https://example.slack.com/archives/C0REQUESTS/p1796119237781000";
const CREATED = "2026-12-01T09:00:00.000Z";
const APPROVED = "2026-12-01T09:01:00.000Z";
const ENDED = "2026-12-01T09:04:05.000Z";

/** Values the messages carry as they are, in both languages: names, ids, units, API words. */
const KEPT = ["GiB", "ModifySnapshotsSharePermission", "CopyToAccountUin", "readRoleArn"];
/** Failure texts come from the steps in English (the thread and audit keep them): data here. */
const FAILURE = {
  code: "cam.permission_missing",
  message: "Account 200000000002 is not allowed cvm:CopySnapshotCrossAccount any more.",
  fix: 'Attach the minimal policy: {"version":"2.0","statement":[{"effect":"allow","action":["cvm:CopySnapshotCrossAccount"],"resource":"*"}]}',
  // What the step stored for people (request-steps.ts `fail`): the same words in both languages.
  said: {
    message: [
      tr(
        "Account 200000000002 is not allowed cvm:CopySnapshotCrossAccount any more.",
        "账号 200000000002 已不再被允许执行 cvm:CopySnapshotCrossAccount。",
      ),
    ],
  },
};

const POLICY: AutoSnapshotPolicy = {
  policyId: "asp-dbdaily1",
  name: "*db* nightly",
  region: "ap-shanghai",
  state: "NORMAL",
  activated: true,
  schedules: [{ hours: [3, 15], daysOfWeek: [1, 4] }],
  diskIds: ["disk-db000001"],
  retention: { kind: "advanced", days: 7, weeks: 4, months: 0, years: 1 },
  nextTriggerTime: "2026-12-02 03:00:00",
};

function aLink(overrides: Partial<PolicyLinkRequest> = {}): PolicyLinkRequest {
  return {
    id: "rq-link01",
    kind: "policy-link",
    state: "pending_approval",
    requestedBy: "U0ALICE",
    origin: "C0REQUESTS",
    createdAt: CREATED,
    updatedAt: CREATED,
    destination: { alias: "dr-prod", accountUin: "200000000002", readRoleArn: "qcs::cam::uin/2:roleName/r" },
    approvals: [],
    spec: { policy: POLICY },
    progress: {},
    ...overrides,
  };
}

/** A request as it is in `state`, with what that state carries (who decided, the failure, the copy). */
function inState<R extends Request>(request: R, state: RequestState, step?: string): R {
  const decided = { userId: "U0BOB", at: APPROVED };
  const base = { ...request, state, updatedAt: ENDED };
  switch (state) {
    case "pending_approval":
      return { ...base, updatedAt: CREATED, expiresAt: "2026-12-02T09:00:00.000Z", requiredApprovals: 2 };
    case "approved":
      return { ...base, approvals: [decided] };
    case "running":
      return { ...base, approvals: [decided], ...(step ? { step } : {}) };
    case "completed":
    case "submitted":
      return {
        ...base,
        approvals: [decided],
        progress: { ...(request.progress as object), newSnapshotId: "snap-new00001" },
      };
    case "failed":
    case "outcome_unknown":
      return { ...base, approvals: [decided], failure: FAILURE };
    case "rejected":
      return { ...base, rejection: { ...decided, reason: "not this week" } };
    case "cancelled":
      return { ...base, cancellation: { userId: "U0ALICE", at: APPROVED } };
    case "expired":
      return base;
  }
}

const STATES: RequestState[] = [
  "pending_approval",
  "approved",
  "completed",
  "submitted",
  "failed",
  "outcome_unknown",
  "rejected",
  "cancelled",
  "expired",
];

const copy = aRequest({
  createdAt: CREATED,
  updatedAt: CREATED,
  newName: "*bold* _copy_",
  snapshot: aSnapshot({ createdAtMs: Date.parse("2026-11-23T19:00:00.000Z") }),
  destination: { alias: "dr-prod", accountUin: "200000000002", readRoleArn: "qcs::cam::uin/2:roleName/r" },
});
const blind = aRequest({
  createdAt: CREATED,
  updatedAt: CREATED,
  destination: { alias: "dr-blind", accountUin: "200000000003" },
});
const share = aRequest({
  createdAt: CREATED,
  updatedAt: CREATED,
  destination: { alias: "dr-share", accountUin: "200000000006", method: "share" },
  progress: {},
});
const link = aLink();
const values = [...KEPT, FAILURE.message, "not this week"];

/** Each step as people say it, never the step's id. */
const STEP_WORDS: Record<string, RegExp> = {
  checking: /^🔄 Checking the prerequisites$/,
  copying: /^🔄 Starting the copy$/,
  sharing: /^🔄 Sharing the snapshot$/,
  verifying: /^🔄 (Copy in progress|Confirming the share)$/,
  linking: /^🔄 Linking the policy$/,
  confirming: /^🔄 Confirming the link$/,
};

const kindOf = (r: Request) => kinds.of(r) as RequestKind;
const card = (r: Request) => () => buildApprovalCard(r, kindOf(r), 1, { approverMention: "S0APPROVERS" });

describe.each([
  ["a copy", copy as Request, ["checking", "copying", "verifying"]],
  ["a copy without a read role", blind as Request, ["verifying"]],
  ["a share", share as Request, ["checking", "sharing", "verifying"]],
  ["a policy link", link as Request, ["checking", "linking", "confirming"]],
] as const)("%s in both languages", (_, request, steps) => {
  it.each(STATES)("the card when %s", (state) => {
    const { en, zh } = expectBothLanguages(card(inState(request, state)), values);
    expect(en).not.toMatch(/\bCreated\b[^\n]*2026-11-24 03:00:00/);
    expect(zh).toMatch(/[\u4e00-\u9fff]/);
  });

  it.each(steps)("the card and its state while %s", (step) => {
    const running = inState(request, "running", step);
    const { en } = expectBothLanguages(card(running), values);
    const state = expectBothLanguages(() => renderText(describeState(running, kindOf(running))));
    expect(en).toContain(state.en);
    expect(state.en).toMatch(STEP_WORDS[step] ?? /^$/);
  });

  it.each(STATES.filter((s) => s !== "pending_approval" && s !== "approved"))(
    "the outcome notice when %s: one line, with the thread's link, never the fix",
    (state) => {
      const notice = () => buildOutcomeNotice(inState(request, state), kindOf(request), LINK);
      const { en, zh } = expectBothLanguages(notice, values);
      for (const rendered of [en, zh]) {
        const content = renderIn(rendered === en ? "en" : "zh-CN", notice);
        expect(content.text).not.toContain("\n");
        expect(content.text).toContain(`<${LINK}|`);
        expect(content.blocks).toHaveLength(1);
        expect(content.text).not.toContain("statement");
        expect(content.text).not.toContain("Attach the minimal policy");
        expect(content.text).toContain("rq-");
        expect(content.text).toContain("<@U0ALICE>");
      }
    },
  );

  it("the pieces of /snapshot status and /snapshot list: state, summary and facts", () => {
    for (const state of STATES) {
      const r = inState(request, state);
      const kind = kindOf(r);
      expectBothLanguages(
        () => [
          renderText(describeState(r, kind)),
          renderText(kind.describeCard(r).summary),
          ...kind.describeCard(r).facts.map((f) => renderText(f)),
        ],
        values,
      );
    }
  });
});

describe("names are shown as they will be made", () => {
  it("a copy named *bold* _copy_ is a code span on the card, the summary and the notice, never markup", () => {
    const rendered = renderIn("en", card(copy));
    const json = JSON.stringify(rendered.blocks);
    expect(json).toContain("`*bold* _copy_`");
    expect(json.replaceAll("`*bold* _copy_`", "")).not.toContain("*bold*");
    expect(rendered.text).toContain("`*bold* _copy_`");
    const notice = renderIn("en", () => buildOutcomeNotice(inState(copy, "completed"), kindOf(copy), LINK));
    expect(notice.text).toContain("as `*bold* _copy_` (`snap-new00001`)");
  });

  it("a policy name with markup is literal too", () => {
    const rendered = renderIn("zh-CN", card(link));
    expect(JSON.stringify(rendered.blocks)).toContain("`*db* nightly`");
  });

  it("each snapshot fact appears once on the card, the passed snapshot check saying only that it passed", () => {
    const checked = {
      ...copy,
      checks: [
        {
          check: "snapshot" as const,
          status: "passed" as const,
          subject: ["Snapshot snap-abc12345"],
          reason: [
            '`snap-abc12345` "db-daily" is NORMAL: 100 GiB data disk `disk-db000001`, encrypted, ap-shanghai, created 2026-11-24 03:00:00.',
          ],
        },
      ],
    };
    // The confirm dialog (behind Approve) restates what approving does; the card itself says each fact once.
    const json = JSON.stringify(renderIn("en", card(checked)).blocks?.filter((b) => b.type !== "actions"));
    for (const fact of ["100 GiB", "ap-shanghai", "disk-db000001", "encrypted", "db-daily"])
      expect(json.split(fact).length - 1, fact).toBe(1);
    expect(json).toContain("`snap-abc12345` is NORMAL.");
  });
  it("the card says the schedule and retention in the words /snapshot auto list uses", () => {
    const weekend = aLink({
      spec: {
        policy: {
          ...POLICY,
          schedules: [
            { hours: [10], daysOfWeek: [6, 0] },
            { hours: [1], daysOfWeek: [1, 4] },
          ],
        },
      },
    });
    const zh = JSON.stringify(renderIn("zh-CN", card(weekend)).blocks);
    expect(zh).toContain("周末（周六和周日） 10:00；周一、周四 01:00（北京时间）");
    expect(zh).toContain("按周期保留：最近 7 天、4 周、1 年内每个周期保留最新一个");
    const en = JSON.stringify(renderIn("en", card(weekend)).blocks);
    expect(en).toContain("on weekends (Sat and Sun) at 10:00; Mon and Thu at 01:00 (Beijing time)");
    expect(en).toContain("the newest of each of the last 7 days, 4 weeks and 1 year kept");
  });
  it("a policy without disks says what that means once, in the warning", () => {
    const bare = aLink({ spec: { policy: { ...POLICY, diskIds: [] } } });
    for (const locale of ["en", "zh-CN"] as const) {
      const json = JSON.stringify(renderIn(locale, card(bare)).blocks?.filter((b) => b.type !== "actions"));
      const said =
        locale === "en" ? "nothing is replicated until disks are bound" : "绑定云硬盘之前不会复制任何内容";
      expect(json.split(said).length - 1, locale).toBe(1);
    }
  });
});

describe("the digest of many outcomes", () => {
  const ended = STATES.filter((s) => s !== "pending_approval" && s !== "approved").map((s, i) =>
    inState({ ...copy, id: `rq-dig00${i}` }, s),
  );

  it("counts outcomes in words and gives each request's own line (in-process digest)", () => {
    const { en, zh } = expectBothLanguages(() => buildOutcomeDigest(ended, kinds), values);
    expect(en).toContain("1 outcome unknown");
    expect(zh).toContain("1 个结果未知");
    expect(en).not.toContain("outcome_unknown");
  });

  it("the outbox's digest uses each notice's line, which carries the thread's link", () => {
    const bodies = (): OutcomeBody[] =>
      ended.map((r) => {
        const notice = buildOutcomeNotice(r, kindOf(r), LINK);
        return { conversation: "C0NOTIFY", requestId: r.id, state: r.state, notice, line: notice.text };
      });
    const { en, zh } = expectBothLanguages(() => buildDigest(bodies()), values);
    expect(en).toMatch(/^📑 7 replications finished \(1 completed, 1 submitted, 1 failed, 1 outcome unknown/);
    expect(zh).toMatch(/^📑 7 个复制申请已结束（1 个已完成，1 个已提交/);
    const lines = renderIn("en", () => buildDigest(bodies()))
      .text.split("\n")
      .slice(1);
    expect(lines).toHaveLength(7);
    for (const line of lines) expect(line).toContain(`<${LINK}|thread>`);
  });
});

describe("a kind that says less", () => {
  it("a plain English step and a notice without a link still get a capital and the thread's link", () => {
    const bell = {
      ...(kinds.of(copy) as RequestKind),
      describeStep: () => "ringing",
      describeOutcome: () => ({ text: text`Bell rang` }),
    } as RequestKind;
    const running = inState(copy, "running", "ringing");
    expect(renderIn("en", () => renderText(describeState(running, bell)))).toBe("🔄 Ringing");
    expect(renderIn("en", () => buildOutcomeNotice(running, bell, LINK)).text).toBe(
      `Bell rang · <${LINK}|thread>`,
    );
  });
});
