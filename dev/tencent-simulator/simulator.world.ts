import { randomBytes, randomInt } from "node:crypto";
import { FaultRegistry } from "./fault-registry.js";
import type {
  AccountSeed,
  AutoSnapshotPolicySeed,
  AutoSnapshotPolicyView,
  CopyOutcome,
  CopyRecord,
  FaultSpec,
  GroupSeed,
  PolicySeed,
  SimulatorState,
  SnapshotSeed,
  SnapshotState,
  SnapshotView,
} from "./simulator.types.js";
import { CREATE_TIME_PATTERN, formatBeijingTime } from "./time-format.js";

export const SNAPSHOT_ID_PATTERN = /^snap-[a-z0-9]{8}$/;
export const AUTO_SNAPSHOT_POLICY_ID_PATTERN = /^asp-[a-z0-9]{8}$/;
export const UIN_PATTERN = /^\d{5,20}$/;
export const REGION_PATTERN = /^[a-z]{2,}-[a-z]+(-[a-z0-9]+)*$/;
const SNAPSHOT_STATES: readonly SnapshotState[] = [
  "NORMAL",
  "CREATING",
  "ROLLBACKING",
  "COPYING_FROM_REMOTE",
  "CHECKING_COPIED",
  "TORECYCLE",
];
/** Percent at which a copy set up with `setNextCopyOutcome("stuck")` stops forever. */
export const STUCK_COPY_PERCENT = 42;

/** Seeded on every account, never attached. Ids 1 and 2 are taken on every account. */
export const PRESET_POLICIES: readonly PolicySeed[] = [
  {
    policyId: 1,
    name: "AdministratorAccess",
    type: "preset",
    description: "Full read-write access to all resources",
    document: '{"version":"2.0","statement":[{"effect":"allow","action":"*","resource":"*"}]}',
  },
  {
    policyId: 2,
    name: "QcloudCVMFullAccess",
    type: "preset",
    description: "Full read-write access to Cloud Virtual Machine (CVM), CBS included",
    document: '{"version":"2.0","statement":[{"effect":"allow","action":"cvm:*","resource":"*"}]}',
  },
];

/** The stored form of a snapshot: the view's facts plus what the view derives (progress, shares). */
interface SnapshotRecord
  extends Omit<SnapshotView, "autoSnapshotPolicyId" | "tags" | "sharedWith" | "copiedFrom"> {
  seq: number;
  autoSnapshotPolicyId: string | undefined;
  tags: Array<{ key: string; value: string }>;
  copy: { startedAt: number; durationMs: number; outcome: CopyOutcome } | undefined;
  copiedFrom: { uin: string; snapshotId: string } | undefined;
  /** account id → time the share was created */
  shares: Map<string, string>;
  autoReplicated: boolean;
}

export interface PolicyRecord {
  policyId: number;
  name: string;
  document: string;
  type: "custom" | "preset";
  description: string;
  addTime: string;
}

interface GroupRecord {
  groupId: number;
  name: string;
  members: Set<string>;
  policyIds: number[];
}

interface AutoSnapshotPolicyRecord {
  seq: number;
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
  copyToAccountUin: string | undefined;
}

interface AccountRecord {
  uin: string;
  name: string;
  secretId: string;
  secretKey: string;
  allowListed: boolean;
  createTime: string;
  snapshots: Map<string, SnapshotRecord>;
  /** collaborator uin → time added */
  collaborators: Map<string, string>;
  policies: Map<number, PolicyRecord>;
  userAttachments: Array<{ targetUin: string; policyId: number; addTime: string }>;
  groups: Map<number, GroupRecord>;
  roles: Map<string, string>;
  autoSnapshotPolicies: Map<string, AutoSnapshotPolicyRecord>;
}

export interface TemporaryCredential {
  secretId: string;
  secretKey: string;
  token: string;
  /** the account the credentials act as: the role's owner */
  uin: string;
  roleArn: string;
  sessionName: string;
  expiresAtMs: number;
}

