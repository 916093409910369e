import type { FlowDeps } from "../../../app/flow-deps.js";
import type { StepOutcome, StepResult } from "../../../app/request-kind.js";
import { advance, fail, failFromCloud, finish, formatDuration } from "../../../app/request-steps.js";
import { code, text, tr } from "../../../core/messages/message.js";
import { CloudError } from "../../../core/ports/cloud-api.port.js";
import { type SnapshotCopyRequest, shareMeaningText } from "../snapshot-copy.request.js";

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
  return advance(deps, request, { to: "running", step: "verifying" }, { progress }, [
    tr(
      text`Shared ${code(snapshotId)} with account ${destination.accountUin} (${destination.alias})${accepted.requestId ? `, Tencent request id ${accepted.requestId}` : ""}. Checking that the share is listed…`,
      text`已将 ${code(snapshotId)} 共享给账号 ${destination.accountUin}（${destination.alias}）${accepted.requestId ? `，腾讯云请求 ID ${accepted.requestId}` : ""}。正在确认共享已列出…`,
    ),
  ]);
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
      message: [
        tr(
          text`Tencent Cloud accepted the share, but ${code(snapshotId)} is still not shared with account ${destination.accountUin} after ${formatDuration(elapsed)}.`,
          text`腾讯云已受理共享，但 ${formatDuration(elapsed)} 后 ${code(snapshotId)} 仍未共享给账号 ${destination.accountUin}。`,
        ),
      ],
    });
  }
  const result = await deps.store.transition(request.id, {
    to: "completed",
    from: { state: "running", step: "verifying" },
    patch: { progress: { ...progress, finishedAt: deps.clock.now().toISOString() } },
  });
  if (result.ok) {
    await deps.notifier.postThreadReply(result.request, [
      tr(
        text`Verified: account ${destination.accountUin} (${destination.alias}) is listed in the share permissions of ${code(snapshotId)}. Completed. This is a `,
        text`已验证：账号 ${destination.accountUin}（${destination.alias}）已列在 ${code(snapshotId)} 的共享权限中。已完成。这`,
      ),
      ...shareMeaningText(snapshotId, destination.accountUin),
    ]);
    await finish(deps, result.request);
  }
  return { kind: "done", state: "completed" };
}
