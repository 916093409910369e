import type { AccountsWorld } from "./accounts.world.js";
import type { AutoCopyBehaviour, AutoSnapshotPolicySeed, AutoSnapshotPolicyView } from "./simulator.types.js";
import { formatBeijingTime } from "./time-format.js";
import { AUTO_SNAPSHOT_POLICY_ID_PATTERN, requireRegion, type WorldClock } from "./world-rules.js";

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
  autoCopy: Required<AutoCopyBehaviour>;
  lastFiredAt: number | undefined;
}

/** What the cloud does with one automatic copy of a linked policy's snapshot. */
export type AutoCopyDecision =
  | { kind: "copy"; targetUin: string; delayMs: number }
  | { kind: "drop"; targetUin: string }
  | { kind: "none" };

export interface VisibleAutoSnapshotPolicy {
  view: AutoSnapshotPolicyView;
  seq: number;
  copyFromAccountUin?: string;
}

/** CBS scheduled snapshot policies (auto snapshot policies) and their cross-account copy target. */
export class AutoSnapshotPoliciesWorld {
  /** owner uin → policy id → policy */
  private readonly byAccount = new Map<string, Map<string, AutoSnapshotPolicyRecord>>();

  constructor(
    private readonly accounts: AccountsWorld,
    private readonly clock: WorldClock,
    private readonly random: () => number = Math.random,
  ) {}

  add(uin: string, seed: AutoSnapshotPolicySeed): void {
    const policies = this.of(uin);
    if (!AUTO_SNAPSHOT_POLICY_ID_PATTERN.test(seed.id)) {
      throw new Error(
        `auto snapshot policy id "${seed.id}" must be asp- followed by 8 lowercase letters or digits`,
      );
    }
    if (policies.has(seed.id)) {
      throw new Error(`account ${uin} already has auto snapshot policy ${seed.id}`);
    }
    requireRegion(seed.region);
    if (seed.hours.some((hour) => !Number.isInteger(hour) || hour < 0 || hour > 23)) {
      throw new Error("auto snapshot policy hours must be integers 0–23");
    }
    if (seed.daysOfWeek.some((day) => !Number.isInteger(day) || day < 0 || day > 6)) {
      throw new Error("auto snapshot policy daysOfWeek must be integers 0–6 (0 = Sunday)");
    }
    policies.set(seed.id, {
      seq: this.clock.nextSequence(),
      id: seed.id,
      name: seed.name,
      region: seed.region,
      diskIds: [...seed.diskIds],
      hours: [...seed.hours],
      daysOfWeek: [...seed.daysOfWeek],
      retentionDays: seed.retentionDays,
      state: seed.state ?? "NORMAL",
      isActivated: seed.isActivated ?? true,
      createTime: formatBeijingTime(this.clock.now()),
      copyToAccountUin: undefined,
      autoCopy: mergeBehaviour({ copyDelayMs: 0, dropNextCopies: 0, dropRate: 0 }, seed.autoCopy ?? {}),
      lastFiredAt: undefined,
    });
  }

  setCopyBehaviour(uin: string, id: string, behaviour: AutoCopyBehaviour): void {
    const record = this.require(uin, id);
    record.autoCopy = mergeBehaviour(record.autoCopy, behaviour);
  }

  /**
   * Whether (and when) the snapshot a policy just took is copied to its linked account; counts a
   * `dropNextCopies` down. No link (or a deleted policy, or an unknown target): none.
   */
  decideCopy(uin: string, id: string): AutoCopyDecision {
    const record = this.byAccount.get(uin)?.get(id);
    const targetUin = record?.copyToAccountUin;
    if (!record || !targetUin || !this.accounts.has(targetUin)) {
      return { kind: "none" };
    }
    if (record.autoCopy.dropNextCopies > 0) {
      record.autoCopy.dropNextCopies -= 1;
      return { kind: "drop", targetUin };
    }
    if (record.autoCopy.dropRate > 0 && this.random() < record.autoCopy.dropRate) {
      return { kind: "drop", targetUin };
    }
    return { kind: "copy", targetUin, delayMs: record.autoCopy.copyDelayMs };
  }

