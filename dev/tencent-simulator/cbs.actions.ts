import { z } from "zod";
import type { ActionContext, ActionHandler } from "./action.types.js";
import { ApiError, ErrorCodes } from "./api-error.js";
import { isActionAllowed } from "./policy-grants.js";
import { parseParams } from "./request-params.js";
import type { AutoSnapshotPolicyView, SnapshotView } from "./simulator.types.js";
import type { VisibleSnapshot } from "./snapshots.world.js";
import { nextTriggerTime } from "./time-format.js";
import { AUTO_SNAPSHOT_POLICY_ID_PATTERN, SNAPSHOT_ID_PATTERN, UIN_PATTERN } from "./world-rules.js";

/** CBS, API version 2017-03-12. */
export const CBS_VERSION = "2017-03-12";

const MAX_SNAPSHOT_IDS = 100;
const MAX_DISK_ID_VALUES = 10;
const MAX_SHARE_ACCOUNTS = 50;
const MAX_COPY_NAME_LENGTH = 60;
const NOT_IN_WHITELIST = "UnsupportedOperation.NotInWhitelist";

const uinString = z.string().regex(UIN_PATTERN, 'must be a numeric account id such as "100012345678"');
const filterSchema = z.strictObject({ Name: z.string(), Values: z.array(z.string()).min(1) });
const pageSchema = {
  Limit: z.number().int().min(1).max(100).optional(),
  Offset: z.number().int().min(0).optional(),
  Order: z.enum(["ASC", "DESC"]).optional(),
  OrderField: z.enum(["CREATE_TIME"]).optional(),
};

// ---- DescribeSnapshots ------------------------------------------------------------------------

const describeSnapshotsSchema = z.strictObject({
  SnapshotIds: z.array(z.string()).optional(),
  Filters: z.array(filterSchema).optional(),
  ...pageSchema,
});

const SNAPSHOT_FILTERS: Readonly<Record<string, (snapshot: VisibleSnapshot) => string>> = {
  "snapshot-id": ({ view }) => view.snapshotId,
  "snapshot-name": ({ view }) => view.name,
  "snapshot-state": ({ view }) => view.state,
  "disk-usage": ({ view }) => view.diskUsage,
  "disk-id": ({ view }) => view.diskId,
  encrypt: ({ view }) => String(view.encrypt),
  "snapshot-type": ({ type }) => type,
  "project-id": () => "0",
};

function describeSnapshots({ world, callerUin, region, params }: ActionContext): Record<string, unknown> {
  const request = parseParams(describeSnapshotsSchema, params);
  const ids = idsOrFilters(request.SnapshotIds, request.Filters, "SnapshotIds");
  for (const filter of request.Filters ?? []) {
    // The API reference: `disk-id` takes at most 10 values per call (the error code is assumed).
    if (filter.Name === "disk-id") requireAtMost(filter.Values, MAX_DISK_ID_VALUES, "Filters.disk-id");
  }
  let snapshots = world.snapshots.visible(callerUin, region);
  if (ids) {
    requireAtMost(ids, MAX_SNAPSHOT_IDS, "SnapshotIds");
    ids.forEach(requireSnapshotIdFormat);
    snapshots = snapshots.filter(({ view }) => ids.includes(view.snapshotId));
    if (snapshots.length === 0) {
      throw new ApiError(
        "InvalidSnapshotId.NotFound",
        `None of the snapshots ${ids.join(", ")} exists in account ${callerUin}, region ${region}.`,
      );
    }
  }
  snapshots = applyFilters(snapshots, request.Filters, SNAPSHOT_FILTERS, (name, value) =>
    name === "encrypt" ? value.toLowerCase() : value,
  );
  const ordered = sortByCreateTime(snapshots, request.Order ?? "DESC", (s) => s.view.createTime);
  const page = paginate(ordered, request.Offset, request.Limit);
  return { TotalCount: ordered.length, SnapshotSet: page.map(toSnapshotItem) };
}

