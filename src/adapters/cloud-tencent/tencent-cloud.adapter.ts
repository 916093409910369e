import type { z } from "zod";
import {
  type AttachedPolicy,
  type AutoSnapshotPolicy,
  type CloudApi,
  CloudError,
  type CloudFailure,
  type Collaborator,
  type CopyAccepted,
  type CopyRequest,
  type DestinationReader,
  type LinkPolicyAccepted,
  type LinkPolicyRequest,
  type ShareAccepted,
  type ShareRequest,
  type SnapshotListOptions,
} from "../../core/ports/cloud-api.port.js";
import type { Snapshot } from "../../core/snapshot.js";
import type { TencentCaller, TencentCredentials } from "./tencent-client.js";
import { reasonForCode } from "./tencent-errors.js";
import {
  assumeRoleResponseSchema,
  copyAutoSnapshotPolicyCrossAccountResponseSchema,
  copySnapshotCrossAccountResponseSchema,
  describeAutoSnapshotPoliciesResponseSchema,
  describeSnapshotSharePermissionResponseSchema,
  describeSnapshotsResponseSchema,
  getPolicyResponseSchema,
  listAttachedUserAllPoliciesResponseSchema,
  listCollaboratorsResponseSchema,
  modifySnapshotsSharePermissionResponseSchema,
  toAutoSnapshotPolicy,
  toSnapshot,
} from "./tencent-responses.schema.js";

/** Renew temporary credentials this long before Tencent says they expire. */
const CREDENTIAL_RENEW_MARGIN_MS = 5 * 60_000;
const READ_SESSION_SECONDS = 3600;
/** CAM page sizes: `ListAttachedUserAllPolicies` takes `Rp` up to 200; a bound on pages keeps a bad answer from looping. */
const CAM_POLICY_PAGE = 200;
const CAM_COLLABORATOR_PAGE = 200;
const CAM_MAX_PAGES = 50;
/** CBS Describe actions take `Limit` up to 100; the bound on pages (20,000 items) keeps a bad answer from looping. */
const CBS_PAGE = 100;
const CBS_MAX_PAGES = 200;
/** `DescribeSnapshots`' `disk-id` filter takes at most 10 values per call. */
const DISK_ID_FILTER_MAX = 10;

interface CachedCredentials {
  credentials: TencentCredentials;
  renewAt: number;
}

export interface TencentCloudAdapterOptions {
  caller: TencentCaller;
  sourceCredentials: TencentCredentials;
  now?: () => number;
}

/** CloudApi over the real Tencent Cloud SDK (or the simulator, which speaks the same protocol). */
export class TencentCloudAdapter implements CloudApi {
  private readonly caller: TencentCaller;
  private readonly source: TencentCredentials;
  private readonly now: () => number;
  private readonly roleCredentials = new Map<string, CachedCredentials>();

  constructor(options: TencentCloudAdapterOptions) {
    this.caller = options.caller;
    this.source = options.sourceCredentials;
    this.now = options.now ?? Date.now;
  }

  /**
   * Every region in one round (the calls run side by side; the rate limiter paces them), read in
   * the given order: the first region that has it wins, and an error in an earlier region is
   * thrown as if the regions had been searched one after another.
   */
  async findSourceSnapshot(snapshotId: string, regions: readonly string[]): Promise<Snapshot | undefined> {
    const answers = await Promise.allSettled(
      regions.map((region) => this.describeSnapshots(this.source, region, { SnapshotIds: [snapshotId] })),
    );
    for (const answer of answers) {
      if (answer.status === "rejected") throw answer.reason;
      const snapshot = answer.value.find((s) => s.snapshotId === snapshotId);
      if (snapshot) return snapshot;
    }
    return undefined;
  }

