import type { ReplicationRequest } from "../core/request/request.js";
import type { Snapshot } from "../core/snapshot.js";
import { fingerprintNewPlan } from "../kinds/snapshot-copy/verify-plan.js";
import { approverPolicyFor, findApproverProblems } from "./approver-lookup.js";
import type { FlowDeps } from "./flow-deps.js";

export type ApprovalTerms = Pick<
  ReplicationRequest,
  "requiredApprovals" | "expiresAt" | "planFingerprint" | "approverProblems"
>;

/**
 * What a new request's approval is bound to: how many approvals it needs (fixed now), when it
 * expires, the fingerprint of the plan its card shows, and approver problems to show on the card.
 */
export async function decideApprovalTerms(
  deps: FlowDeps,
  snapshot: Snapshot,
  destination: { alias: string; accountUin: string },
  newName: string,
  now: Date,
): Promise<ApprovalTerms> {
  const policy = approverPolicyFor(deps, destination.alias);
  const problems = await findApproverProblems(deps, policy);
  return {
    requiredApprovals: policy.required,
    expiresAt: new Date(now.getTime() + deps.config.requestTtl).toISOString(),
    planFingerprint: fingerprintNewPlan(deps, snapshot, destination.accountUin, newName),
    ...(problems.length > 0 ? { approverProblems: problems } : {}),
  };
}

/** One delayed job per request; if it cannot be scheduled, approvals still stop at `expiresAt`. */
export async function scheduleRequestExpiry(deps: FlowDeps, request: ReplicationRequest): Promise<void> {
  if (!deps.expiry || !request.expiresAt) return;
  try {
    await deps.expiry.scheduleExpiry(request.id, new Date(request.expiresAt));
  } catch (err) {
    deps.logger.error({ err, requestId: request.id }, "expiry could not be scheduled");
  }
}
