import type { TencentSimulator } from "../../dev/tencent-simulator/index.js";
import type { BotConfigInput } from "../config/load-config.js";

/** The demo world of the sandbox (issue 6): one source account, three destinations in three states. */
export const SANDBOX = {
  sourceUin: "100000000001",
  source: { secretId: "AKIDsandboxsource0001", secretKey: "sandbox-source-secret-key" },
  destinations: {
    "dr-prod": { uin: "200000000002", note: "ready: collaborator with the copy permission and a read role" },
    "dr-new": { uin: "200000000003", note: "not yet a collaborator of the source account" },
    "dr-locked": { uin: "200000000004", note: "a collaborator without the copy permission" },
  },
  users: {
    alice: { id: "U0ALICE", name: "alice", realName: "Alice (requester)" },
    bob: { id: "U0BOB", name: "bob", realName: "Bob (approver)" },
    carol: { id: "U0CAROL", name: "carol", realName: "Carol (approver)" },
    // Reads the bot in Simplified Chinese (her Slack locale): the App Home and private answers.
    wei: { id: "U0WEI", name: "wei", realName: "Wei (approver, 中文)", locale: "zh-CN" },
  },
  channels: {
    requests: { id: "C0REQUESTS", name: "dr-requests" },
    notify: { id: "C0NOTIFY", name: "dr-notify" },
  },
  botToken: "xoxb-sandbox-bot-token",
  signingSecret: "sandbox-signing-secret",
} as const;

const READ_ROLE = "snapshot-bot-reader";

/** The custom policy that grants dr-prod the copy permission (the console's "revoke" toggle detaches it). */
export const COPY_POLICY_ID = 90001;

/** The scheduled policies of the source account: one linkable to dr-prod, one already linked to it. */
export const SANDBOX_POLICIES = {
  /** Not linked: `/snapshot auto asp-daily001 to dr-prod` asks to link it. */
  linkable: "asp-daily001",
  /** Linked to dr-prod from the start, so `/snapshot auto list` has a row at once. */
  linked: "asp-web4hour",
} as const;

/** How long after a linked policy's snapshot its automatic copy shows in the destination. */
export const SANDBOX_AUTO_COPY_DELAY_MS = 3000;

export function seedSandboxCloud(sim: TencentSimulator, options: { autoCopyDelayMs?: number } = {}): void {
  const { state } = sim;
  const src = SANDBOX.sourceUin;
  state.addAccount({ uin: src, ...SANDBOX.source, name: "production" });
  for (const [alias, d] of Object.entries(SANDBOX.destinations)) {
    state.addAccount({
      uin: d.uin,
      secretId: `AKIDsandbox${d.uin}`,
      secretKey: `sandbox-${d.uin}-key`,
      name: alias,
    });
  }
  state.addCollaborator(src, SANDBOX.destinations["dr-prod"].uin);
  state.addCollaborator(src, SANDBOX.destinations["dr-locked"].uin);
  state.addRole(SANDBOX.destinations["dr-prod"].uin, READ_ROLE);
  state.addPolicy(src, {
    policyId: COPY_POLICY_ID,
    name: "SnapshotCrossAccountCopy",
    type: "custom",
    document: JSON.stringify({
      version: "2.0",
      statement: [
        {
          effect: "allow",
          action: ["cvm:CopySnapshotCrossAccount", "cvm:CopyAutoSnapshotPolicyCrossAccount"],
          resource: "*",
        },
      ],
    }),
  });
  state.attachUserPolicy(src, SANDBOX.destinations["dr-prod"].uin, COPY_POLICY_ID);

  const snapshots = [
    {
      snapshotId: "snap-db000001",
      region: "ap-guangzhou",
      name: "orders-db-daily",
      diskId: "disk-ord00001",
      diskSize: 200,
      diskUsage: "DATA_DISK" as const,
      encrypt: true,
      createTime: "2026-11-24 03:00:00",
    },
    {
      snapshotId: "snap-web00001",
      region: "ap-guangzhou",
      name: "web-system",
      diskId: "disk-web00001",
      diskSize: 50,
      diskUsage: "SYSTEM_DISK" as const,
      encrypt: false,
      createTime: "2026-11-23 22:10:00",
    },
    {
      snapshotId: "snap-logs0001",
      region: "ap-shanghai",
      name: "logs-weekly",
      diskId: "disk-log00001",
      diskSize: 500,
      diskUsage: "DATA_DISK" as const,
      encrypt: false,
      createTime: "2026-11-22 01:00:00",
    },
    {
      snapshotId: "snap-new00001",
      region: "ap-shanghai",
      name: "orders-db-now",
      diskId: "disk-ord00001",
      diskSize: 200,
      diskUsage: "DATA_DISK" as const,
      encrypt: true,
      state: "CREATING" as const,
      percent: 40,
    },
  ];
  for (const s of snapshots) state.addSnapshot(src, s);
  // A short copy delay, so a person sees the automatic copy follow its snapshot within seconds.
  const autoCopy = { copyDelayMs: options.autoCopyDelayMs ?? SANDBOX_AUTO_COPY_DELAY_MS };
  state.addAutoSnapshotPolicy(src, {
    id: SANDBOX_POLICIES.linkable,
    name: "daily-03h",
    region: "ap-guangzhou",
    diskIds: ["disk-ord00001"],
    hours: [3],
    daysOfWeek: [],
    retentionDays: 7,
    autoCopy,
  });
  state.addAutoSnapshotPolicy(src, {
    id: SANDBOX_POLICIES.linked,
    name: "web-every-4h",
    region: "ap-guangzhou",
    diskIds: ["disk-web00001"],
    hours: [0, 4, 8, 12, 16, 20],
    daysOfWeek: [],
    retentionDays: 3,
    autoCopy,
  });
  state.setAutoSnapshotPolicyCopyTarget(src, SANDBOX_POLICIES.linked, SANDBOX.destinations["dr-prod"].uin);
}

/**
 * How long a sandbox copy may run before the bot reports it stuck: "Make the next copy stuck"
 * shows its failure within a minute, while a normal sandbox copy (20 s) finishes well inside it.
 */
export const SANDBOX_MAX_COPY_DURATION = "45s";

export function sandboxConfig(
  redisPrefix: string,
  pollInterval = "1s",
  maxCopyDuration = SANDBOX_MAX_COPY_DURATION,
): BotConfigInput {
  const d = SANDBOX.destinations;
  return {
    source: { accountUin: SANDBOX.sourceUin, regions: ["ap-guangzhou", "ap-shanghai"] },
    destinations: {
      "dr-prod": {
        accountUin: d["dr-prod"].uin,
        readRoleArn: `qcs::cam::uin/${d["dr-prod"].uin}:roleName/${READ_ROLE}`,
      },
      "dr-new": { accountUin: d["dr-new"].uin },
      "dr-locked": { accountUin: d["dr-locked"].uin },
    },
    replication: { pollInterval, maxCopyDuration },
    // A day of automatic replication in a minute: the watcher looks every few seconds, and a
    // dropped copy counts as missing after half a minute (the recovery-point alert shows).
    automatic: { watchInterval: "3s", copyGrace: "30s", dailySummary: false },
    slack: { notifyChannel: SANDBOX.channels.notify.id },
    approvers: { users: [SANDBOX.users.bob.id, SANDBOX.users.carol.id, SANDBOX.users.wei.id] },
    redisPrefix,
  };
}
