import type { AccountsWorld } from "./accounts.world.js";
import type { GroupSeed, PolicySeed } from "./simulator.types.js";
import { formatBeijingTime } from "./time-format.js";
import { requireUin, type WorldClock } from "./world-rules.js";

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

/** What CAM keeps for one account. */
interface CamRecord {
  /** collaborator uin → time added */
  collaborators: Map<string, string>;
  policies: Map<number, PolicyRecord>;
  userAttachments: Array<{ targetUin: string; policyId: number; addTime: string }>;
  groups: Map<number, GroupRecord>;
}

export interface AttachedPolicy {
  policy: PolicyRecord;
  /** groups through which the policy reaches the user (empty when only attached directly) */
  groups: Array<{ groupId: number; name: string }>;
  direct: boolean;
  addTime: string;
}

/** CAM: collaborators, policies (custom and preset), user and group attachments. */
export class CamWorld {
  private readonly byAccount = new Map<string, CamRecord>();

  constructor(
    private readonly accounts: AccountsWorld,
    private readonly clock: WorldClock,
  ) {}

  addCollaborator(ownerUin: string, collaboratorUin: string): void {
    requireUin(collaboratorUin, "collaborator uin");
    const cam = this.of(ownerUin);
    if (ownerUin === collaboratorUin) {
      throw new Error("an account cannot be its own collaborator");
    }
    if (!cam.collaborators.has(collaboratorUin)) {
      cam.collaborators.set(collaboratorUin, formatBeijingTime(this.clock.now()));
    }
  }

  removeCollaborator(ownerUin: string, collaboratorUin: string): void {
    this.of(ownerUin).collaborators.delete(collaboratorUin);
  }

  isCollaborator(ownerUin: string, collaboratorUin: string): boolean {
    return this.of(ownerUin).collaborators.has(collaboratorUin);
  }

  collaboratorsOf(ownerUin: string): Array<{ uin: string; name: string; createTime: string }> {
    return [...this.of(ownerUin).collaborators].map(([uin, createTime]) => ({
      uin,
      name: this.accounts.find(uin)?.name ?? `collaborator-${uin}`,
      createTime,
    }));
  }

  addPolicy(ownerUin: string, seed: PolicySeed): void {
    const cam = this.of(ownerUin);
    if (!Number.isInteger(seed.policyId) || seed.policyId <= 0) {
      throw new Error(`policyId must be a positive integer, got ${seed.policyId}`);
    }
    const existing = cam.policies.get(seed.policyId);
    if (existing) {
      throw new Error(`account ${ownerUin} already has policy ${seed.policyId} (${existing.name})`);
    }
    cam.policies.set(seed.policyId, toPolicyRecord(seed, formatBeijingTime(this.clock.now())));
  }

  getPolicy(ownerUin: string, policyId: number): PolicyRecord | undefined {
    return this.of(ownerUin).policies.get(policyId);
  }

  attachUserPolicy(ownerUin: string, targetUin: string, policyId: number): void {
    const cam = this.of(ownerUin);
    requirePolicy(ownerUin, cam, policyId);
    requireUin(targetUin, "attachUserPolicy targetUin");
    if (!cam.userAttachments.some((a) => a.targetUin === targetUin && a.policyId === policyId)) {
      cam.userAttachments.push({ targetUin, policyId, addTime: formatBeijingTime(this.clock.now()) });
    }
  }

  detachUserPolicy(ownerUin: string, targetUin: string, policyId: number): void {
    const cam = this.of(ownerUin);
    cam.userAttachments = cam.userAttachments.filter(
      (a) => !(a.targetUin === targetUin && a.policyId === policyId),
    );
  }

  addGroup(ownerUin: string, seed: GroupSeed): void {
    const cam = this.of(ownerUin);
    if (cam.groups.has(seed.groupId)) {
      throw new Error(`account ${ownerUin} already has group ${seed.groupId}`);
    }
    for (const member of seed.members) {
      requireUin(member, "group member");
    }
    cam.groups.set(seed.groupId, {
      groupId: seed.groupId,
      name: seed.name,
      members: new Set(seed.members),
      policyIds: [],
    });
  }

  attachGroupPolicy(ownerUin: string, groupId: number, policyId: number): void {
    const cam = this.of(ownerUin);
    requirePolicy(ownerUin, cam, policyId);
    const group = requireGroup(ownerUin, cam, groupId);
    if (!group.policyIds.includes(policyId)) {
      group.policyIds.push(policyId);
    }
  }

  detachGroupPolicy(ownerUin: string, groupId: number, policyId: number): void {
    const group = requireGroup(ownerUin, this.of(ownerUin), groupId);
    group.policyIds = group.policyIds.filter((id) => id !== policyId);
  }

  /** Whether the owner account knows this user (a collaborator, a group member or a policy holder). */
  knowsUser(ownerUin: string, userUin: string): boolean {
    const cam = this.of(ownerUin);
    return (
      userUin === ownerUin ||
      cam.collaborators.has(userUin) ||
      cam.userAttachments.some((a) => a.targetUin === userUin) ||
      [...cam.groups.values()].some((group) => group.members.has(userUin))
    );
  }

  /** Policies reaching a user directly and through groups, one entry per policy, in attach order. */
  attachedPolicies(ownerUin: string, userUin: string): AttachedPolicy[] {
    const cam = this.of(ownerUin);
    const byId = new Map<number, AttachedPolicy>();
    for (const attachment of cam.userAttachments) {
      const policy = cam.policies.get(attachment.policyId);
      if (attachment.targetUin === userUin && policy) {
        byId.set(policy.policyId, { policy, groups: [], direct: true, addTime: attachment.addTime });
      }
    }
    for (const group of cam.groups.values()) {
      if (!group.members.has(userUin)) {
        continue;
      }
      for (const policyId of group.policyIds) {
        const policy = cam.policies.get(policyId);
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

  /** One account's CAM data for `GET /__sim/state`. */
  describe(ownerUin: string) {
    const cam = this.of(ownerUin);
    return {
      collaborators: this.collaboratorsOf(ownerUin),
      policies: [...cam.policies.values()],
      userPolicies: cam.userAttachments,
      groups: [...cam.groups.values()].map((group) => ({
        groupId: group.groupId,
        name: group.name,
        members: [...group.members],
        policyIds: group.policyIds,
      })),
    };
  }

  /**
   * The account's CAM data, made on first use with the preset policies dated at the account's
   * creation, as if they had been there all along.
   */
  private of(ownerUin: string): CamRecord {
    const account = this.accounts.require(ownerUin);
    let cam = this.byAccount.get(ownerUin);
    if (!cam) {
      cam = { collaborators: new Map(), policies: new Map(), userAttachments: [], groups: new Map() };
      for (const preset of PRESET_POLICIES) {
        cam.policies.set(preset.policyId, toPolicyRecord(preset, account.createTime));
      }
      this.byAccount.set(ownerUin, cam);
    }
    return cam;
  }
}

function requirePolicy(ownerUin: string, cam: CamRecord, policyId: number): PolicyRecord {
  const policy = cam.policies.get(policyId);
  if (!policy) {
    throw new Error(`account ${ownerUin} has no policy ${policyId}: call state.addPolicy first`);
  }
  return policy;
}

function requireGroup(ownerUin: string, cam: CamRecord, groupId: number): GroupRecord {
  const group = cam.groups.get(groupId);
  if (!group) {
    throw new Error(`account ${ownerUin} has no group ${groupId}: call state.addGroup first`);
  }
  return group;
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
