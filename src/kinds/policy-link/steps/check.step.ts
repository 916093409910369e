import { type AuditDeps, recordAuditEntry } from "../../../app/approver-lookup.js";
import type { CheckDeps } from "../../../app/check-prerequisites.flow.js";
import type { StepResult } from "../../../app/request-kind.js";
import { advance, fail, type StepDeps } from "../../../app/request-steps.js";
import { describeAccount } from "../../../core/cam/policy-link-prerequisites.js";
import { describeResults, hardFailures } from "../../../core/cam/prerequisites.js";
import { text } from "../../../core/messages/message.js";
import { CloudError } from "../../../core/ports/cloud-api.port.js";
import { checkPolicyLink } from "../check-policy-link.js";
import { findLinkPlanChanges } from "../plan-fingerprint.js";
import type { PolicyLinkRequest } from "../policy-link.request.js";

export type LinkCheckStepDeps = CheckDeps & StepDeps & AuditDeps;

/**
 * The checks again before linking, on CAM answers no older than the approval; the approved plan
 * must still hold. A policy linked to the destination meanwhile needs no call: straight to confirming.
 */
export async function check(deps: LinkCheckStepDeps, request: PolicyLinkRequest): Promise<StepResult> {
  const approvedAt = Math.max(...request.approvals.map((a) => Date.parse(a.at)).filter(Number.isFinite));
  const { policy } = request.spec;
  const report = await checkPolicyLink(
    deps,
    request.destination,
    { policyId: policy.policyId, region: policy.region },
    Number.isFinite(approvedAt) ? { notBefore: approvedAt } : { fresh: true },
  );
  const { results } = report;
  const stored = await deps.store.update(
    request.id,
    { checks: results },
    { state: "running", step: "checking" },
  );
  if (!stored) return { kind: "continue" };
  request = stored as PolicyLinkRequest;
  const busy = results.find((r) => r.status === "cannot-verify" && r.transient);
  if (busy) {
    throw new CloudError({
      code: busy.code ?? "cloud.unavailable",
      message: busy.reason,
      category: "unavailable",
      reason: busy.cloud?.reason ?? "other",
    });
  }
  const current = report.policy;
  const failed = current ? hardFailures(results) : results.filter((r) => r.status !== "passed");
  if (failed.length > 0 || current === undefined) {
    await deps.notifier.postThreadReply(
      request,
      text`Checks before linking:\n${describeResults(results, { fixes: false })}`,
    );
    return fail(deps, request, {
      code: failed[0]?.code ?? "policy.not_found",
      ...(failed[0]?.cloud ? { cloud: failed[0].cloud } : {}),
      message: `${failed.map((r) => r.reason).join(" ")} Nothing was linked.`,
    });
  }
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
