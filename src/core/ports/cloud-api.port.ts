import type { Snapshot } from "../snapshot.js";
import type { PolicyCloudApi } from "./policy-cloud.port.js";

export type {
  AutoSnapshotPolicy,
  AutoSnapshotPolicyState,
  AutoSnapshotSchedule,
  LinkPolicyAccepted,
  LinkPolicyRequest,
  PolicyCloudApi,
  SnapshotListOptions,
  SnapshotRetention,
} from "./policy-cloud.port.js";

/**
 * What a failed cloud call means for the caller, decided once by the cloud adapter (no other room
 * reads a provider's error codes):
 * - `throttled`: refused before it ran (rate limit, a deadline passed unsent); safe to send again.
 * - `maybe_sent`: it may have run (internal error, timeout, a reset after sending); look before
 *   sending a write again.
 * - `unavailable`: the service could not take it now (busy, unavailable); try again later.
 * - `permanent`: the same call will fail the same way; do not retry.
 */
export type CloudErrorCategory = "throttled" | "maybe_sent" | "unavailable" | "permanent";

/**
 * What went wrong, in the bot's words, decided once by the cloud adapter; callers choose a check's
 * outcome or a fix by it, never by the provider's code:
 * - `credentials_refused`: the bot's own key or token was refused (wrong, expired, deleted).
 * - `access_denied`: the caller is known but not allowed this (CAM said no).
 * - `not_allow_listed`: the feature is not enabled for the account (a beta allow-list).
 * - `not_found`: the resource asked about (snapshot, user, policy) does not exist.
 * - `role_not_assumable`: a destination's read role is missing or does not trust the caller.
 * - `invalid_state`: the resource exists but is not in a state that allows it (not NORMAL).
 * - `unsupported`: the resource can never be used this way (e.g. its kind of disk).
 * - `invalid_request`: the cloud refused the parameters; likely a bot bug.
 * - `request_shape_refused`: an action whose request shape is assumed, not published
 *   (CopySnapshotCrossAccount, docs/decisions/002), was refused for an unknown, missing or
 *   mistyped parameter: the assumed shape may be wrong.
 * - `quota_exceeded`: an account quota (not the rate limit) is used up.
 * - `unexpected_response`: the answer did not have the expected shape; the API may have changed.
 * - `other`: none of these (busy, internal error, network: see the category).
 */
export type CloudErrorReason =
  | "credentials_refused"
  | "access_denied"
  | "not_allow_listed"
  | "not_found"
  | "role_not_assumable"
  | "invalid_state"
  | "unsupported"
  | "invalid_request"
  | "request_shape_refused"
  | "quota_exceeded"
  | "unexpected_response"
  | "other";

/** How a failed cloud call was classified: what callers keep to decide later (retry, fix). */
export interface CloudErrorClass {
  category: CloudErrorCategory;
  reason: CloudErrorReason;
}

/** A failure reported by the cloud, already classified. */
export interface CloudFailure extends CloudErrorClass {
  /**
   * The provider's error code (`InvalidSnapshotId.NotFound`), or `cloud.network` / `cloud.http_<status>`:
   * for people and logs only; decide by `category` and `reason`.
   */
  code: string;
  /** The provider's message, without the code. */
  message: string;
  requestId?: string;
}

export class CloudError extends Error implements CloudFailure {
  readonly code: string;
  readonly requestId?: string;
  readonly category: CloudErrorCategory;
  readonly reason: CloudErrorReason;
  constructor(failure: CloudFailure) {
    super(failure.message);
    this.name = "CloudError";
    this.code = failure.code;
    this.category = failure.category;
    this.reason = failure.reason;
    if (failure.requestId !== undefined) this.requestId = failure.requestId;
  }

  /** True when trying again later may succeed. */
  get retryable(): boolean {
    return this.category !== "permanent";
  }

  /** The classification alone, to keep on a record (the code and request id are kept beside it). */
  get classification(): CloudErrorClass {
    return { category: this.category, reason: this.reason };
  }
}

/** The call was refused before it ran (rate limit): the queue should slow down, not count a failure. */
export function isThrottled(err: unknown): err is CloudError {
  return err instanceof CloudError && err.category === "throttled";
}

export interface CopyRequest {
  snapshotId: string;
  region: string;
  targetAccountUin: string;
  newName: string;
  /**
   * Epoch ms after which the call must not be sent any more (it fails with `cloud.deadline_passed`,
   * unsent): a run that finds the call's claim later can then be sure it is no longer coming.
   */
  notAfter?: number;
}

export interface CopyAccepted {
  newSnapshotId: string;
  requestId: string;
}

/** Shares one source snapshot with another account (ModifySnapshotsSharePermission, SHARE). */
export interface ShareRequest {
  snapshotId: string;
  region: string;
  accountUin: string;
}

export interface ShareAccepted {
  requestId: string;
}

export interface DestinationReader {
  accountUin: string;
  readRoleArn: string;
}

export interface Collaborator {
  uin: string;
  name: string;
}

/** A CAM policy attached to a user directly or through groups (`ListAttachedUserAllPolicies`). */
export interface AttachedPolicy {
  policyId: string;
  name: string;
  type: "custom" | "preset";
  /** Group names it is attached through; empty when attached directly. */
  groups: string[];
}

/**
 * The port through which the domain and flows reach Tencent Cloud. Throws CloudError. Scheduled
 * policies and automatic copies: `PolicyCloudApi` (policy-cloud.port.ts).
 */
export interface CloudApi extends PolicyCloudApi {
  /** Looks a snapshot up in the source account, in `regions` in order; undefined when in none. */
  findSourceSnapshot(snapshotId: string, regions: readonly string[]): Promise<Snapshot | undefined>;
  /** Starts a cross-account copy of one snapshot (one call; never retried here). */
  copySnapshotCrossAccount(request: CopyRequest): Promise<CopyAccepted>;
  /** Reads snapshots in a destination account through its read role. Missing ids are left out. */
  describeDestinationSnapshots(
    reader: DestinationReader,
    region: string,
    snapshotIds: readonly string[],
  ): Promise<Snapshot[]>;
  /**
   * Assumes a destination's read role now — a real `AssumeRole`, not cached credentials — to know
   * before any copy that the bot will be able to follow it. Throws the CloudError when refused
   * (`role_not_assumable` for a missing role or one that does not trust the source account).
   */
  checkReadRole(reader: DestinationReader, region: string): Promise<void>;
  /** Finds snapshots by exact name in a destination account (to find a copy whose id was lost). */
  findDestinationSnapshotsByName(
    reader: DestinationReader,
    region: string,
    name: string,
  ): Promise<Snapshot[]>;
  /**
   * Shares a source snapshot with an account (the source account's own call; no collaborator
   * grant). Sharing again with an account already listed changes nothing.
   */
  shareSnapshot(request: ShareRequest): Promise<ShareAccepted>;
  /** The accounts a source snapshot is shared with (DescribeSnapshotSharePermission). */
  listSnapshotShares(snapshotId: string, region: string): Promise<string[]>;
  /** The source account's collaborators (CAM `ListCollaborators`, every page). */
  listCollaborators(): Promise<Collaborator[]>;
  /** Policies reaching a user of the source account, directly and through groups (every page). */
  listAttachedPolicies(targetUin: string): Promise<AttachedPolicy[]>;
  /** A policy's document (JSON text); undefined when the policy no longer exists. */
  getPolicyDocument(policyId: string): Promise<string | undefined>;
}
