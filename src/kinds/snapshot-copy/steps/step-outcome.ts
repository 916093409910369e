import type { FlowDeps } from "../../../app/flow-deps.js";
import { suggestFix } from "../../../core/failure-fixes.js";
import type { CloudError } from "../../../core/ports/cloud-api.port.js";
import type { ReplicationRequest, RequestFailure, RequestState } from "../../../core/request/request.js";

/** What the queue should do after a step: stop, or come back later (without holding a worker slot). */
export type StepOutcome = { kind: "done"; state: RequestState } | { kind: "wait"; delayMs: number };
/** A step either hands over to the next step at once, or says what the queue should do. */
export type StepResult = { kind: "continue" } | StepOutcome;

export async function advance(
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

export function failFromCloud(
  deps: FlowDeps,
  request: ReplicationRequest,
  err: CloudError,
): Promise<StepOutcome> {
  return fail(deps, request, {
    code: err.code,
    message: err.message,
    cloud: err.classification,
    ...(err.requestId ? { cloudRequestId: err.requestId } : {}),
  });
}

export async function fail(
  deps: FlowDeps,
  request: ReplicationRequest,
  failure: Omit<RequestFailure, "fix">,
): Promise<StepOutcome> {
  const fix = suggestFix(failure, {
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
  await deps.copyWatch.unwatch(request.id);
  if (!result.ok)
    return { kind: "done", state: result.reason === "wrong_state" ? result.request.state : "failed" };
  deps.logger.warn({ requestId: request.id, code: failure.code }, "replication failed");
  const lines = [`Failed: ${failure.message}`];
  if (failure.cloudRequestId)
    lines.push(
      `Tencent request id: ${failure.cloudRequestId}${failure.cloud ? ` (error ${failure.code})` : ""}`,
    );
  if (fix) lines.push(`How to fix: ${fix}`);
  await deps.notifier.postThreadReply(result.request, lines.join("\n"));
  await finish(deps, result.request);
  return { kind: "done", state: "failed" };
}

export async function finish(deps: FlowDeps, request: ReplicationRequest): Promise<void> {
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
