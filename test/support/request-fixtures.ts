import type { ReplicationRequest } from "../../src/core/request/request.js";
import type { Snapshot } from "../../src/core/snapshot.js";

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

/** A pending request by alice to copy `aSnapshot()` to dr-prod; override what the test is about. */
export function aRequest(overrides: Partial<ReplicationRequest> = {}): ReplicationRequest {
  const now = new Date().toISOString();
  return {
    id: "rq-abc123",
    kind: "replicate",
    state: "pending_approval",
    requestedBy: "U0ALICE",
    requestChannel: "C0REQUESTS",
    createdAt: now,
    updatedAt: now,
    snapshot: aSnapshot(),
    destination: { alias: "dr-prod", accountUin: "200000000002" },
    newName: "db-copy",
    approvals: [],
    copy: {},
    ...overrides,
  };
}
