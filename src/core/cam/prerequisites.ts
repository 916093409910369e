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
  subject: string;
  /** What the bot found. */
  reason: string;
  /** What a person should do; set on failures and doubts (not on a check skipped for an earlier failure). */
  fix?: string;
  /**
   * A stable code for failures and doubts: `snapshot.not_found`, `cam.not_collaborator`, … or, when
   * the cloud answered with an error (`cloud` set), the provider's code: for people, shown apart from the reason.
   */
  code?: string;
  /** Set when the result comes from a cloud error: how it was classified (decide by this, not `code`). */
  cloud?: CloudErrorClass;
  /** cannot-verify because the cloud was busy or unreachable: asking again later may settle it. */
  transient?: boolean;
}

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
  const subject = `Read role ${readRoleArn}`;
  try {
    await assume(readRoleArn);
    return {
      check: "read_role",
      status: "passed",
      subject,
      reason: `The bot can assume read role ${readRoleArn} of ${destination.alias}: it can follow the copy in account ${destination.accountUin}.`,
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
        reason: `I could not assume read role ${readRoleArn} just now: ${err.message}`,
        fix: "Tencent Cloud was busy or unreachable; Re-check in a few seconds.",
        transient: true,
      };
    if (err.reason === "credentials_refused")
      return {
        ...base,
        status: "cannot-verify",
        reason: `I could not ask STS for read role ${readRoleArn}: the bot's own credentials were refused (${err.message}).`,
        fix: "Check the bot's TENCENTCLOUD_SECRET_ID / TENCENTCLOUD_SECRET_KEY.",
      };
    return {
      ...base,
      status: "failed",
      reason: `The bot cannot assume read role ${readRoleArn} of ${destination.alias} (${destination.accountUin}), so it could not follow the copy: ${err.message}`,
      fix: readRoleTrustFix(sourceUin, destination.accountUin, readRoleArn),
    };
  }
}

export function readRoleTrustFix(sourceUin: string, destinationUin: string, readRoleArn: string): string {
  return `In destination account ${destinationUin}: CAM console → Roles (${CAM_CONSOLE.roles}) → the role of readRoleArn (${readRoleArn}) → Role trust → Edit trust policy: it must allow account ${sourceUin} to call sts:AssumeRole — use ${READ_ROLE_TRUST_POLICY_PATH} (principal qcs::cam::uin/${sourceUin}:root). If the role does not exist, create it with that trust policy and attach policies/destination-read-role.json.`;
}

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
  const subject = `Share with ${destinationUin}`;
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
          reason: "Sharing not checked: the snapshot must be found and NORMAL first.",
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
  const subject = `Share with ${accountUin}`;
  const useCopy = `Use the copy method for this destination: set \`method: copy\` under \`destinations.${alias}\` (CopySnapshotCrossAccount makes an independent copy; it needs Tencent Cloud's cross-account copy beta).`;
  if (snapshot.diskUsage === "SYSTEM_DISK") {
    return {
      check: "share",
      status: "failed",
      subject,
      code: "share.system_disk",
      reason: `\`${snapshot.snapshotId}\` is a system-disk snapshot; Tencent Cloud shares data-disk snapshots only.`,
      fix: useCopy,
    };
  }
  if (snapshot.encrypted) {
    return {
      check: "share",
      status: "failed",
      subject,
      code: "share.encrypted",
      reason: `\`${snapshot.snapshotId}\` is encrypted; Tencent Cloud does not share encrypted snapshots.`,
      fix: useCopy,
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
      reason: `I could not read who \`${snapshot.snapshotId}\` is shared with (DescribeSnapshotSharePermission): ${e.message}`,
      fix: e.retryable
        ? "Tencent Cloud was busy; Re-check in a few seconds."
        : `Allow the bot's CAM user in account ${input.sourceUin} cvm:DescribeSnapshotSharePermission and cvm:ModifySnapshotsSharePermission.`,
      ...(e.retryable ? { transient: true } : {}),
    };
  }
  if (shares.includes(accountUin)) {
    return {
      check: "share",
      status: "passed",
      subject,
      reason: `\`${snapshot.snapshotId}\` is already shared with ${accountUin} (${alias}); sharing again changes nothing.`,
    };
  }
  if (shares.length >= MAX_SHARE_ACCOUNTS) {
    return {
      check: "share",
      status: "failed",
      subject,
      code: "share.limit_reached",
      reason: `\`${snapshot.snapshotId}\` is already shared with ${shares.length} accounts; Tencent Cloud allows at most ${MAX_SHARE_ACCOUNTS} per snapshot.`,
      fix: `Stop sharing it with an account that no longer needs it (CBS console → Snapshots → Share), or ${useCopy.charAt(0).toLowerCase()}${useCopy.slice(1)}`,
    };
  }
  return {
    check: "share",
    status: "passed",
    subject,
    reason: `Data-disk snapshot, shared with ${shares.length} of at most ${MAX_SHARE_ACCOUNTS} accounts; ${accountUin} will see it in ${snapshot.region} only (a share, not a copy).`,
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
  const subject = `Snapshot ${input.snapshotId}`;
  if ("error" in lookup) {
    return {
      check: "snapshot",
      status: "cannot-verify",
      subject,
      code: lookup.error.code,
      cloud: lookup.error.classification,
      reason: `I could not look up \`${input.snapshotId}\` in Tencent Cloud (${lookup.error.message}).`,
      fix: "Try again in a minute.",
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
      reason: `Snapshot \`${input.snapshotId}\` was not found in source account ${input.sourceUin} (regions searched: ${input.regions.join(", ")}).`,
      fix: "Check the id, or add `in <region>`.",
    };
  }
  if (snapshot.state !== "NORMAL") {
    return {
      check: "snapshot",
      status: "failed",
      subject,
      code: "snapshot.not_normal",
      reason: `Snapshot \`${snapshot.snapshotId}\` is ${snapshot.state}${snapshot.state === "CREATING" ? ` (${snapshot.percent}% done)` : ""}; only a NORMAL snapshot can be copied.`,
      fix: "Try again when it is NORMAL.",
    };
  }
  return {
    check: "snapshot",
    status: "passed",
    subject,
    reason: `\`${snapshot.snapshotId}\` "${snapshot.name}" is NORMAL: ${describeSnapshotFacts(snapshot)}.`,
  };
}

