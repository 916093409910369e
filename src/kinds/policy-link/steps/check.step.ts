import { type AuditDeps, recordAuditEntry } from "../../../app/approver-lookup.js";
import { describeAccount } from "../../../app/automatic-messages.js";
import type { CheckDeps } from "../../../app/check-prerequisites.flow.js";
import type { StepResult } from "../../../app/request-kind.js";
import { advance, fail, type StepDeps } from "../../../app/request-steps.js";
import { answersSinceApproval, settleRunTimeChecks } from "../../../app/run-time-checks.js";
import { describeResults } from "../../../core/cam/prerequisites.js";
import { code, joinText, text, toPlainText, tr } from "../../../core/messages/message.js";
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
      detail: changes.map((c) => toPlainText(c)).join("; "),
    });
    const again = code(`/snapshot auto ${current.policyId} to ${request.destination.alias}`);
    const what = joinText(changes, "; ");
    const whatZh = joinText(changes, "；");
    return fail(deps, request, {
      code: "plan.changed",
      message: [
        tr(
          text`The plan approved no longer holds: ${what}. Nothing was linked; ask again with ${again} for a fresh approval.`,
          text`批准时的计划已不再成立：${whatZh}。没有建立任何关联；请用 ${again} 重新申请审批。`,
        ),
      ],
    });
  }
  const { destination } = request;
  const policyCode = code(current.policyId);
  const account = describeAccount(destination.accountUin, destination.alias);
  if (report.link === "this") {
    return advance(
      deps,
      request,
      { to: "running", step: "confirming" },
      { progress: { ...request.progress, alreadyLinked: true } },
      [
        tr(
          text`Checks passed:\n${describeResults(results)}\n${policyCode} already replicates to account ${account}; nothing to call. Checking that Tencent Cloud shows the link…`,
          text`检查通过：\n${describeResults(results)}\n${policyCode} 已经复制到账号 ${account}，无需调用。正在确认腾讯云显示该关联…`,
        ),
      ],
    );
  }
  const doubt = results.some((r) => r.status !== "passed");
  return advance(deps, request, { to: "running", step: "linking" }, {}, [
    tr(
      text`Checks passed${doubt ? " (one could not be verified; Tencent Cloud decides when the link is made)" : ""}:\n${describeResults(results)}\nLinking ${policyCode} to account ${account}…`,
      text`检查通过${doubt ? "（有一项无法核实，由腾讯云在建立关联时判定）" : ""}：\n${describeResults(results)}\n正在把 ${policyCode} 关联到账号 ${account}…`,
    ),
  ]);
}
