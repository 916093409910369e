import { isFinal } from "../core/request/lifecycle.js";
import type { FlowDeps } from "./flow-deps.js";
import type { StepOutcome } from "./request-kind.js";
import { type FailureInput, fail, type StepDeps } from "./request-steps.js";

/**
 * One run of an approved request's job: the kind's steps, one after another, until one has to
 * wait or the request ends. The request record holds the current step and its facts, so a crash
 * or restart resumes where it was. Transient cloud errors are thrown (the queue retries them);
 * permanent ones end the request as failed, with the fix. Takes every port: the kind's steps may
 * use any of them.
 */
export async function runRequestStep(deps: FlowDeps, requestId: string): Promise<StepOutcome> {
  let request = await deps.store.get(requestId);
  if (!request) {
    deps.logger.warn({ requestId }, "job for an unknown request; nothing to do");
    return { kind: "done", state: "failed" };
  }
  const kind = deps.kinds.of(request);
  // Loop through the quick steps in one go; return as soon as there is something to wait for.
  for (let guard = 0; guard < 10; guard++) {
    if (isFinal(request.state) || request.state === "pending_approval")
      return { kind: "done", state: request.state };
    const next = await kind.runStep(deps, request);
    if (next.kind !== "continue") return next;
    const reloaded = await deps.store.get(requestId);
    if (!reloaded) return { kind: "done", state: "failed" };
    request = reloaded;
  }
  return { kind: "wait", delayMs: 1000 };
}

/** Ends a request as failed unless it already ended (the queue gave up on its job). */
export async function failRequest(deps: StepDeps, requestId: string, failure: FailureInput): Promise<void> {
  const request = await deps.store.get(requestId);
  if (request && !isFinal(request.state)) await fail(deps, request, failure);
}