  markFired(uin: string, id: string, at: number): void {
    const record = this.require(uin, id);
    record.lastFiredAt = Math.max(record.lastFiredAt ?? at, at);
  }

  /** The destination side removes a link; throws when no policy `id` is linked to it. */
  unlinkByDestination(destinationUin: string, id: string): void {
    this.accounts.require(destinationUin);
    for (const policies of this.byAccount.values()) {
      const record = policies.get(id);
      if (record?.copyToAccountUin === destinationUin) {
        record.copyToAccountUin = undefined;
        return;
      }
    }
    throw new Error(`no auto snapshot policy ${id} is linked to account ${destinationUin}`);
  }

  /** Every account's policies, for the schedule. */
  all(): AutoSnapshotPolicyView[] {
    return this.accounts
      .all()
      .flatMap((account) =>
        [...(this.byAccount.get(account.uin)?.values() ?? [])].map((record) =>
          toPolicyView(account.uin, record),
        ),
      );
  }

  get(uin: string, id: string): AutoSnapshotPolicyView | undefined {
    const record = this.byAccount.get(uin)?.get(id);
    return record ? toPolicyView(uin, record) : undefined;
  }

  /** The account the policy copies its snapshots to, if it is linked to one. */
  copyTargetOf(uin: string, id: string): string | undefined {
    return this.byAccount.get(uin)?.get(id)?.copyToAccountUin;
  }

  remove(uin: string, id: string): boolean {
    return this.of(uin).delete(id);
  }

  setCopyTarget(uin: string, id: string, targetUin: string | undefined): void {
    this.require(uin, id).copyToAccountUin = targetUin;
  }

  private require(uin: string, id: string): AutoSnapshotPolicyRecord {
    const record = this.of(uin).get(id);
    if (!record) {
      throw new Error(`account ${uin} has no auto snapshot policy ${id}`);
    }
    return record;
  }

  /** The caller's own policies in the region, then policies other accounts replicate to it. */
  visible(uin: string, region: string): VisibleAutoSnapshotPolicy[] {
    const visible: VisibleAutoSnapshotPolicy[] = [];
    for (const account of this.accounts.all()) {
      for (const record of this.byAccount.get(account.uin)?.values() ?? []) {
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

  /** One account's policies for `GET /__sim/state`. */
  describe(uin: string): AutoSnapshotPolicyView[] {
    return [...this.of(uin).values()].map((record) => toPolicyView(uin, record));
  }

  private of(uin: string): Map<string, AutoSnapshotPolicyRecord> {
    this.accounts.require(uin);
    let policies = this.byAccount.get(uin);
    if (!policies) {
      policies = new Map();
      this.byAccount.set(uin, policies);
    }
    return policies;
  }
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
    autoCopy: { ...record.autoCopy },
    ...(record.lastFiredAt === undefined ? {} : { lastFiredAt: record.lastFiredAt }),
  };
}

function mergeBehaviour(
  current: Required<AutoCopyBehaviour>,
  change: AutoCopyBehaviour,
): Required<AutoCopyBehaviour> {
  const merged = {
    ...current,
    ...Object.fromEntries(Object.entries(change).filter(([, v]) => v !== undefined)),
  };
  if (!Number.isFinite(merged.copyDelayMs) || merged.copyDelayMs < 0) {
    throw new Error(`copyDelayMs must be a number of ms ≥ 0, got ${merged.copyDelayMs}`);
  }
  if (!Number.isInteger(merged.dropNextCopies) || merged.dropNextCopies < 0) {
    throw new Error(`dropNextCopies must be an integer ≥ 0, got ${merged.dropNextCopies}`);
  }
  if (!(merged.dropRate >= 0 && merged.dropRate <= 1)) {
    throw new Error(`dropRate must be between 0 and 1, got ${merged.dropRate}`);
  }
  return merged;
}
