import { randomBytes } from "node:crypto";
import type { AccountSeed } from "./simulator.types.js";
import { formatBeijingTime } from "./time-format.js";
import { randomAlphanumeric, requireUin, type WorldClock } from "./world-rules.js";

/** An account and its own credentials; what it owns lives with each service (snapshots, CAM, ...). */
export interface AccountRecord {
  uin: string;
  name: string;
  secretId: string;
  secretKey: string;
  allowListed: boolean;
  createTime: string;
  /** role name → ARN */
  roles: Map<string, string>;
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

/** Accounts, their permanent keys, roles, and the temporary keys STS AssumeRole issues. */
export class AccountsWorld {
  private readonly accounts = new Map<string, AccountRecord>();
  private readonly temporaryCredentials = new Map<string, TemporaryCredential>();

  constructor(private readonly clock: WorldClock) {}

  add(seed: AccountSeed): void {
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
    this.accounts.set(seed.uin, {
      uin: seed.uin,
      name: seed.name ?? `account-${seed.uin}`,
      secretId: seed.secretId,
      secretKey: seed.secretKey,
      allowListed: true,
      createTime: formatBeijingTime(this.clock.now()),
      roles: new Map(),
    });
  }

  has(uin: string): boolean {
    return this.accounts.has(uin);
  }

  /** The account, or a message that tells a test author what to seed first. */
  require(uin: string): AccountRecord {
    const account = this.accounts.get(uin);
    if (!account) {
      throw new Error(`unknown account ${uin}: call state.addAccount first`);
    }
    return account;
  }

  find(uin: string): AccountRecord | undefined {
    return this.accounts.get(uin);
  }

  /** In creation order: listings across accounts follow it. */
  all(): AccountRecord[] {
    return [...this.accounts.values()];
  }

  setCrossAccountAllowListed(uin: string, allowListed: boolean): void {
    this.require(uin).allowListed = allowListed;
  }

  isAllowListed(uin: string): boolean {
    return this.require(uin).allowListed;
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
    const account = this.require(ownerUin);
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
      expiresAtMs: Math.floor(this.clock.now() / 1000) * 1000 + input.durationSeconds * 1000,
    };
    this.temporaryCredentials.set(credential.secretId, credential);
    return credential;
  }

  /** Everything but secrets, for `GET /__sim/state`. */
  describeTemporaryCredentials(now: number): Array<Record<string, unknown>> {
    return [...this.temporaryCredentials.values()].map((credential) => ({
      uin: credential.uin,
      roleArn: credential.roleArn,
      sessionName: credential.sessionName,
      expiresAt: credential.expiresAtMs,
      expired: credential.expiresAtMs <= now,
    }));
  }
}
