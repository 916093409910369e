import type { ReplicationRequest, RequestState } from "./request.js";

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
export function requiredApprovalsOf(request: ReplicationRequest, policy: ApproverPolicy): number {
  return request.requiredApprovals ?? policy.required;
}

export type ApprovalCheck = { kind: "allowed" } | { kind: "refused"; reason: string };

/**
 * May this person approve? `isApprover` is resolved by the caller (it needs Slack user groups).
 * The count and the "one vote per person" rule are applied atomically by the store.
 */
export function checkApprover(
  request: ReplicationRequest,
  userId: string,
  isApprover: boolean,
  policy: ApproverPolicy,
): ApprovalCheck {
  if (!isApprover) {
    return {
      kind: "refused",
      reason: `You are not an approver for copies to ${request.destination.alias}, so your click changed nothing.`,
    };
  }
  if (userId === request.requestedBy && !policy.allowSelfApproval) {
    return {
      kind: "refused",
      reason:
        "You made this request, and a request needs a second pair of eyes: another approver must approve it.",
    };
  }
  if (request.approvals.some((a) => a.userId === userId)) {
    return { kind: "refused", reason: "You have already approved this request; another approver is needed." };
  }
  return { kind: "allowed" };
}

export function checkRejecter(isApprover: boolean): ApprovalCheck {
  return isApprover
    ? { kind: "allowed" }
    : {
        kind: "refused",
        reason:
          "Only an approver can reject a request; your click changed nothing. (The requester can withdraw it with `/snapshot cancel`.)",
      };
}

/** States from which `/snapshot cancel` works: nothing has been sent to Tencent Cloud yet. */
export const CANCELLABLE_STATES: readonly RequestState[] = ["pending_approval", "approved"];

export function checkCanceller(
  request: ReplicationRequest,
  userId: string,
  isApprover: boolean,
): ApprovalCheck {
  if (userId !== request.requestedBy && !isApprover) {
    return {
      kind: "refused",
      reason: `Only the requester (<@${request.requestedBy}>) or an approver can cancel ${request.id}.`,
    };
  }
  if (CANCELLABLE_STATES.includes(request.state)) return { kind: "allowed" };
  return { kind: "refused", reason: describeUncancellable(request) };
}

function describeUncancellable(request: ReplicationRequest): string {
  switch (request.state) {
    case "checking":
    case "copying":
    case "verifying":
      return `${request.id} is already ${request.state.replace("_", " ")}: a copy that Tencent Cloud has started cannot be cancelled there, so the bot cannot cancel it. Follow it in the card's thread; delete the copy in the destination account afterwards if it is not wanted.`;
    default:
      return `${request.id} cannot be cancelled: ${describeDecidedState(request)}`;
  }
}

/** Why a click on a request that is no longer pending changed nothing. */
export function describeDecidedState(request: ReplicationRequest): string {
  switch (request.state) {
    case "rejected":
      return `This request was already rejected${request.rejection ? ` by <@${request.rejection.userId}>` : ""}.`;
    case "cancelled":
      return `This request was cancelled${request.cancellation ? ` by <@${request.cancellation.userId}>` : ""}.`;
    case "expired":
      return "This request expired before enough approvers approved it; make a new request.";
    case "pending_approval":
      return "This request is still waiting for approval.";
    default:
      return `This request was already approved${request.approvals.length ? ` by ${request.approvals.map((a) => `<@${a.userId}>`).join(", ")}` : ""} and is ${request.state.replaceAll("_", " ")}.`;
  }
}

/** True when a pending request's time is up (the expiry job may not have run yet). */
export function isPastExpiry(request: ReplicationRequest, now: Date): boolean {
  return request.expiresAt !== undefined && Date.parse(request.expiresAt) <= now.getTime();
}
