/** What the bot knows about one CBS snapshot, independent of the Tencent SDK's shapes. */
export type SnapshotState =
  | "NORMAL"
  | "CREATING"
  | "ROLLBACKING"
  | "COPYING_FROM_REMOTE"
  | "CHECKING_COPIED"
  | "TORECYCLE";

export interface Snapshot {
  snapshotId: string;
  name: string;
  region: string;
  state: SnapshotState | string;
  diskId: string;
  diskSizeGiB: number;
  diskUsage: "SYSTEM_DISK" | "DATA_DISK" | string;
  encrypted: boolean;
  /** Copy or creation progress, 0–100. */
  percent: number;
  /** The cloud's own text of the creation time (Tencent: `YYYY-MM-DD HH:mm:ss`, Beijing time). */
  createdAt: string;
  /** The creation time, epoch ms; undefined when the cloud's text could not be read. */
  createdAtMs?: number;
  /** The scheduled snapshot policy that took it, when one did (source account). */
  autoSnapshotPolicyId?: string;
}

export function describeDiskUsage(usage: Snapshot["diskUsage"]): string {
  if (usage === "SYSTEM_DISK") return "system disk";
  if (usage === "DATA_DISK") return "data disk";
  return usage;
}