  /**
   * `CopySnapshotCrossAccount` is not published; the request and response shapes are assumed
   * (docs/decisions/002, docs/decisions/002-copy-snapshot-cross-account-shape.md). Only this function and
   * the simulator know them.
   */
  async copySnapshotCrossAccount(request: CopyRequest): Promise<CopyAccepted> {
    const raw = await this.caller
      .call(
        "cbs",
        "CopySnapshotCrossAccount",
        {
          SnapshotIds: [request.snapshotId],
          TargetAccountUin: request.targetAccountUin,
          SnapshotName: request.newName,
        },
        this.source,
        request.region,
        request.notAfter === undefined ? {} : { notAfter: request.notAfter },
      )
      .catch((err: unknown) => {
        throw asCopyShapeError(err);
      });
    const response = parseResponse(copySnapshotCrossAccountResponseSchema, raw, "CopySnapshotCrossAccount");
    // A top-level SnapshotId is a success in the other plausible shape.
    if (!response.SnapshotCopyResultSet && response.SnapshotId) {
      return { newSnapshotId: response.SnapshotId, requestId: response.RequestId };
    }
    const result = response.SnapshotCopyResultSet?.[0];
    if (result?.Code !== "Success" || !result.SnapshotId) {
      throw asCopyShapeError(
        new CloudError({
          code: result?.Code || "cloud.copy_refused",
          message: result?.Message || "Tencent Cloud accepted the call but reported no new snapshot",
          requestId: response.RequestId,
          category: "permanent",
          reason: result?.Code ? reasonForCode(result.Code) : "other",
        }),
      );
    }
    return { newSnapshotId: result.SnapshotId, requestId: response.RequestId };
  }

  /** `Permission: SHARE` for one snapshot and one account; Tencent keeps a share only once per account. */
  async shareSnapshot(request: ShareRequest): Promise<ShareAccepted> {
    const raw = await this.caller.call(
      "cbs",
      "ModifySnapshotsSharePermission",
      { SnapshotIds: [request.snapshotId], AccountIds: [request.accountUin], Permission: "SHARE" },
      this.source,
      request.region,
    );
    const response = parseResponse(
      modifySnapshotsSharePermissionResponseSchema,
      raw,
      "ModifySnapshotsSharePermission",
    );
    return { requestId: response.RequestId };
  }

  async listSnapshotShares(snapshotId: string, region: string): Promise<string[]> {
    const raw = await this.caller.call(
      "cbs",
      "DescribeSnapshotSharePermission",
      { SnapshotId: snapshotId },
      this.source,
      region,
    );
    return parseResponse(
      describeSnapshotSharePermissionResponseSchema,
      raw,
      "DescribeSnapshotSharePermission",
    ).SharePermissionSet.map((s) => s.AccountId);
  }

  async describeDestinationSnapshots(
    reader: DestinationReader,
    region: string,
    snapshotIds: readonly string[],
  ): Promise<Snapshot[]> {
    if (snapshotIds.length === 0) return [];
    const credentials = await this.assumeReadRole(reader, region);
    // DescribeSnapshots takes at most 100 ids per call; the batches run side by side, paced by the
    // rate limiter (a round over 5,000 copies is 50 calls at 20/s, not 50 round trips in a row).
    const batches: string[][] = [];
    for (let i = 0; i < snapshotIds.length; i += 100) batches.push(snapshotIds.slice(i, i + 100));
    const found = await Promise.all(
      batches.map((batch) => this.describeSnapshots(credentials, region, { SnapshotIds: batch, Limit: 100 })),
    );
    return found.flat();
  }

  async checkReadRole(reader: DestinationReader, region: string): Promise<void> {
    await this.assumeReadRole(reader, region, { fresh: true });
  }

  async findDestinationSnapshotsByName(
    reader: DestinationReader,
    region: string,
    name: string,
  ): Promise<Snapshot[]> {
    const credentials = await this.assumeReadRole(reader, region);
    return this.describeSnapshots(credentials, region, {
      Filters: [{ Name: "snapshot-name", Values: [name] }],
      Limit: 100,
    });
  }

  async listCollaborators(): Promise<Collaborator[]> {
    const collaborators: Collaborator[] = [];
    for (let offset = 0; offset < CAM_MAX_PAGES * CAM_COLLABORATOR_PAGE; offset += CAM_COLLABORATOR_PAGE) {
      const raw = await this.caller.call(
        "cam",
        "ListCollaborators",
        { Limit: CAM_COLLABORATOR_PAGE, Offset: offset },
        this.source,
      );
      const page = parseResponse(listCollaboratorsResponseSchema, raw, "ListCollaborators");
      collaborators.push(...page.Data.map((c) => ({ uin: String(c.Uin), name: c.Name })));
      if (page.Data.length === 0 || collaborators.length >= page.TotalNum) break;
    }
    return collaborators;
  }

