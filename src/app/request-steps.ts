import type { Message, Text } from "../core/messages/message.js";
import { text } from "../core/messages/message.js";
import type { CloudError } from "../core/ports/cloud-api.port.js";
import type { RequestState } from "../core/request/lifecycle.js";
import type { Request, RequestFailure, RequestPatch } from "../core/request/request.js";
import type { FlowDeps } from "./flow-deps.js";
import type { KindReleaseDeps, StepOutcome } from "./request-kind.js";

/** The ports moving a request to its next step uses. */
export type AdvanceDeps = Pick<FlowDeps, "store" | "notifier">;
/** The ports announcing a request's end uses. */
export type FinishDeps = Pick<FlowDeps, "notifier" | "config">;
/**
 * The ports a step's bookkeeping uses (advance, fail, finish): failing also asks the kind for the
 * fix (from the configuration) and lets it release what it holds (KindReleaseDeps).
 */
export type StepDeps = AdvanceDeps & FinishDeps & KindReleaseDeps & Pick<FlowDeps, "logger" | "kinds">;

/**
 * Moves a running request to its next step (or an approved one to its first), refreshes the card
 * and says so in the thread. Only the run that still sees the request at its current step moves it.
 */
export async function advance(
  deps: AdvanceDeps,
  request: Request,
  next: { to: RequestState; step?: string },
  patch: RequestPatch,
  threadText?: Text | Message,
): Promise<{ kind: "continue" }> {
  const result = await deps.store.transition(request.id, {
    to: next.to,
    ...(next.step ? { step: next.step } : {}),
    from: { state: request.state, ...(request.step ? { step: request.step } : {}) },
    patch,
  });
  if (result.ok) {
    await deps.notifier.updateCard(result.request);
    if (threadText) await deps.notifier.postThreadReply(result.request, threadText);
  }
  return { kind: "continue" };
}

export function failFromCloud(deps: StepDeps, request: Request, err: CloudError): Promise<StepOutcome> {
  return fail(deps, request, {
    code: err.code,
    message: err.message,
    cloud: err.classification,
    ...(err.requestId ? { cloudRequestId: err.requestId } : {}),
  });
}

/**
 * Ends a request as failed — or, with `end: "outcome_unknown"`, as a request whose effect may or may
 * not have happened — says why and how to fix it in the thread, on the card and in the channel.
 */
export async function fail(
  deps: StepDeps,
  request: Request,
  failure: Omit<RequestFailure, "fix">,
  end: "failed" | "outcome_unknown" = "failed",
): Promise<StepOutcome> {
  const kind = deps.kinds.of(request);
  const fix = kind.fixFor(failure, request, deps);
  const full: RequestFailure = { ...failure, ...(fix ? { fix } : {}) };
  const result = await deps.store.transition(request.id, {
    to: end,
    patch: { failure: full },
    note: { detail: failure.code },
  });
  await kind.release?.(deps, request);
  if (!result.ok)
    return { kind: "done", state: result.reason === "wrong_state" ? result.request.state : end };
  deps.logger.warn(
    { requestId: request.id, code: failure.code },
    end === "failed" ? "request failed" : "request ended, outcome unknown",
  );
  const lines: Text[] = [text`${end === "failed" ? "Failed" : "Outcome unknown"}: ${failure.message}`];
  if (failure.cloudRequestId)
    lines.push(
      text`\nTencent request id: ${failure.cloudRequestId}${failure.cloud ? ` (error ${failure.code})` : undefined}`,
    );
  if (fix) lines.push(text`\nHow to fix: ${fix}`);
  await deps.notifier.postThreadReply(result.request, lines.flat());
  await finish(deps, result.request);
  return { kind: "done", state: end };
}

/** A request reached its end: refresh the card and tell the notify channel. */
export async function finish(deps: FinishDeps, request: Request): Promise<void> {
  await deps.notifier.updateCard(request);
  const conversation = deps.config.slack.notifyChannel ?? request.card?.conversation ?? request.origin;
  await deps.notifier.announceOutcome(request, conversation);
}

export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${seconds % 60}s`;
  return `${Math.floor(minutes / 60)}h ${minutes % 60}m`;
}
