import { describeThreadLink, joinLine } from "../../app/kind-words.js";
import type { CardContent, RequestKind } from "../../app/request-kind.js";
import type { PrerequisiteResult } from "../../core/cam/prerequisites.js";
import { failureMessage } from "../../core/failure-fixes.js";
import type { Block, Inline, Label, Message, Text } from "../../core/messages/message.js";
import {
  asText,
  code,
  group,
  joinText,
  labelText,
  mention,
  strong,
  text,
  time,
  toPlainText,
  tr,
} from "../../core/messages/message.js";
import type { Request } from "../../core/request/request.js";
import { fitMessage, renderMessage, renderText, type SlackMessageContent } from "./mrkdwn.renderer.js";
import { buildCheckSection } from "./prerequisites.blocks.js";
import { currentLocale } from "./reader-locale.js";
import { SLACK_LIMITS } from "./slack-limits.js";

/** Each state as people say it, one symbol each (issue 13: never the state's own id). */
const STATE_LABEL: Record<Request["state"], Text> = {
  pending_approval: [tr("⏳ Waiting for approval", "⏳ 等待审批")],
  approved: [tr("✅ Approved, queued to start", "✅ 已批准，排队等待执行")],
  running: [tr("🔄 In progress", "🔄 进行中")],
  completed: [tr("🟢 Completed", "🟢 已完成")],
  submitted: [tr("📤 Submitted (completion cannot be verified)", "📤 已提交（无法确认是否完成）")],
  failed: [tr("🔴 Failed", "🔴 失败")],
  outcome_unknown: [tr("❔ Outcome unknown, a copy may exist", "❔ 结果未知，副本可能已创建")],
  rejected: [tr("⛔ Rejected", "⛔ 已拒绝")],
  cancelled: [tr("✖️ Cancelled", "✖️ 已取消")],
  expired: [tr("⏰ Expired", "⏰ 已过期")],
};

const STEP_ICON = "🔄";

/** A kind's words for a step: a plain English string (a kind that says no more) starts with a capital. */
function stepWords(words: Label): Text {
  if (typeof words !== "string") return words;
  return [`${words.charAt(0).toUpperCase()}${words.slice(1)}`];
}

/**
 * The state as the card, `/snapshot status` and `/snapshot list` show it: the kind's own words for
 * its step while running, in both languages.
 */
export function describeState(
  request: Pick<Request, "state" | "step" | "destination">,
  kind?: RequestKind,
): Text {
  if (request.state === "running" && request.step) {
    const words = kind?.describeStep(request.step, request) ?? STATE_LABEL.running;
    return text`${STEP_ICON} ${stepWords(words)}`;
  }
  return STATE_LABEL[request.state];
}

export const listPeople = (ids: readonly string[]): Text =>
  summarise(
    ids.map((id) => [mention(id)]),
    ", ",
    1000,
  );

/**
 * The checks shown on the card. A passed snapshot or policy check says only that it passed: the
 * card's fields already state every fact it found (each fact once, issue 13). One that did not
 * pass is shown as it is.
 */
function checksForCard(request: Request): PrerequisiteResult[] | undefined {
  return request.checks?.map((r): PrerequisiteResult => {
    if (r.status !== "passed") return { ...r, subject: asText(r.subject), reason: asText(r.reason) };
    const id = /\b(snap|asp)-[a-z0-9]+\b/.exec(toPlainText(asText(r.subject)))?.[0];
    const subject: Text = id ? [code(id)] : asText(r.subject);
    if (r.check === "snapshot")
      return { ...r, subject, reason: [tr(text`${subject} is NORMAL.`, text`${subject} 状态为 NORMAL。`)] };
    if (r.check === "policy")
      return {
        ...r,
        subject,
        reason: [tr(text`${subject} is NORMAL and activated.`, text`${subject} 状态为 NORMAL，已启用。`)],
      };
    return { ...r, subject: asText(r.subject), reason: asText(r.reason) };
  });
}

