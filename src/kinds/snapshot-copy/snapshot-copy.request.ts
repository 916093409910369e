import type { Request } from "../../core/request/request.js";
import type { Snapshot } from "../../core/snapshot.js";

/** The kind's id, stored in every one of its requests. */
export const SNAPSHOT_COPY = "snapshot-copy";

/** Its steps while running, in order. */
export const SNAPSHOT_COPY_STEPS = ["checking", "copying", "verifying"] as const;
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
}

/** A manual copy of one snapshot into another account. */
export type SnapshotCopyRequest = Request<SnapshotCopySpec, CopyProgress>;

export function isSnapshotCopy(request: Request): request is SnapshotCopyRequest {
  return request.kind === SNAPSHOT_COPY;
}
