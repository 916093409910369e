import { CloudError } from "../../domain/ports/cloud-api.port.js";
import type { ReplicationRequest } from "../../domain/request.js";
import type { FlowDeps } from "../flow-deps.js";
import { advance, fail, failFromCloud, finish, type StepResult } from "./step-outcome.js";

export async function copy(deps: FlowDeps, request: ReplicationRequest): Promise<StepResult> {
  const { destination } = request;
  let newSnapshotId = request.copy.newSnapshotId;
  let cloudRequestId = request.copy.cloudRequestId;

  if (!newSnapshotId && request.copy.copyRequestedAt) {
    // A previous run may have reached Tencent Cloud before it died: look before calling again.
    if (!destination.readRoleArn) {
      return fail(deps, request, {
        code: "copy.outcome_unknown",
        message:
          "The bot stopped while the copy was being requested, and without a read role it cannot tell whether the copy was made. It did not request a second copy.",
      });
    }
    const found = await deps.cloud.findDestinationSnapshotsByName(
      { accountUin: destination.accountUin, readRoleArn: destination.readRoleArn },
      request.snapshot.region,
      request.newName,
    );
    newSnapshotId = found[0]?.snapshotId;
  }

  if (!newSnapshotId) {
    // Record the intent before calling: a re-run that finds it must look for the copy first.
    await deps.store.update(request.id, {
      copy: { ...request.copy, copyRequestedAt: deps.clock.now().toISOString() },
    });
    try {
      const accepted = await deps.cloud.copySnapshotCrossAccount({
        snapshotId: request.snapshot.snapshotId,
        region: request.snapshot.region,
        targetAccountUin: destination.accountUin,
        newName: request.newName,
      });
      newSnapshotId = accepted.newSnapshotId;
      cloudRequestId = accepted.requestId;
    } catch (err) {
      if (err instanceof CloudError && err.code !== "cloud.network") {
        // Tencent answered with an error: the copy was not made, so a retry may call again.
        const { copyRequestedAt: _notMade, ...withoutIntent } = request.copy;
        await deps.store.update(request.id, { copy: withoutIntent });
      }
      if (err instanceof CloudError && !err.retryable) return failFromCloud(deps, request, err);
      throw err;
    }
  }

  const copyFacts = {
    ...request.copy,
    copyRequestedAt: request.copy.copyRequestedAt ?? deps.clock.now().toISOString(),
    newSnapshotId,
    startedAt: request.copy.startedAt ?? deps.clock.now().toISOString(),
    ...(cloudRequestId ? { cloudRequestId } : {}),
  };
  await deps.store.update(request.id, { copy: copyFacts });
  const started = `Copy started: new snapshot \`${newSnapshotId}\` in account ${destination.accountUin} (${destination.alias})${cloudRequestId ? `, Tencent request id ${cloudRequestId}` : ""}.`;
  if (!destination.readRoleArn) {
    const result = await deps.store.transition(request.id, ["copying"], "submitted", {
      copy: { ...copyFacts, finishedAt: deps.clock.now().toISOString() },
    });
    if (result.ok) {
      await deps.notifier.postThreadReply(result.request, started);
      await deps.notifier.postThreadReply(
        result.request,
        `Submitted; completion cannot be verified: destination "${destination.alias}" has no read role. Add \`readRoleArn\` to it in the configuration so the bot can follow copies to the end.`,
      );
      await finish(deps, result.request);
    }
    return { kind: "done", state: "submitted" };
  }
  await advance(
    deps,
    { ...request, copy: copyFacts },
    "verifying",
    { copy: { ...copyFacts, reportedQuarter: 0 } },
    started,
  );
  return { kind: "wait", delayMs: deps.config.replication.pollInterval };
}
