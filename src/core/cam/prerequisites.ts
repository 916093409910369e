import { asText, code, joinText, plain, type Text, text, toPlainText, tr } from "../messages/message.js";
import { CloudError, type CloudErrorClass } from "../ports/cloud-api.port.js";
import type { Destination } from "../request/request.js";
import { describeDiskUsage, type Snapshot } from "../snapshot.js";
import { evaluatePolicies, type ResourceTarget } from "./cam-policy.evaluator.js";

/**
 * The prerequisite checks (docs/architecture.md; docs/decisions/004, 005): the snapshot exists and
 * is NORMAL, the destination is a collaborator of the source account, and the collaborator is
 * granted the copy action. Each check
 * gives one result — passed, failed or cannot-verify — with the reason and, unless passed, the fix.
 * Cloud errors become "cannot verify" values here; nothing a person can fix is thrown.
 */

export const COPY_SNAPSHOT_ACTION = "cvm:CopySnapshotCrossAccount";
export const COPY_AUTO_POLICY_ACTION = "cvm:CopyAutoSnapshotPolicyCrossAccount";
export type CopyAction = typeof COPY_SNAPSHOT_ACTION | typeof COPY_AUTO_POLICY_ACTION;

/**
 * The minimal grant: exactly the two copy actions, nothing else (the guide's sample grants
 * `cvm:*Cbs*`, `cvm:*Storage*`, `cvm:*Snapshot*`). The same document ships as
 * `policies/minimal-cross-account-copy.json`; a test keeps the two equal.
 */
export const MINIMAL_POLICY = {
  version: "2.0",
  statement: [
    {
      effect: "allow",
      action: [COPY_SNAPSHOT_ACTION, COPY_AUTO_POLICY_ACTION],
      resource: "*",
    },
  ],
} as const;
export const MINIMAL_POLICY_PATH = "policies/minimal-cross-account-copy.json";
export const MINIMAL_POLICY_JSON = JSON.stringify(MINIMAL_POLICY);

export const CAM_CONSOLE = {
  users: "https://console.cloud.tencent.com/cam",
  policies: "https://console.cloud.tencent.com/cam/policy",
  roles: "https://console.cloud.tencent.com/cam/role",
} as const;

export type CheckStatus = "passed" | "failed" | "cannot-verify";
export type CheckId = "snapshot" | "policy" | "collaborator" | "permission" | "share" | "read_role";

export interface PrerequisiteResult {
  check: CheckId;
  status: CheckStatus;
  /** What was checked, in a few words ("Snapshot snap-abc12345", "cvm:CopySnapshotCrossAccount"). */
  subject: Text;
  /** What the bot found, in both languages (issue 13). */
  reason: Text;
  /** What a person should do; set on failures and doubts (not on a check skipped for an earlier failure). */
  fix?: Text;
  /**
   * A stable code for failures and doubts: `snapshot.not_found`, `cam.not_collaborator`, … or, when
   * the cloud answered with an error (`cloud` set), the provider's code: for people, shown apart from the reason.
   */
  code?: string;
  /** Set when the result comes from a cloud error: how it was classified (decide by this, not `code`). */
  cloud?: CloudErrorClass;
  /** cannot-verify because the cloud was busy or unreachable: asking again later may settle it. */
  transient?: boolean;
  /**
   * For a CAM check answered from the cache: when that answer was looked up (ISO). A refusal says
   * how old it is and that Re-check reads it fresh.
   */
  answeredAt?: string;
}

/** A reason or fix as stored (records written before the checks spoke two languages hold strings). */
export { asText };

/** A policy that reaches a user, with its document (from `GetPolicy`). */
export interface AttachedPolicyDocument {
  policyId: string;
  name: string;
  preset: boolean;
  /** Groups through which it is attached; empty when attached directly. */
  groups: readonly string[];
  document: string;
}

/** The CAM facts the checks read; `flows/cam-cache.ts` implements it over the cloud port, cached. */
export interface CamReader {
  listCollaboratorUins(): Promise<readonly string[]>;
  /** Every policy attached to the user directly or through groups, with documents. */
  readAttachedPolicies(targetUin: string): Promise<readonly AttachedPolicyDocument[]>;
}

export interface CheckSources {
  findSnapshot(snapshotId: string, regions: readonly string[]): Promise<Snapshot | undefined>;
  cam: CamReader;
  /** Assumes the destination's read role (a real AssumeRole); throws the CloudError when refused. */
  checkReadRole?(readRoleArn: string): Promise<void>;
}

/** The trust policy a destination's read role needs (it names the source account as principal). */
export const READ_ROLE_TRUST_POLICY_PATH = "policies/destination-read-role.trust.json";

export interface PrerequisiteInput {
  snapshotId: string;
  /** Where to look for the snapshot, in order (the command's region, or the configured ones). */
  regions: readonly string[];
  sourceUin: string;
  destination: Destination;
}

