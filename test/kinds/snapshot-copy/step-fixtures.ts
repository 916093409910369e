import type { SnapshotCopyRequest } from "../../../src/kinds/snapshot-copy/snapshot-copy.request.js";
import { fingerprintNewPlan } from "../../../src/kinds/snapshot-copy/verify-plan.js";
import {
  DR_BLIND_UIN,
  DR_PROD_UIN,
  type MemoryPorts,
  memoryPorts,
  READ_ROLE,
} from "../../support/memory-ports.js";
import { aRequest, aSnapshot, type RequestOverrides } from "../../support/request-fixtures.js";

export const DR_PROD = { alias: "dr-prod", accountUin: DR_PROD_UIN, readRoleArn: READ_ROLE };
export const DR_BLIND = { alias: "dr-blind", accountUin: DR_BLIND_UIN };

/**
 * Ports with the source snapshot (`aSnapshot()`) in the cloud and dr-prod a collaborator allowed to
 * copy, and an approved request at `step`, stored as the worker would find it.
 */
export async function atStep(
  step: "checking" | "copying" | "verifying",
  overrides: RequestOverrides = {},
): Promise<MemoryPorts & { request: SnapshotCopyRequest }> {
  const ports = memoryPorts();
  const snapshot = aSnapshot();
  ports.cloud.sourceSnapshots.push(snapshot);
  ports.cloud.allowCollaborator(DR_PROD_UIN).allowCollaborator(DR_BLIND_UIN);
  const at = ports.clock.now();
  const destination = overrides.destination ?? DR_PROD;
  const request = aRequest({
    id: "rq-step01",
    state: "running",
    step,
    destination,
    createdAt: new Date(at.getTime() - 600_000).toISOString(),
    updatedAt: at.toISOString(),
    requiredApprovals: 1,
    approvals: [{ userId: "U0BOB", at: new Date(at.getTime() - 60_000).toISOString() }],
    planFingerprint: fingerprintNewPlan(snapshot, destination, "db-copy"),
    card: { conversation: "C0REQUESTS", id: "card-0" },
    ...overrides,
  });
  await ports.store.create(request);
  await ports.store.reserveName(
    `${destination.accountUin}:${snapshot.region}`,
    request.spec.newName,
    request.id,
  );
  return { ...ports, request };
}
