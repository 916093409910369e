import { defaultCopyName } from "../domain/copy-name.js";
import { generateRequestId } from "../domain/ids.js";
import { CloudError } from "../domain/ports/cloud-api.port.js";
import type { ReplicationRequest } from "../domain/request.js";
import { describeDiskUsage } from "../domain/snapshot.js";
import type { FlowDeps } from "./flow-deps.js";
import { resolveDestination } from "./resolve-destination.js";

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
  | { kind: "refused"; message: string };

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

  const regions = input.region ? [input.region] : config.source.regions;
  let snapshot: Awaited<ReturnType<typeof deps.cloud.findSourceSnapshot>>;
  try {
    snapshot = await deps.cloud.findSourceSnapshot(input.snapshotId, regions);
  } catch (err) {
    log.warn({ err }, "snapshot look-up failed");
    const detail = err instanceof CloudError ? `${err.code}: ${err.message}` : "unexpected error";
    return {
      kind: "refused",
      message: `I could not look up \`${input.snapshotId}\` in Tencent Cloud (${detail}). Nothing was created; try again in a minute.`,
    };
  }
  if (!snapshot) {
    return {
      kind: "refused",
      message: `Snapshot \`${input.snapshotId}\` was not found in source account ${config.source.accountUin} (regions searched: ${regions.join(", ")}). Check the id, or add \`in <region>\`.`,
    };
  }
  if (snapshot.state !== "NORMAL") {
    return {
      kind: "refused",
      message: `Snapshot \`${snapshot.snapshotId}\` is ${snapshot.state}${snapshot.state === "CREATING" ? ` (${snapshot.percent}% done)` : ""}; only a NORMAL snapshot can be copied. Try again when it is NORMAL.`,
    };
  }

  const now = deps.clock.now();
  const request: ReplicationRequest = {
    id: generateRequestId(),
    kind: "replicate",
    state: "pending_approval",
    requestedBy: input.userId,
    requestChannel: input.channelId,
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    snapshot,
    destination,
    newName: input.newName ?? defaultCopyName(snapshot.name, now),
    approvals: [],
    copy: {},
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
  return { kind: "posted", request: stored, cardChannel };
}
