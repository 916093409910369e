import type { AccountsWorld } from "./accounts.world.js";
import type { AutoSnapshotPoliciesWorld } from "./auto-snapshot-policies.world.js";
import type { FaultRegistry } from "./fault-registry.js";
import type {
  AutoSnapshotPolicyView,
  CopyOutcome,
  CopyRecord,
  DroppedCopy,
  SnapshotSeed,
  SnapshotState,
  SnapshotView,
} from "./simulator.types.js";
import { CREATE_TIME_PATTERN, formatBeijingTime } from "./time-format.js";
import { randomAlphanumeric, requireRegion, SNAPSHOT_ID_PATTERN, type WorldClock } from "./world-rules.js";

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
  /** cloud clock ms before which the snapshot does not exist yet (a delayed automatic copy) */
  appearsAt: number;
}

export interface VisibleSnapshot {
  view: SnapshotView;
  /** creation order, to break CreateTime ties */
  seq: number;
  type: "PRIVATE_SNAPSHOT" | "SHARED_SNAPSHOT";
}

/** CBS snapshots, their share permissions, and the cross-account copies made from them. */
export class SnapshotsWorld {
  /** owner uin → snapshot id → snapshot */
  private readonly byAccount = new Map<string, Map<string, SnapshotRecord>>();
  private readonly copyLog: CopyRecord[] = [];
  private readonly dropLog: DroppedCopy[] = [];
  /** Every id ever used, removed ones included: a removed id is never handed out again. */
  private readonly usedSnapshotIds = new Set<string>();

  constructor(
    private readonly deps: {
      accounts: AccountsWorld;
      autoSnapshotPolicies: AutoSnapshotPoliciesWorld;
      faults: FaultRegistry;
      clock: WorldClock;
      copyDurationMs: number;
    },
  ) {}

  get copies(): readonly CopyRecord[] {
    return this.copyLog;
  }

  get droppedCopies(): readonly DroppedCopy[] {
    return this.dropLog;
  }

