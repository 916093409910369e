import type { Snapshot } from "../snapshot.js";
import type { DestinationReader } from "./cloud-api.port.js";

/**
 * The cloud side of automatic replication: a scheduled snapshot policy of the source account linked
 * to a destination account, whose every new snapshot the cloud copies there by itself. `CloudApi`
 * extends this port; it throws `CloudError` like the rest of it.
 */

export type AutoSnapshotPolicyState = "NORMAL" | "ISOLATED";

/**
 * One schedule of a policy (one entry of Tencent's `Policy[]`), in Beijing time (UTC+8): snapshots are
 * taken at each of `hours` on the days given by `daysOfWeek`, `daysOfMonth` or `intervalDays`.
 */
export interface AutoSnapshotSchedule {
  /** Hours of the day, 0–23. */
  hours: number[];
  /** 0 = Sunday … 6 = Saturday; empty when the schedule is by day of the month or by interval. */
  daysOfWeek: number[];
  /** Days of the month, 1–31, when the schedule is monthly. */
  daysOfMonth?: number[];
  /** Every this many days, when the schedule is by interval. */
  intervalDays?: number;
}

/**
 * How long the policy's snapshots are kept. `advanced` keeps the newest snapshot of each of the last
 * `days` days, `weeks` weeks, `months` months and `years` years (Tencent's AdvancedRetentionPolicy).
 */
export type SnapshotRetention =
  | { kind: "days"; days: number }
  | { kind: "months"; months: number }
  | { kind: "count"; count: number }
  | { kind: "permanent" }
  | { kind: "advanced"; days: number; weeks: number; months: number; years: number };

/** A scheduled (automatic) snapshot policy, as the account that reads it sees it. */
export interface AutoSnapshotPolicy {
  policyId: string;
  name: string;
  region: string;
  state: AutoSnapshotPolicyState;
  /** False: the policy takes no snapshots until activated again. */
  activated: boolean;
  schedules: AutoSnapshotSchedule[];
  /** Disks bound to the policy: each gets one snapshot per trigger. */
  diskIds: string[];
  retention: SnapshotRetention;
  /**
   * When the policy fires next, epoch ms; undefined when the cloud gives none (not activated).
   */
  nextTriggerAt?: number;
  /** The cloud's own text of it (`YYYY-MM-DD HH:mm:ss`, Beijing time); "" when none. */
  nextTriggerTime: string;
  /** Seen from the source: the account the policy's snapshots are copied to, when linked. */
  copyToAccountUin?: string;
  /** Seen from a destination: the account whose policy copies its snapshots here. */
  copyFromAccountUin?: string;
}

export interface LinkPolicyRequest {
  policyId: string;
  region: string;
  targetAccountUin: string;
  /**
   * Epoch ms after which the call must not be sent any more (it fails with `cloud.deadline_passed`,
   * unsent), as for `CopyRequest.notAfter`.
   */
  notAfter?: number;
}

export interface LinkPolicyAccepted {
  requestId: string;
}

export interface SnapshotListOptions {
  /** Only snapshots created strictly after this epoch ms (the cloud has no such filter: done here). */
  createdAfter?: number;
}

export interface PolicyCloudApi {
  /** Looks a policy of the source account up, in `regions` in order; undefined when in none. */
  findAutoSnapshotPolicy(
    policyId: string,
    regions: readonly string[],
  ): Promise<AutoSnapshotPolicy | undefined>;
  /** Every policy of the source account in those regions (every page), region by region. */
  listAutoSnapshotPolicies(regions: readonly string[]): Promise<AutoSnapshotPolicy[]>;
  /**
   * Links the policy to the target account (`CopyAutoSnapshotPolicyCrossAccount`): the snapshots it
   * takes from now on are copied there by the cloud. One call; never retried here. Linking again to
   * the same account succeeds; a policy linked to another account is refused (`invalid_state`).
   */
  copyAutoSnapshotPolicyCrossAccount(request: LinkPolicyRequest): Promise<LinkPolicyAccepted>;
  /**
   * The source account's snapshots of these disks (every page, in batches of disks), newest first,
   * each with `autoSnapshotPolicyId` when a policy made it. No disks → no call, [].
   */
  listSnapshotsOfDisks(
    region: string,
    diskIds: readonly string[],
    options?: SnapshotListOptions,
  ): Promise<Snapshot[]>;
  /**
   * The policies a destination sees through its read role: its own and those linked to it, which
   * carry `copyFromAccountUin` (every page).
   */
  listDestinationAutoSnapshotPolicies(
    reader: DestinationReader,
    region: string,
  ): Promise<AutoSnapshotPolicy[]>;
  /** A destination's snapshots through its read role (every page), newest first: copies arriving. */
  listDestinationSnapshots(
    reader: DestinationReader,
    region: string,
    options?: SnapshotListOptions,
  ): Promise<Snapshot[]>;
}