export type ResolvedCredential =
  | { kind: "permanent"; uin: string; secretKey: string }
  | ({ kind: "temporary" } & TemporaryCredential);

export interface VisibleSnapshot {
  view: SnapshotView;
  /** creation order, to break CreateTime ties */
  seq: number;
  type: "PRIVATE_SNAPSHOT" | "SHARED_SNAPSHOT";
}

export interface AttachedPolicy {
  policy: PolicyRecord;
  /** groups through which the policy reaches the user (empty when only attached directly) */
  groups: Array<{ groupId: number; name: string }>;
  direct: boolean;
  addTime: string;
}

export interface WorldOptions {
  now: () => number;
  copyDurationMs: number;
  random: () => number;
}

/**
 * The simulated cloud: accounts and what they own, and the rules the action handlers apply.
 * Tests see it through the `SimulatorState` interface; the handlers use the rest.
 */
export class SimulatorWorld implements SimulatorState {
  readonly faults: FaultRegistry;
  private readonly accounts = new Map<string, AccountRecord>();
  private readonly temporaryCredentials = new Map<string, TemporaryCredential>();
  private readonly copyLog: CopyRecord[] = [];
  private readonly usedSnapshotIds = new Set<string>();
  private sequence = 0;

  constructor(private readonly options: WorldOptions) {
    this.faults = new FaultRegistry(options.random);
  }

  now(): number {
    return this.options.now();
  }

  get copies(): readonly CopyRecord[] {
    return this.copyLog;
  }

  // ---- accounts and credentials -------------------------------------------------------------

  addAccount(seed: AccountSeed): void {
    requireUin(seed.uin, "addAccount uin");
    if (this.accounts.has(seed.uin)) {
      throw new Error(`account ${seed.uin} already exists`);
    }
    if (!seed.secretId || !seed.secretKey) {
      throw new Error(`account ${seed.uin} needs a secretId and a secretKey`);
    }
    if (this.resolveCredential(seed.secretId)) {
      throw new Error(`secretId ${seed.secretId} is already used by another account`);
    }
    const createTime = formatBeijingTime(this.now());
    const account: AccountRecord = {
      uin: seed.uin,
      name: seed.name ?? `account-${seed.uin}`,
      secretId: seed.secretId,
      secretKey: seed.secretKey,
      allowListed: true,
      createTime,
      snapshots: new Map(),
      collaborators: new Map(),
      policies: new Map(),
      userAttachments: [],
      groups: new Map(),
      roles: new Map(),
      autoSnapshotPolicies: new Map(),
    };
    for (const preset of PRESET_POLICIES) {
      account.policies.set(preset.policyId, toPolicyRecord(preset, createTime));
    }
    this.accounts.set(seed.uin, account);
  }

  hasAccount(uin: string): boolean {
    return this.accounts.has(uin);
  }

  setCrossAccountAllowListed(uin: string, allowListed: boolean): void {
    this.account(uin).allowListed = allowListed;
  }

  isAllowListed(uin: string): boolean {
    return this.account(uin).allowListed;
  }

  resolveCredential(secretId: string): ResolvedCredential | undefined {
    for (const account of this.accounts.values()) {
      if (account.secretId === secretId) {
        return { kind: "permanent", uin: account.uin, secretKey: account.secretKey };
      }
    }
    const temporary = this.temporaryCredentials.get(secretId);
    return temporary ? { kind: "temporary", ...temporary } : undefined;
  }

  addRole(ownerUin: string, roleName: string): string {
    const account = this.account(ownerUin);
    if (!/^[\w+=,.@-]{1,128}$/.test(roleName)) {
      throw new Error(`role name "${roleName}" must be 1–128 of [A-Za-z0-9_+=,.@-]`);
    }
    const arn = `qcs::cam::uin/${ownerUin}:roleName/${roleName}`;
    account.roles.set(roleName, arn);
    return arn;
  }

