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
}

export interface CopyAccepted {
  newSnapshotId: string;
  requestId: string;
}

export interface DestinationReader {
  accountUin: string;
  readRoleArn: string;
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
}
