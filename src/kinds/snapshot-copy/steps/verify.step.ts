import type { FlowDeps } from "../../../app/flow-deps.js";
import type { StepOutcome } from "../../../app/request-kind.js";
import { fail, finish, formatDuration, type StepDeps } from "../../../app/request-steps.js";
import { code, text } from "../../../core/messages/message.js";
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
      message: "The copy's id was lost; cannot verify it.",
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
  const wait: StepOutcome = { kind: "wait", delayMs: deps.config.replication.pollInterval };
  const seen = await deps.copyWatch.observation(request.id);
  if (!seen || Date.parse(seen.at) < startedMs) {
    return elapsed > deps.config.replication.maxCopyDuration ? stuck(deps, request, elapsed, "unseen") : wait;
  }
  if (seen.kind === "error") {
    if (!seen.retryable) {
      return fail(deps, request, {
        code: seen.code,
        ...(seen.cloud ? { cloud: seen.cloud } : {}),
        message: `The bot cannot read account ${destination.accountUin} to follow the copy ${newId}: ${seen.message}`,
        ...(seen.cloudRequestId ? { cloudRequestId: seen.cloudRequestId } : {}),
      });
    }
    return elapsed > deps.config.replication.maxCopyDuration
      ? stuck(deps, request, elapsed, "unreadable")
      : wait;
  }
  if (seen.kind === "absent") {
    // Within the grace a new copy may just not be listed yet, but never past maxCopyDuration.
    if (elapsed < COPY_VISIBILITY_GRACE_MS)
      return elapsed > deps.config.replication.maxCopyDuration
        ? stuck(deps, request, elapsed, "absent")
        : wait;
    return fail(deps, request, {
      code: "copy.missing",
      message: `The copy ${newId} is not in account ${destination.accountUin}: it failed or was deleted there.`,
    });
  }
  if (seen.state === "NORMAL") {
    if (seen.diskSizeGiB !== request.spec.snapshot.diskSizeGiB) {
      return fail(deps, request, {
        code: "copy.size_mismatch",
        message: `The copy ${newId} is ${seen.diskSizeGiB} GiB but the source is ${request.spec.snapshot.diskSizeGiB} GiB.`,
      });
    }
    const finishedAt = deps.clock.now().toISOString();
    const result = await deps.store.transition(request.id, {
      to: "completed",
      from: { state: "running", step: "verifying" },
      patch: { progress: { ...facts, finishedAt } },
    });
    await deps.copyWatch.unwatch(request.id);
    if (result.ok) {
      await deps.notifier.postThreadReply(
        result.request,
        text`Verified: ${code(newId)} is NORMAL in account ${destination.accountUin}, ${seen.diskSizeGiB} GiB as the source. Completed in ${formatDuration(elapsed)}.`,
      );
      await finish(deps, result.request);
    }
    return { kind: "done", state: "completed" };
  }
  if (elapsed > deps.config.replication.maxCopyDuration) {
    return stuck(deps, request, elapsed, `still ${seen.state} at ${seen.percent}%`);
  }
  const quarter = Math.min(3, Math.floor(seen.percent / 25));
  if (quarter > (facts.reportedQuarter ?? 0)) {
    const updated = await deps.store.update(request.id, { progress: { ...facts, reportedQuarter: quarter } });
    if (updated)
      await deps.notifier.postThreadReply(updated, text`Copying: ${seen.percent}% (${seen.state}).`);
  }
  return wait;
}

function stuck(
  deps: StepDeps,
  request: SnapshotCopyRequest,
  elapsed: number,
  how: string,
): Promise<StepOutcome> {
  const newId = request.progress.newSnapshotId ?? "(unknown)";
  const detail =
    how === "unseen"
      ? "has not been seen yet"
      : how === "absent"
        ? `is not in account ${request.destination.accountUin}`
        : how === "unreadable"
          ? "could not be read in the destination"
          : `is ${how}`;
  return fail(deps, request, {
    code: "copy.stuck",
    message: `The copy ${newId} ${detail} after ${formatDuration(elapsed)}; the bot stopped waiting.`,
  });
}
