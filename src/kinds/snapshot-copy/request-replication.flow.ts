import type { AuditDeps } from "../../app/approver-lookup.js";
import { type CheckDeps, type CheckedRequest, checkDestination } from "../../app/check-prerequisites.flow.js";
import {
  type AdmitDeps,
  admitRequest,
  checksRefusalReason,
  describeFailedChecks,
  refuserFor,
  type SubmitDeps,
  type SubmitOutcome,
  submitRequest,
} from "../../app/submit-request.flow.js";
import { describeCheckRefusal, hardFailures } from "../../core/cam/prerequisites.js";
import { generateRequestId } from "../../core/ids.js";
import { code, type Text, text, tr } from "../../core/messages/message.js";
import { describeDiskUsage } from "../../core/snapshot.js";
import { defaultCopyName } from "./copy-name.js";
import { reserveCopyName } from "./reserve-copy-name.js";
import { SNAPSHOT_COPY, type SnapshotCopyRequest, type SnapshotCopySpec } from "./snapshot-copy.request.js";

export interface ReplicateInput {
  snapshotId: string;
  destination: string;
  newName?: string;
  region?: string;
  userId: string;
  channelId: string;
}

export type ReplicateOutcome =
  | { kind: "posted"; request: SnapshotCopyRequest; cardChannel: string }
  | { kind: "refused"; message: Text; checks?: CheckedRequest };

/** The ports `/snapshot replicate` uses: admission, the checks, the name reservation and submission. */
export type ReplicateDeps = AdmitDeps & CheckDeps & SubmitDeps & AuditDeps;

/** `/snapshot replicate`: validate against the configuration and the cloud, then submit the request. */
export async function requestReplication(
  deps: ReplicateDeps,
  input: ReplicateInput,
): Promise<ReplicateOutcome> {
  const log = deps.logger.child({ flow: "request-replication", snapshotId: input.snapshotId });
  // The id is taken first: a refused attempt is recorded under the id it would have had.
  const id = generateRequestId();
  const asked = `${input.snapshotId} → ${input.destination}${input.newName !== undefined ? ` as "${input.newName}"` : ""}`;
  const refuse = refuserFor(deps, { requestId: id, userId: input.userId, what: SNAPSHOT_COPY, asked });
  const admission = await admitRequest(deps, input);
  if (admission.kind === "refused") return refuse(admission.reason, admission.message);
  const { destination } = admission;

  // The prerequisite checks (snapshot, collaborator, permission): a hard failure refuses here,
  // privately and with the fix; anything else goes on the card for the approvers.
  const checks = await checkDestination(deps, destination, {
    snapshotId: input.snapshotId,
    ...(input.region ? { region: input.region } : {}),
  });
  const snapshot = checks.report.snapshot;
  if (snapshot?.state !== "NORMAL" || hardFailures(checks.report.results).length > 0) {
    log.info({ destination: destination.alias }, "refused by the prerequisite checks");
    const { results } = checks.report;
    const refused = await refuse(
      checksRefusalReason(results),
      describeCheckRefusal(results),
      describeFailedChecks(results),
    );
    return {
      ...refused,
      checks: {
        snapshotId: input.snapshotId,
        destination: destination.alias,
        ...(input.region ? { region: input.region } : {}),
        ...(input.newName !== undefined ? { newName: input.newName } : {}),
        results: checks.report.results,
      },
    };
  }

  let newName: string | undefined;
  if (destination.method === "share") {
    // A share is the source snapshot itself, under its own name: there is no new snapshot to name.
    if (input.newName !== undefined) {
      return refuse("request.name_with_share", [
        tr(
          text`Destination ${destination.alias} receives a share, not a copy, of the source snapshot: the share keeps the source snapshot's name, so ${code('as "<new name>"')} does not apply. Ask again without it.`,
          text`目标账号 ${destination.alias} 接收的是源快照的共享而非复制：共享沿用源快照的名称，因此 ${code('as "<new name>"')} 不适用。请去掉它后重新申请。`,
        ),
      ]);
    }
    newName = snapshot.name || snapshot.snapshotId;
  } else {
    const wantedName = input.newName ?? defaultCopyName(snapshot.name, deps.clock.now());
    newName = await reserveCopyName(
      deps,
      { id, accountUin: destination.accountUin, region: snapshot.region },
      wantedName,
      input.newName !== undefined,
    );
    if (!newName) {
      const name = code(wantedName);
      const as = code('as "<new name>"');
      return refuse("request.name_taken", [
        tr(
          text`Another request already copies into ${destination.alias} (${destination.accountUin}) in ${snapshot.region} under the name ${name}. Give this copy another name with ${as}.`,
          text`另一个申请已在 ${snapshot.region} 以名称 ${name} 复制到 ${destination.alias}（${destination.accountUin}）。请用 ${as} 为此次复制另取一个名称。`,
        ),
      ]);
    }
  }
  log.info(
    { destination: destination.alias, disk: describeDiskUsage(snapshot.diskUsage) },
    "replication requested",
  );
  const spec: SnapshotCopySpec = { snapshot, newName };
  let outcome: SubmitOutcome;
  try {
    outcome = await submitRequest(deps, {
      id,
      kind: SNAPSHOT_COPY,
      requestedBy: input.userId,
      origin: input.channelId,
      destination,
      checks: checks.report.results,
      spec,
      progress: {},
    });
  } catch (err) {
    // Never stored: the name it reserved must not block the person's next try.
    await deps.store
      .releaseName(`${destination.accountUin}:${snapshot.region}`, newName, id)
      .catch(() => undefined);
    throw err;
  }
  return outcome.kind === "posted"
    ? { kind: "posted", request: outcome.request as SnapshotCopyRequest, cardChannel: outcome.cardChannel }
    : outcome;
}
