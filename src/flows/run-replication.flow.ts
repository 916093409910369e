import { suggestFix } from "../domain/failure-fixes.js";
import { CloudError } from "../domain/ports/cloud-api.port.js";
import type { ReplicationRequest, RequestFailure, RequestState } from "../domain/request.js";
import { isFinal } from "../domain/request.js";
import type { FlowDeps } from "./flow-deps.js";

/** What the queue should do after a step: stop, or come back later (without holding a worker slot). */
export type StepOutcome = { kind: "done"; state: RequestState } | { kind: "wait"; delayMs: number };

/** How long a new copy may be invisible in the destination before it counts as lost. */
const COPY_VISIBILITY_GRACE_MS = 120_000;

/**
 * One step of an approved request's replication (DESIGN §6). The request record holds the current
 * step and its facts, so a crash or restart resumes where it was. Transient cloud errors are thrown
 * (the queue retries them); permanent ones end the request as failed, with the fix.
 */
export async function runReplicationStep(deps: FlowDeps, requestId: string): Promise<StepOutcome> {
  let request = await deps.store.get(requestId);
  if (!request) {
    deps.logger.warn({ requestId }, "job for an unknown request; nothing to do");
    return { kind: "done", state: "failed" };
  }
  // Loop through the quick steps in one go; return as soon as there is something to wait for.
  for (let guard = 0; guard < 10; guard++) {
    if (isFinal(request.state)) return { kind: "done", state: request.state };
    const next = await runStep(deps, request);
    if (next.kind === "wait") return next;
    const reloaded = await deps.store.get(requestId);
    if (!reloaded) return { kind: "done", state: "failed" };
    request = reloaded;
  }
  return { kind: "wait", delayMs: 1000 };
}

async function runStep(
  deps: FlowDeps,
  request: ReplicationRequest,
): Promise<{ kind: "continue" } | StepOutcome> {
  switch (request.state) {
    case "approved":
      return advance(deps, request, "checking", {}, "Checking the source snapshot again before copying…");
    case "checking":
      return check(deps, request);
    case "copying":
      return copy(deps, request);
    case "verifying":
      return verify(deps, request);
    default:
      return { kind: "done", state: request.state };
  }
}

async function advance(
  deps: FlowDeps,
  request: ReplicationRequest,
  to: RequestState,
  patch: Partial<ReplicationRequest>,
  threadText?: string,
): Promise<{ kind: "continue" }> {
  const result = await deps.store.transition(request.id, [request.state], to, patch);
  if (result.ok) {
    await deps.notifier.updateCard(result.request);
    if (threadText) await deps.notifier.postThreadReply(result.request, threadText);
  }
  return { kind: "continue" };
}

async function check(
  deps: FlowDeps,
  request: ReplicationRequest,
): Promise<{ kind: "continue" } | StepOutcome> {
  const snapshot = await deps.cloud.findSourceSnapshot(request.snapshot.snapshotId, [
    request.snapshot.region,
  ]);
  if (!snapshot) {
    return fail(deps, request, {
      code: "snapshot.not_found",
      message: `Snapshot ${request.snapshot.snapshotId} no longer exists in ${request.snapshot.region}.`,
    });
  }
  if (snapshot.state !== "NORMAL") {
    return fail(deps, request, {
      code: "snapshot.not_normal",
      message: `Snapshot ${snapshot.snapshotId} is ${snapshot.state}, not NORMAL.`,
    });
  }
  return advance(
    deps,
    request,
    "copying",
    {},
    `Checks passed: ${snapshot.snapshotId} is NORMAL (${snapshot.diskSizeGiB} GiB). Starting the copy to account ${request.destination.accountUin}…`,
  );
}

async function copy(
  deps: FlowDeps,
  request: ReplicationRequest,
): Promise<{ kind: "continue" } | StepOutcome> {
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

async function verify(deps: FlowDeps, request: ReplicationRequest): Promise<StepOutcome> {
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

function failFromCloud(deps: FlowDeps, request: ReplicationRequest, err: CloudError): Promise<StepOutcome> {
  return fail(deps, request, {
    code: err.code,
    message: err.message,
    ...(err.requestId ? { cloudRequestId: err.requestId } : {}),
  });
}

/** Ends a request as failed, says why and how to fix it in the thread, on the card and in the channel. */
export async function failReplication(
  deps: FlowDeps,
  requestId: string,
  failure: Omit<RequestFailure, "fix">,
): Promise<void> {
  const request = await deps.store.get(requestId);
  if (request && !isFinal(request.state)) await fail(deps, request, failure);
}

async function fail(
  deps: FlowDeps,
  request: ReplicationRequest,
  failure: Omit<RequestFailure, "fix">,
): Promise<StepOutcome> {
  const fix = suggestFix(failure.code, {
    sourceUin: deps.config.source.accountUin,
    destinationUin: request.destination.accountUin,
    destinationAlias: request.destination.alias,
  });
  const full: RequestFailure = { ...failure, ...(fix ? { fix } : {}) };
  const result = await deps.store.transition(
    request.id,
    ["approved", "checking", "copying", "verifying"],
    "failed",
    { failure: full },
  );
  if (!result.ok)
    return { kind: "done", state: result.reason === "wrong_state" ? result.request.state : "failed" };
  deps.logger.warn({ requestId: request.id, code: failure.code }, "replication failed");
  const lines = [`Failed: ${failure.message}`];
  if (failure.cloudRequestId) lines.push(`Tencent request id: ${failure.cloudRequestId}`);
  if (fix) lines.push(`How to fix: ${fix}`);
  await deps.notifier.postThreadReply(result.request, lines.join("\n"));
  await finish(deps, result.request);
  return { kind: "done", state: "failed" };
}

async function finish(deps: FlowDeps, request: ReplicationRequest): Promise<void> {
  await deps.notifier.updateCard(request);
  const channel = deps.config.slack.notifyChannel ?? request.card?.channel ?? request.requestChannel;
  await deps.notifier.announceOutcome(request, channel);
}

export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${seconds % 60}s`;
  return `${Math.floor(minutes / 60)}h ${minutes % 60}m`;
}
