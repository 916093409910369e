import { AccountsWorld } from "./accounts.world.js";
import { AutoSnapshotPoliciesWorld } from "./auto-snapshot-policies.world.js";
import { CamWorld } from "./cam.world.js";
import { FaultRegistry } from "./fault-registry.js";
import type {
  AccountSeed,
  AutoCopyBehaviour,
  AutoSnapshotPolicySeed,
  AutoSnapshotPolicyView,
  CopyOutcome,
  CopyRecord,
  DroppedCopy,
  FaultSpec,
  GroupSeed,
  PolicySeed,
  SimulatorState,
  SnapshotSeed,
  SnapshotState,
  SnapshotView,
} from "./simulator.types.js";
import { SnapshotsWorld } from "./snapshots.world.js";
import { triggerTimesBetween } from "./time-format.js";
import type { WorldClock } from "./world-rules.js";

export interface WorldOptions {
  now: () => number;
  copyDurationMs: number;
  random: () => number;
  /** See `SimulatorOptions.firePoliciesOnSchedule`. */
  firePoliciesOnSchedule?: boolean;
}

/**
 * The simulated cloud, one part per service: `accounts` (keys, roles, STS credentials),
 * `snapshots` (CBS snapshots, shares, copies), `autoSnapshotPolicies`, `cam` and `faults`. The
 * action handlers call the part they serve; tests and the sandbox see the flat `SimulatorState`
 * below, which only forwards, so seeding code need not know which service owns what.
 */
export class SimulatorWorld implements SimulatorState {
  readonly clock: WorldClock;
  readonly faults: FaultRegistry;
  readonly accounts: AccountsWorld;
  readonly autoSnapshotPolicies: AutoSnapshotPoliciesWorld;
  readonly snapshots: SnapshotsWorld;
  readonly cam: CamWorld;
  readonly firePoliciesOnSchedule: boolean;
  /** cloud clock ms up to which the policies' schedules have been run */
  private schedulesRunTo: number;

  constructor(options: WorldOptions) {
    let sequence = 0;
    this.clock = { now: options.now, nextSequence: () => ++sequence };
    this.faults = new FaultRegistry(options.random);
    this.accounts = new AccountsWorld(this.clock);
    this.autoSnapshotPolicies = new AutoSnapshotPoliciesWorld(this.accounts, this.clock, options.random);
    this.snapshots = new SnapshotsWorld({
      accounts: this.accounts,
      autoSnapshotPolicies: this.autoSnapshotPolicies,
      faults: this.faults,
      clock: this.clock,
      copyDurationMs: options.copyDurationMs,
    });
    this.cam = new CamWorld(this.accounts, this.clock);
    this.firePoliciesOnSchedule = options.firePoliciesOnSchedule ?? false;
    this.schedulesRunTo = options.now();
  }

  now(): number {
    return this.clock.now();
  }

  get copies(): readonly CopyRecord[] {
    return this.snapshots.copies;
  }

  get droppedCopies(): readonly DroppedCopy[] {
    return this.snapshots.droppedCopies;
  }

  // ---- SimulatorState: accounts and roles ----------------------------------------------------

  addAccount(seed: AccountSeed): void {
    this.accounts.add(seed);
  }
  setCrossAccountAllowListed(uin: string, allowListed: boolean): void {
    this.accounts.setCrossAccountAllowListed(uin, allowListed);
  }
  addRole(ownerUin: string, roleName: string): string {
    return this.accounts.addRole(ownerUin, roleName);
  }

  // ---- SimulatorState: snapshots -------------------------------------------------------------

  addSnapshot(uin: string, seed: SnapshotSeed): SnapshotView {
    return this.snapshots.add(uin, seed);
  }
  getSnapshot(uin: string, snapshotId: string): SnapshotView | undefined {
    return this.snapshots.get(uin, snapshotId);
  }
  listSnapshots(uin: string): SnapshotView[] {
    return this.snapshots.list(uin);
  }
  removeSnapshot(uin: string, snapshotId: string): boolean {
    return this.snapshots.remove(uin, snapshotId);
  }
  setSnapshotSize(uin: string, snapshotId: string, diskSize: number): void {
    this.snapshots.setSize(uin, snapshotId, diskSize);
  }
  setSnapshotState(uin: string, snapshotId: string, state: SnapshotState): void {
    this.snapshots.setState(uin, snapshotId, state);
  }

  // ---- SimulatorState: auto snapshot policies ------------------------------------------------

