import type { Snapshot } from "../snapshot.js";

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

/** A failure reported by the cloud, already classified. */
export interface CloudFailure {
  /** The provider's error code (`InvalidSnapshotId.NotFound`), or `cloud.network` / `cloud.http_<status>`: for people and logs. */
  code: string;
  message: string;
  requestId?: string;
  category: CloudErrorCategory;
}

export class CloudError extends Error implements CloudFailure {
  readonly code: string;
  readonly requestId?: string;
  readonly category: CloudErrorCategory;
  constructor(failure: CloudFailure) {
    super(failure.message);
    this.name = "CloudError";
    this.code = failure.code;
    this.category = failure.category;
    if (failure.requestId !== undefined) this.requestId = failure.requestId;
  }

  /** True when trying again later may succeed. */
  get retryable(): boolean {
    return this.category !== "permanent";
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

/** The port through which the domain and flows reach Tencent Cloud. Throws CloudError. */
export interface CloudApi {
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
  /** Finds snapshots by exact name in a destination account (to find a copy whose id was lost). */
  findDestinationSnapshotsByName(
    reader: DestinationReader,
    region: string,
    name: string,
  ): Promise<Snapshot[]>;
  /** The source account's collaborators (CAM `ListCollaborators`, every page). */
  listCollaborators(): Promise<Collaborator[]>;
  /** Policies reaching a user of the source account, directly and through groups (every page). */
  listAttachedPolicies(targetUin: string): Promise<AttachedPolicy[]>;
  /** A policy's document (JSON text); undefined when the policy no longer exists. */
  getPolicyDocument(policyId: string): Promise<string | undefined>;
}