export interface PrerequisiteReport {
  /** Set when the snapshot was found (whatever its state). */
  snapshot?: Snapshot;
  results: PrerequisiteResult[];
}

/** All three checks. The snapshot and the CAM look-ups run side by side. */
export async function checkPrerequisites(
  input: PrerequisiteInput,
  sources: CheckSources,
): Promise<PrerequisiteReport> {
  const snapshotLookup = lookUpSnapshot(sources, input);
  const access = checkDestinationAccess(
    { sourceUin: input.sourceUin, destination: input.destination },
    sources.cam,
    [COPY_SNAPSHOT_ACTION],
    async () => {
      // The region of the snapshot, when found, narrows the resource a policy is matched against.
      const lookup = await snapshotLookup;
      const region = "snapshot" in lookup ? lookup.snapshot?.region : undefined;
      return {
        service: "cvm",
        ownerUin: input.sourceUin,
        resourceType: "snapshot",
        resourceId: input.snapshotId,
        ...(region ? { region } : {}),
      };
    },
  );
  const readRoleArn = input.destination.readRoleArn;
  const readRole =
    readRoleArn && sources.checkReadRole
      ? checkReadRole(input, readRoleArn, sources.checkReadRole)
      : Promise.resolve(undefined);
  const [lookup, accessResults, readRoleResult] = await Promise.all([snapshotLookup, access, readRole]);
  return {
    ...("snapshot" in lookup && lookup.snapshot ? { snapshot: lookup.snapshot } : {}),
    results: [judgeSnapshot(lookup, input), ...accessResults, ...(readRoleResult ? [readRoleResult] : [])],
  };
}

/**
 * The destination's read role can be assumed: without it the bot could make the copy but never
 * follow it (found only after the copy, before). A refusal is the role's trust policy, not the
 * bot's key.
 */
async function checkReadRole(
  input: PrerequisiteInput,
  readRoleArn: string,
  assume: (readRoleArn: string) => Promise<void>,
): Promise<PrerequisiteResult> {
  const { destination, sourceUin } = input;
  const subject = text`${tr("Read role", "只读角色")} ${readRoleArn}`;
  try {
    await assume(readRoleArn);
    return {
      check: "read_role",
      status: "passed",
      subject,
      reason: [
        tr(
          text`The bot can assume read role ${readRoleArn} of ${destination.alias}: it can follow the copy in account ${destination.accountUin}.`,
          text`机器人可以扮演 ${destination.alias} 的只读角色 ${readRoleArn}：能在账号 ${destination.accountUin} 中跟踪复制。`,
        ),
      ],
    };
  } catch (caught) {
    const err = asCloudError(caught);
    const base = {
      check: "read_role" as const,
      subject,
      code: err.code,
      cloud: err.classification,
    };
    if (err.retryable)
      return {
        ...base,
        status: "cannot-verify",
        reason: [
          tr(
            text`I could not assume read role ${readRoleArn} just now: ${code(err.message)}`,
            text`暂时无法扮演只读角色 ${readRoleArn}：${code(err.message)}`,
          ),
        ],
        fix: BUSY_RECHECK,
        transient: true,
      };
    if (err.reason === "credentials_refused")
      return {
        ...base,
        status: "cannot-verify",
        reason: [
          tr(
            text`I could not ask STS for read role ${readRoleArn}: the bot's own credentials were refused (${code(err.message)}).`,
            text`无法向 STS 申请只读角色 ${readRoleArn}：机器人自身的凭证被拒绝（${code(err.message)}）。`,
          ),
        ],
        fix: [
          tr(
            text`Check the bot's ${code("TENCENTCLOUD_SECRET_ID")} / ${code("TENCENTCLOUD_SECRET_KEY")}.`,
            text`请检查机器人的 ${code("TENCENTCLOUD_SECRET_ID")} / ${code("TENCENTCLOUD_SECRET_KEY")}。`,
          ),
        ],
      };
    return {
      ...base,
      status: "failed",
      reason: [
        tr(
          text`The bot cannot assume read role ${readRoleArn} of ${destination.alias} (${destination.accountUin}), so it could not follow the copy: ${code(err.message)}`,
          text`机器人无法扮演 ${destination.alias}（${destination.accountUin}）的只读角色 ${readRoleArn}，因此无法跟踪复制：${code(err.message)}`,
        ),
      ],
      fix: readRoleTrustFixText(sourceUin, destination.accountUin, readRoleArn),
    };
  }
}