/** The approval card of a request of any kind. Pure: the same request always renders the same card. */
export function buildApprovalCard(
  request: Request,
  kind: RequestKind,
  requiredApprovals: number,
  options: { approverMention?: string } = {},
): SlackMessageContent {
  const content = kind.describeCard(request);
  const state = describeState(request, kind);
  const context: Text[] = [...content.facts];
  const needed = request.requiredApprovals ?? requiredApprovals;
  if (request.approvals.length > 0) {
    const people = listPeople(request.approvals.map((a) => a.userId));
    const count = `${request.approvals.length}/${needed}`;
    context.unshift([tr(text`Approved by ${people} (${count})`, text`已由 ${people} 批准（${count}）`)]);
  } else if (request.state === "pending_approval" && needed > 1) {
    context.unshift([tr(`Approvals: 0/${needed}`, `审批进度：0/${needed}`)]);
  }
  if (request.cancellation) context.push([cancelledBy(request.cancellation)]);
  if (request.state === "pending_approval" && request.expiresAt) {
    const at = time(request.expiresAt);
    context.push([tr(text`Expires ${at}`, text`过期时间：${at}`)]);
  }
  if (request.approverProblems?.length) {
    const problems = summarise(request.approverProblems, "; ", 2500);
    context.push([tr(text`⚠️ Approver configuration: ${problems}`, text`⚠️ 审批人配置问题：${problems}`)]);
  }
  if (request.rejection) context.push([rejectedBy(request.rejection)]);
  if (request.failure) {
    const message = failureMessage(request.failure);
    context.push([
      request.state === "outcome_unknown"
        ? tr(text`Outcome: ${message}`, text`结果：${message}`)
        : tr(text`Failure: ${message}`, text`失败原因：${message}`),
    ]);
  }

  const id = code(request.id);
  const asker = mention(request.requestedBy);
  const blocks: Block[] = [
    { type: "header", text: content.title },
    {
      type: "section",
      // Slack's bold takes one run of plain words: the state in the reader's language.
      text: text`${strong(labelText(state, currentLocale()))} · ${tr(text`request ${id} · asked by ${asker}`, text`申请 ${id} · 申请人 ${asker}`)}`,
    },
    { type: "fields", fields: content.fields },
  ];
  const message: Message = {
    text: [
      tr(
        text`Request ${request.id}: ${content.summary} — ${state}`,
        text`申请 ${request.id}：${content.summary}——${state}`,
      ),
    ],
    blocks,
  };
  const rendered = renderMessage(message);
  const tail: Block[] = [];
  if (context.length > 0) tail.push({ type: "context", items: context });
  if (request.state === "pending_approval" && options.approverMention) {
    // One group mention, never every approver one by one.
    const approvers = group(options.approverMention);
    tail.push({
      type: "section",
      text: [tr(text`${approvers} this request needs a review.`, text`${approvers} 此申请需要审批。`)],
    });
  }
  if (request.state === "pending_approval") {
    tail.push(decisionButtons("request_decision", request.id, content));
  }
  const tailBlocks = renderMessage({ text: [], blocks: tail }).blocks ?? [];
  return fitMessage({
    text: rendered.text,
    blocks: [
      ...(rendered.blocks ?? []),
      ...buildCheckSection(request, checksForCard(request)),
      ...tailBlocks,
    ],
  });
}

/**
 * Many entries (a hundred approvers who left) as one line within `max` rendered characters: the
 * ones that fit, then "…and N more", never a list cut in the middle of an entry.
 */
export function summarise(items: readonly Text[], separator: string, max: number): Text {
  let used = 0;
  const shown: Text[] = [];
  for (const [i, item] of items.entries()) {
    const size = renderText(item, SLACK_LIMITS.messageText).length + separator.length;
    const reserve = i < items.length - 1 ? 30 : 0;
    if (used + size + reserve > max) {
      return joinText(
        [...shown, [tr(`…and ${items.length - i} more`, `……另有 ${items.length - i} 项`)]],
        separator,
      );
    }
    used += size;
    shown.push(item);
  }
  return joinText(shown, separator);
}

/**
 * The notify channel's one message per finished request: the kind's one line, with the thread's
 * link in it (issue 13). Nothing else: the fix, the checks and any policy document are in the thread.
 */
export function buildOutcomeNotice(
  request: Request,
  kind: RequestKind,
  threadLink?: string,
): SlackMessageContent {
  const notice = kind.describeOutcome(request, threadLink);
  // A kind that leaves the link out still gets it: the line is where the channel reads on from.
  const linked = notice.text.some((p) => hasLink(p, threadLink));
  const line = threadLink && !linked ? joinLine([notice.text, describeThreadLink(threadLink)]) : notice.text;
  return renderMessage({ text: line, blocks: [{ type: "section", text: line }] });
}

function hasLink(part: Inline, url: string | undefined): boolean {
  if (typeof part === "string" || !url) return false;
  if (part.kind === "link") return part.url === url;
  if (part.kind === "tr") return [...part.en, ...part.zh].some((p) => hasLink(p, url));
  return false;
}

/** "Rejected by @bob: not this week" / "已由 @bob 拒绝：not this week", on the card and in `/snapshot status`. */
export function rejectedBy(rejection: NonNullable<Request["rejection"]>): Inline {
  const who = mention(rejection.userId);
  const reason = rejection.reason;
  return tr(
    text`Rejected by ${who}${reason ? `: ${reason}` : undefined}`,
    text`已由 ${who} 拒绝${reason ? `：${reason}` : undefined}`,
  );
}

/** "Cancelled by @alice" / "已由 @alice 取消". */
export function cancelledBy(cancellation: NonNullable<Request["cancellation"]>): Inline {
  const who = mention(cancellation.userId);
  return tr(text`Cancelled by ${who}`, text`已由 ${who} 取消`);
}

/** Approve (behind the kind's confirm dialog) and Reject, on the card and on the App Home. */
export function decisionButtons(
  blockId: string,
  requestId: string,
  content: Pick<CardContent, "confirm" | "confirmTitle">,
): Block {
  return {
    type: "actions",
    id: blockId,
    actions: [
      {
        id: "approve",
        label: [tr("Approve", "批准")],
        value: requestId,
        style: "primary",
        confirm: {
          title: content.confirmTitle ?? [tr("Approve this request?", "批准此申请？")],
          text: content.confirm,
          yes: [tr("Approve", "批准")],
          no: [tr("Cancel", "取消")],
        },
      },
      { id: "reject", label: [tr("Reject", "拒绝")], value: requestId, style: "danger" },
    ],
  };
}