  /** `AttachType 0`: direct and through groups, every page of up to 200 (the action allows 5 calls/s). */
  async listAttachedPolicies(targetUin: string): Promise<AttachedPolicy[]> {
    const policies: AttachedPolicy[] = [];
    for (let page = 1; page <= CAM_MAX_PAGES; page++) {
      const raw = await this.caller.call(
        "cam",
        "ListAttachedUserAllPolicies",
        { TargetUin: Number(targetUin), Rp: CAM_POLICY_PAGE, Page: page, AttachType: 0 },
        this.source,
      );
      const answer = parseResponse(
        listAttachedUserAllPoliciesResponseSchema,
        raw,
        "ListAttachedUserAllPolicies",
      );
      policies.push(
        ...answer.PolicyList.map((p) => ({
          policyId: p.PolicyId,
          name: p.PolicyName,
          type: p.StrategyType === "2" ? ("preset" as const) : ("custom" as const),
          groups: p.Groups.map((g) => g.GroupName),
        })),
      );
      if (answer.PolicyList.length < CAM_POLICY_PAGE || policies.length >= answer.TotalNum) break;
    }
    return policies;
  }

  async getPolicyDocument(policyId: string): Promise<string | undefined> {
    try {
      const raw = await this.caller.call("cam", "GetPolicy", { PolicyId: Number(policyId) }, this.source);
      return parseResponse(getPolicyResponseSchema, raw, "GetPolicy").PolicyDocument;
    } catch (err) {
      // Detached and deleted between the list and this call: it grants nothing any more.
      if (err instanceof CloudError && err.code === "ResourceNotFound.PolicyIdNotFound") return undefined;
      throw err;
    }
  }

  // ---- scheduled policies and automatic copies (PolicyCloudApi) -----------------------------

  async findAutoSnapshotPolicy(
    policyId: string,
    regions: readonly string[],
  ): Promise<AutoSnapshotPolicy | undefined> {
    for (const region of regions) {
      const found = await this.describeAutoSnapshotPolicies(this.source, region, {
        AutoSnapshotPolicyIds: [policyId],
      }).catch((err: unknown) => {
        // Asking by id for a policy that is not there is an answer ("none"), not a failure.
        if (err instanceof CloudError && err.code === "InvalidAutoSnapshotPolicyId.NotFound") return [];
        throw err;
      });
      // The source also sees policies other accounts link to it: only its own count here.
      const policy = found.find((p) => p.policyId === policyId && p.copyFromAccountUin === undefined);
      if (policy) return policy;
    }
    return undefined;
  }

  async listAutoSnapshotPolicies(regions: readonly string[]): Promise<AutoSnapshotPolicy[]> {
    const policies: AutoSnapshotPolicy[] = [];
    for (const region of regions) {
      const found = await this.describeAutoSnapshotPolicies(this.source, region, {});
      policies.push(...found.filter((p) => p.copyFromAccountUin === undefined));
    }
    return policies;
  }

  async copyAutoSnapshotPolicyCrossAccount(request: LinkPolicyRequest): Promise<LinkPolicyAccepted> {
    const raw = await this.caller.call(
      "cbs",
      "CopyAutoSnapshotPolicyCrossAccount",
      { AutoSnapshotPolicyIds: [request.policyId], TargetAccountUin: request.targetAccountUin },
      this.source,
      request.region,
      request.notAfter === undefined ? {} : { notAfter: request.notAfter },
    );
    const response = parseResponse(
      copyAutoSnapshotPolicyCrossAccountResponseSchema,
      raw,
      "CopyAutoSnapshotPolicyCrossAccount",
    );
    return { requestId: response.RequestId };
  }