export function readRoleTrustFixText(sourceUin: string, destinationUin: string, readRoleArn: string): Text {
  return [
    tr(
      text`In destination account ${destinationUin}: CAM console → Roles (${CAM_CONSOLE.roles}) → the role of ${code("readRoleArn")} (${readRoleArn}) → Role trust → Edit trust policy: it must allow account ${sourceUin} to call ${code("sts:AssumeRole")} — use ${code(READ_ROLE_TRUST_POLICY_PATH)} (principal ${code(`qcs::cam::uin/${sourceUin}:root`)}). If the role does not exist, create it with that trust policy and attach ${code("policies/destination-read-role.json")}.`,
      text`在目标账号 ${destinationUin} 中：访问管理（CAM）控制台 → 角色（${CAM_CONSOLE.roles}）→ ${code("readRoleArn")} 对应的角色（${readRoleArn}）→ 角色载体 → 编辑信任策略：必须允许账号 ${sourceUin} 调用 ${code("sts:AssumeRole")}，可使用 ${code(READ_ROLE_TRUST_POLICY_PATH)}（主体 ${code(`qcs::cam::uin/${sourceUin}:root`)}）。若该角色不存在，请用此信任策略创建它，并关联 ${code("policies/destination-read-role.json")}。`,
    ),
  ];
}

/** The same in English, for callers that build plain strings. */
export function readRoleTrustFix(sourceUin: string, destinationUin: string, readRoleArn: string): string {
  return toPlainText(readRoleTrustFixText(sourceUin, destinationUin, readRoleArn));
}

/** "Tencent Cloud was busy; Re-check in a few seconds." */
const BUSY_RECHECK: Text = [
  tr(
    "Tencent Cloud was busy or unreachable; Re-check in a few seconds.",
    "腾讯云繁忙或无法连接；请过几秒后点击“重新检查”。",
  ),
];

/** Tencent Cloud's limit of accounts one snapshot may be shared with (ModifySnapshotsSharePermission). */
export const MAX_SHARE_ACCOUNTS = 50;

export interface ShareCheckSources {
  findSnapshot(snapshotId: string, regions: readonly string[]): Promise<Snapshot | undefined>;
  /** The accounts the snapshot is shared with now (DescribeSnapshotSharePermission). */
  listShares(snapshotId: string, region: string): Promise<readonly string[]>;
}

/**
 * The checks for the share method (docs/decisions/017): the snapshot (exists, NORMAL), then what
 * sharing allows — a data-disk, unencrypted snapshot, shared with fewer than 50 accounts (or
 * already with this one). No collaborator or grant check: the source account shares its own
 * snapshot; the destination needs no role in it.
 */
export async function checkSharePrerequisites(
  input: PrerequisiteInput,
  sources: ShareCheckSources,
): Promise<PrerequisiteReport> {
  const lookup = await lookUpSnapshot(sources, input);
  const snapshotResult = judgeSnapshot(lookup, input);
  const snapshot = "snapshot" in lookup ? lookup.snapshot : undefined;
  const found = snapshot ? { snapshot } : {};
  const destinationUin = input.destination.accountUin;
  const subject = text`${tr("Share with", "共享给")} ${destinationUin}`;
  if (!snapshot || snapshotResult.status !== "passed") {
    return {
      ...found,
      results: [
        snapshotResult,
        {
          check: "share",
          status: "cannot-verify",
          subject,
          code: "share.not_checked",
          reason: [
            tr(
              "Sharing not checked: the snapshot must be found and NORMAL first.",
              "未检查共享：须先找到快照且其状态为 NORMAL。",
            ),
          ],
        },
      ],
    };
  }
  return { ...found, results: [snapshotResult, await judgeShare(input, snapshot, sources)] };
}

