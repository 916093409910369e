import type { RequestKind } from "../../app/request-kind.js";
import type { Block, Message, Text } from "../../core/messages/message.js";
import { code, group, joinText, mention, strong, text, time } from "../../core/messages/message.js";
import type { Request } from "../../core/request/request.js";
import { fitMessage, renderMessage, renderText, type SlackMessageContent } from "./mrkdwn.renderer.js";
import { buildCheckSection } from "./prerequisites.blocks.js";
import { SLACK_LIMITS } from "./slack-limits.js";

const STATE_LABEL: Record<Request["state"], string> = {
  pending_approval: ":hourglass_flowing_sand: Waiting for approval",
  approved: ":white_check_mark: Approved — queued",
  running: ":arrows_counterclockwise: In progress",
  completed: ":large_green_circle: Completed",
  submitted: ":outbox_tray: Submitted (completion not verifiable)",
  failed: ":red_circle: Failed",
  outcome_unknown: ":grey_question: Outcome unknown — a copy may exist",
  rejected: ":no_entry: Rejected",
  cancelled: ":heavy_multiplication_x: Cancelled",
  expired: ":alarm_clock: Expired",
};

const STEP_ICON = ":arrows_counterclockwise:";

/** The state as the card and the replies show it: the kind's own words for its step while running. */
export function describeState(request: Pick<Request, "state" | "step">, kind?: RequestKind): string {
  if (request.state === "running" && request.step) {
    const words = kind?.describeStep(request.step, request) ?? request.step;
    return `${STEP_ICON} ${words.charAt(0).toUpperCase()}${words.slice(1)}`;
  }
  return STATE_LABEL[request.state];
}

export const listPeople = (ids: readonly string[]): Text =>
  summarise(
    ids.map((id) => [mention(id)]),
    ", ",
    1000,
  );

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
    context.unshift(
      text`Approved by ${listPeople(request.approvals.map((a) => a.userId))} (${request.approvals.length}/${needed})`,
    );
  } else if (request.state === "pending_approval" && needed > 1) {
    context.unshift(text`Approvals: 0/${needed}`);
  }
  if (request.cancellation) context.push(text`Cancelled by ${mention(request.cancellation.userId)}`);
  if (request.state === "pending_approval" && request.expiresAt)
    context.push(text`Expires ${time(request.expiresAt)}`);
  if (request.approverProblems?.length) {
    context.push(text`⚠️ Approver configuration: ${summarise(request.approverProblems, "; ", 2500)}`);
  }
  if (request.rejection) {
    context.push(
      text`Rejected by ${mention(request.rejection.userId)}${request.rejection.reason ? `: ${request.rejection.reason}` : undefined}`,
    );
  }
  if (request.failure)
    context.push(
      text`${request.state === "outcome_unknown" ? "Outcome" : "Failure"}: ${request.failure.message}`,
    );

  const blocks: Block[] = [
    { type: "header", text: content.title },
    {
      type: "section",
      text: text`${strong(state)} · request ${code(request.id)} · asked by ${mention(request.requestedBy)}`,
    },
    { type: "fields", fields: content.fields },
  ];
  const message: Message = {
    text: text`Request ${request.id}: ${content.summary} — ${state}`,
    blocks,
  };
  const rendered = renderMessage(message);
  const tail: Block[] = [];
  if (context.length > 0) tail.push({ type: "context", items: context });
  if (request.state === "pending_approval" && options.approverMention) {
    // One group mention, never every approver one by one.
    tail.push({
      type: "section",
      text: text`${group(options.approverMention)} this request needs a review.`,
    });
  }
  if (request.state === "pending_approval") {
    tail.push({
      type: "actions",
      id: "request_decision",
      actions: [
        {
          id: "approve",
          label: "Approve",
          value: request.id,
          style: "primary",
          confirm: {
            title: content.confirmTitle ?? "Approve this request?",
            text: content.confirm,
            yes: "Approve",
            no: "Cancel",
          },
        },
        { id: "reject", label: "Reject", value: request.id, style: "danger" },
      ],
    });
  }
  const tailBlocks = renderMessage({ text: [], blocks: tail }).blocks ?? [];
  return fitMessage({
    text: rendered.text,
    blocks: [...(rendered.blocks ?? []), ...buildCheckSection(request, request.checks), ...tailBlocks],
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
      return joinText([...shown, [`…and ${items.length - i} more`]], separator);
    }
    used += size;
    shown.push(item);
  }
  return joinText(shown, separator);
}

/** The notify channel's one message per finished request, with a link to its thread. */
export function buildOutcomeNotice(
  request: Request,
  kind: RequestKind,
  threadLink?: string,
): SlackMessageContent {
  const notice = kind.describeOutcome(request);
  const blocks = [...(notice.blocks ?? [{ type: "section" as const, text: notice.text }])];
  if (threadLink)
    blocks.push({ type: "context", items: [[{ kind: "link", url: threadLink, label: "See the thread" }]] });
  return renderMessage({ text: notice.text, blocks });
}
