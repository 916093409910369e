/** Public types of the Tencent Cloud simulator. See `index.ts` for what is modelled. */

export type ServiceName = "cbs" | "cam" | "sts";

export type SnapshotState =
  | "NORMAL"
  | "CREATING"
  | "ROLLBACKING"
  | "COPYING_FROM_REMOTE"
  | "CHECKING_COPIED"
  | "TORECYCLE";

export type DiskUsage = "SYSTEM_DISK" | "DATA_DISK";

export interface SimulatorOptions {
  /** @defaultValue "127.0.0.1" */
  host?: string;
  /** @defaultValue 0 (a random free port) */
  port?: number;
  /** How long a cross-account copy takes to become NORMAL; Percent rises linearly. @defaultValue 2000 */
  copyDurationMs?: number;
  /** Calls per action per account in any sliding 1-second window. @defaultValue 20 */
  rateLimitPerSecond?: number;
  /**
   * Per-action limits that replace `rateLimitPerSecond`, merged over the defaults
   * `{ ListAttachedUserAllPolicies: 5, AssumeRole: 600 }`.
   */
  rateLimitOverrides?: Readonly<Record<string, number>>;
  /**
   * The cloud's clock (ms): copy progress, temporary-credential expiry, CreateTime, `calls[].at`.
   * The signature timestamp window and the rate limiter use the wall clock (`Date.now`), because the
   * SDK signs with the wall clock and bursts are real time. @defaultValue Date.now
   */
  now?: () => number;
  /** Random source in [0, 1) for rate-based faults and policies' copy drop rates. @defaultValue Math.random */
  random?: () => number;
  /**
   * Scheduled policies fire by themselves: before each API call (and on `state.runSchedules()`),
   * every activated NORMAL policy fires once for each of its schedule's hours the cloud clock passed
   * since the last check. Off by default: tests fire with `state.firePolicy`. @defaultValue false
   */
  firePoliciesOnSchedule?: boolean;
}

export interface AccountSeed {
  /** numeric account id, e.g. "100012345678" */
  uin: string;
  secretId: string;
  secretKey: string;
  /** @defaultValue `account-<uin>` */
  name?: string;
}

export interface SnapshotSeed {
  /** `snap-` + 8 lowercase letters or digits */
  snapshotId: string;
  region: string;
  name: string;
  diskId: string;
  /** GiB */
  diskSize: number;
  diskUsage: DiskUsage;
  encrypt: boolean;
  /** @defaultValue "NORMAL" */
  state?: SnapshotState;
  /** @defaultValue 100 when NORMAL, else 0 */
  percent?: number;
  /** Beijing time `YYYY-MM-DD HH:mm:ss`. @defaultValue now */
  createTime?: string;
  /** @defaultValue `<region>-1` */
  zone?: string;
  autoSnapshotPolicyId?: string;
  tags?: ReadonlyArray<{ key: string; value: string }>;
}

/** A snapshot as the cloud sees it now (copy progress already applied). */
export interface SnapshotView {
  ownerUin: string;
  snapshotId: string;
  region: string;
  name: string;
  diskId: string;
  diskSize: number;
  diskUsage: DiskUsage;
  encrypt: boolean;
  state: SnapshotState;
  percent: number;
  createTime: string;
  zone: string;
  autoSnapshotPolicyId?: string;
  tags: ReadonlyArray<{ key: string; value: string }>;
  /** accounts it is shared with (ModifySnapshotsSharePermission) */
  sharedWith: string[];
  /** set on snapshots created by a cross-account copy */
  copiedFrom?: { uin: string; snapshotId: string };
}

export interface PolicySeed {
  policyId: number;
  name: string;
  /** JSON text; may be malformed on purpose */
  document: string;
  type: "custom" | "preset";
  description?: string;
}

export interface GroupSeed {
  groupId: number;
  name: string;
  members: readonly string[];
}

