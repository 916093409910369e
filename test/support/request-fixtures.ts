import type { Snapshot } from "../../src/core/snapshot.js";
import type { SnapshotCopyRequest } from "../../src/kinds/snapshot-copy/snapshot-copy.request.js";

/** A NORMAL 100 GiB encrypted data-disk snapshot, as the source account's snap-abc12345. */
export function aSnapshot(overrides: Partial<Snapshot> = {}): Snapshot {
  return {
    snapshotId: "snap-abc12345",
    name: "db-daily",
    region: "ap-shanghai",
    state: "NORMAL",
    diskId: "disk-db000001",
    diskSizeGiB: 100,
    diskUsage: "DATA_DISK",
    encrypted: true,
    percent: 100,
    createdAt: "2026-11-24 03:00:00",
    ...overrides,
  };
}

export type RequestOverrides = Partial<SnapshotCopyRequest> & { snapshot?: Snapshot; newName?: string };

/** A pending request by alice to copy `aSnapshot()` to dr-prod; override what the test is about. */
export function aRequest(overrides: RequestOverrides = {}): SnapshotCopyRequest {
  const { snapshot, newName, ...rest } = overrides;
  const now = new Date().toISOString();
  return {
    id: "rq-abc123",
    kind: "snapshot-copy",
    state: "pending_approval",
    requestedBy: "U0ALICE",
    origin: "C0REQUESTS",
    createdAt: now,
    updatedAt: now,
    destination: { alias: "dr-prod", accountUin: "200000000002" },
    approvals: [],
    spec: { snapshot: snapshot ?? aSnapshot(), newName: newName ?? "db-copy" },
    progress: {},
    ...rest,
  };
}

/** A stored request as the manual copy it is (tests read its spec and progress). */
export function asCopy(request: unknown): SnapshotCopyRequest | undefined {
  return request as SnapshotCopyRequest | undefined;
}
