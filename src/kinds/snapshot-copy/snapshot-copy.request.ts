import type { Request } from "../../core/request/request.js";
import type { Snapshot } from "../../core/snapshot.js";

/** The kind's id, stored in every one of its requests. */
export const SNAPSHOT_COPY = "snapshot-copy";

/**
 * Its steps while running: `checking → copying → verifying` for the copy method,
 * `checking → sharing → verifying` for the share method (docs/decisions/017).
 */
export const SNAPSHOT_COPY_STEPS = ["checking", "copying", "sharing", "verifying"] as const;
export type SnapshotCopyStep = (typeof SNAPSHOT_COPY_STEPS)[number];

/** What was asked: this snapshot (as the card showed it), copied under this name. */
export interface SnapshotCopySpec {
  snapshot: Snapshot;
  newName: string;
}

export interface CopyProgress {
  /**
   * Set just before the copy call, cleared when Tencent answers with an error (no copy was made):
   * a run that finds it without `newSnapshotId` must look for the copy before calling again.
   */
  copyRequestedAt?: string;
  newSnapshotId?: string;
  cloudRequestId?: string;
  /** Highest progress quarter already reported in the thread (0–4). */
  reportedQuarter?: number;
  startedAt?: string;
  finishedAt?: string;
  /** Share method: when Tencent accepted the share (ModifySnapshotsSharePermission). */
  sharedAt?: string;
}

/** A manual copy of one snapshot into another account. */
export type SnapshotCopyRequest = Request<SnapshotCopySpec, CopyProgress>;

/** How this request reaches its destination (requests from before the choice existed: copy). */
export function methodOf(request: Pick<SnapshotCopyRequest, "destination">): "copy" | "share" {
  return request.destination.method ?? "copy";
}

/**
 * What a share means for disaster recovery, said on the card, in the thread and in the notice.
 * The words "share, not a copy" are the point: people must not mistake it for a backup.
 */
export function shareMeaning(snapshotId: string, accountUin: string): string {
  return `share, not a copy: account ${accountUin} can use ${snapshotId} (create disks from it in the same region) but does not own it — if the source snapshot is deleted, or the source account is lost, the share is gone with it.`;
}

export function isSnapshotCopy(request: Request): request is SnapshotCopyRequest {
  return request.kind === SNAPSHOT_COPY;
}
