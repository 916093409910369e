import type { FlowDeps } from "../../app/flow-deps.js";
import { resolveDestination } from "../../app/resolve-destination.js";
import type { Destination } from "../../core/request/request.js";
import type { Snapshot } from "../../core/snapshot.js";
import { buildPlan, describePlanChanges, fingerprintPlan, type Plan } from "./plan-fingerprint.js";
import { methodOf, type SnapshotCopyRequest } from "./snapshot-copy.request.js";

/** The fingerprint stored on a new request: the plan its card shows. */
export function fingerprintNewPlan(
  snapshot: Snapshot,
  destination: Pick<Destination, "accountUin" | "method">,
  newName: string,
): string {
  return fingerprintPlan(buildPlan(snapshot, destination.accountUin, newName, destination.method ?? "copy"));
}

/**
 * Before copying: does the approved plan still hold? Returns what changed (in words), or
 * undefined when it holds. The destination is resolved again from the configuration: an alias
 * that now points to another account is a different plan.
 */
export function findPlanChanges(
  deps: Pick<FlowDeps, "config">,
  request: SnapshotCopyRequest,
  current: Snapshot,
): string[] | undefined {
  if (!request.planFingerprint) return undefined;
  const lookup = resolveDestination(deps.config, request.destination.alias);
  const destinationUin = lookup.ok ? lookup.destination.accountUin : "(no longer configured)";
  // The method as configured now: a destination switched between copy and share needs a new approval.
  const method = lookup.ok ? (lookup.destination.method ?? "copy") : methodOf(request);
  const now: Plan = buildPlan(current, destinationUin, request.spec.newName, method);
  if (fingerprintPlan(now) === request.planFingerprint) return undefined;
  const approved = buildPlan(
    request.spec.snapshot,
    request.destination.accountUin,
    request.spec.newName,
    methodOf(request),
  );
  const changes = describePlanChanges(approved, now);
  return changes.length > 0 ? changes : ["the plan differs from the one approved"];
}

/** The thread's words when the worker stops for a changed plan. */
export function describePlanStop(changes: string[]): string {
  return `The plan approved no longer holds: ${changes.join("; ")}. Nothing was copied; the bot asks for a fresh approval of the plan as it is now.`;
}
