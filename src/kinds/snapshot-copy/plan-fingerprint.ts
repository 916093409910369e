import type { Snapshot } from "../../core/snapshot.js";

/**
 * The plan an approver is shown (docs/decisions/006): what is copied, where, under which name and how.
 * An approval is bound to it; the worker recomputes it before copying and stops if it changed.
 */
export interface Plan {
  snapshotId: string;
  snapshotState: string;
  diskId: string;
  diskSizeGiB: number;
  encrypted: boolean;
  /** Tells a snapshot apart from a deleted one whose id was reused. */
  createdAt: string;
  region: string;
  destinationUin: string;
  newName: string;
  method: string;
}

export function buildPlan(snapshot: Snapshot, destinationUin: string, newName: string, method: string): Plan {
  return {
    snapshotId: snapshot.snapshotId,
    snapshotState: snapshot.state,
    diskId: snapshot.diskId,
    diskSizeGiB: snapshot.diskSizeGiB,
    encrypted: snapshot.encrypted,
    createdAt: snapshot.createdAt,
    region: snapshot.region,
    destinationUin,
    newName,
    method,
  };
}

const PLAN_FIELDS: ReadonlyArray<keyof Plan> = [
  "snapshotId",
  "snapshotState",
  "diskId",
  "diskSizeGiB",
  "encrypted",
  "createdAt",
  "region",
  "destinationUin",
  "newName",
  "method",
];

/** `v1:` + 64-bit FNV-1a of the plan's fields in a fixed order (pure: no crypto package here). */
export function fingerprintPlan(plan: Plan): string {
  const canonical = JSON.stringify(PLAN_FIELDS.map((field) => plan[field]));
  let hash = 0xcbf29ce484222325n;
  const prime = 0x100000001b3n;
  for (let i = 0; i < canonical.length; i++) {
    hash ^= BigInt(canonical.charCodeAt(i));
    hash = (hash * prime) & 0xffffffffffffffffn;
  }
  return `v1:${hash.toString(16).padStart(16, "0")}`;
}

/** What changed between the approved plan and the current one, in words (empty: nothing). */
export function describePlanChanges(approved: Plan, current: Plan): string[] {
  const changes: string[] = [];
  if (approved.createdAt !== current.createdAt || approved.diskId !== current.diskId) {
    changes.push(
      `snapshot ${current.snapshotId} is not the one approved (created ${approved.createdAt || "?"} on ${approved.diskId}, now ${current.createdAt || "?"} on ${current.diskId}) — it was deleted and its id reused`,
    );
  }
  if (approved.diskSizeGiB !== current.diskSizeGiB)
    changes.push(`its size changed from ${approved.diskSizeGiB} GiB to ${current.diskSizeGiB} GiB`);
  if (approved.encrypted !== current.encrypted)
    changes.push(`its encryption changed (${approved.encrypted ? "was" : "was not"} encrypted)`);
  if (approved.snapshotState !== current.snapshotState)
    changes.push(`its state is ${current.snapshotState}, not ${approved.snapshotState}`);
  if (approved.destinationUin !== current.destinationUin)
    changes.push(
      `the destination now points to account ${current.destinationUin}, not ${approved.destinationUin}`,
    );
  if (approved.region !== current.region) changes.push(`its region is ${current.region}`);
  if (approved.newName !== current.newName) changes.push(`the new name is "${current.newName}"`);
  if (approved.method !== current.method) changes.push(`the method is now ${current.method}`);
  return changes;
}
