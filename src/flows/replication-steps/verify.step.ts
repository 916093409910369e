import type { ReplicationRequest } from "../../domain/request.js";
import type { FlowDeps } from "../flow-deps.js";
import { fail, finish, formatDuration, type StepOutcome } from "./step-outcome.js";

/** How long a new copy may be invisible in the destination before it counts as lost. */
const COPY_VISIBILITY_GRACE_MS = 120_000;

export async function verify(deps: FlowDeps, request: ReplicationRequest): Promise<StepOutcome> {
  const { destination, copy: facts } = request;
  const newId = facts.newSnapshotId;
  if (!newId || !destination.readRoleArn) {
    return fail(deps, request, {
      code: "copy.outcome_unknown",
      message: "The copy's id was lost; cannot verify it.",
    });
  }
  const [copied] = await deps.cloud.describeDestinationSnapshots(
    { accountUin: destination.accountUin, readRoleArn: destination.readRoleArn },
    request.snapshot.region,
    [newId],
  );
  const startedMs = Date.parse(facts.startedAt ?? request.updatedAt);
  const elapsed = deps.clock.now().getTime() - startedMs;
  if (!copied) {
    if (elapsed < COPY_VISIBILITY_GRACE_MS)
      return { kind: "wait", delayMs: deps.config.replication.pollInterval };
    return fail(deps, request, {
      code: "copy.missing",
      message: `The copy ${newId} is not in account ${destination.accountUin}: it failed or was deleted there.`,
    });
  }
  if (copied.state === "NORMAL") {
    if (copied.diskSizeGiB !== request.snapshot.diskSizeGiB) {
      return fail(deps, request, {
        code: "copy.size_mismatch",
        message: `The copy ${newId} is ${copied.diskSizeGiB} GiB but the source is ${request.snapshot.diskSizeGiB} GiB.`,
      });
    }
    const finishedAt = deps.clock.now().toISOString();
    const result = await deps.store.transition(request.id, ["verifying"], "completed", {
      copy: { ...facts, finishedAt },
    });
    if (result.ok) {
      await deps.notifier.postThreadReply(
        result.request,
        `Verified: \`${newId}\` is NORMAL in account ${destination.accountUin}, ${copied.diskSizeGiB} GiB as the source. Completed in ${formatDuration(elapsed)}.`,
      );
      await finish(deps, result.request);
    }
    return { kind: "done", state: "completed" };
  }
  if (elapsed > deps.config.replication.maxCopyDuration) {
    return fail(deps, request, {
      code: "copy.stuck",
      message: `The copy ${newId} is still ${copied.state} at ${copied.percent}% after ${formatDuration(elapsed)}; the bot stopped waiting.`,
    });
  }
  const quarter = Math.min(3, Math.floor(copied.percent / 25));
  if (quarter > (facts.reportedQuarter ?? 0)) {
    const updated = await deps.store.update(request.id, { copy: { ...facts, reportedQuarter: quarter } });
    if (updated)
      await deps.notifier.postThreadReply(updated, `Copying: ${copied.percent}% (${copied.state}).`);
  }
  return { kind: "wait", delayMs: deps.config.replication.pollInterval };
}
