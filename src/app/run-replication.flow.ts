import type { ReplicationRequest, RequestFailure } from "../core/request/request.js";
import { isFinal } from "../core/request/request.js";
import { check } from "../kinds/snapshot-copy/steps/check.step.js";
import { copy } from "../kinds/snapshot-copy/steps/copy.step.js";
import {
  advance,
  fail,
  type StepOutcome,
  type StepResult,
} from "../kinds/snapshot-copy/steps/step-outcome.js";
import { verify } from "../kinds/snapshot-copy/steps/verify.step.js";
import type { FlowDeps } from "./flow-deps.js";

export type { StepOutcome } from "../kinds/snapshot-copy/steps/step-outcome.js";
export { formatDuration } from "../kinds/snapshot-copy/steps/step-outcome.js";

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

async function runStep(deps: FlowDeps, request: ReplicationRequest): Promise<StepResult> {
  switch (request.state) {
    case "approved":
      return advance(
        deps,
        request,
        "checking",
        {},
        "Checking the prerequisites again before copying: the snapshot, the collaborator and its permission…",
      );
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

/** Ends a request as failed, says why and how to fix it in the thread, on the card and in the channel. */
export async function failReplication(
  deps: FlowDeps,
  requestId: string,
  failure: Omit<RequestFailure, "fix">,
): Promise<void> {
  const request = await deps.store.get(requestId);
  if (request && !isFinal(request.state)) await fail(deps, request, failure);
}