async function judgeShare(
  input: PrerequisiteInput,
  snapshot: Snapshot,
  sources: ShareCheckSources,
): Promise<PrerequisiteResult> {
  const { alias, accountUin } = input.destination;
  const subject = text`${tr("Share with", "共享给")} ${accountUin}`;
  const useCopy = (prefix?: { en: string; zh: string }): Text => [
    tr(
      text`${prefix?.en}Use the copy method for this destination: set ${code("method: copy")} under ${code(`destinations.${alias}`)} (CopySnapshotCrossAccount makes an independent copy; it needs Tencent Cloud's cross-account copy beta).`,
      text`${prefix?.zh}为该目标改用复制方式：在 ${code(`destinations.${alias}`)} 下设置 ${code("method: copy")}（CopySnapshotCrossAccount 会生成独立副本；需要开通腾讯云跨账号复制内测）。`,
    ),
  ];
  if (snapshot.diskUsage === "SYSTEM_DISK") {
    return {
      check: "share",
      status: "failed",
      subject,
      code: "share.system_disk",
      reason: [
        tr(
          text`${code(snapshot.snapshotId)} is a system-disk snapshot; Tencent Cloud shares data-disk snapshots only.`,
          text`${code(snapshot.snapshotId)} 是系统盘快照；腾讯云只支持共享数据盘快照。`,
        ),
      ],
      fix: useCopy(),
    };
  }
  if (snapshot.encrypted) {
    return {
      check: "share",
      status: "failed",
      subject,
      code: "share.encrypted",
      reason: [
        tr(
          text`${code(snapshot.snapshotId)} is encrypted; Tencent Cloud does not share encrypted snapshots.`,
          text`${code(snapshot.snapshotId)} 已加密；腾讯云不支持共享加密快照。`,
        ),
      ],
      fix: useCopy(),
    };
  }
  let shares: readonly string[];
  try {
    shares = await sources.listShares(snapshot.snapshotId, snapshot.region);
  } catch (err) {
    const e = asCloudError(err);
    return {
      check: "share",
      status: "cannot-verify",
      subject,
      code: e.code,
      cloud: e.classification,
      reason: [
        tr(
          text`I could not read who ${code(snapshot.snapshotId)} is shared with (DescribeSnapshotSharePermission): ${code(e.message)}`,
          text`无法读取 ${code(snapshot.snapshotId)} 的共享对象（DescribeSnapshotSharePermission）：${code(e.message)}`,
        ),
      ],
      fix: e.retryable
        ? BUSY_RECHECK
        : [
            tr(
              text`Allow the bot's CAM user in account ${input.sourceUin} ${code("cvm:DescribeSnapshotSharePermission")} and ${code("cvm:ModifySnapshotsSharePermission")}.`,
              text`请在账号 ${input.sourceUin} 中为机器人的 CAM 用户授予 ${code("cvm:DescribeSnapshotSharePermission")} 和 ${code("cvm:ModifySnapshotsSharePermission")} 权限。`,
            ),
          ],
      ...(e.retryable ? { transient: true } : {}),
    };
  }
  if (shares.includes(accountUin)) {
    return {
      check: "share",
      status: "passed",
      subject,
      reason: [
        tr(
          text`${code(snapshot.snapshotId)} is already shared with ${accountUin} (${alias}); sharing again changes nothing.`,
          text`${code(snapshot.snapshotId)} 已共享给 ${accountUin}（${alias}）；再次共享不会有任何变化。`,
        ),
      ],
    };
  }
  if (shares.length >= MAX_SHARE_ACCOUNTS) {
    return {
      check: "share",
      status: "failed",
      subject,
      code: "share.limit_reached",
      reason: [
        tr(
          text`${code(snapshot.snapshotId)} is already shared with ${shares.length} accounts; Tencent Cloud allows at most ${MAX_SHARE_ACCOUNTS} per snapshot.`,
          text`${code(snapshot.snapshotId)} 已共享给 ${shares.length} 个账号；腾讯云每个快照最多共享给 ${MAX_SHARE_ACCOUNTS} 个账号。`,
        ),
      ],
      fix: useCopy({
        en: "Stop sharing it with an account that no longer needs it (CBS console → Snapshots → Share), or: ",
        zh: "取消与不再需要的账号的共享（云硬盘控制台 → 快照 → 共享），或者：",
      }),
    };
  }
  return {
    check: "share",
    status: "passed",
    subject,
    reason: [
      tr(
        text`Data-disk snapshot, shared with ${shares.length} of at most ${MAX_SHARE_ACCOUNTS} accounts; ${accountUin} will see it in ${snapshot.region} only (a share, not a copy).`,
        text`数据盘快照，已共享给 ${shares.length} 个账号（上限 ${MAX_SHARE_ACCOUNTS} 个）；${accountUin} 只能在 ${snapshot.region} 看到它（是共享，不是副本）。`,
      ),
    ],
  };
}

type SnapshotLookup = { snapshot: Snapshot | undefined } | { error: CloudError };

async function lookUpSnapshot(
  sources: Pick<CheckSources, "findSnapshot">,
  input: PrerequisiteInput,
): Promise<SnapshotLookup> {
  try {
    return { snapshot: await sources.findSnapshot(input.snapshotId, input.regions) };
  } catch (err) {
    return { error: asCloudError(err) };
  }
}

