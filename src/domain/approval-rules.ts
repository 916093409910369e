import type { Decision, ReplicationRequest } from "./request.js";

export interface ApproverPolicy {
  users: readonly string[];
  usergroups: readonly string[];
  required: number;
  allowSelfApproval: boolean;
}

export type ApprovalVerdict =
  | { kind: "approved"; approvals: Decision[] }
  | { kind: "recorded"; approvals: Decision[]; remaining: number }
  | { kind: "refused"; reason: string };

/**
 * Decides what an approver's click does. `isApprover` is resolved by the caller (it needs Slack
 * user groups); everything else is a rule over the request and the policy.
 */
export function judgeApproval(
  request: ReplicationRequest,
  userId: string,
  isApprover: boolean,
  policy: ApproverPolicy,
  at: Date,
): ApprovalVerdict {
  if (!isApprover) {
    return {
      kind: "refused",
      reason: "You are not an approver for snapshot replication, so your click changed nothing.",
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
    return { kind: "refused", reason: "You have already approved this request." };
  }
  const approvals = [...request.approvals, { userId, at: at.toISOString() }];
  const remaining = policy.required - approvals.length;
  return remaining <= 0 ? { kind: "approved", approvals } : { kind: "recorded", approvals, remaining };
}

export function describeDecidedState(request: ReplicationRequest): string {
  switch (request.state) {
    case "rejected":
      return `This request was already rejected${request.rejection ? ` by <@${request.rejection.userId}>` : ""}.`;
    case "cancelled":
      return "This request was cancelled.";
    case "expired":
      return "This request expired before anyone approved it; make a new request.";
    case "pending_approval":
      return "This request is still waiting for approval.";
    default:
      return `This request was already approved${request.approvals.length ? ` by ${request.approvals.map((a) => `<@${a.userId}>`).join(", ")}` : ""} and is ${request.state.replaceAll("_", " ")}.`;
  }
}
