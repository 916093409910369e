import type { Snapshot } from "../snapshot.js";

/** A failure reported by the cloud, already classified. */
export interface CloudFailure {
  /** Tencent's error code (`InvalidSnapshotId.NotFound`), or `cloud.network` / `cloud.http_<status>`. */
  code: string;
  message: string;
  requestId?: string;
  /** True when trying again later may succeed (rate limits, internal errors, timeouts). */
  retryable: boolean;
}

export class CloudError extends Error implements CloudFailure {
  readonly code: string;
  readonly requestId?: string;
  readonly retryable: boolean;
  constructor(failure: CloudFailure) {
    super(failure.message);
    this.name = "CloudError";
    this.code = failure.code;
    this.retryable = failure.retryable;
    if (failure.requestId !== undefined) this.requestId = failure.requestId;
  }
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