function judgeSnapshot(lookup: SnapshotLookup, input: PrerequisiteInput): PrerequisiteResult {
  const subject = text`${tr("Snapshot", "快照")} ${input.snapshotId}`;
  if ("error" in lookup) {
    return {
      check: "snapshot",
      status: "cannot-verify",
      subject,
      code: lookup.error.code,
      cloud: lookup.error.classification,
      reason: [
        tr(
          text`I could not look up ${code(input.snapshotId)} in Tencent Cloud (${code(lookup.error.message)}).`,
          text`无法在腾讯云中查询 ${code(input.snapshotId)}（${code(lookup.error.message)}）。`,
        ),
      ],
      fix: [tr("Try again in a minute.", "请一分钟后重试。")],
      ...(lookup.error.retryable ? { transient: true } : {}),
    };
  }
  const { snapshot } = lookup;
  if (!snapshot) {
    return {
      check: "snapshot",
      status: "failed",
      subject,
      code: "snapshot.not_found",
      reason: [
        tr(
          text`Snapshot ${code(input.snapshotId)} was not found in source account ${input.sourceUin} (regions searched: ${input.regions.join(", ")}).`,
          text`在源账号 ${input.sourceUin} 中未找到快照 ${code(input.snapshotId)}（已查找的地域：${input.regions.join("、")}）。`,
        ),
      ],
      fix: [
        tr(
          text`Check the id, or add ${code("in <region>")}.`,
          text`请检查快照 ID，或加上 ${code("in <region>")}。`,
        ),
      ],
    };
  }
  if (snapshot.state !== "NORMAL") {
    return {
      check: "snapshot",
      status: "failed",
      subject,
      code: "snapshot.not_normal",
      reason: [
        tr(
          text`Snapshot ${code(snapshot.snapshotId)} is ${snapshot.state}${snapshot.state === "CREATING" ? ` (${snapshot.percent}% done)` : ""}; only a NORMAL snapshot can be copied.`,
          text`快照 ${code(snapshot.snapshotId)} 的状态为 ${snapshot.state}${snapshot.state === "CREATING" ? `（已完成 ${snapshot.percent}%）` : ""}；只有 NORMAL 状态的快照可以复制。`,
        ),
      ],
      fix: [tr("Try again when it is NORMAL.", "请在其状态变为 NORMAL 后重试。")],
    };
  }
  return {
    check: "snapshot",
    status: "passed",
    subject,
    reason: [
      tr(
        text`${code(snapshot.snapshotId)} "${snapshot.name}" is NORMAL: ${describeSnapshotFactsText(snapshot)}.`,
        text`${code(snapshot.snapshotId)}“${snapshot.name}”状态为 NORMAL：${describeSnapshotFactsText(snapshot)}。`,
      ),
    ],
  };
}

/** "100 GiB data disk `disk-…`, encrypted, ap-shanghai, created 2026-11-24 03:00:00" */
export function describeSnapshotFacts(snapshot: Snapshot): string {
  return toPlainText(describeSnapshotFactsText(snapshot));
}

/** The same in both languages. The creation time is Tencent's own local wall-clock string. */
export function describeSnapshotFactsText(snapshot: Snapshot): Text {
  const usage =
    snapshot.diskUsage === "SYSTEM_DISK"
      ? tr("system disk", "系统盘")
      : snapshot.diskUsage === "DATA_DISK"
        ? tr("data disk", "数据盘")
        : describeDiskUsage(snapshot.diskUsage);
  return [
    tr(
      joinText(
        [
          text`${snapshot.diskSizeGiB} GiB ${usage} ${code(snapshot.diskId)}`,
          plain(snapshot.encrypted ? "encrypted" : "not encrypted"),
          plain(snapshot.region),
          plain(`created ${snapshot.createdAt || "at an unknown time"}`),
        ],
        ", ",
      ),
      joinText(
        [
          text`${snapshot.diskSizeGiB} GiB ${usage} ${code(snapshot.diskId)}`,
          plain(snapshot.encrypted ? "已加密" : "未加密"),
          plain(snapshot.region),
          snapshot.createdAt ? text`创建于 ${code(snapshot.createdAt)}` : plain("创建时间未知"),
        ],
        "，",
      ),
    ),
  ];
}

export interface AccessInput {
  sourceUin: string;
  destination: Destination;
}

/**
 * The collaborator check, then one permission check per action. `targetFor` names the resource
 * each action is asked on (any snapshot of the source account unless a snapshot is known).
 */
export async function checkDestinationAccess(
  input: AccessInput,
  cam: CamReader,
  actions: readonly CopyAction[],
  targetFor: (action: CopyAction) => ResourceTarget | Promise<ResourceTarget> = (action) =>
    anyResourceOf(input.sourceUin, action),
): Promise<PrerequisiteResult[]> {
  const destinationUin = input.destination.accountUin;
  const collaborator = await checkCollaborator(input, cam);
  if (collaborator.status === "failed") {
    return [
      collaborator,
      ...actions.map(
        (action): PrerequisiteResult => ({
          check: "permission",
          status: "cannot-verify",
          subject: plain(action),
          code: "cam.not_checked",
          reason: [
            tr(
              text`${action} not checked: account ${destinationUin} must be a collaborator first.`,
              text`未检查 ${action}：账号 ${destinationUin} 须先成为协作者。`,
            ),
          ],
        }),
      ),
    ];
  }
  let policies: readonly AttachedPolicyDocument[];
  try {
    policies = await cam.readAttachedPolicies(destinationUin);
  } catch (err) {
    const e = asCloudError(err);
    return [
      collaborator,
      ...actions.map((action) =>
        e.reason === "not_found"
          ? notCollaboratorResult(input, plain(action), e.message)
          : cannotRead(e, plain(action), {
              en: "the collaborator's policies (ListAttachedUserAllPolicies / GetPolicy)",
              zh: "协作者的策略（ListAttachedUserAllPolicies / GetPolicy）",
            }),
      ),
    ];
  }
  const results = [collaborator];
  for (const action of actions)
    results.push(judgePermission(input, policies, action, await targetFor(action)));
  return results;
}