export interface AutoSnapshotPolicySeed {
  /** `asp-` + 8 lowercase letters or digits */
  id: string;
  name: string;
  region: string;
  diskIds: readonly string[];
  /** hours of the day, 0–23 (Beijing time) */
  hours: readonly number[];
  /** 0 = Sunday … 6 = Saturday; empty = every day */
  daysOfWeek: readonly number[];
  retentionDays: number;
  /** @defaultValue "NORMAL" */
  state?: "NORMAL" | "ISOLATED";
  /** @defaultValue true */
  isActivated?: boolean;
  /** How its automatic copies behave once linked (see `AutoCopyBehaviour`). */
  autoCopy?: AutoCopyBehaviour;
}

/** How the cloud makes a linked policy's automatic copies; deterministic unless `dropRate` is set. */
export interface AutoCopyBehaviour {
  /** The copy appears in the destination this long after the source snapshot. @defaultValue 0 */
  copyDelayMs?: number;
  /** The next N automatic copies are never made (counted down). @defaultValue 0 */
  dropNextCopies?: number;
  /** Probability 0..1 that a copy is never made (uses `SimulatorOptions.random`). @defaultValue 0 */
  dropRate?: number;
}

/** An automatic copy the cloud did not make (`AutoCopyBehaviour.dropNextCopies` / `dropRate`). */
export interface DroppedCopy {
  sourceUin: string;
  sourceSnapshotId: string;
  targetUin: string;
  policyId: string;
  /** cloud clock ms */
  at: number;
}

export interface AutoSnapshotPolicyView {
  ownerUin: string;
  id: string;
  name: string;
  region: string;
  diskIds: string[];
  hours: number[];
  daysOfWeek: number[];
  retentionDays: number;
  state: "NORMAL" | "ISOLATED";
  isActivated: boolean;
  createTime: string;
  /** the account its snapshots are replicated to (CopyAutoSnapshotPolicyCrossAccount) */
  copyToAccountUin?: string;
  autoCopy: Required<AutoCopyBehaviour>;
  /** cloud clock ms of the last firing */
  lastFiredAt?: number;
}

export interface FaultSpec {
  /** the action to fail, or "*" for every action */
  action: string;
  /** the error code to answer, e.g. "InternalError" */
  code: string;
  /** @defaultValue "Injected fault: <code>" */
  message?: string;
  /** probability 0..1 that a call fails. @defaultValue 1 */
  rate?: number;
  /** stop after this many failures. @defaultValue unlimited */
  times?: number;
  /**
   * true: the action takes effect, then the error replaces its answer (a lost response, e.g. a copy
   * that was made although the caller saw `InternalError`). @defaultValue false
   */
  applied?: boolean;
  /** answer with this HTTP status and a plain-text body instead of the JSON envelope (e.g. 502) */
  httpStatus?: number;
}

/** What happens to the next accepted cross-account copy. */
export type CopyOutcome = "success" | "fail" | "stuck";

export interface CopyRecord {
  sourceUin: string;
  sourceSnapshotId: string;
  targetUin: string;
  newSnapshotId: string;
  name: string;
  region: string;
  /** cloud clock ms */
  requestedAt: number;
  /** cloud clock ms when the copy shows in the target (later than `requestedAt` by a policy's delay) */
  appearsAt: number;
  outcome: CopyOutcome;
  /** "api": CopySnapshotCrossAccount; "auto-policy": a snapshot of a linked auto snapshot policy */
  trigger: "api" | "auto-policy";
}

export interface RecordedCall {
  action: string;
  version: string;
  service?: ServiceName;
  region?: string;
  /** the account the credentials act as; undefined when authentication failed */
  accountUin?: string;
  /** set when temporary credentials from AssumeRole were used */
  roleArn?: string;
  params: Record<string, unknown>;
  /** cloud clock ms when the call arrived */
  at: number;
  errorCode?: string;
  requestId: string;
}

/** Seeding, fault and inspection API of a running simulator. */
export interface SimulatorState {
  addAccount(seed: AccountSeed): void;
  /** Beta allow-list for cross-account copies (default true). */
  setCrossAccountAllowListed(uin: string, allowListed: boolean): void;