  hasRole(ownerUin: string, roleName: string): boolean {
    return this.accounts.get(ownerUin)?.roles.has(roleName) ?? false;
  }

  issueTemporaryCredential(input: {
    uin: string;
    roleArn: string;
    sessionName: string;
    durationSeconds: number;
  }): TemporaryCredential {
    const credential: TemporaryCredential = {
      secretId: `AKID${randomAlphanumeric(32, true)}`,
      secretKey: randomAlphanumeric(32, true),
      token: randomBytes(96).toString("base64url"),
      uin: input.uin,
      roleArn: input.roleArn,
      sessionName: input.sessionName,
      expiresAtMs: Math.floor(this.now() / 1000) * 1000 + input.durationSeconds * 1000,
    };
    this.temporaryCredentials.set(credential.secretId, credential);
    return credential;
  }

  // ---- snapshots ------------------------------------------------------------------------------

  addSnapshot(uin: string, seed: SnapshotSeed): SnapshotView {
    const account = this.account(uin);
    if (!SNAPSHOT_ID_PATTERN.test(seed.snapshotId)) {
      throw new Error(
        `snapshotId "${seed.snapshotId}" must be snap- followed by 8 lowercase letters or digits`,
      );
    }
    if (this.usedSnapshotIds.has(seed.snapshotId)) {
      throw new Error(`snapshot ${seed.snapshotId} already exists`);
    }
    requireRegion(seed.region);
    if (!Number.isInteger(seed.diskSize) || seed.diskSize <= 0) {
      throw new Error(`diskSize must be a positive integer (GiB), got ${seed.diskSize}`);
    }
    if (seed.createTime !== undefined && !CREATE_TIME_PATTERN.test(seed.createTime)) {
      throw new Error(`createTime must look like "2024-01-31 08:00:00", got "${seed.createTime}"`);
    }
    const state = seed.state ?? "NORMAL";
    requireSnapshotState(state);
    const record: SnapshotRecord = {
      seq: this.nextSequence(),
      ownerUin: uin,
      snapshotId: seed.snapshotId,
      region: seed.region,
      name: seed.name,
      diskId: seed.diskId,
      diskSize: seed.diskSize,
      diskUsage: seed.diskUsage,
      encrypt: seed.encrypt,
      state,
      percent: seed.percent ?? defaultPercent(state),
      createTime: seed.createTime ?? formatBeijingTime(this.now()),
      zone: seed.zone ?? `${seed.region}-1`,
      autoSnapshotPolicyId: seed.autoSnapshotPolicyId,
      tags: (seed.tags ?? []).map((tag) => ({ ...tag })),
      copy: undefined,
      copiedFrom: undefined,
      shares: new Map(),
      autoReplicated: false,
    };
    account.snapshots.set(record.snapshotId, record);
    this.usedSnapshotIds.add(record.snapshotId);
    this.replicateIfLinked(record);
    return this.requireView(record);
  }

  getSnapshot(uin: string, snapshotId: string): SnapshotView | undefined {
    const record = this.accounts.get(uin)?.snapshots.get(snapshotId);
    return record ? this.viewOf(record) : undefined;
  }

  listSnapshots(uin: string): SnapshotView[] {
    return [...this.account(uin).snapshots.values()]
      .map((record) => this.viewOf(record))
      .filter((view): view is SnapshotView => view !== undefined);
  }

  removeSnapshot(uin: string, snapshotId: string): boolean {
    return this.account(uin).snapshots.delete(snapshotId);
  }

  setSnapshotSize(uin: string, snapshotId: string, diskSize: number): void {
    const record = this.account(uin).snapshots.get(snapshotId);
    if (!record) throw new Error(`account ${uin} has no snapshot ${snapshotId}`);
    if (!Number.isInteger(diskSize) || diskSize <= 0) {
      throw new Error(`diskSize must be a positive integer (GiB), got ${diskSize}`);
    }
    record.diskSize = diskSize;
  }