/** Any snapshot (or auto snapshot policy) of the source account, in any region. */
function anyResourceOf(sourceUin: string, action: CopyAction): ResourceTarget {
  return {
    service: "cvm",
    ownerUin: sourceUin,
    resourceType: action === COPY_SNAPSHOT_ACTION ? "snapshot" : "autoSnapshotPolicy",
  };
}

async function checkCollaborator(input: AccessInput, cam: CamReader): Promise<PrerequisiteResult> {
  const destinationUin = input.destination.accountUin;
  const subject = text`${tr("Collaborator", "协作者")} ${destinationUin}`;
  let uins: readonly string[];
  try {
    uins = await cam.listCollaboratorUins();
  } catch (err) {
    return {
      ...cannotRead(asCloudError(err), subject, {
        en: "the collaborator list (ListCollaborators)",
        zh: "协作者列表（ListCollaborators）",
      }),
      check: "collaborator",
    };
  }
  if (!uins.includes(destinationUin))
    return { ...notCollaboratorResult(input, subject), check: "collaborator" };
  return {
    check: "collaborator",
    status: "passed",
    subject,
    reason: [
      tr(
        text`Account ${destinationUin} (${input.destination.alias}) is a collaborator of ${input.sourceUin}.`,
        text`账号 ${destinationUin}（${input.destination.alias}）是 ${input.sourceUin} 的协作者。`,
      ),
    ],
  };
}

function notCollaboratorResult(input: AccessInput, subject: Text, detail?: string): PrerequisiteResult {
  const destinationUin = input.destination.accountUin;
  return {
    check: "permission",
    status: "failed",
    subject,
    code: "cam.not_collaborator",
    reason: [
      tr(
        text`Account ${destinationUin} (${input.destination.alias}) is not a collaborator of ${input.sourceUin}${detail ? text` (${code(detail)})` : undefined}.`,
        text`账号 ${destinationUin}（${input.destination.alias}）不是 ${input.sourceUin} 的协作者${detail ? text`（${code(detail)}）` : undefined}。`,
      ),
    ],
    fix: collaboratorFixText(input.sourceUin, destinationUin),
  };
}

function judgePermission(
  input: AccessInput,
  policies: readonly AttachedPolicyDocument[],
  action: CopyAction,
  target: ResourceTarget,
): PrerequisiteResult {
  const destinationUin = input.destination.accountUin;
  const verdict = evaluatePolicies(
    policies.map((p) => ({ name: p.name, document: p.document })),
    action,
    target,
  );
  const groupsOf = (name: string) => policies.find((p) => p.name === name)?.groups ?? [];
  const via = (name: string) => {
    const groups = groupsOf(name);
    return groups.length > 0 ? ` (through group ${groups.join(", ")})` : "";
  };
  const viaZh = (name: string) => {
    const groups = groupsOf(name);
    return groups.length > 0 ? `（通过用户组 ${groups.join("、")}）` : "";
  };
  const base = { check: "permission" as const, subject: plain(action) };
  switch (verdict.kind) {
    case "allow":
      return {
        ...base,
        status: "passed",
        reason: [
          tr(
            text`Account ${destinationUin} is allowed ${action} by policy "${verdict.grantedBy.policyName}"${via(verdict.grantedBy.policyName)}.`,
            text`策略“${verdict.grantedBy.policyName}”${viaZh(verdict.grantedBy.policyName)}允许账号 ${destinationUin} 执行 ${action}。`,
          ),
        ],
      };
    case "deny":
      if (verdict.explicit) {
        return {
          ...base,
          status: "failed",
          code: "cam.explicit_deny",
          reason: [
            tr(
              text`Policy "${verdict.deniedBy.policyName}"${via(verdict.deniedBy.policyName)} statement ${verdict.deniedBy.statement} explicitly denies ${action} to ${destinationUin}; a deny wins over any allow.`,
              text`策略“${verdict.deniedBy.policyName}”${viaZh(verdict.deniedBy.policyName)}的第 ${verdict.deniedBy.statement} 条语句明确拒绝 ${destinationUin} 执行 ${action}；拒绝优先于任何允许。`,
            ),
          ],
          fix: explicitDenyFixText(input.sourceUin, destinationUin),
        };
      }
      return {
        ...base,
        status: "failed",
        code: "cam.permission_missing",
        reason: [
          policies.length === 0
            ? tr(
                text`Account ${destinationUin} has no policy attached in ${input.sourceUin}, so it is not granted ${action}.`,
                text`账号 ${destinationUin} 在 ${input.sourceUin} 中没有关联任何策略，因此未被授予 ${action}。`,
              )
            : tr(
                text`None of the ${policies.length} ${policies.length === 1 ? "policy" : "policies"} attached to ${destinationUin} (${policies.map((p) => `"${p.name}"`).join(", ")}) allows ${action}.`,
                text`关联到 ${destinationUin} 的 ${policies.length} 个策略（${policies.map((p) => `“${p.name}”`).join("、")}）都不允许 ${action}。`,
              ),
        ],
        fix: permissionFixText(input.sourceUin, destinationUin),
      };
    case "cannot-verify":
      return {
        ...base,
        status: "cannot-verify",
        code: "cam.unverifiable",
        reason: [
          tr(
            text`Cannot verify ${action}: ${verdict.reasons.join("; ")}.`,
            text`无法确认 ${action}：${code(verdict.reasons.join("; "))}。`,
          ),
        ],
        fix: [
          tr(
            text`Tencent Cloud decides when the copy is made. To know in advance, grant it without conditions: attach ${code(MINIMAL_POLICY_PATH)} to collaborator ${destinationUin} (or fix the policy named above).`,
            text`将由腾讯云在复制时判定。若想提前确认，请无条件授权：把 ${code(MINIMAL_POLICY_PATH)} 关联到协作者 ${destinationUin}（或修改上面提到的策略）。`,
          ),
        ],
      };
  }
}