/** "100 GiB data disk `disk-…`, encrypted, ap-shanghai, created 2026-11-24 03:00:00" */
export function describeSnapshotFacts(snapshot: Snapshot): string {
  return [
    `${snapshot.diskSizeGiB} GiB ${describeDiskUsage(snapshot.diskUsage)} \`${snapshot.diskId}\``,
    snapshot.encrypted ? "encrypted" : "not encrypted",
    snapshot.region,
    `created ${snapshot.createdAt || "at an unknown time"}`,
  ].join(", ");
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
          subject: action,
          code: "cam.not_checked",
          reason: `${action} not checked: account ${destinationUin} must be a collaborator first.`,
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
          ? notCollaboratorResult(input, action, e.message)
          : cannotRead(e, action, "the collaborator's policies (ListAttachedUserAllPolicies / GetPolicy)"),
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
  const subject = `Collaborator ${destinationUin}`;
  let uins: readonly string[];
  try {
    uins = await cam.listCollaboratorUins();
  } catch (err) {
    return {
      ...cannotRead(asCloudError(err), subject, "the collaborator list (ListCollaborators)"),
      check: "collaborator",
    };
  }
  if (!uins.includes(destinationUin))
    return { ...notCollaboratorResult(input, subject), check: "collaborator" };
  return {
    check: "collaborator",
    status: "passed",
    subject,
    reason: `Account ${destinationUin} (${input.destination.alias}) is a collaborator of ${input.sourceUin}.`,
  };
}