  setSnapshotState(uin: string, snapshotId: string, state: SnapshotState): void {
    requireSnapshotState(state);
    const record = this.account(uin).snapshots.get(snapshotId);
    if (!record) {
      throw new Error(`account ${uin} has no snapshot ${snapshotId}`);
    }
    record.copy = undefined;
    record.state = state;
    record.percent = defaultPercent(state);
    this.replicateIfLinked(record);
  }

  /** Own snapshots in the region, then snapshots other accounts share with this one. */
  visibleSnapshots(uin: string, region: string): VisibleSnapshot[] {
    const visible: VisibleSnapshot[] = [];
    for (const account of this.accounts.values()) {
      for (const record of account.snapshots.values()) {
        if (record.region !== region) {
          continue;
        }
        const own = account.uin === uin;
        if (!own && !record.shares.has(uin)) {
          continue;
        }
        const view = this.viewOf(record);
        if (view) {
          visible.push({ view, seq: record.seq, type: own ? "PRIVATE_SNAPSHOT" : "SHARED_SNAPSHOT" });
        }
      }
    }
    return visible;
  }

  /**
   * Makes the cross-account copy: a new snapshot in the target account, same region and disk
   * facts, COPYING_FROM_REMOTE until `copyDurationMs` has passed (or forever / never, per the
   * pending copy outcome). The caller has checked the rules.
   */
  startCopy(input: {
    sourceUin: string;
    sourceSnapshotId: string;
    targetUin: string;
    name: string;
    trigger: CopyRecord["trigger"];
  }): CopyRecord {
    const source = this.account(input.sourceUin).snapshots.get(input.sourceSnapshotId);
    if (!source) {
      throw new Error(`account ${input.sourceUin} has no snapshot ${input.sourceSnapshotId}`);
    }
    const target = this.account(input.targetUin);
    const now = this.now();
    const outcome = this.faults.takeCopyOutcome();
    const record: SnapshotRecord = {
      seq: this.nextSequence(),
      ownerUin: target.uin,
      snapshotId: this.newSnapshotId(),
      region: source.region,
      name: input.name,
      diskId: source.diskId,
      diskSize: source.diskSize,
      diskUsage: source.diskUsage,
      encrypt: source.encrypt,
      state: "COPYING_FROM_REMOTE",
      percent: 0,
      createTime: formatBeijingTime(now),
      zone: source.zone,
      autoSnapshotPolicyId: undefined,
      tags: [],
      copy: { startedAt: now, durationMs: this.options.copyDurationMs, outcome },
      copiedFrom: { uin: source.ownerUin, snapshotId: source.snapshotId },
      shares: new Map(),
      autoReplicated: true,
    };
    target.snapshots.set(record.snapshotId, record);
    this.usedSnapshotIds.add(record.snapshotId);
    const copy: CopyRecord = {
      sourceUin: source.ownerUin,
      sourceSnapshotId: source.snapshotId,
      targetUin: target.uin,
      newSnapshotId: record.snapshotId,
      name: record.name,
      region: record.region,
      requestedAt: now,
      outcome,
      trigger: input.trigger,
    };
    this.copyLog.push(copy);
    return copy;
  }

  /** Adds (share) or removes share permissions of an owner's snapshot. */
  setSnapshotShares(
    ownerUin: string,
    snapshotId: string,
    accountIds: readonly string[],
    share: boolean,
  ): void {
    const record = this.account(ownerUin).snapshots.get(snapshotId);
    if (!record) {
      throw new Error(`account ${ownerUin} has no snapshot ${snapshotId}`);
    }
    for (const accountId of accountIds) {
      if (share) {
        if (!record.shares.has(accountId)) {
          record.shares.set(accountId, formatBeijingTime(this.now()));
        }
      } else {
        record.shares.delete(accountId);
      }
    }
  }

  snapshotShares(ownerUin: string, snapshotId: string): Array<{ accountId: string; createdTime: string }> {
    const record = this.account(ownerUin).snapshots.get(snapshotId);
    return record ? [...record.shares].map(([accountId, createdTime]) => ({ accountId, createdTime })) : [];
  }

