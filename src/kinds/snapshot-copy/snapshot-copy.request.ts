import { type Text, tr } from "../../core/messages/message.js";
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
  /** When the copy was first listed in the destination: absent after that, it vanished. */
  seenAt?: string;
  /** When the thread was told the bot waits for the new copy to be listed (said once). */
  visibilityNoticeAt?: string;
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

/** The same in both languages. */
export function shareMeaningText(snapshotId: string, accountUin: string): Text {
  return [
    tr(
      shareMeaning(snapshotId, accountUin),
      `是共享，不是副本：账号 ${accountUin} 可以使用 ${snapshotId}（在同一地域用它创建云硬盘），但并不拥有它——如果源快照被删除或源账号丢失，共享也随之消失。`,
    ),
  ];
}

export function isSnapshotCopy(request: Request): request is SnapshotCopyRequest {
  return request.kind === SNAPSHOT_COPY;
}