function toSnapshotItem({ view, type }: VisibleSnapshot): Record<string, unknown> {
  return {
    SnapshotId: view.snapshotId,
    SnapshotName: view.name,
    SnapshotState: view.state,
    SnapshotType: type,
    DiskId: view.diskId,
    DiskSize: view.diskSize,
    DiskUsage: view.diskUsage,
    Encrypt: view.encrypt,
    Percent: view.percent,
    CreateTime: view.createTime,
    ...(view.autoSnapshotPolicyId ? { AutoSnapshotPolicyId: view.autoSnapshotPolicyId } : {}),
    Placement: { Zone: view.zone, ProjectId: 0 },
    Tags: view.tags.map((tag) => ({ Key: tag.key, Value: tag.value })),
    CopyFromRemote: false,
    CopyingToRegions: [],
    IsPermanent: true,
    ShareReference: type === "PRIVATE_SNAPSHOT" ? view.sharedWith.length : 0,
    Images: [],
    ImageCount: 0,
    IsLocked: false,
    SnapshotMode: "STANDARD_SNAPSHOT",
  };
}

// ---- CopySnapshotCrossAccount -----------------------------------------------------------------

const copySnapshotCrossAccountSchema = z.strictObject({
  SnapshotIds: z.array(z.string()).min(1),
  TargetAccountUin: uinString,
  SnapshotName: z
    .string()
    .min(1)
    .refine((name) => [...name].length <= MAX_COPY_NAME_LENGTH, {
      message: `must be at most ${MAX_COPY_NAME_LENGTH} characters`,
    })
    .optional(),
});

/**
 * `CopySnapshotCrossAccount` is not a published action (docs/decisions/002): this is the assumed shape,
 * kept in this one function. Request `{SnapshotIds: [id], TargetAccountUin: "<uin>", SnapshotName?}`
 * (one snapshot per call, as in the console); answer
 * `{SnapshotCopyResultSet: [{SnapshotId: "<new id>", Code: "Success", Message: ""}]}`.
 * Checks, in order: parameters; caller on the beta allow-list (`UnsupportedOperation.NotInWhitelist`);
 * the snapshot exists in the caller's account and region (`InvalidSnapshotId.NotFound`) and is
 * NORMAL (`UnsupportedOperation.StateError`, CBS's code for "not in this state"); the target is a
 * known account (`InvalidParameterValue`), a collaborator of the caller (`UnauthorizedOperation`)
 * and granted `cvm:CopySnapshotCrossAccount` by the caller's policies (`UnauthorizedOperation`).
 * Every accepted call makes a new copy: there is no idempotency key.
 */
function copySnapshotCrossAccount(context: ActionContext): Record<string, unknown> {
  const { world, callerUin, region, params } = context;
  const request = parseParams(copySnapshotCrossAccountSchema, params);
  const [snapshotId, ...others] = request.SnapshotIds;
  if (snapshotId === undefined || others.length > 0) {
    throw new ApiError(
      ErrorCodes.invalidParameterValue,
      "`SnapshotIds` must hold exactly one snapshot id: one snapshot is copied per call.",
    );
  }
  requireSnapshotIdFormat(snapshotId);
  const targetUin = request.TargetAccountUin;
  if (targetUin === callerUin) {
    throw new ApiError(
      ErrorCodes.invalidParameterValue,
      "`TargetAccountUin` must be another account than the caller.",
    );
  }
  requireAllowListed(world.accounts.isAllowListed(callerUin), callerUin);
  const source = requireOwnSnapshot(
    world.snapshots.get(callerUin, snapshotId),
    snapshotId,
    callerUin,
    region,
  );
  if (source.state !== "NORMAL") {
    throw new ApiError(
      "UnsupportedOperation.StateError",
      `Snapshot ${snapshotId} is ${source.state}; only a NORMAL snapshot can be copied. Wait until it is NORMAL.`,
    );
  }
  requireCollaboratorGrant(context, targetUin, "cvm:CopySnapshotCrossAccount", `snapshot/${snapshotId}`);
  const copy = world.snapshots.startCopy({
    sourceUin: callerUin,
    sourceSnapshotId: snapshotId,
    targetUin,
    name: request.SnapshotName ?? `${source.name}-copy`,
    trigger: "api",
  });
  return { SnapshotCopyResultSet: [{ SnapshotId: copy.newSnapshotId, Code: "Success", Message: "" }] };
}

// ---- auto snapshot policies -------------------------------------------------------------------

const describeAutoSnapshotPoliciesSchema = z.strictObject({
  AutoSnapshotPolicyIds: z.array(z.string()).optional(),
  Filters: z.array(filterSchema).optional(),
  ...pageSchema,
});

type VisiblePolicy = { view: AutoSnapshotPolicyView; seq: number; copyFromAccountUin?: string };

