import { type AuditDeps, recordAuditEntry } from "../../../app/approver-lookup.js";
import type { CheckDeps } from "../../../app/check-prerequisites.flow.js";
import type { StepResult } from "../../../app/request-kind.js";
import { advance, fail, type StepDeps } from "../../../app/request-steps.js";
import { answersSinceApproval, settleRunTimeChecks } from "../../../app/run-time-checks.js";
import { describeAccount } from "../../../core/cam/policy-link-prerequisites.js";
import { describeResults } from "../../../core/cam/prerequisites.js";
import { text } from "../../../core/messages/message.js";
import { checkPolicyLink } from "../check-policy-link.js";
import { findLinkPlanChanges } from "../plan-fingerprint.js";
import type { PolicyLinkRequest } from "../policy-link.request.js";

export type LinkCheckStepDeps = CheckDeps & StepDeps & AuditDeps;

/**
 * The checks again before linking, on CAM answers no older than the approval; the approved plan
 * must still hold. A policy linked to the destination meanwhile needs no call: straight to confirming.
 */
export async function check(deps: LinkCheckStepDeps, request: PolicyLinkRequest): Promise<StepResult> {
  const { policy } = request.spec;
  const report = await checkPolicyLink(
    deps,
    request.destination,
    { policyId: policy.policyId, region: policy.region },
    answersSinceApproval(request),
  );
  const checks = await settleRunTimeChecks(deps, request, report.results, {
    found: report.policy !== undefined,
    notFoundCode: "policy.not_found",
    before: "linking",
    nothingDone: "Nothing was linked.",
  });
  if (checks.kind === "moved_on") return { kind: "continue" };
  if (checks.kind === "stopped") return checks.outcome;
  request = checks.request;
  const current = report.policy;
  if (!current) return { kind: "continue" }; // not reached: settleRunTimeChecks stopped without it
  const { results } = report;
  const changes = findLinkPlanChanges(deps, request, current);
  if (changes) {
    await recordAuditEntry(deps, {
      event: "plan_changed",
      requestId: request.id,
      detail: changes.join("; "),
    });
    return fail(deps, request, {
      code: "plan.changed",
      message: `The plan approved no longer holds: ${changes.join("; ")}. Nothing was linked; ask again with \`/snapshot auto ${current.policyId} to ${request.destination.alias}\` for a fresh approval.`,
    });
  }
  const { destination } = request;
  if (report.link === "this") {
    return advance(
      deps,
      request,
      { to: "running", step: "confirming" },
      { progress: { ...request.progress, alreadyLinked: true } },
      text`Checks passed:\n${describeResults(results)}\n${current.policyId} already replicates to account ${describeAccount(destination.accountUin, destination.alias)}; nothing to call. Confirming…`,
    );
  }
  const doubt = results.some((r) => r.status !== "passed")
    ? " (one could not be verified; Tencent Cloud decides when the link is made)"
    : "";
  return advance(
    deps,
    request,
    { to: "running", step: "linking" },
    {},
    text`Checks passed${doubt}:\n${describeResults(results)}\nLinking ${current.policyId} to account ${destination.accountUin}…`,
  );
}
