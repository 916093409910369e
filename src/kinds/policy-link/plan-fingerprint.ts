import type { FlowDeps } from "../../app/flow-deps.js";
import { resolveDestination } from "../../app/resolve-destination.js";
import { type Text, tr } from "../../core/messages/message.js";
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

/** What changed between the approved plan and the policy as it is now, in both languages (undefined: nothing). */
export function findLinkPlanChanges(
  deps: Pick<FlowDeps, "config">,
  request: PolicyLinkRequest,
  current: AutoSnapshotPolicy,
): Text[] | undefined {
  if (!request.planFingerprint) return undefined;
  const lookup = resolveDestination(deps.config, request.destination.alias);
  const destinationUin = lookup.ok ? lookup.destination.accountUin : "(no longer configured)";
  const now = buildLinkPlan(current, destinationUin);
  if (fingerprintLinkPlan(now) === request.planFingerprint) return undefined;
  const approved = buildLinkPlan(request.spec.policy, request.destination.accountUin);
  const changes: Text[] = [];
  const say = (en: string, zh: string) => changes.push([tr(en, zh)]);
  if (approved.region !== now.region)
    say(`the policy is now in ${now.region}`, `该策略现在位于地域 ${now.region}`);
  if (approved.diskIds.join(",") !== now.diskIds.join(",")) {
    const before = approved.diskIds.join(", ");
    const after = now.diskIds.join(", ");
    say(
      `its disks changed from ${before || "none"} to ${after || "none"}`,
      `其云硬盘从 ${before || "无"} 变为 ${after || "无"}`,
    );
  }
  if (approved.state !== now.state)
    say(
      `its state is ${now.state}, not ${approved.state}`,
      `其状态为 ${now.state}，而不是 ${approved.state}`,
    );
  if (approved.activated !== now.activated)
    say(
      now.activated ? "it was activated" : "it is no longer activated",
      now.activated ? "它已被启用" : "它已不再启用",
    );
  if (approved.destinationUin !== now.destinationUin)
    say(
      `the destination now points to account ${now.destinationUin}, not ${approved.destinationUin}`,
      `目标现在指向账号 ${now.destinationUin}，而不是 ${approved.destinationUin}`,
    );
  if (changes.length === 0) say("the plan differs from the one approved", "计划与批准时的不同");
  return changes;
}
