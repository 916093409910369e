import { type AuditDeps, recordAuditEntry } from "../../../app/approver-lookup.js";
import { type CheckDeps, checkDestination } from "../../../app/check-prerequisites.flow.js";
import type { StepResult } from "../../../app/request-kind.js";
import { advance, fail, type StepDeps } from "../../../app/request-steps.js";
import { resolveDestination } from "../../../app/resolve-destination.js";
import { answersSinceApproval, settleRunTimeChecks } from "../../../app/run-time-checks.js";
import { describeResults } from "../../../core/cam/prerequisites.js";
import { code, conversation, text, tr } from "../../../core/messages/message.js";
import { type ReplicateDeps, requestReplication } from "../request-replication.flow.js";
import { methodOf, type SnapshotCopyRequest, shareMeaningText } from "../snapshot-copy.request.js";
import { describePlanStop, findPlanChanges } from "../verify-plan.js";

/**
 * The ports the check step uses: the checks, the step's bookkeeping, the audit trail (a changed
 * plan), and everything a fresh request for a changed plan needs.
 */
export type CheckStepDeps = CheckDeps & StepDeps & AuditDeps & ReplicateDeps;

export async function check(deps: CheckStepDeps, request: SnapshotCopyRequest): Promise<StepResult> {
  // The prerequisites again, on CAM answers no older than the approval: a permission revoked after
  // the approvers looked is seen here, before any copy is requested.
  const { report } = await checkDestination(
    deps,
    request.destination,
    { snapshotId: request.spec.snapshot.snapshotId, region: request.spec.snapshot.region },
    answersSinceApproval(request),
  );
  const { results } = report;
  const checks = await settleRunTimeChecks(deps, request, results, {
    found: report.snapshot !== undefined,
    notFoundCode: "snapshot.not_found",
    before: [tr("copying", "复制")],
    nothingDone: [tr("Nothing was copied.", "未复制任何内容。")],
  });
  if (checks.kind === "moved_on") return { kind: "continue" };
  if (checks.kind === "stopped") return checks.outcome;
  request = checks.request;
  const snapshot = report.snapshot;
  if (!snapshot) return { kind: "continue" }; // not reached: settleRunTimeChecks stopped without it
  // The approval is bound to the plan its card showed; a changed plan needs a fresh approval.
  const planChanges = findPlanChanges(deps, request, snapshot);
  if (planChanges) {
    await recordAuditEntry(deps, {
      event: "plan_changed",
      requestId: request.id,
      detail: planChanges.join("; "),
    });
    const stopped = await fail(deps, request, {
      code: "plan.changed",
      message: describePlanStop(planChanges),
    });
    await askForFreshApproval(deps, request);
    return stopped;
  }
  const doubtful = results.some((r) => r.status !== "passed");
  const passed = doubtful
    ? tr(
        "Checks passed (one could not be verified; Tencent Cloud decides at copy time):",
        "检查通过（有一项无法确认，由腾讯云在复制时判定）：",
      )
    : tr("Checks passed:", "检查通过：");
  if (methodOf(request) === "share") {
    return advance(
      deps,
      request,
      { to: "running", step: "sharing" },
      {},
      text`${passed}\n${describeResults(results)}\n${tr(
        text`Sharing ${request.spec.snapshot.snapshotId} with account ${request.destination.accountUin} — a `,
        text`正在将 ${request.spec.snapshot.snapshotId} 共享给账号 ${request.destination.accountUin}——这`,
      )}${shareMeaningText(request.spec.snapshot.snapshotId, request.destination.accountUin)}`,
    );
  }
  return advance(
    deps,
    request,
    { to: "running", step: "copying" },
    {},
    text`${passed}\n${describeResults(results)}\n${tr(
      text`Starting the copy to account ${request.destination.accountUin}…`,
      text`正在开始复制到账号 ${request.destination.accountUin}…`,
    )}`,
  );
}

/**
 * Nobody approved the plan as it is now, so the bot asks again: a new request for the same
 * snapshot, destination and name, on behalf of the original requester, with a new card showing the
 * current facts. Approvers decide afresh; the old request stays failed.
 */
async function askForFreshApproval(deps: CheckStepDeps, request: SnapshotCopyRequest): Promise<void> {
  const outcome = await requestReplication(deps, {
    snapshotId: request.spec.snapshot.snapshotId,
    destination: request.destination.alias,
    // A share has no name of its own: the name carries over only from a copy to a copy.
    ...(methodOf(request) === "copy" && currentMethod(deps, request) === "copy"
      ? { newName: request.spec.newName }
      : {}),
    region: request.spec.snapshot.region,
    userId: request.requestedBy,
    channelId: request.origin,
  });
  const stored = (await deps.store.get(request.id)) ?? request;
  await deps.notifier.postThreadReply(
    stored,
    outcome.kind === "posted"
      ? [
          tr(
            text`A fresh request ${code(outcome.request.id)} with the plan as it is now is waiting for approval in ${conversation(outcome.cardChannel)}.`,
            text`已按当前情况发起新申请 ${code(outcome.request.id)}，正在 ${conversation(outcome.cardChannel)} 等待审批。`,
          ),
        ]
      : text`${tr("A fresh request could not be made: ", "无法发起新申请：")}${outcome.message}`,
  );
}

function currentMethod(
  deps: Pick<StepDeps, "config">,
  request: SnapshotCopyRequest,
): "copy" | "share" | undefined {
  const lookup = resolveDestination(deps.config, request.destination.alias);
  return lookup.ok ? lookup.destination.method : undefined;
}
