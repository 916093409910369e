import type { AccountsWorld } from "./accounts.world.js";
import type { AutoSnapshotPolicySeed, AutoSnapshotPolicyView } from "./simulator.types.js";
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
}

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
    });
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
    const record = this.of(uin).get(id);
    if (!record) {
      throw new Error(`account ${uin} has no auto snapshot policy ${id}`);
    }
    record.copyToAccountUin = targetUin;
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
  };
}