  addSnapshot(uin: string, seed: SnapshotSeed): SnapshotView;
  getSnapshot(uin: string, snapshotId: string): SnapshotView | undefined;
  listSnapshots(uin: string): SnapshotView[];
  removeSnapshot(uin: string, snapshotId: string): boolean;
  /** Sets the state (and Percent: 100 when NORMAL); ends any copy progress of that snapshot. */
  /** A snapshot whose recorded size changes (what an approval bound to the old size must notice). */
  setSnapshotSize(uin: string, snapshotId: string, diskSize: number): void;
  setSnapshotState(uin: string, snapshotId: string, state: SnapshotState): void;

  /** Returns the role ARN `qcs::cam::uin/<ownerUin>:roleName/<roleName>`. */
  addRole(ownerUin: string, roleName: string): string;

  addCollaborator(ownerUin: string, collaboratorUin: string): void;
  removeCollaborator(ownerUin: string, collaboratorUin: string): void;

  addPolicy(ownerUin: string, seed: PolicySeed): void;
  attachUserPolicy(ownerUin: string, targetUin: string, policyId: number): void;
  detachUserPolicy(ownerUin: string, targetUin: string, policyId: number): void;
  addGroup(ownerUin: string, seed: GroupSeed): void;
  attachGroupPolicy(ownerUin: string, groupId: number, policyId: number): void;
  detachGroupPolicy(ownerUin: string, groupId: number, policyId: number): void;

  addAutoSnapshotPolicy(uin: string, seed: AutoSnapshotPolicySeed): void;
  getAutoSnapshotPolicy(uin: string, id: string): AutoSnapshotPolicyView | undefined;
  removeAutoSnapshotPolicy(uin: string, id: string): boolean;
  /** Links (or, with undefined, unlinks) the policy to a destination account, as the API would. */
  setAutoSnapshotPolicyCopyTarget(uin: string, id: string, targetUin: string | undefined): void;
  /** Changes how the policy's automatic copies behave (merged over what it had). */
  setAutoCopyBehaviour(uin: string, id: string, behaviour: AutoCopyBehaviour): void;
  /**
   * The policy's trigger time came (now, or `at` ms): one NORMAL snapshot per bound disk, carrying
   * AutoSnapshotPolicyId, named `<policy name>-<disk id>-<yyyyMMddHHmmss>` (Beijing time), disk facts
   * taken from the disk's newest snapshot (else 50 GiB, DATA_DISK, unencrypted); each is copied to the
   * linked account per `AutoCopyBehaviour`. An inactive or ISOLATED policy takes none: [].
   */
  firePolicy(uin: string, id: string, at?: number): SnapshotView[];
  /** Fires every policy whose schedule passed since the last check (see `firePoliciesOnSchedule`). */
  runSchedules(): SnapshotView[];
  /**
   * The destination removes the link ("Replicate to my account" > delete): the source's policy stops
   * copying to it. Throws when no policy `id` is linked to `destinationUin`.
   */
  unlinkByDestination(destinationUin: string, id: string): void;

  injectFault(fault: FaultSpec): void;
  /** Delays every answer to `action` ("*" for all) by `ms` of real time; 0 removes it. */
  setLatency(action: string, ms: number): void;
  /** Removes faults, latencies and a pending copy outcome. */
  clearFaults(): void;
  setNextCopyOutcome(outcome: CopyOutcome): void;

  /** Every accepted cross-account copy, in order. */
  readonly copies: readonly CopyRecord[];
  /** Every automatic copy the cloud dropped, in order. */
  readonly droppedCopies: readonly DroppedCopy[];
}

export interface TencentSimulator {
  /** "http://127.0.0.1:PORT" */
  url: string;
  /** "127.0.0.1:PORT": what goes into the SDK's `httpProfile.endpoint` */
  endpoint: string;
  state: SimulatorState;
  /** every API call received, in order */
  calls: RecordedCall[];
  callsOf(action: string): RecordedCall[];
  close(): Promise<void>;
}
