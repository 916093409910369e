import { code, mention, type Text, text, toPlainText, tr } from "../core/messages/message.js";
import {
  ALREADY_APPROVED,
  checkApprover,
  checkRejecter,
  describeDecidedState,
  isPastExpiry,
  requiredApprovalsOf,
} from "../core/request/approval-rules.js";
import type { Request } from "../core/request/request.js";
import { type AuditDeps, approverPolicyFor, isAmong, recordAuditEntry } from "./approver-lookup.js";
import { type ExpireDeps, expireRequest } from "./expire-request.flow.js";
import type { FlowDeps } from "./flow-deps.js";

export type Decision = "approve" | "reject";

export type DecisionOutcome =
  | { kind: "approved"; request: Request }
  | { kind: "approval_recorded"; request: Request; remaining: number }
  | { kind: "rejected"; request: Request }
  | { kind: "refused"; message: Text };

/** The ports deciding whether a person may decide uses (an expired request is expired on the way). */
export type PrecheckDeps = ExpireDeps & AuditDeps & Pick<FlowDeps, "directory" | "clock">;
/** The ports an Approve or Reject uses: the precheck's, and the queue an approved request goes to. */
export type DecideDeps = PrecheckDeps & Pick<FlowDeps, "queue">;

/** Rejections carry an optional reason typed in a modal; Slack's input limit is 3000 characters. */
export const MAX_REASON_LENGTH = 500;

const EXPIRED_MESSAGE: Text = [
  tr(
    "This request expired before enough approvers approved it; nothing changed. Make a new request if it is still needed.",
    "此申请在获得足够审批前已过期，未做任何更改。如仍需要，请重新提交申请。",
  ),
];

const goneMessage = (requestId: string): Text => [
  tr(text`Request ${code(requestId)} no longer exists.`, text`申请 ${code(requestId)} 已不存在。`),
];

/**
 * An Approve or Reject on a card. Every click is decided atomically in the store, so concurrent
 * clicks, double-clicks and retried deliveries give one outcome; every refusal changes nothing,
 * says why, and is recorded in the audit trail.
 */
export async function decideRequest(
  deps: DecideDeps,
  input: { requestId: string; userId: string; decision: Decision; reason?: string },
): Promise<DecisionOutcome> {
  const pre = await precheck(deps, input.requestId, input.userId, input.decision);
  if (pre.kind === "refused") return pre;
  const { request, approver } = pre;
  const log = deps.logger.child({ flow: "decide-request", requestId: request.id, userId: input.userId });
  const at = deps.clock.now().toISOString();

  if (input.decision === "reject") {
    const reason = input.reason?.trim().slice(0, MAX_REASON_LENGTH) || undefined;
    const rejection = { userId: input.userId, at, ...(reason ? { reason } : {}) };
    const result = await deps.store.transition(request.id, {
      to: "rejected",
      patch: { rejection },
      note: { userId: input.userId, ...(reason ? { detail: reason } : {}) },
    });
    if (!result.ok) {
      const message =
        result.reason === "not_found"
          ? goneMessage(request.id)
          : describeDecidedState(result.request, input.userId);
      return refuse(deps, request.id, input.userId, "reject_refused", message);
    }
    log.info({}, "request rejected");
    await deps.notifier.updateCard(result.request);
    await deps.notifier.postThreadReply(
      result.request,
      describeRejection(input.userId, request.requestedBy, reason),
    );
    return { kind: "rejected", request: result.request };
  }

  const policy = approverPolicyFor(deps, request.destination.alias);
  const check = checkApprover(request, input.userId, approver, policy);
  if (check.kind === "refused")
    return refuse(deps, request.id, input.userId, "approval_refused", check.reason);
  const required = requiredApprovalsOf(request, policy);
  const result = await deps.store.recordApproval(request.id, { userId: input.userId, at }, required);
  switch (result.kind) {
    case "not_found":
      return { kind: "refused", message: goneMessage(request.id) };
    case "duplicate":
      return refuse(deps, request.id, input.userId, "approval_refused", ALREADY_APPROVED);
    case "expired":
      await expireRequest(deps, request.id);
      return refuse(deps, request.id, input.userId, "approval_refused", EXPIRED_MESSAGE);
    case "wrong_state":
      return refuse(
        deps,
        request.id,
        input.userId,
        "approval_refused",
        describeDecidedState(result.request, input.userId),
      );
    case "recorded": {
      await deps.notifier.updateCard(result.request);
      const left = result.required - result.count;
      await deps.notifier.postThreadReply(result.request, [
        tr(
          text`Approved by ${mention(input.userId)} (${result.count}/${result.required}); ${left} more approval${left === 1 ? "" : "s"} needed.`,
          text`${mention(input.userId)} 已批准（${result.count}/${result.required}），还需要 ${left} 位审批人批准。`,
        ),
      ]);
      return {
        kind: "approval_recorded",
        request: result.request,
        remaining: result.required - result.count,
      };
    }
    case "approved": {
      // Only one click ever sees "approved"; the job id is the request id besides.
      await deps.queue.enqueueRequest(result.request.id);
      log.info({}, "request approved and queued");
      await deps.notifier.updateCard(result.request);
      const count = required > 1 ? `${required}/${required}` : undefined;
      await deps.notifier.postThreadReply(result.request, [
        tr(
          text`Approved by ${mention(input.userId)}${count ? ` (${count})` : ""}. Queued for replication.`,
          text`${mention(input.userId)} 已批准${count ? `（${count}）` : ""}，已排队等待执行。`,
        ),
      ]);
      return { kind: "approved", request: result.request };
    }
  }
}