const POLICY_FILTERS: Readonly<Record<string, (policy: VisiblePolicy) => string>> = {
  "auto-snapshot-policy-id": ({ view }) => view.id,
  "auto-snapshot-policy-state": ({ view }) => view.state,
  "auto-snapshot-policy-name": ({ view }) => view.name,
};

function describeAutoSnapshotPolicies({
  world,
  callerUin,
  region,
  params,
}: ActionContext): Record<string, unknown> {
  const request = parseParams(describeAutoSnapshotPoliciesSchema, params);
  const ids = idsOrFilters(request.AutoSnapshotPolicyIds, request.Filters, "AutoSnapshotPolicyIds");
  let policies = world.autoSnapshotPolicies.visible(callerUin, region);
  if (ids) {
    policies = policies.filter(({ view }) => ids.includes(view.id));
  }
  policies = applyFilters(policies, request.Filters, POLICY_FILTERS);
  const ordered = sortByCreateTime(policies, request.Order ?? "DESC", (p) => p.view.createTime);
  const now = world.now();
  return {
    TotalCount: ordered.length,
    AutoSnapshotPolicySet: paginate(ordered, request.Offset, request.Limit).map(
      ({ view, copyFromAccountUin }) => {
        const days = view.daysOfWeek.length > 0 ? view.daysOfWeek : [0, 1, 2, 3, 4, 5, 6];
        const copyToAccountUin = copyFromAccountUin ? undefined : view.copyToAccountUin;
        return {
          AutoSnapshotPolicyId: view.id,
          AutoSnapshotPolicyName: view.name,
          AutoSnapshotPolicyState: view.state,
          IsActivated: view.isActivated,
          IsPermanent: false,
          RetentionDays: view.retentionDays,
          CreateTime: view.createTime,
          NextTriggerTime: view.isActivated ? nextTriggerTime(now, view.hours, days) : "",
          Policy: [{ Hour: view.hours, DayOfWeek: days }],
          DiskIdSet: view.diskIds,
          InstanceIdSet: [],
          IsCopyToRemote: copyToAccountUin ? 1 : 0,
          CopyToAccountUin: copyToAccountUin ?? null,
          CopyFromAccountUin: copyFromAccountUin ?? null,
          Tags: [],
        };
      },
    ),
  };
}

const copyAutoSnapshotPolicyCrossAccountSchema = z.strictObject({
  AutoSnapshotPolicyIds: z.array(z.string()).min(1),
  TargetAccountUin: uinString,
});

/**
 * Links the caller's policies to the target account: the source shows `CopyToAccountUin`, the
 * target's `DescribeAutoSnapshotPolicies` lists the policy with `CopyFromAccountUin`. Needs the
 * collaborator's grant of `cvm:CopyAutoSnapshotPolicyCrossAccount`, like the copy. A policy already
 * linked to another account answers `ResourceInUse` (assumed); linking again to the same one is a
 * no-op. The link dies with the policy, and the destination may remove it (`unlinkByDestination`).
 */
function copyAutoSnapshotPolicyCrossAccount(context: ActionContext): Record<string, unknown> {
  const { world, callerUin, region, params } = context;
  const request = parseParams(copyAutoSnapshotPolicyCrossAccountSchema, params);
  const targetUin = request.TargetAccountUin;
  if (targetUin === callerUin) {
    throw new ApiError(
      ErrorCodes.invalidParameterValue,
      "`TargetAccountUin` must be another account than the caller.",
    );
  }
  requireAllowListed(world.accounts.isAllowListed(callerUin), callerUin);
  const policies = request.AutoSnapshotPolicyIds.map((id) => {
    const policy = AUTO_SNAPSHOT_POLICY_ID_PATTERN.test(id)
      ? world.autoSnapshotPolicies.get(callerUin, id)
      : undefined;
    if (!policy || policy.region !== region) {
      throw new ApiError(
        "InvalidAutoSnapshotPolicyId.NotFound",
        `The auto snapshot policy ${id} does not exist in account ${callerUin}, region ${region}.`,
      );
    }
    return policy;
  });
  for (const policy of policies) {
    requireCollaboratorGrant(
      context,
      targetUin,
      "cvm:CopyAutoSnapshotPolicyCrossAccount",
      `autoSnapshotPolicy/${policy.id}`,
    );
    if (policy.copyToAccountUin && policy.copyToAccountUin !== targetUin) {
      // Assumed code (not published): `ResourceInUse`, Tencent's common "resource is occupied" — a
      // permanent refusal, unlike `ResourceBusy` (try again later), which would invite retries.
      throw new ApiError(
        "ResourceInUse",
        `The auto snapshot policy ${policy.id} already replicates to account ${policy.copyToAccountUin}; remove that link first.`,
      );
    }
  }
  for (const policy of policies) {
    world.autoSnapshotPolicies.setCopyTarget(callerUin, policy.id, targetUin);
  }
  return { AutoSnapshotPolicyIds: policies.map((policy) => policy.id), TargetAccountUin: targetUin };
}

