import type { AutoSnapshotPolicy } from "../../core/ports/policy-cloud.port.js";
import type { Request } from "../../core/request/request.js";

/** The kind's id, stored in every one of its requests. */
export const POLICY_LINK = "policy-link";

/** Its steps while running: `checking → linking → confirming`. */
export const POLICY_LINK_STEPS = ["checking", "linking", "confirming"] as const;
export type PolicyLinkStep = (typeof POLICY_LINK_STEPS)[number];

/** What was asked: link this scheduled policy (as the card showed it) to the request's destination. */
export interface PolicyLinkSpec {
  policy: AutoSnapshotPolicy;
}

export interface PolicyLinkProgress {
  /**
   * Set just before CopyAutoSnapshotPolicyCrossAccount is sent (the claim fence holds the call): a
   * run that finds it re-reads `CopyToAccountUin` before calling again.
   */
  linkRequestedAt?: string;
  /** When Tencent accepted the call; absent when the policy was already linked at run time. */
  linkAcceptedAt?: string;
  cloudRequestId?: string;
  /** When `CopyToAccountUin` was read back as the destination. */
  confirmedAt?: string;
  /** The policy already replicated to the destination when the step looked: nothing was called. */
  alreadyLinked?: boolean;
}

/** Automatic replication: one scheduled snapshot policy linked to a destination account. */
export type PolicyLinkRequest = Request<PolicyLinkSpec, PolicyLinkProgress>;

export function isPolicyLink(request: Request): request is PolicyLinkRequest {
  return request.kind === POLICY_LINK;
}