function cannotRead(err: CloudError, subject: Text, what: { en: string; zh: string }): PrerequisiteResult {
  const denied = err.reason === "credentials_refused" || err.reason === "access_denied";
  return {
    check: "permission",
    status: "cannot-verify",
    subject,
    code: err.code,
    cloud: err.classification,
    reason: [
      tr(
        text`I could not read ${what.en}: ${code(err.message)}`,
        text`无法读取${what.zh}：${code(err.message)}`,
      ),
    ],
    fix: [
      err.retryable
        ? tr(
            "Tencent Cloud was busy or rate limited (CAM allows 5 ListAttachedUserAllPolicies calls a second); Re-check in a few seconds.",
            "腾讯云繁忙或触发限频（CAM 每秒最多 5 次 ListAttachedUserAllPolicies 调用）；请过几秒后点击“重新检查”。",
          )
        : denied
          ? tr(
              text`The bot's own API key may not read CAM: give its CAM user read access to CAM (${code("cam:ListCollaborators")}, ${code("cam:ListAttachedUserAllPolicies")}, ${code("cam:GetPolicy")} — the preset ${code("QcloudCamReadOnlyAccess")} has them).`,
              text`机器人自身的 API 密钥无权读取 CAM：请为其 CAM 用户授予 CAM 只读权限（${code("cam:ListCollaborators")}、${code("cam:ListAttachedUserAllPolicies")}、${code("cam:GetPolicy")}，预设策略 ${code("QcloudCamReadOnlyAccess")} 已包含）。`,
            )
          : tr(
              "Re-check later; if it persists, the operators can find the details in the bot's log.",
              "请稍后点击“重新检查”；如果问题持续，运维人员可在机器人日志中查看详情。",
            ),
    ],
    ...(err.retryable ? { transient: true } : {}),
  };
}

export function collaboratorFixText(sourceUin: string, destinationUin: string): Text {
  return [
    tr(
      text`In source account ${sourceUin}: CAM console → User list → Collaborators → Add collaborator (${CAM_CONSOLE.users}), enter account ${destinationUin}; then attach the minimal policy (${code(MINIMAL_POLICY_PATH)}) to it.`,
      text`在源账号 ${sourceUin} 中：访问管理（CAM）控制台 → 用户列表 → 协作者 → 添加协作者（${CAM_CONSOLE.users}），输入账号 ${destinationUin}；然后为其关联最小权限策略（${code(MINIMAL_POLICY_PATH)}）。`,
    ),
  ];
}

/**
 * The fix for a missing grant, with the minimal policy document after it (the same JSON in both
 * languages; renderers that print the policy once look for MINIMAL_POLICY_JSON in it).
 */