  // ---- CAM: collaborators, policies, groups ---------------------------------------------------

  addCollaborator(ownerUin: string, collaboratorUin: string): void {
    requireUin(collaboratorUin, "collaborator uin");
    const account = this.account(ownerUin);
    if (ownerUin === collaboratorUin) {
      throw new Error("an account cannot be its own collaborator");
    }
    if (!account.collaborators.has(collaboratorUin)) {
      account.collaborators.set(collaboratorUin, formatBeijingTime(this.now()));
    }
  }

  removeCollaborator(ownerUin: string, collaboratorUin: string): void {
    this.account(ownerUin).collaborators.delete(collaboratorUin);
  }

  isCollaborator(ownerUin: string, collaboratorUin: string): boolean {
    return this.account(ownerUin).collaborators.has(collaboratorUin);
  }

  collaboratorsOf(ownerUin: string): Array<{ uin: string; name: string; createTime: string }> {
    return [...this.account(ownerUin).collaborators].map(([uin, createTime]) => ({
      uin,
      name: this.accounts.get(uin)?.name ?? `collaborator-${uin}`,
      createTime,
    }));
  }

  addPolicy(ownerUin: string, seed: PolicySeed): void {
    const account = this.account(ownerUin);
    if (!Number.isInteger(seed.policyId) || seed.policyId <= 0) {
      throw new Error(`policyId must be a positive integer, got ${seed.policyId}`);
    }
    const existing = account.policies.get(seed.policyId);
    if (existing) {
      throw new Error(`account ${ownerUin} already has policy ${seed.policyId} (${existing.name})`);
    }
    account.policies.set(seed.policyId, toPolicyRecord(seed, formatBeijingTime(this.now())));
  }

  getPolicy(ownerUin: string, policyId: number): PolicyRecord | undefined {
    return this.account(ownerUin).policies.get(policyId);
  }

  attachUserPolicy(ownerUin: string, targetUin: string, policyId: number): void {
    const account = this.account(ownerUin);
    this.requirePolicy(account, policyId);
    requireUin(targetUin, "attachUserPolicy targetUin");
    if (!account.userAttachments.some((a) => a.targetUin === targetUin && a.policyId === policyId)) {
      account.userAttachments.push({ targetUin, policyId, addTime: formatBeijingTime(this.now()) });
    }
  }

  detachUserPolicy(ownerUin: string, targetUin: string, policyId: number): void {
    const account = this.account(ownerUin);
    account.userAttachments = account.userAttachments.filter(
      (a) => !(a.targetUin === targetUin && a.policyId === policyId),
    );
  }

  addGroup(ownerUin: string, seed: GroupSeed): void {
    const account = this.account(ownerUin);
    if (account.groups.has(seed.groupId)) {
      throw new Error(`account ${ownerUin} already has group ${seed.groupId}`);
    }
    for (const member of seed.members) {
      requireUin(member, "group member");
    }
    account.groups.set(seed.groupId, {
      groupId: seed.groupId,
      name: seed.name,
      members: new Set(seed.members),
      policyIds: [],
    });
  }

  attachGroupPolicy(ownerUin: string, groupId: number, policyId: number): void {
    const account = this.account(ownerUin);
    this.requirePolicy(account, policyId);
    const group = this.requireGroup(account, groupId);
    if (!group.policyIds.includes(policyId)) {
      group.policyIds.push(policyId);
    }
  }

  detachGroupPolicy(ownerUin: string, groupId: number, policyId: number): void {
    const group = this.requireGroup(this.account(ownerUin), groupId);
    group.policyIds = group.policyIds.filter((id) => id !== policyId);
  }

