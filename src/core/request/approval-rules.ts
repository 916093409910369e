import { joinText, mention, type Text, text } from "../messages/message.js";
import { statesLeadingTo } from "./lifecycle.js";
import type { Request, RequestState } from "./request.js";

/** Slack users and user groups (ids). */
export interface People {
  users: readonly string[];
  usergroups: readonly string[];
}

export interface ApproverPolicy extends People {
  required: number;
  allowSelfApproval: boolean;
}

/** A destination's own approvers replace the global ones; `required` falls back to the global one. */
export function pickApproverPolicy(
  global: ApproverPolicy,
  destination?: Partial<People> & { required?: number | undefined },
): ApproverPolicy {
  if (!destination || (destination.users?.length ?? 0) + (destination.usergroups?.length ?? 0) === 0) {
    return global;
  }
  return {
    users: destination.users ?? [],
    usergroups: destination.usergroups ?? [],
    required: destination.required ?? global.required,
    allowSelfApproval: global.allowSelfApproval,
  };
}

/** Approvals a request needs: fixed when it was made, so a config change does not move a vote. */
export function requiredApprovalsOf(request: Request, policy: ApproverPolicy): number {
  return request.requiredApprovals ?? policy.required;
}

export type ApprovalCheck = { kind: "allowed" } | { kind: "refused"; reason: Text };

/**
 * May this person approve? `isApprover` is resolved by the caller (it needs Slack user groups).
 * The count and the "one vote per person" rule are applied atomically by the store.
 */
export function checkApprover(
  request: Request,
  userId: string,
  isApprover: boolean,
  policy: ApproverPolicy,
): ApprovalCheck {
  if (!isApprover) {
    return {
      kind: "refused",
      reason: text`You are not an approver for copies to ${request.destination.alias}, so your click changed nothing.`,
    };
  }
  if (userId === request.requestedBy && !policy.allowSelfApproval) {
    return {
      kind: "refused",
      reason: text`You made this request, and a request needs a second pair of eyes: another approver must approve it.`,
    };
  }
  if (request.approvals.some((a) => a.userId === userId)) {
    return {
      kind: "refused",
      reason: text`You have already approved this request; another approver is needed.`,
    };
  }
  return { kind: "allowed" };
}

export function checkRejecter(isApprover: boolean): ApprovalCheck {
  return isApprover
    ? { kind: "allowed" }
    : {
        kind: "refused",
        reason: [
          "Only an approver can reject a request; your click changed nothing. (The requester can withdraw it with ",
          { kind: "code", text: "/snapshot cancel" },
          ".)",
        ],
      };
}

/** States from which `/snapshot cancel` works (nothing has been sent to the cloud yet): the lifecycle's. */
export const CANCELLABLE_STATES: readonly RequestState[] = statesLeadingTo("cancelled");

export function checkCanceller(request: Request, userId: string, isApprover: boolean): ApprovalCheck {
  if (userId !== request.requestedBy && !isApprover) {
    return {
      kind: "refused",
      reason: text`Only the requester (${mention(request.requestedBy)}) or an approver can cancel ${request.id}.`,
    };
  }
  if (CANCELLABLE_STATES.includes(request.state)) return { kind: "allowed" };
  return { kind: "refused", reason: describeUncancellable(request) };
}

function describeUncancellable(request: Request): Text {
  if (request.state === "running") {
    return text`${request.id} is already in progress: work that Tencent Cloud has started cannot be cancelled there, so the bot cannot cancel it. Follow it in the card's thread; delete what it made in the destination account afterwards if it is not wanted.`;
  }
  return text`${request.id} cannot be cancelled: ${describeDecidedState(request)}`;
}

/** Why a click on a request that is no longer pending changed nothing. */
export function describeDecidedState(request: Request): Text {
  switch (request.state) {
    case "rejected":
      return text`This request was already rejected${request.rejection ? text` by ${mention(request.rejection.userId)}` : undefined}.`;
    case "cancelled":
      return text`This request was cancelled${request.cancellation ? text` by ${mention(request.cancellation.userId)}` : undefined}.`;
    case "expired":
      return text`This request expired before enough approvers approved it; make a new request.`;
    case "pending_approval":
      return text`This request is still waiting for approval.`;
    default: {
      const by = request.approvals.length
        ? text` by ${joinText(
            request.approvals.map((a) => [mention(a.userId)]),
            ", ",
          )}`
        : undefined;
      return text`This request was already approved${by} and is ${STATE_WORDS[request.state]}.`;
    }
  }
}

/** States as a person would say them after "is". */
const STATE_WORDS: Record<RequestState, string> = {
  pending_approval: "waiting for approval",
  approved: "queued",
  running: "in progress",
  completed: "completed",
  submitted: "submitted",
  failed: "failed",
  outcome_unknown: "of unknown outcome (a copy may exist)",
  rejected: "rejected",
  cancelled: "cancelled",
  expired: "expired",
};

/** True when a pending request's time is up (the expiry job may not have run yet). */
export function isPastExpiry(request: Request, now: Date): boolean {
  return request.expiresAt !== undefined && Date.parse(request.expiresAt) <= now.getTime();
}
