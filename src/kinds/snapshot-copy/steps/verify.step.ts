import type { FlowDeps } from "../../../app/flow-deps.js";
import type { StepOutcome } from "../../../app/request-kind.js";
import { fail, finish, formatDuration, type StepDeps } from "../../../app/request-steps.js";
import { code, text, time, tr } from "../../../core/messages/message.js";
import type { SnapshotCopyRequest } from "../snapshot-copy.request.js";

/** How long a new copy may be invisible in the destination before it counts as lost. */
const COPY_VISIBILITY_GRACE_MS = 120_000;

/**
 * Follows a copy to the end. It does not call the cloud itself: the copy poller
 * (copy-watch.flow.ts) reads every copy in flight in batches and records what it saw; this step
 * registers the copy with it (idempotent, so a resumed job re-registers) and reads the last
 * observation made after the copy started.
 */
/** The ports the verify step uses: the step's bookkeeping, the poller's observations and the clock. */
export type VerifyStepDeps = StepDeps & Pick<FlowDeps, "copyWatch" | "clock" | "config">;

export async function verify(deps: VerifyStepDeps, request: SnapshotCopyRequest): Promise<StepOutcome> {
  const { destination, progress: facts } = request;
  const newId = facts.newSnapshotId;
  if (!newId || !destination.readRoleArn) {
    return fail(deps, request, {
      code: "copy.outcome_unknown",
      message: [tr("The copy's id was lost; cannot verify it.", "副本的 ID 丢失，无法验证。")],
    });
  }
  await deps.copyWatch.watch({
    requestId: request.id,
    accountUin: destination.accountUin,
    readRoleArn: destination.readRoleArn,
    region: request.spec.snapshot.region,
    snapshotId: newId,
  });
  const startedMs = Date.parse(facts.startedAt ?? request.updatedAt);
  const elapsed = deps.clock.now().getTime() - startedMs;
  const { maxCopyDuration } = deps.config.replication;
  const wait: StepOutcome = { kind: "wait", delayMs: deps.config.replication.pollInterval };
  const seen = await deps.copyWatch.observation(request.id);
  if (!seen || Date.parse(seen.at) < startedMs) {
    return elapsed > maxCopyDuration ? stuck(deps, request, elapsed, "unseen") : wait;
  }
  if (seen.kind === "error") {
    if (!seen.retryable) {
      return fail(deps, request, {
        code: seen.code,
        ...(seen.cloud ? { cloud: seen.cloud } : {}),
        message: [
          tr(
            text`The bot cannot read account ${destination.accountUin} to follow the copy ${code(newId)}: "${seen.message}"`,
            text`机器人无法读取账号 ${destination.accountUin} 来跟踪副本 ${code(newId)}：“${seen.message}”`,
          ),
        ],
        ...(seen.cloudRequestId ? { cloudRequestId: seen.cloudRequestId } : {}),
      });
    }
    return elapsed > maxCopyDuration ? stuck(deps, request, elapsed, "unreadable") : wait;
  }
  if (seen.kind === "absent") {
    const where = text`${destination.alias} (${destination.accountUin}), ${request.spec.snapshot.region}`;
    const whereZh = text`${destination.alias}（${destination.accountUin}）的 ${request.spec.snapshot.region} 地域`;
    if (facts.seenAt) {
      // It was listed there before: gone now, it was deleted or failed in the destination.
      return fail(deps, request, {
        code: "copy.vanished",
        message: [
          tr(
            text`The copy ${code(newId)} vanished from account ${where}: it was listed there (first seen ${time(facts.seenAt)}) and is no longer — deleted, or failed in the destination.`,
            text`副本 ${code(newId)} 已从账号 ${whereZh}消失：它曾出现在那里（首次看到于 ${time(facts.seenAt)}），现在已不在——被删除了，或在目标账号中复制失败。`,
          ),
        ],
      });
    }
    // Within the grace a new copy may just not be listed yet, but never past maxCopyDuration.
    if (elapsed < COPY_VISIBILITY_GRACE_MS) {
      if (elapsed > maxCopyDuration) return stuck(deps, request, elapsed, "absent");
      await sayWaitingForVisibility(
        deps,
        request,
        startedMs + Math.min(COPY_VISIBILITY_GRACE_MS, maxCopyDuration),
      );
      return wait;
    }
    return fail(deps, request, {
      code: "copy.missing",
      message: [
        tr(
          text`The copy ${code(newId)} never appeared in account ${where} within ${formatDuration(COPY_VISIBILITY_GRACE_MS)} of the copy call: it failed or was deleted there.`,
          text`复制调用后 ${formatDuration(COPY_VISIBILITY_GRACE_MS)} 内，副本 ${code(newId)} 始终未出现在账号 ${whereZh}：复制失败或已被删除。`,
        ),
      ],
    });
  }
  if (!facts.seenAt) {
    const updated = await deps.store.update(request.id, {
      progress: { ...facts, seenAt: seen.at },
    });
    if (updated) request = updated as SnapshotCopyRequest;
  }
  const progress = request.progress;
  if (seen.state === "NORMAL") {
    if (seen.diskSizeGiB !== request.spec.snapshot.diskSizeGiB) {
      return fail(deps, request, {
        code: "copy.size_mismatch",
        message: [
          tr(
            text`The copy ${code(newId)} is ${seen.diskSizeGiB} GiB but the source is ${request.spec.snapshot.diskSizeGiB} GiB.`,
            text`副本 ${code(newId)} 为 ${seen.diskSizeGiB} GiB，但源快照为 ${request.spec.snapshot.diskSizeGiB} GiB。`,
          ),
        ],
      });
    }
    const finishedAt = deps.clock.now().toISOString();
    const result = await deps.store.transition(request.id, {
      to: "completed",
      from: { state: "running", step: "verifying" },
      patch: { progress: { ...progress, finishedAt } },
    });
    await deps.copyWatch.unwatch(request.id);
    if (result.ok) {
      await deps.notifier.postThreadReply(result.request, [
        tr(
          text`Verified: ${code(newId)} is NORMAL in account ${destination.accountUin}, ${seen.diskSizeGiB} GiB as the source. Completed in ${formatDuration(elapsed)}.`,
          text`已验证：${code(newId)} 在账号 ${destination.accountUin} 中状态为 NORMAL，大小 ${seen.diskSizeGiB} GiB，与源快照一致。用时 ${formatDuration(elapsed)} 完成。`,
        ),
      ]);
      await finish(deps, result.request);
    }
    return { kind: "done", state: "completed" };
  }
  if (elapsed > maxCopyDuration) {
    return stuck(deps, request, elapsed, "in_progress", seen);
  }
  const quarter = Math.min(3, Math.floor(seen.percent / 25));
  if (quarter > (progress.reportedQuarter ?? 0)) {
    const updated = await deps.store.update(request.id, {
      progress: { ...progress, reportedQuarter: quarter },
    });
    if (updated)
      await deps.notifier.postThreadReply(updated, [
        tr(`Copying: ${seen.percent}% (${seen.state}).`, `复制中：${seen.percent}%（${seen.state}）。`),
      ]);
  }
  return wait;
}