// ---- sharing ----------------------------------------------------------------------------------

const modifySnapshotsSharePermissionSchema = z.strictObject({
  SnapshotIds: z.array(z.string()).min(1),
  AccountIds: z.array(uinString).min(1),
  Permission: z.enum(["SHARE", "CANCEL"]),
});

/** Sharing rules: data-disk, unencrypted, NORMAL snapshots only; at most 50 accounts per snapshot. */
function modifySnapshotsSharePermission({
  world,
  callerUin,
  region,
  params,
}: ActionContext): Record<string, unknown> {
  const request = parseParams(modifySnapshotsSharePermissionSchema, params);
  const share = request.Permission === "SHARE";
  if (request.AccountIds.includes(callerUin)) {
    throw new ApiError(ErrorCodes.invalidParameterValue, "`AccountIds` cannot include the snapshot owner.");
  }
  for (const snapshotId of request.SnapshotIds) {
    requireSnapshotIdFormat(snapshotId);
    const snapshot = requireOwnSnapshot(
      world.snapshots.get(callerUin, snapshotId),
      snapshotId,
      callerUin,
      region,
    );
    if (!share) {
      continue;
    }
    if (snapshot.diskUsage !== "DATA_DISK") {
      throw new ApiError(
        "InvalidSnapshot.NotSupported",
        `Snapshot ${snapshotId} is of a system disk; only data-disk snapshots can be shared.`,
      );
    }
    if (snapshot.encrypt) {
      throw new ApiError(
        "UnsupportedOperation.DiskEncrypt",
        `Snapshot ${snapshotId} is encrypted and cannot be shared.`,
      );
    }
    if (snapshot.state !== "NORMAL") {
      throw new ApiError(
        "UnsupportedOperation.StateError",
        `Snapshot ${snapshotId} is ${snapshot.state}; only a NORMAL snapshot can be shared.`,
      );
    }
    const accounts = new Set([...snapshot.sharedWith, ...request.AccountIds]);
    if (accounts.size > MAX_SHARE_ACCOUNTS) {
      throw new ApiError(
        "InvalidParameterValue.LimitExceeded",
        `Snapshot ${snapshotId} would be shared with ${accounts.size} accounts; the limit is ${MAX_SHARE_ACCOUNTS}.`,
      );
    }
  }
  for (const snapshotId of request.SnapshotIds) {
    world.snapshots.setShares(callerUin, snapshotId, request.AccountIds, share);
  }
  return {};
}

const describeSnapshotSharePermissionSchema = z.strictObject({ SnapshotId: z.string() });

function describeSnapshotSharePermission({
  world,
  callerUin,
  region,
  params,
}: ActionContext): Record<string, unknown> {
  const { SnapshotId: snapshotId } = parseParams(describeSnapshotSharePermissionSchema, params);
  requireSnapshotIdFormat(snapshotId);
  requireOwnSnapshot(world.snapshots.get(callerUin, snapshotId), snapshotId, callerUin, region);
  return {
    SharePermissionSet: world.snapshots
      .sharesOf(callerUin, snapshotId)
      .map((share) => ({ AccountId: share.accountId, CreatedTime: share.createdTime })),
  };
}

export const CBS_ACTIONS: Readonly<Record<string, ActionHandler>> = {
  DescribeSnapshots: describeSnapshots,
  CopySnapshotCrossAccount: copySnapshotCrossAccount,
  DescribeAutoSnapshotPolicies: describeAutoSnapshotPolicies,
  CopyAutoSnapshotPolicyCrossAccount: copyAutoSnapshotPolicyCrossAccount,
  ModifySnapshotsSharePermission: modifySnapshotsSharePermission,
  DescribeSnapshotSharePermission: describeSnapshotSharePermission,
};

// ---- shared rules -----------------------------------------------------------------------------