  /** Whether the owner account knows this user (a collaborator, a group member or a policy holder). */
  knowsUser(ownerUin: string, userUin: string): boolean {
    const account = this.account(ownerUin);
    return (
      userUin === ownerUin ||
      account.collaborators.has(userUin) ||
      account.userAttachments.some((a) => a.targetUin === userUin) ||
      [...account.groups.values()].some((group) => group.members.has(userUin))
    );
  }

  /** Policies reaching a user directly and through groups, one entry per policy, in attach order. */
  attachedPolicies(ownerUin: string, userUin: string): AttachedPolicy[] {
    const account = this.account(ownerUin);
    const byId = new Map<number, AttachedPolicy>();
    for (const attachment of account.userAttachments) {
      const policy = account.policies.get(attachment.policyId);
      if (attachment.targetUin === userUin && policy) {
        byId.set(policy.policyId, { policy, groups: [], direct: true, addTime: attachment.addTime });
      }
    }
    for (const group of account.groups.values()) {
      if (!group.members.has(userUin)) {
        continue;
      }
      for (const policyId of group.policyIds) {
        const policy = account.policies.get(policyId);
        if (!policy) {
          continue;
        }
        const entry = byId.get(policyId) ?? { policy, groups: [], direct: false, addTime: policy.addTime };
        entry.groups.push({ groupId: group.groupId, name: group.name });
        byId.set(policyId, entry);
      }
    }
    return [...byId.values()];
  }

  // ---- auto snapshot policies -----------------------------------------------------------------

  addAutoSnapshotPolicy(uin: string, seed: AutoSnapshotPolicySeed): void {
    const account = this.account(uin);
    if (!AUTO_SNAPSHOT_POLICY_ID_PATTERN.test(seed.id)) {
      throw new Error(
        `auto snapshot policy id "${seed.id}" must be asp- followed by 8 lowercase letters or digits`,
      );
    }
    if (account.autoSnapshotPolicies.has(seed.id)) {
      throw new Error(`account ${uin} already has auto snapshot policy ${seed.id}`);
    }
    requireRegion(seed.region);
    if (seed.hours.some((hour) => !Number.isInteger(hour) || hour < 0 || hour > 23)) {
      throw new Error("auto snapshot policy hours must be integers 0–23");
    }
    if (seed.daysOfWeek.some((day) => !Number.isInteger(day) || day < 0 || day > 6)) {
      throw new Error("auto snapshot policy daysOfWeek must be integers 0–6 (0 = Sunday)");
    }
    account.autoSnapshotPolicies.set(seed.id, {
      seq: this.nextSequence(),
      id: seed.id,
      name: seed.name,
      region: seed.region,
      diskIds: [...seed.diskIds],
      hours: [...seed.hours],
      daysOfWeek: [...seed.daysOfWeek],
      retentionDays: seed.retentionDays,
      state: seed.state ?? "NORMAL",
      isActivated: seed.isActivated ?? true,
      createTime: formatBeijingTime(this.now()),
      copyToAccountUin: undefined,
    });
  }

  getAutoSnapshotPolicy(uin: string, id: string): AutoSnapshotPolicyView | undefined {
    const record = this.accounts.get(uin)?.autoSnapshotPolicies.get(id);
    return record ? toPolicyView(uin, record) : undefined;
  }

  removeAutoSnapshotPolicy(uin: string, id: string): boolean {
    return this.account(uin).autoSnapshotPolicies.delete(id);
  }

  setAutoSnapshotPolicyCopyTarget(uin: string, id: string, targetUin: string | undefined): void {
    const record = this.account(uin).autoSnapshotPolicies.get(id);
    if (!record) {
      throw new Error(`account ${uin} has no auto snapshot policy ${id}`);
    }
    record.copyToAccountUin = targetUin;
  }