  add(uin: string, seed: SnapshotSeed): SnapshotView {
    const snapshots = this.of(uin);
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
      seq: this.deps.clock.nextSequence(),
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
      createTime: seed.createTime ?? formatBeijingTime(this.deps.clock.now()),
      zone: seed.zone ?? `${seed.region}-1`,
      autoSnapshotPolicyId: seed.autoSnapshotPolicyId,
      tags: (seed.tags ?? []).map((tag) => ({ ...tag })),
      copy: undefined,
      copiedFrom: undefined,
      shares: new Map(),
      autoReplicated: false,
      appearsAt: 0,
    };
    snapshots.set(record.snapshotId, record);
    this.usedSnapshotIds.add(record.snapshotId);
    this.replicateIfLinked(record);
    return this.requireView(record);
  }

  get(uin: string, snapshotId: string): SnapshotView | undefined {
    const record = this.byAccount.get(uin)?.get(snapshotId);
    return record ? this.viewOf(record) : undefined;
  }

  list(uin: string): SnapshotView[] {
    return [...this.of(uin).values()]
      .map((record) => this.viewOf(record))
      .filter((view): view is SnapshotView => view !== undefined);
  }

  remove(uin: string, snapshotId: string): boolean {
    return this.of(uin).delete(snapshotId);
  }

  setSize(uin: string, snapshotId: string, diskSize: number): void {
    const record = this.requireRecord(uin, snapshotId);
    if (!Number.isInteger(diskSize) || diskSize <= 0) {
      throw new Error(`diskSize must be a positive integer (GiB), got ${diskSize}`);
    }
    record.diskSize = diskSize;
  }

  setState(uin: string, snapshotId: string, state: SnapshotState): void {
    requireSnapshotState(state);
    const record = this.requireRecord(uin, snapshotId);
    record.copy = undefined;
    record.state = state;
    record.percent = defaultPercent(state);
    this.replicateIfLinked(record);
  }

  /** Own snapshots in the region, then snapshots other accounts share with this one. */
  visible(uin: string, region: string): VisibleSnapshot[] {
    const visible: VisibleSnapshot[] = [];
    for (const account of this.deps.accounts.all()) {
      for (const record of this.byAccount.get(account.uin)?.values() ?? []) {
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
    /** When the source asked for it (cloud ms). @defaultValue now */
    at?: number;
    /** The copy appears this long after `at` (an automatic copy's delay). @defaultValue 0 */
    delayMs?: number;
  }): CopyRecord {
    const source = this.of(input.sourceUin).get(input.sourceSnapshotId);
    if (!source) {
      throw new Error(`account ${input.sourceUin} has no snapshot ${input.sourceSnapshotId}`);
    }
    const target = this.of(input.targetUin);
    const requestedAt = input.at ?? this.deps.clock.now();
    const now = requestedAt + (input.delayMs ?? 0);
    const outcome = this.deps.faults.takeCopyOutcome();
    const record: SnapshotRecord = {
      seq: this.deps.clock.nextSequence(),
      ownerUin: input.targetUin,
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
      copy: { startedAt: now, durationMs: this.deps.copyDurationMs, outcome },
      copiedFrom: { uin: source.ownerUin, snapshotId: source.snapshotId },
      shares: new Map(),
      autoReplicated: true,
      appearsAt: now,
    };
    target.set(record.snapshotId, record);
    this.usedSnapshotIds.add(record.snapshotId);
    const copy: CopyRecord = {
      sourceUin: source.ownerUin,
      sourceSnapshotId: source.snapshotId,
      targetUin: input.targetUin,
      newSnapshotId: record.snapshotId,
      name: record.name,
      region: record.region,
      requestedAt,
      appearsAt: now,
      outcome,
      trigger: input.trigger,
    };
    this.copyLog.push(copy);
    return copy;
  }

  /** Adds (share) or removes share permissions of an owner's snapshot. */
  setShares(ownerUin: string, snapshotId: string, accountIds: readonly string[], share: boolean): void {
    const record = this.requireRecord(ownerUin, snapshotId);
    for (const accountId of accountIds) {
      if (share) {
        if (!record.shares.has(accountId)) {
          record.shares.set(accountId, formatBeijingTime(this.deps.clock.now()));
        }
      } else {
        record.shares.delete(accountId);
      }
    }
  }

  sharesOf(ownerUin: string, snapshotId: string): Array<{ accountId: string; createdTime: string }> {
    const record = this.of(ownerUin).get(snapshotId);
    return record ? [...record.shares].map(([accountId, createdTime]) => ({ accountId, createdTime })) : [];
  }

  private of(uin: string): Map<string, SnapshotRecord> {
    this.deps.accounts.require(uin);
    let snapshots = this.byAccount.get(uin);
    if (!snapshots) {
      snapshots = new Map();
      this.byAccount.set(uin, snapshots);
    }
    return snapshots;
  }

  private requireRecord(uin: string, snapshotId: string): SnapshotRecord {
    const record = this.of(uin).get(snapshotId);
    if (!record) {
      throw new Error(`account ${uin} has no snapshot ${snapshotId}`);
    }
    return record;
  }

  /**
   * A NORMAL snapshot made by a policy linked to another account is copied there, once, after the
   * policy's `copyDelayMs` — or dropped, per its `dropNextCopies` / `dropRate`. The copy carries the
   * source's name and disk size and is created after it: the pairing assumed in
   * docs/decisions/015-automatic-copy-pairing.md (`src/core/replication/pair-copies.ts`).
   */
  private replicateIfLinked(record: SnapshotRecord, at?: number): void {
    if (record.autoReplicated || record.state !== "NORMAL" || !record.autoSnapshotPolicyId) {
      return;
    }
    const decision = this.deps.autoSnapshotPolicies.decideCopy(record.ownerUin, record.autoSnapshotPolicyId);
    if (decision.kind === "none") {
      return;
    }
    record.autoReplicated = true;
    if (decision.kind === "drop") {
      this.dropLog.push({
        sourceUin: record.ownerUin,
        sourceSnapshotId: record.snapshotId,
        targetUin: decision.targetUin,
        policyId: record.autoSnapshotPolicyId,
        at: at ?? this.deps.clock.now(),
      });
      return;
    }
    this.startCopy({
      sourceUin: record.ownerUin,
      sourceSnapshotId: record.snapshotId,
      targetUin: decision.targetUin,
      name: record.name,
      trigger: "auto-policy",
      delayMs: decision.delayMs,
      ...(at === undefined ? {} : { at }),
    });
  }

  /**
   * A policy's trigger: one NORMAL snapshot per bound disk at `at`, carrying the policy's id, disk
   * facts from the disk's newest snapshot in the account (else 50 GiB, DATA_DISK, unencrypted).
   */
  takeForPolicy(policy: AutoSnapshotPolicyView, at: number): SnapshotView[] {
    const snapshots = this.of(policy.ownerUin);
    const stamp = formatBeijingTime(at).replace(/[- :]/g, "");
    return policy.diskIds.map((diskId) => {
      const facts = [...snapshots.values()]
        .filter((s) => s.diskId === diskId && s.region === policy.region && s.appearsAt <= at)
        .sort((a, b) => b.createTime.localeCompare(a.createTime) || b.seq - a.seq)[0];
      const record: SnapshotRecord = {
        seq: this.deps.clock.nextSequence(),
        ownerUin: policy.ownerUin,
        snapshotId: this.newSnapshotId(),
        region: policy.region,
        name: `${policy.name}-${diskId}-${stamp}`,
        diskId,
        diskSize: facts?.diskSize ?? 50,
        diskUsage: facts?.diskUsage ?? "DATA_DISK",
        encrypt: facts?.encrypt ?? false,
        state: "NORMAL",
        percent: 100,
        createTime: formatBeijingTime(at),
        zone: facts?.zone ?? `${policy.region}-1`,
        autoSnapshotPolicyId: policy.id,
        tags: [],
        copy: undefined,
        copiedFrom: undefined,
        shares: new Map(),
        autoReplicated: false,
        appearsAt: 0,
      };
      snapshots.set(record.snapshotId, record);
      this.usedSnapshotIds.add(record.snapshotId);
      this.replicateIfLinked(record, at);
      return this.requireView(record);
    });
  }

  /** The snapshot as seen now; undefined once a failed copy has disappeared. */
  private viewOf(record: SnapshotRecord): SnapshotView | undefined {
    if (record.appearsAt > this.deps.clock.now()) {
      return undefined;
    }
    let state = record.state;
    let percent = record.percent;
    if (record.copy) {
      const { startedAt, durationMs, outcome } = record.copy;
      const elapsed = Math.max(0, this.deps.clock.now() - startedAt);
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
}

function defaultPercent(state: SnapshotState): number {
  return state === "NORMAL" || state === "TORECYCLE" || state === "ROLLBACKING" ? 100 : 0;
}

function requireSnapshotState(state: string): void {
  if (!SNAPSHOT_STATES.includes(state as SnapshotState)) {
    throw new Error(`unknown snapshot state "${state}"; one of ${SNAPSHOT_STATES.join(", ")}`);
  }
}