function notCollaboratorResult(input: AccessInput, subject: string, detail?: string): PrerequisiteResult {
  const destinationUin = input.destination.accountUin;
  return {
    check: "permission",
    status: "failed",
    subject,
    code: "cam.not_collaborator",
    reason: `Account ${destinationUin} (${input.destination.alias}) is not a collaborator of ${input.sourceUin}${detail ? ` (${detail})` : ""}.`,
    fix: collaboratorFix(input.sourceUin, destinationUin),
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
  const via = (name: string) => {
    const groups = policies.find((p) => p.name === name)?.groups ?? [];
    return groups.length > 0 ? ` (through group ${groups.join(", ")})` : "";
  };
  const base = { check: "permission" as const, subject: action };
  switch (verdict.kind) {
    case "allow":
      return {
        ...base,
        status: "passed",
        reason: `Account ${destinationUin} is allowed ${action} by policy "${verdict.grantedBy.policyName}"${via(verdict.grantedBy.policyName)}.`,
      };
    case "deny":
      if (verdict.explicit) {
        return {
          ...base,
          status: "failed",
          code: "cam.explicit_deny",
          reason: `Policy "${verdict.deniedBy.policyName}"${via(verdict.deniedBy.policyName)} statement ${verdict.deniedBy.statement} explicitly denies ${action} to ${destinationUin}; a deny wins over any allow.`,
          fix: explicitDenyFix(input.sourceUin, destinationUin),
        };
      }
      return {
        ...base,
        status: "failed",
        code: "cam.permission_missing",
        reason:
          policies.length === 0
            ? `Account ${destinationUin} has no policy attached in ${input.sourceUin}, so it is not granted ${action}.`
            : `None of the ${policies.length} ${policies.length === 1 ? "policy" : "policies"} attached to ${destinationUin} (${policies.map((p) => `"${p.name}"`).join(", ")}) allows ${action}.`,
        fix: permissionFix(input.sourceUin, destinationUin),
      };
    case "cannot-verify":
      return {
        ...base,
        status: "cannot-verify",
        code: "cam.unverifiable",
        reason: `Cannot verify ${action}: ${verdict.reasons.join("; ")}.`,
        fix: `Tencent Cloud decides when the copy is made. To know in advance, grant it without conditions: attach ${MINIMAL_POLICY_PATH} to collaborator ${destinationUin} (or fix the policy named above).`,
      };
  }
}

function cannotRead(err: CloudError, subject: string, what: string): PrerequisiteResult {
  const denied = err.reason === "credentials_refused" || err.reason === "access_denied";
  return {
    check: "permission",
    status: "cannot-verify",
    subject,
    code: err.code,
    cloud: err.classification,
    reason: `I could not read ${what}: ${err.message}`,
    fix: err.retryable
      ? "Tencent Cloud was busy or rate limited (CAM allows 5 ListAttachedUserAllPolicies calls a second); Re-check in a few seconds."
      : denied
        ? "The bot's own API key may not read CAM: give its CAM user read access to CAM (cam:ListCollaborators, cam:ListAttachedUserAllPolicies, cam:GetPolicy — the preset QcloudCamReadOnlyAccess has them)."
        : "Re-check later; if it persists, the operators can find the details in the bot's log.",
    ...(err.retryable ? { transient: true } : {}),
  };
}

export function collaboratorFix(sourceUin: string, destinationUin: string): string {
  return `In source account ${sourceUin}: CAM console → User list → Collaborators → Add collaborator (${CAM_CONSOLE.users}), enter account ${destinationUin}; then attach the minimal policy (${MINIMAL_POLICY_PATH}) to it.`;
}

export function permissionFix(sourceUin: string, destinationUin: string): string {
  return `In source account ${sourceUin}: CAM console → Policies → Create custom policy → Create by policy syntax (${CAM_CONSOLE.policies}), paste the minimal policy (${MINIMAL_POLICY_PATH}), then associate it with collaborator ${destinationUin}:\n\`\`\`${MINIMAL_POLICY_JSON}\`\`\``;
}

export function explicitDenyFix(sourceUin: string, destinationUin: string): string {
  return `In source account ${sourceUin}: CAM console → User list → ${destinationUin} → Permissions (${CAM_CONSOLE.users}): detach the denying policy or remove its deny statement, and keep the minimal policy (${MINIMAL_POLICY_PATH}) attached.`;
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
): string[] {
  const changes: string[] = [];
  after.forEach((result, i) => {
    const previous = before[i];
    if (previous && previous !== result.status)
      changes.push(`${statusMark(previous)} → ${statusMark(result.status)} ${result.subject}`);
  });
  return changes;
}

/** What the check found, with the provider's error code after it when a cloud error decided it. */
export function describeFinding(result: PrerequisiteResult): string {
  return result.cloud && result.code ? `${result.reason} (Tencent error ${result.code})` : result.reason;
}

/** Plain text, one line per check, with the fix under each that did not pass. */
export function describeResults(
  results: readonly PrerequisiteResult[],
  options: { fixes?: boolean } = {},
): string {
  const withFixes = options.fixes ?? true;
  return results
    .map(
      (r) =>
        `${statusMark(r.status)} ${describeFinding(r)}${withFixes && r.fix && r.status !== "passed" ? `\n    How to fix: ${r.fix}` : ""}`,
    )
    .join("\n");
}

/** The private answer to a request the checks refused. */
export function describeCheckRefusal(results: readonly PrerequisiteResult[]): string {
  const failed = results.filter((r) => r.status !== "passed").length;
  return `I cannot ask for this copy: ${failed} of ${results.length} checks did not pass. Nothing was created.\n${describeResults(results)}`;
}