/**
 * May this person decide on this request at all? Used before a Reject opens its reason modal, so
 * that a non-approver is refused at once instead of after typing a reason.
 */
export async function precheck(
  deps: PrecheckDeps,
  requestId: string,
  userId: string,
  decision: Decision,
): Promise<{ kind: "allowed"; request: Request; approver: boolean } | { kind: "refused"; message: Text }> {
  const event = decision === "approve" ? "approval_refused" : "reject_refused";
  const request = await deps.store.get(requestId);
  if (!request) return { kind: "refused", message: goneMessage(requestId) };
  if (request.state !== "pending_approval")
    return refuse(deps, request.id, userId, event, describeDecidedState(request, userId));
  if (isPastExpiry(request, deps.clock.now())) {
    await expireRequest(deps, request.id);
    return refuse(deps, request.id, userId, event, EXPIRED_MESSAGE);
  }
  const approver = await isAmong(deps, userId, approverPolicyFor(deps, request.destination.alias));
  if (decision === "reject") {
    const check = checkRejecter(approver);
    if (check.kind === "refused") return refuse(deps, request.id, userId, event, check.reason);
  }
  return { kind: "allowed", request, approver };
}

/** The thread's word on a rejection: who, why, and the requester told what to do next. */
function describeRejection(rejecter: string, requester: string, reason: string | undefined): Text {
  const why = reason ? `${reason}${/[.!?。！？]$/.test(reason) ? "" : "."}` : undefined;
  return [
    tr(
      text`Rejected by ${mention(rejecter)}${why ? `: ${why}` : "."} Nothing was done. ${mention(requester)}, make a new request if it is still needed.`,
      text`${mention(rejecter)} 已拒绝${reason ? `：${reason}` : ""}。未执行任何操作。${mention(requester)}，如仍需要，请重新提交申请。`,
    ),
  ];
}

async function refuse(
  deps: AuditDeps,
  requestId: string,
  userId: string,
  event: "approval_refused" | "reject_refused",
  message: Text,
): Promise<{ kind: "refused"; message: Text }> {
  await recordAuditEntry(deps, { event, requestId, userId, detail: toPlainText(message) });
  return { kind: "refused", message };
}
