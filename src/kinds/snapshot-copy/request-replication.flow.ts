import { decideApprovalTerms, scheduleRequestExpiry } from "../../app/approval-terms.js";
import { checkRequester } from "../../app/approver-lookup.js";
import { type CheckedRequest, checkDestination } from "../../app/check-prerequisites.flow.js";
import type { FlowDeps } from "../../app/flow-deps.js";
import { resolveDestination } from "../../app/resolve-destination.js";
import { describeCheckRefusal, hardFailures } from "../../core/cam/prerequisites.js";
import { generateRequestId } from "../../core/ids.js";
import type { ReplicationRequest } from "../../core/request/request.js";
import { describeDiskUsage } from "../../core/snapshot.js";
import { defaultCopyName } from "./copy-name.js";
import { reserveCopyName } from "./reserve-copy-name.js";

export interface ReplicateInput {
  snapshotId: string;
  destination: string;
  newName?: string;
  region?: string;
  userId: string;
  channelId: string;
}

export type ReplicateOutcome =
  | { kind: "posted"; request: ReplicationRequest; cardChannel: string }
  | { kind: "refused"; message: string; checks?: CheckedRequest };

/** `/snapshot replicate`: validate against the configuration and the cloud, store, post the card. */
export async function requestReplication(deps: FlowDeps, input: ReplicateInput): Promise<ReplicateOutcome> {
  const { config } = deps;
  const log = deps.logger.child({ flow: "request-replication", snapshotId: input.snapshotId });
  if (config.slack.requestChannels.length > 0 && !config.slack.requestChannels.includes(input.channelId)) {
    const where = config.slack.requestChannels.map((c) => `<#${c}>`).join(", ");
    return { kind: "refused", message: `Replication requests are taken in ${where}, not here.` };
  }
  const lookup = resolveDestination(config, input.destination);
  if (!lookup.ok) return { kind: "refused", message: lookup.message };
  const destination = lookup.destination;
  const requester = await checkRequester(deps, input.userId, destination.alias);
  if (requester.kind === "refused") return { kind: "refused", message: requester.reason };

  // The prerequisite checks (snapshot, collaborator, permission): a hard failure refuses here,
  // privately and with the fix; anything else goes on the card for the approvers.
  const checks = await checkDestination(deps, destination, {
    snapshotId: input.snapshotId,
    ...(input.region ? { region: input.region } : {}),
  });
  const snapshot = checks.report.snapshot;
  if (snapshot?.state !== "NORMAL" || hardFailures(checks.report.results).length > 0) {
    log.info({ destination: destination.alias }, "refused by the prerequisite checks");
    return {
      kind: "refused",
      message: describeCheckRefusal(checks.report.results),
      checks: {
        snapshotId: input.snapshotId,
        destination: destination.alias,
        ...(input.region ? { region: input.region } : {}),
        results: checks.report.results,
      },
    };
  }

  const now = deps.clock.now();
  const id = generateRequestId();
  const wantedName = input.newName ?? defaultCopyName(snapshot.name, now);
  const newName = await reserveCopyName(
    deps,
    { id, accountUin: destination.accountUin, region: snapshot.region },
    wantedName,
    input.newName !== undefined,
  );
  if (!newName) {
    return {
      kind: "refused",
      message: `Another request already copies into ${destination.alias} (${destination.accountUin}) in ${snapshot.region} under the name "${wantedName}". Give this copy another name with \`as "<new name>"\`.`,
    };
  }
  const terms = await decideApprovalTerms(deps, snapshot, destination, newName, now);
  const request: ReplicationRequest = {
    id,
    kind: "replicate",
    state: "pending_approval",
    requestedBy: input.userId,
    requestChannel: input.channelId,
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    snapshot,
    destination,
    newName,
    approvals: [],
    copy: {},
    checks: checks.report.results,
    ...terms,
  };
  await deps.store.create(request);
  log.info(
    { requestId: request.id, destination: destination.alias, disk: describeDiskUsage(snapshot.diskUsage) },
    "replication requested",
  );

  const cardChannel = config.slack.approvalChannel ?? input.channelId;
  let card: Awaited<ReturnType<typeof deps.notifier.postApprovalCard>>;
  try {
    card = await deps.notifier.postApprovalCard(request, cardChannel);
  } catch (err) {
    // A request nobody can see must not linger as pending: close it and tell the requester why.
    log.error({ err, requestId: request.id }, "approval card could not be posted");
    await deps.store.transition(request.id, ["pending_approval"], "cancelled");
    return {
      kind: "refused",
      message: `I could not post the approval card in <#${cardChannel}> (is the app invited there?). Request ${request.id} was cancelled.`,
    };
  }
  const stored = (await deps.store.update(request.id, { card })) ?? { ...request, card };
  await scheduleRequestExpiry(deps, stored);
  return { kind: "posted", request: stored, cardChannel };
}