  addAutoSnapshotPolicy(uin: string, seed: AutoSnapshotPolicySeed): void {
    this.autoSnapshotPolicies.add(uin, seed);
  }
  getAutoSnapshotPolicy(uin: string, id: string): AutoSnapshotPolicyView | undefined {
    return this.autoSnapshotPolicies.get(uin, id);
  }
  removeAutoSnapshotPolicy(uin: string, id: string): boolean {
    return this.autoSnapshotPolicies.remove(uin, id);
  }
  setAutoSnapshotPolicyCopyTarget(uin: string, id: string, targetUin: string | undefined): void {
    this.autoSnapshotPolicies.setCopyTarget(uin, id, targetUin);
  }
  setAutoCopyBehaviour(uin: string, id: string, behaviour: AutoCopyBehaviour): void {
    this.autoSnapshotPolicies.setCopyBehaviour(uin, id, behaviour);
  }
  unlinkByDestination(destinationUin: string, id: string): void {
    this.autoSnapshotPolicies.unlinkByDestination(destinationUin, id);
  }

  firePolicy(uin: string, id: string, at?: number): SnapshotView[] {
    const policy = this.autoSnapshotPolicies.get(uin, id);
    if (!policy) {
      throw new Error(`account ${uin} has no auto snapshot policy ${id}`);
    }
    if (!policy.isActivated || policy.state !== "NORMAL") {
      return [];
    }
    const when = at ?? this.now();
    this.autoSnapshotPolicies.markFired(uin, id, when);
    return this.snapshots.takeForPolicy(policy, when);
  }

  runSchedules(): SnapshotView[] {
    const from = this.schedulesRunTo;
    const to = this.now();
    if (to <= from) {
      return [];
    }
    this.schedulesRunTo = to;
    const taken: SnapshotView[] = [];
    for (const policy of this.autoSnapshotPolicies.all()) {
      for (const at of triggerTimesBetween(from, to, policy.hours, policy.daysOfWeek)) {
        taken.push(...this.firePolicy(policy.ownerUin, policy.id, at));
      }
    }
    return taken;
  }

  // ---- SimulatorState: CAM -------------------------------------------------------------------

  addCollaborator(ownerUin: string, collaboratorUin: string): void {
    this.cam.addCollaborator(ownerUin, collaboratorUin);
  }
  removeCollaborator(ownerUin: string, collaboratorUin: string): void {
    this.cam.removeCollaborator(ownerUin, collaboratorUin);
  }
  addPolicy(ownerUin: string, seed: PolicySeed): void {
    this.cam.addPolicy(ownerUin, seed);
  }
  attachUserPolicy(ownerUin: string, targetUin: string, policyId: number): void {
    this.cam.attachUserPolicy(ownerUin, targetUin, policyId);
  }
  detachUserPolicy(ownerUin: string, targetUin: string, policyId: number): void {
    this.cam.detachUserPolicy(ownerUin, targetUin, policyId);
  }
  addGroup(ownerUin: string, seed: GroupSeed): void {
    this.cam.addGroup(ownerUin, seed);
  }
  attachGroupPolicy(ownerUin: string, groupId: number, policyId: number): void {
    this.cam.attachGroupPolicy(ownerUin, groupId, policyId);
  }
  detachGroupPolicy(ownerUin: string, groupId: number, policyId: number): void {
    this.cam.detachGroupPolicy(ownerUin, groupId, policyId);
  }

  // ---- SimulatorState: faults ----------------------------------------------------------------

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

  // ---- admin view ----------------------------------------------------------------------------

  /** Everything but secrets, for `GET /__sim/state`. */
  adminView(): Record<string, unknown> {
    const now = this.now();
    const accounts = this.accounts.all();
    return {
      now,
      accounts: accounts.map((account) => {
        const cam = this.cam.describe(account.uin);
        return {
          uin: account.uin,
          name: account.name,
          allowListed: account.allowListed,
          createTime: account.createTime,
          collaborators: cam.collaborators,
          roles: [...account.roles.values()],
          policies: cam.policies,
          userPolicies: cam.userPolicies,
          groups: cam.groups,
          autoSnapshotPolicies: this.autoSnapshotPolicies.describe(account.uin),
        };
      }),
      snapshots: accounts.flatMap((account) => this.snapshots.list(account.uin)),
      copies: this.snapshots.copies,
      droppedCopies: this.snapshots.droppedCopies,
      temporaryCredentials: this.accounts.describeTemporaryCredentials(now),
      ...this.faults.describe(),
    };
  }
}
