import type { FlowDeps } from "../../../app/flow-deps.js";
import type { StepOutcome, StepResult } from "../../../app/request-kind.js";
import { advance, fail, failFromCloud, finish, formatDuration } from "../../../app/request-steps.js";
import { code, text } from "../../../core/messages/message.js";
import { CloudError } from "../../../core/ports/cloud-api.port.js";
import { type SnapshotCopyRequest, shareMeaning } from "../snapshot-copy.request.js";

/** How long an accepted share may be missing from DescribeSnapshotSharePermission before it counts as lost. */
const SHARE_VISIBILITY_GRACE_MS = 120_000;

/**
 * The share method's write (docs/decisions/017). No claim fence as for a copy (decision 008):
 * sharing a snapshot with an account it is already shared with changes nothing, so a run that
 * crashed or lost the answer simply shares again. A transient error is thrown for the queue's retry.
 */
export async function share(deps: FlowDeps, request: SnapshotCopyRequest): Promise<StepResult> {
  const { destination } = request;
  const { snapshotId, region } = request.spec.snapshot;
  let accepted: { requestId: string };
  try {
    accepted = await deps.cloud.shareSnapshot({ snapshotId, region, accountUin: destination.accountUin });
  } catch (err) {
    if (err instanceof CloudError && !err.retryable) return failFromCloud(deps, request, err);
    throw err;
  }
  const now = deps.clock.now().toISOString();
  const progress = {
    ...request.progress,
    sharedAt: now,
    startedAt: request.progress.startedAt ?? now,
    ...(accepted.requestId ? { cloudRequestId: accepted.requestId } : {}),
  };
  return advance(
    deps,
    request,
    { to: "running", step: "verifying" },
    { progress },
    text`Shared ${code(snapshotId)} with account ${destination.accountUin} (${destination.alias})${accepted.requestId ? `, Tencent request id ${accepted.requestId}` : ""}. Checking that the share is listed…`,
  );
}

/** The share is verified when DescribeSnapshotSharePermission lists the destination's account. */
export async function verifyShare(deps: FlowDeps, request: SnapshotCopyRequest): Promise<StepOutcome> {
  const { destination, progress } = request;
  const { snapshotId, region } = request.spec.snapshot;
  let accounts: string[];
  try {
    accounts = await deps.cloud.listSnapshotShares(snapshotId, region);
  } catch (err) {
    if (err instanceof CloudError && !err.retryable) return failFromCloud(deps, request, err);
    throw err;
  }
  const elapsed = deps.clock.now().getTime() - Date.parse(progress.sharedAt ?? request.updatedAt);
  if (!accounts.includes(destination.accountUin)) {
    if (elapsed < SHARE_VISIBILITY_GRACE_MS)
      return { kind: "wait", delayMs: deps.config.replication.pollInterval };
    return fail(deps, request, {
      code: "share.not_listed",
      message: `Tencent Cloud accepted the share, but ${snapshotId} is still not shared with account ${destination.accountUin} after ${formatDuration(elapsed)}.`,
    });
  }
  const result = await deps.store.transition(request.id, {
    to: "completed",
    from: { state: "running", step: "verifying" },
    patch: { progress: { ...progress, finishedAt: deps.clock.now().toISOString() } },
  });
  if (result.ok) {
    await deps.notifier.postThreadReply(
      result.request,
      text`Verified: account ${destination.accountUin} (${destination.alias}) is listed in the share permissions of ${code(snapshotId)}. Completed. This is a ${shareMeaning(snapshotId, destination.accountUin)}`,
    );
    await finish(deps, result.request);
  }
  return { kind: "done", state: "completed" };
}