export function permissionFixText(sourceUin: string, destinationUin: string): Text {
  return [
    tr(
      text`In source account ${sourceUin}: CAM console → Policies → Create custom policy → Create by policy syntax (${CAM_CONSOLE.policies}), paste the minimal policy (${code(MINIMAL_POLICY_PATH)}), then associate it with collaborator ${destinationUin}:`,
      text`在源账号 ${sourceUin} 中：访问管理（CAM）控制台 → 策略 → 新建自定义策略 → 按策略语法创建（${CAM_CONSOLE.policies}），粘贴最小权限策略（${code(MINIMAL_POLICY_PATH)}），然后将其关联到协作者 ${destinationUin}：`,
    ),
    `\n\`\`\`${MINIMAL_POLICY_JSON}\`\`\``,
  ];
}

export function explicitDenyFixText(sourceUin: string, destinationUin: string): Text {
  return [
    tr(
      text`In source account ${sourceUin}: CAM console → User list → ${destinationUin} → Permissions (${CAM_CONSOLE.users}): detach the denying policy or remove its deny statement, and keep the minimal policy (${code(MINIMAL_POLICY_PATH)}) attached.`,
      text`在源账号 ${sourceUin} 中：访问管理（CAM）控制台 → 用户列表 → ${destinationUin} → 权限（${CAM_CONSOLE.users}）：解除拒绝的策略或删除其拒绝语句，并保留已关联的最小权限策略（${code(MINIMAL_POLICY_PATH)}）。`,
    ),
  ];
}

/** The fixes in English, for callers that still build plain strings. */
export function collaboratorFix(sourceUin: string, destinationUin: string): string {
  return toPlainText(collaboratorFixText(sourceUin, destinationUin));
}

export function permissionFix(sourceUin: string, destinationUin: string): string {
  return toPlainText(permissionFixText(sourceUin, destinationUin));
}

export function explicitDenyFix(sourceUin: string, destinationUin: string): string {
  return toPlainText(explicitDenyFixText(sourceUin, destinationUin));
}

function asCloudError(err: unknown): CloudError {
  if (err instanceof CloudError) return err;
  // A bug, not an answer from the cloud: let it surface.
  throw err;
}

/** The failures that refuse a request (a cannot-verify never does: the approvers see the "?"). */
export function hardFailures(results: readonly PrerequisiteResult[]): PrerequisiteResult[] {
  return results.filter((r) => r.status === "failed");
}

export function statusMark(status: CheckStatus): string {
  return status === "passed" ? "✓" : status === "failed" ? "✗" : "?";
}

/** One line per check whose status changed between two runs of the same checks ("✗ → ✓ Collaborator …"). */
export function describeChanges(
  before: readonly CheckStatus[],
  after: readonly PrerequisiteResult[],
): Text[] {
  const changes: Text[] = [];
  after.forEach((result, i) => {
    const previous = before[i];
    if (previous && previous !== result.status)
      changes.push(text`${statusMark(previous)} → ${statusMark(result.status)} ${asText(result.subject)}`);
  });
  return changes;
}

/** What the check found, with the provider's error code after it when a cloud error decided it. */
export function describeFinding(result: PrerequisiteResult): Text {
  const reason = asText(result.reason);
  return result.cloud && result.code
    ? text`${reason} ${tr(text`(Tencent error ${result.code})`, text`（腾讯云错误码 ${result.code}）`)}`
    : reason;
}

/** How old a cached CAM answer was, and that Re-check reads it fresh: "(CAM answer checked 4 s ago; Re-check asks CAM again)". */
export function describeAnswerAge(result: PrerequisiteResult, now: Date): Text | undefined {
  if (!result.answeredAt) return undefined;
  const seconds = Math.max(0, Math.round((now.getTime() - Date.parse(result.answeredAt)) / 1000));
  return [
    tr(
      `(CAM answer from the cache, checked ${seconds} s ago; Re-check asks CAM again)`,
      `（CAM 结果来自缓存，${seconds} 秒前查询；点击“重新检查”会重新向 CAM 查询）`,
    ),
  ];
}

/** Plain text, one line per check, with the fix under each that did not pass. */
export function describeResults(
  results: readonly PrerequisiteResult[],
  options: { fixes?: boolean } = {},
): Text {
  const withFixes = options.fixes ?? true;
  return joinText(
    results.map((r) =>
      withFixes && r.fix && r.status !== "passed"
        ? text`${statusMark(r.status)} ${describeFinding(r)}\n    ${tr("How to fix:", "解决方法：")} ${asText(r.fix)}`
        : text`${statusMark(r.status)} ${describeFinding(r)}`,
    ),
    "\n",
  );
}

/** The private answer to a request the checks refused. */
export function describeCheckRefusal(results: readonly PrerequisiteResult[]): Text {
  const failed = results.filter((r) => r.status !== "passed").length;
  return text`${tr(
    `I cannot ask for this copy: ${failed} of ${results.length} checks did not pass. Nothing was created.`,
    `无法申请此次复制：${results.length} 项检查中有 ${failed} 项未通过。未创建任何内容。`,
  )}\n${describeResults(results)}`;
}