/** The target must be a known account, a collaborator of the caller, and granted `action`. */
function requireCollaboratorGrant(
  { world, callerUin, region }: ActionContext,
  targetUin: string,
  action: string,
  resourceSuffix: string,
): void {
  if (!world.accounts.has(targetUin)) {
    throw new ApiError(
      ErrorCodes.invalidParameterValue,
      `\`TargetAccountUin\` ${targetUin} is not a Tencent Cloud account; check the destination account id.`,
    );
  }
  if (!world.cam.isCollaborator(callerUin, targetUin)) {
    throw new ApiError(
      ErrorCodes.unauthorizedOperation,
      `Account ${targetUin} is not a collaborator of account ${callerUin}. Add it in CAM > Users > Collaborators first.`,
    );
  }
  const documents = world.cam
    .attachedPolicies(callerUin, targetUin)
    .map((attached) => attached.policy.document);
  const resource = `qcs::cvm:${region}:uin/${callerUin}:${resourceSuffix}`;
  if (!isActionAllowed(documents, action, resource)) {
    throw new ApiError(
      ErrorCodes.unauthorizedOperation,
      `Collaborator ${targetUin} is not granted ${action} in account ${callerUin}. Attach a policy allowing it to the collaborator.`,
    );
  }
}

function requireAllowListed(allowListed: boolean, uin: string): void {
  if (!allowListed) {
    throw new ApiError(
      NOT_IN_WHITELIST,
      `Account ${uin} is not on the allow-list of the cross-account snapshot replication beta. Submit a ticket to join it.`,
    );
  }
}

function requireOwnSnapshot(
  snapshot: SnapshotView | undefined,
  snapshotId: string,
  uin: string,
  region: string,
): SnapshotView {
  if (!snapshot || snapshot.region !== region) {
    throw new ApiError(
      "InvalidSnapshotId.NotFound",
      `The snapshot ${snapshotId} does not exist in account ${uin}, region ${region}.`,
    );
  }
  return snapshot;
}

function requireSnapshotIdFormat(snapshotId: string): void {
  if (!SNAPSHOT_ID_PATTERN.test(snapshotId)) {
    throw new ApiError(
      "InvalidSnapshotId.Malformed",
      `The snapshot id \`${snapshotId}\` is malformed: expected snap- followed by 8 lowercase letters or digits.`,
    );
  }
}

function requireAtMost(values: readonly unknown[], max: number, name: string): void {
  if (values.length > max) {
    throw new ApiError(
      "InvalidParameterValue.LimitExceeded",
      `\`${name}\` holds ${values.length} values; at most ${max} are allowed per call.`,
    );
  }
}

function sortByCreateTime<T extends { seq: number }>(
  items: readonly T[],
  order: "ASC" | "DESC",
  createTime: (item: T) => string,
): T[] {
  const direction = order === "ASC" ? 1 : -1;
  return [...items].sort((a, b) => {
    const byTime = createTime(a).localeCompare(createTime(b));
    return direction * (byTime !== 0 ? byTime : a.seq - b.seq);
  });
}

function paginate<T>(items: readonly T[], offset = 0, limit = 20): T[] {
  return items.slice(offset, offset + limit);
}

/** Tencent's rule for Describe actions: ask by ids or by filters, not both. */
function idsOrFilters<T>(
  ids: T[] | undefined,
  filters: unknown[] | undefined,
  idsName: string,
): T[] | undefined {
  const given = ids?.length ? ids : undefined;
  if (given && filters?.length) {
    throw new ApiError(
      ErrorCodes.invalidParameter,
      `\`${idsName}\` and \`Filters\` cannot be specified in the same request.`,
    );
  }
  return given;
}

/** Keeps the items matching every filter; an unknown filter name is refused as Tencent does. */
function applyFilters<T>(
  items: T[],
  filters: ReadonlyArray<{ Name: string; Values: string[] }> | undefined,
  table: Readonly<Record<string, (item: T) => string>>,
  normalize: (name: string, value: string) => string = (_name, value) => value,
): T[] {
  let kept = items;
  for (const filter of filters ?? []) {
    const read = table[filter.Name];
    if (!read) {
      throw new ApiError(
        "InvalidFilter",
        `The filter \`${filter.Name}\` is not supported; use one of ${Object.keys(table).join(", ")}.`,
      );
    }
    const wanted = filter.Values.map((value) => normalize(filter.Name, value));
    kept = kept.filter((item) => wanted.includes(read(item)));
  }
  return kept;
}