  /** The caller's own policies in the region, then policies other accounts replicate to it. */
  visibleAutoSnapshotPolicies(
    uin: string,
    region: string,
  ): Array<{ view: AutoSnapshotPolicyView; seq: number; copyFromAccountUin?: string }> {
    const visible: Array<{ view: AutoSnapshotPolicyView; seq: number; copyFromAccountUin?: string }> = [];
    for (const account of this.accounts.values()) {
      for (const record of account.autoSnapshotPolicies.values()) {
        if (record.region !== region) {
          continue;
        }
        if (account.uin === uin) {
          visible.push({ view: toPolicyView(account.uin, record), seq: record.seq });
        } else if (record.copyToAccountUin === uin) {
          visible.push({
            view: toPolicyView(account.uin, record),
            seq: record.seq,
            copyFromAccountUin: account.uin,
          });
        }
      }
    }
    return visible;
  }

  // ---- faults ---------------------------------------------------------------------------------

  injectFault(fault: FaultSpec): void {
    this.faults.inject(fault);
  }

  setLatency(action: string, ms: number): void {
    this.faults.setLatency(action, ms);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  setNextCopyOutcome(outcome: CopyOutcome): void {
    this.faults.setNextCopyOutcome(outcome);
  }

  // ---- admin view -----------------------------------------------------------------------------

  /** Everything but secrets, for `GET /__sim/state`. */
  adminView(): Record<string, unknown> {
    const now = this.now();
    return {
      now,
      accounts: [...this.accounts.values()].map((account) => ({
        uin: account.uin,
        name: account.name,
        allowListed: account.allowListed,
        createTime: account.createTime,
        collaborators: this.collaboratorsOf(account.uin),
        roles: [...account.roles.values()],
        policies: [...account.policies.values()],
        userPolicies: account.userAttachments,
        groups: [...account.groups.values()].map((group) => ({
          groupId: group.groupId,
          name: group.name,
          members: [...group.members],
          policyIds: group.policyIds,
        })),
        autoSnapshotPolicies: [...account.autoSnapshotPolicies.values()].map((record) =>
          toPolicyView(account.uin, record),
        ),
      })),
      snapshots: [...this.accounts.keys()].flatMap((uin) => this.listSnapshots(uin)),
      copies: this.copyLog,
      temporaryCredentials: [...this.temporaryCredentials.values()].map((credential) => ({
        uin: credential.uin,
        roleArn: credential.roleArn,
        sessionName: credential.sessionName,
        expiresAt: credential.expiresAtMs,
        expired: credential.expiresAtMs <= now,
      })),
      ...this.faults.describe(),
    };
  }

  // ---- internals ------------------------------------------------------------------------------

  private account(uin: string): AccountRecord {
    const account = this.accounts.get(uin);
    if (!account) {
      throw new Error(`unknown account ${uin}: call state.addAccount first`);
    }
    return account;
  }

  private requirePolicy(account: AccountRecord, policyId: number): PolicyRecord {
    const policy = account.policies.get(policyId);
    if (!policy) {
      throw new Error(`account ${account.uin} has no policy ${policyId}: call state.addPolicy first`);
    }
    return policy;
  }

  private requireGroup(account: AccountRecord, groupId: number): GroupRecord {
    const group = account.groups.get(groupId);
    if (!group) {
      throw new Error(`account ${account.uin} has no group ${groupId}: call state.addGroup first`);
    }
    return group;
  }

  /** A NORMAL snapshot made by a policy linked to another account is copied there, once. */
  private replicateIfLinked(record: SnapshotRecord): void {
    if (record.autoReplicated || record.state !== "NORMAL" || !record.autoSnapshotPolicyId) {
      return;
    }
    const policy = this.accounts.get(record.ownerUin)?.autoSnapshotPolicies.get(record.autoSnapshotPolicyId);
    const targetUin = policy?.copyToAccountUin;
    if (!targetUin || !this.accounts.has(targetUin)) {
      return;
    }
    record.autoReplicated = true;
    this.startCopy({
      sourceUin: record.ownerUin,
      sourceSnapshotId: record.snapshotId,
      targetUin,
      name: record.name,
      trigger: "auto-policy",
    });
  }

  /** The snapshot as seen now; undefined once a failed copy has disappeared. */
  private viewOf(record: SnapshotRecord): SnapshotView | undefined {
    let state = record.state;
    let percent = record.percent;
    if (record.copy) {
      const { startedAt, durationMs, outcome } = record.copy;
      const elapsed = Math.max(0, this.now() - startedAt);
      const finished = elapsed >= durationMs;
      const linear = durationMs <= 0 ? 100 : Math.floor((elapsed * 100) / durationMs);
      if (outcome === "fail" && finished) {
        return undefined;
      }
      if (outcome === "success" && finished) {
        state = "NORMAL";
        percent = 100;
      } else {
        state = "COPYING_FROM_REMOTE";
        percent = Math.min(linear, outcome === "stuck" ? STUCK_COPY_PERCENT : 99);
      }
    }
    return {
      ownerUin: record.ownerUin,
      snapshotId: record.snapshotId,
      region: record.region,
      name: record.name,
      diskId: record.diskId,
      diskSize: record.diskSize,
      diskUsage: record.diskUsage,
      encrypt: record.encrypt,
      state,
      percent,
      createTime: record.createTime,
      zone: record.zone,
      ...(record.autoSnapshotPolicyId ? { autoSnapshotPolicyId: record.autoSnapshotPolicyId } : {}),
      tags: record.tags.map((tag) => ({ ...tag })),
      sharedWith: [...record.shares.keys()],
      ...(record.copiedFrom ? { copiedFrom: { ...record.copiedFrom } } : {}),
    };
  }

  private requireView(record: SnapshotRecord): SnapshotView {
    const view = this.viewOf(record);
    if (!view) {
      throw new Error(`snapshot ${record.snapshotId} is gone`);
    }
    return view;
  }

  private newSnapshotId(): string {
    for (;;) {
      const id = `snap-${randomAlphanumeric(8, false)}`;
      if (!this.usedSnapshotIds.has(id)) {
        return id;
      }
    }
  }

  private nextSequence(): number {
    this.sequence += 1;
    return this.sequence;
  }
}

function toPolicyRecord(seed: PolicySeed, addTime: string): PolicyRecord {
  return {
    policyId: seed.policyId,
    name: seed.name,
    document: seed.document,
    type: seed.type,
    description: seed.description ?? "",
    addTime,
  };
}

function toPolicyView(ownerUin: string, record: AutoSnapshotPolicyRecord): AutoSnapshotPolicyView {
  return {
    ownerUin,
    id: record.id,
    name: record.name,
    region: record.region,
    diskIds: [...record.diskIds],
    hours: [...record.hours],
    daysOfWeek: [...record.daysOfWeek],
    retentionDays: record.retentionDays,
    state: record.state,
    isActivated: record.isActivated,
    createTime: record.createTime,
    ...(record.copyToAccountUin ? { copyToAccountUin: record.copyToAccountUin } : {}),
  };
}

function defaultPercent(state: SnapshotState): number {
  return state === "NORMAL" || state === "TORECYCLE" || state === "ROLLBACKING" ? 100 : 0;
}

function requireUin(uin: string, what: string): void {
  if (!UIN_PATTERN.test(uin)) {
    throw new Error(`${what} must be a numeric account id (a string of digits), got "${uin}"`);
  }
}

function requireRegion(region: string): void {
  if (!REGION_PATTERN.test(region)) {
    throw new Error(`region must look like "ap-guangzhou", got "${region}"`);
  }
}

function requireSnapshotState(state: string): void {
  if (!SNAPSHOT_STATES.includes(state as SnapshotState)) {
    throw new Error(`unknown snapshot state "${state}"; one of ${SNAPSHOT_STATES.join(", ")}`);
  }
}

function randomAlphanumeric(length: number, mixedCase: boolean): string {
  const alphabet = mixedCase
    ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    : "abcdefghijklmnopqrstuvwxyz0123456789";
  let text = "";
  for (let index = 0; index < length; index += 1) {
    text += alphabet[randomInt(alphabet.length)];
  }
  return text;
}