  /** `disk-id` takes at most 10 values per call (CBS API reference), so disks go in batches of 10. */
  async listSnapshotsOfDisks(
    region: string,
    diskIds: readonly string[],
    options: SnapshotListOptions = {},
  ): Promise<Snapshot[]> {
    const byId = new Map<string, Snapshot>();
    for (let i = 0; i < diskIds.length; i += DISK_ID_FILTER_MAX) {
      const batch = diskIds.slice(i, i + DISK_ID_FILTER_MAX);
      const found = await this.describeSnapshotPages(
        this.source,
        region,
        [{ Name: "disk-id", Values: batch }],
        options.createdAfter,
      );
      for (const snapshot of found) byId.set(snapshot.snapshotId, snapshot);
    }
    return newestFirst([...byId.values()]);
  }

  async listDestinationAutoSnapshotPolicies(
    reader: DestinationReader,
    region: string,
  ): Promise<AutoSnapshotPolicy[]> {
    const credentials = await this.assumeReadRole(reader, region);
    return this.describeAutoSnapshotPolicies(credentials, region, {});
  }

  /** The destination's own snapshots (`PRIVATE_SNAPSHOT`): automatic copies are owned there. */
  async listDestinationSnapshots(
    reader: DestinationReader,
    region: string,
    options: SnapshotListOptions = {},
  ): Promise<Snapshot[]> {
    const credentials = await this.assumeReadRole(reader, region);
    return this.describeSnapshotPages(
      credentials,
      region,
      [{ Name: "snapshot-type", Values: ["PRIVATE_SNAPSHOT"] }],
      options.createdAfter,
    );
  }

  /** Every page of `DescribeAutoSnapshotPolicies` (100 a page). */
  private async describeAutoSnapshotPolicies(
    credentials: TencentCredentials,
    region: string,
    params: Record<string, unknown>,
  ): Promise<AutoSnapshotPolicy[]> {
    const policies = new Map<string, AutoSnapshotPolicy>();
    for (let page = 0; page < CBS_MAX_PAGES; page++) {
      const raw = await this.caller.call(
        "cbs",
        "DescribeAutoSnapshotPolicies",
        { ...params, Limit: CBS_PAGE, Offset: page * CBS_PAGE },
        credentials,
        region,
      );
      const answer = parseResponse(
        describeAutoSnapshotPoliciesResponseSchema,
        raw,
        "DescribeAutoSnapshotPolicies",
      );
      for (const item of answer.AutoSnapshotPolicySet) {
        const policy = toAutoSnapshotPolicy(item, region);
        policies.set(policy.policyId, policy);
      }
      const seen = (page + 1) * CBS_PAGE;
      if (answer.AutoSnapshotPolicySet.length < CBS_PAGE || seen >= answer.TotalCount) break;
    }
    return [...policies.values()];
  }

  /**
   * Every page of `DescribeSnapshots` with these filters, newest first (100 a page). With
   * `createdAfter`, paging stops at the first page that reaches an older snapshot; one whose time
   * cannot be read is kept. A snapshot seen on two pages (the list moved while paging) is kept once.
   */
  private async describeSnapshotPages(
    credentials: TencentCredentials,
    region: string,
    filters: ReadonlyArray<{ Name: string; Values: readonly string[] }>,
    createdAfter: number | undefined,
  ): Promise<Snapshot[]> {
    const byId = new Map<string, Snapshot>();
    for (let page = 0; page < CBS_MAX_PAGES; page++) {
      const raw = await this.caller.call(
        "cbs",
        "DescribeSnapshots",
        {
          Filters: filters,
          Limit: CBS_PAGE,
          Offset: page * CBS_PAGE,
          Order: "DESC",
          OrderField: "CREATE_TIME",
        },
        credentials,
        region,
      );
      const answer = parseResponse(describeSnapshotsResponseSchema, raw, "DescribeSnapshots");
      let reachedOlder = false;
      for (const item of answer.SnapshotSet) {
        const snapshot = toSnapshot(item, region);
        if (
          createdAfter !== undefined &&
          snapshot.createdAtMs !== undefined &&
          snapshot.createdAtMs <= createdAfter
        ) {
          reachedOlder = true;
          continue;
        }
        byId.set(snapshot.snapshotId, snapshot);
      }
      const seen = (page + 1) * CBS_PAGE;
      if (reachedOlder || answer.SnapshotSet.length < CBS_PAGE || seen >= answer.TotalCount) break;
    }
    return newestFirst([...byId.values()]);
  }

