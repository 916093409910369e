import type { IncidentReason, IncidentState, LedgerEntry } from "../ports/replication-ledger.port.js";

export interface RecoveryPointInput {
  /** Epoch ms. */
  now: number;
  objectiveMs: number;
  graceMs: number;
  /** When the watcher began following the link (the clock starts there until a first copy). */
  watchFrom: number;
  entries: readonly LedgerEntry[];
}

export interface RecoveryPointVerdict {
  healthy: boolean;
  reasons: IncidentReason[];
  /** The source time of the newest confirmed copy: the point the destination can recover to. */
  recoveryPointAt?: number;
  /** Source snapshots past the grace without a copy, newer than the newest confirmed copy. */
  missing: LedgerEntry[];
}

/**
 * The recovery-point watchdog's rule, pure. A link is unhealthy when the newest confirmed copy holds
 * data older than the destination's objective (counted from when the watcher began when there is no
 * copy yet), or when a source snapshot newer than that copy has had none for longer than the grace.
 * A later copy that arrives makes older missing copies history (they stay in the ledger and the
 * summary), so the incident recovers with it.
 */
export function assessRecoveryPoint(input: RecoveryPointInput): RecoveryPointVerdict {
  let recoveryPointAt: number | undefined;
  for (const entry of input.entries) {
    if (entry.copySnapshotId && (recoveryPointAt === undefined || entry.sourceCreatedAt > recoveryPointAt)) {
      recoveryPointAt = entry.sourceCreatedAt;
    }
  }
  const reasons: IncidentReason[] = [];
  if ((recoveryPointAt ?? input.watchFrom) + input.objectiveMs < input.now) reasons.push("stale");
  const missing = input.entries
    .filter(
      (e) =>
        !e.copySnapshotId &&
        (recoveryPointAt === undefined || e.sourceCreatedAt > recoveryPointAt) &&
        e.sourceCreatedAt + input.graceMs < input.now,
    )
    .sort((a, b) => a.sourceCreatedAt - b.sourceCreatedAt);
  if (missing.length > 0) reasons.push("missing");
  return {
    healthy: reasons.length === 0,
    reasons,
    ...(recoveryPointAt === undefined ? {} : { recoveryPointAt }),
    missing,
  };
}

/** What the incident of a link does after a verdict: opens, closes, or stays as it is. */
export function nextIncidentMove(
  current: IncidentState | undefined,
  verdict: RecoveryPointVerdict,
): "open" | "close" | "none" {
  const open = current?.open === true;
  if (!verdict.healthy && !open) return "open";
  if (verdict.healthy && open) return "close";
  return "none";
}
