import { asText, describeResults, hardFailures, type PrerequisiteResult } from "../core/cam/prerequisites.js";
import { joinText, type Text, text, toPlainText, tr } from "../core/messages/message.js";
import { CloudError } from "../core/ports/cloud-api.port.js";
import type { Request } from "../core/request/request.js";
import type { CheckOptions } from "./check-prerequisites.flow.js";
import type { StepOutcome } from "./request-kind.js";
import { fail, type StepDeps } from "./request-steps.js";

/**
 * The CAM answers a run-time check may use: none older than the last approval, so a permission
 * revoked after the approvers looked is seen before anything is written.
 */
export function answersSinceApproval(request: Pick<Request, "approvals">): CheckOptions {
  const approvedAt = Math.max(...request.approvals.map((a) => Date.parse(a.at)).filter(Number.isFinite));
  return Number.isFinite(approvedAt) ? { notBefore: approvedAt } : { fresh: true };
}

export type RunTimeChecks<R extends Request> =
  /** Another run moved the request on meanwhile: nothing more to do here. */
  | { kind: "moved_on" }
  /** A check failed: the request has ended, with the checks in the thread. */
  | { kind: "stopped"; outcome: StepOutcome }
  | { kind: "passed"; request: R };

/**
 * What every kind's checking step does with its results: keep them on the request for the card
 * (only while it is still checking), let the queue retry when the cloud was busy, and end the
 * request with the checks in the thread when one failed or the subject could not be found.
 */
export async function settleRunTimeChecks<R extends Request>(
  deps: StepDeps,
  request: R,
  results: PrerequisiteResult[],
  subject: {
    /** False when the thing to write (the snapshot, the policy) was not found at all. */
    found: boolean;
    /** The failure code when it was not found and no check says why. */
    notFoundCode: string;
    /** "copying", "linking": the thread's heading says what the checks were before. */
    before: Text | string;
    /** "Nothing was copied.": what the failure says was not done. */
    nothingDone: Text | string;
  },
): Promise<RunTimeChecks<R>> {
  const stored = await deps.store.update(
    request.id,
    { checks: results },
    { state: "running", step: "checking" },
  );
  if (!stored) return { kind: "moved_on" };
  const current = stored as R;
  const busy = results.find((r) => r.status === "cannot-verify" && r.transient);
  if (busy) {
    // The cloud was busy: the queue tries the step again later (with backoff).
    throw new CloudError({
      code: busy.code ?? "cloud.unavailable",
      message: toPlainText(asText(busy.reason)),
      category: "unavailable",
      reason: busy.cloud?.reason ?? "other",
    });
  }
  // A subject that could not be looked up (and is not a passing busy cloud) stops the step too.
  const failed = subject.found ? hardFailures(results) : results.filter((r) => r.status !== "passed");
  if (failed.length === 0 && subject.found) return { kind: "passed", request: current };
  await deps.notifier.postThreadReply(
    current,
    text`${tr(text`Checks before ${subject.before}:`, text`${subject.before}前的检查：`)}\n${describeResults(results, { fixes: false })}`,
  );
  const outcome = await fail(deps, current, {
    code: failed[0]?.code ?? subject.notFoundCode,
    ...(failed[0]?.cloud ? { cloud: failed[0].cloud } : {}),
    message: text`${joinText(
      failed.map((r) => asText(r.reason)),
      " ",
    )} ${subject.nothingDone}`,
  });
  return { kind: "stopped", outcome };
}