  private async describeSnapshots(
    credentials: TencentCredentials,
    region: string,
    params: Record<string, unknown>,
  ): Promise<Snapshot[]> {
    try {
      const raw = await this.caller.call("cbs", "DescribeSnapshots", params, credentials, region);
      const response = parseResponse(describeSnapshotsResponseSchema, raw, "DescribeSnapshots");
      return response.SnapshotSet.map((item) => toSnapshot(item, region));
    } catch (err) {
      // Asking by id for snapshots that are gone is an answer ("none"), not a failure.
      if (err instanceof CloudError && err.code === "InvalidSnapshotId.NotFound") return [];
      throw err;
    }
  }

  private async assumeReadRole(
    reader: DestinationReader,
    region: string,
    options: { fresh?: boolean } = {},
  ): Promise<TencentCredentials> {
    const cached = this.roleCredentials.get(reader.readRoleArn);
    if (!options.fresh && cached && cached.renewAt > this.now()) return cached.credentials;
    const raw = await this.caller
      .call(
        "sts",
        "AssumeRole",
        {
          RoleArn: reader.readRoleArn,
          RoleSessionName: "cbs-snapshot-bot",
          DurationSeconds: READ_SESSION_SECONDS,
        },
        this.source,
        region,
      )
      .catch((err: unknown) => {
        // A missing role, or one that does not trust the source account, is the read role's problem
        // (configuration), not a missing or refused snapshot.
        if (err instanceof CloudError && (err.reason === "not_found" || err.reason === "access_denied"))
          throw new CloudError({ ...failureOf(err), reason: "role_not_assumable" });
        throw err;
      });
    const response = parseResponse(assumeRoleResponseSchema, raw, "AssumeRole");
    const credentials = {
      secretId: response.Credentials.TmpSecretId,
      secretKey: response.Credentials.TmpSecretKey,
      token: response.Credentials.Token,
      // Calls through the role count against the destination account's rate limits.
      accountUin: reader.accountUin,
    };
    this.roleCredentials.set(reader.readRoleArn, {
      credentials,
      renewAt: response.ExpiredTime * 1000 - CREDENTIAL_RENEW_MARGIN_MS,
    });
    return credentials;
  }
}

/** Newest first; a snapshot without a readable time last, in the order given. */
function newestFirst(snapshots: Snapshot[]): Snapshot[] {
  return snapshots
    .map((snapshot, index) => ({ snapshot, index }))
    .sort(
      (a, b) =>
        (b.snapshot.createdAtMs ?? Number.NEGATIVE_INFINITY) -
          (a.snapshot.createdAtMs ?? Number.NEGATIVE_INFINITY) || a.index - b.index,
    )
    .map(({ snapshot }) => snapshot);
}

/**
 * The copy's request shape is assumed (docs/decisions/002): Tencent refusing it for an unknown,
 * missing or mistyped parameter says the assumption may be wrong, not that the bot sent a bad value.
 */
const SHAPE_CODES = ["UnknownParameter", "MissingParameter", "InvalidParameter"];

function asCopyShapeError(err: unknown): unknown {
  if (!(err instanceof CloudError)) return err;
  const shape = SHAPE_CODES.some((c) => err.code === c || err.code.startsWith(`${c}.`));
  return shape ? new CloudError({ ...failureOf(err), reason: "request_shape_refused" }) : err;
}

function failureOf(err: CloudError): CloudFailure {
  return {
    code: err.code,
    message: err.message,
    category: err.category,
    reason: err.reason,
    ...(err.requestId === undefined ? {} : { requestId: err.requestId }),
  };
}

function parseResponse<S extends z.ZodType>(schema: S, raw: unknown, action: string): z.output<S> {
  const result = schema.safeParse(raw);
  if (!result.success) {
    const first = result.error.issues[0];
    throw new CloudError({
      code: "cloud.unexpected_response",
      message: `${action} answered in an unexpected shape (${first?.path.join(".") || "response"}: ${first?.message}); the Tencent API may have changed`,
      category: "permanent",
      reason: "unexpected_response",
    });
  }
  return result.data;
}
