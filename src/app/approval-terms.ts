import type { Request } from "../core/request/request.js";
import { approverPolicyFor, findApproverProblems, type LookupDeps } from "./approver-lookup.js";
import type { FlowDeps } from "./flow-deps.js";

export type ApprovalTerms = Pick<
  Request,
  "requiredApprovals" | "expiresAt" | "planFingerprint" | "approverProblems"
>;

/** The ports deciding a new request's approval terms uses. */
export type ApprovalTermsDeps = LookupDeps & Pick<FlowDeps, "config" | "kinds">;

/**
 * What a new request's approval is bound to: how many approvals it needs (fixed now), when it
 * expires, the fingerprint of the plan its card shows, and approver problems to show on the card.
 */
export async function decideApprovalTerms(
  deps: ApprovalTermsDeps,
  request: Request,
  now: Date,
): Promise<ApprovalTerms> {
  const policy = approverPolicyFor(deps, request.destination.alias);
  const problems = await findApproverProblems(deps, policy);
  return {
    requiredApprovals: policy.required,
    expiresAt: new Date(now.getTime() + deps.config.requestTtl).toISOString(),
    planFingerprint: deps.kinds.of(request).fingerprintPlan(request, deps),
    ...(problems.length > 0 ? { approverProblems: problems } : {}),
  };
}

/** One delayed job per request; if it cannot be scheduled, approvals still stop at `expiresAt`. */
export async function scheduleRequestExpiry(
  deps: Pick<FlowDeps, "expiry" | "logger">,
  request: Request,
): Promise<void> {
  if (!deps.expiry || !request.expiresAt) return;
  try {
    await deps.expiry.scheduleExpiry(request.id, new Date(request.expiresAt));
  } catch (err) {
    deps.logger.error({ err, requestId: request.id }, "expiry could not be scheduled");
  }
}