/**
 * Says once in the thread that the bot waits for the new copy to be listed in the destination, and
 * until when: a new copy can take a moment to show in DescribeSnapshots.
 */
async function sayWaitingForVisibility(
  deps: VerifyStepDeps,
  request: SnapshotCopyRequest,
  untilMs: number,
): Promise<void> {
  if (request.progress.visibilityNoticeAt) return;
  const now = deps.clock.now().toISOString();
  const updated = await deps.store.update(
    request.id,
    { progress: { ...request.progress, visibilityNoticeAt: now } },
    { state: "running", step: "verifying" },
  );
  if (!updated) return;
  const newId = request.progress.newSnapshotId ?? "";
  const { accountUin } = request.destination;
  const until = new Date(untilMs).toISOString();
  await deps.notifier.postThreadReply(updated, [
    tr(
      text`Waiting for the new copy ${code(newId)} to be listed in account ${accountUin} (${request.spec.snapshot.region}): a new copy can take a moment to appear. I wait until ${time(until)}; if it is not listed by then, the copy failed or was deleted there.`,
      text`正在等待新副本 ${code(newId)} 出现在账号 ${accountUin}（${request.spec.snapshot.region}）中：新副本可能需要一点时间才会列出。最多等到 ${time(until)}；届时仍未列出，则说明复制失败或副本已被删除。`,
    ),
  ]);
}

function stuck(
  deps: StepDeps,
  request: SnapshotCopyRequest,
  elapsed: number,
  how: "unseen" | "absent" | "unreadable" | "in_progress",
  seen?: { state: string; percent: number },
): Promise<StepOutcome> {
  const newId = code(request.progress.newSnapshotId ?? "?");
  const { accountUin } = request.destination;
  const took = formatDuration(elapsed);
  const detail = {
    unseen: tr("has not been seen yet", "仍未被看到"),
    absent: tr(text`is not in account ${accountUin}`, text`不在账号 ${accountUin} 中`),
    unreadable: tr("could not be read in the destination", "在目标账号中无法读取"),
    in_progress: tr(
      `is still ${seen?.state} at ${seen?.percent ?? 0}%`,
      `仍处于 ${seen?.state} 状态，进度 ${seen?.percent ?? 0}%`,
    ),
  }[how];
  return fail(deps, request, {
    code: "copy.stuck",
    message: [
      tr(
        text`The copy ${newId} ${detail} after ${took}; the bot stopped waiting.`,
        text`${took} 后副本 ${newId} ${detail}；机器人已停止等待。`,
      ),
    ],
  });
}
