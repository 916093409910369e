import type { FlowDeps } from "../../app/flow-deps.js";
import { resolveDestination } from "../../app/resolve-destination.js";
import type { AutoSnapshotPolicy } from "../../core/ports/policy-cloud.port.js";
import type { PolicyLinkRequest } from "./policy-link.request.js";

/**
 * The plan an approver of a link approves: this policy (its region, disks, state, activation) made
 * to replicate into this account. The worker recomputes it before linking and stops if it changed.
 */
export interface LinkPlan {
  policyId: string;
  region: string;
  diskIds: string[];
  state: string;
  activated: boolean;
  destinationUin: string;
}

export function buildLinkPlan(policy: AutoSnapshotPolicy, destinationUin: string): LinkPlan {
  return {
    policyId: policy.policyId,
    region: policy.region,
    diskIds: [...policy.diskIds].sort(),
    state: policy.state,
    activated: policy.activated,
    destinationUin,
  };
}

/** `v1:` + 64-bit FNV-1a of the plan's fields in a fixed order. */
export function fingerprintLinkPlan(plan: LinkPlan): string {
  const canonical = JSON.stringify([
    plan.policyId,
    plan.region,
    plan.diskIds,
    plan.state,
    plan.activated,
    plan.destinationUin,
  ]);
  let hash = 0xcbf29ce484222325n;
  const prime = 0x100000001b3n;
  for (let i = 0; i < canonical.length; i++) {
    hash ^= BigInt(canonical.charCodeAt(i));
    hash = (hash * prime) & 0xffffffffffffffffn;
  }
  return `v1:${hash.toString(16).padStart(16, "0")}`;
}

/** What changed between the approved plan and the policy as it is now (undefined: nothing). */
export function findLinkPlanChanges(
  deps: Pick<FlowDeps, "config">,
  request: PolicyLinkRequest,
  current: AutoSnapshotPolicy,
): string[] | undefined {
  if (!request.planFingerprint) return undefined;
  const lookup = resolveDestination(deps.config, request.destination.alias);
  const destinationUin = lookup.ok ? lookup.destination.accountUin : "(no longer configured)";
  const now = buildLinkPlan(current, destinationUin);
  if (fingerprintLinkPlan(now) === request.planFingerprint) return undefined;
  const approved = buildLinkPlan(request.spec.policy, request.destination.accountUin);
  const changes: string[] = [];
  if (approved.region !== now.region) changes.push(`the policy is now in ${now.region}`);
  if (approved.diskIds.join(",") !== now.diskIds.join(","))
    changes.push(
      `its disks changed from ${approved.diskIds.join(", ") || "none"} to ${now.diskIds.join(", ") || "none"}`,
    );
  if (approved.state !== now.state) changes.push(`its state is ${now.state}, not ${approved.state}`);
  if (approved.activated !== now.activated)
    changes.push(now.activated ? "it was activated" : "it is no longer activated");
  if (approved.destinationUin !== now.destinationUin)
    changes.push(
      `the destination now points to account ${now.destinationUin}, not ${approved.destinationUin}`,
    );
  return changes.length > 0 ? changes : ["the plan differs from the one approved"];
}
