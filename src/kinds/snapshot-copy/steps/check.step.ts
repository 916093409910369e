import { recordAuditEntry } from "../../../app/approver-lookup.js";
import { checkDestination } from "../../../app/check-prerequisites.flow.js";
import type { FlowDeps } from "../../../app/flow-deps.js";
import { describeResults, hardFailures } from "../../../core/cam/prerequisites.js";
import { CloudError } from "../../../core/ports/cloud-api.port.js";
import type { ReplicationRequest } from "../../../core/request/request.js";
import { requestReplication } from "../request-replication.flow.js";
import { describePlanStop, findPlanChanges } from "../verify-plan.js";
import { advance, fail, type StepResult } from "./step-outcome.js";

export async function check(deps: FlowDeps, request: ReplicationRequest): Promise<StepResult> {
  // The prerequisites again, on CAM answers no older than the approval: a permission revoked after
  // the approvers looked is seen here, before any copy is requested.
  const approvedAt = Math.max(...request.approvals.map((a) => Date.parse(a.at)).filter(Number.isFinite));
  const { report } = await checkDestination(
    deps,
    request.destination,
    { snapshotId: request.snapshot.snapshotId, region: request.snapshot.region },
    Number.isFinite(approvedAt) ? { notBefore: approvedAt } : { fresh: true },
  );
  const { results } = report;
  // Kept on the request for the card; only while still checking (another run may have moved on).
  const stored = await deps.store.transition(request.id, ["checking"], "checking", { checks: results });
  if (!stored.ok) return { kind: "continue" };
  request = stored.request;
  const busy = results.find((r) => r.status === "cannot-verify" && r.transient);
  if (busy) {
    // Tencent Cloud was busy: the queue tries the step again later (with backoff).
    throw new CloudError({
      code: busy.code ?? "cloud.unavailable",
      message: busy.reason,
      category: "unavailable",
      reason: busy.cloud?.reason ?? "other",
    });
  }
  const snapshot = report.snapshot;
  // A snapshot that could not be looked up (and is not a passing busy cloud) stops the copy too.
  const failed = snapshot ? hardFailures(results) : results.filter((r) => r.status !== "passed");
  if (failed.length > 0 || snapshot === undefined) {
    await deps.notifier.postThreadReply(
      request,
      `Checks before copying:\n${plain(describeResults(results, { fixes: false }))}`,
    );
    return fail(deps, request, {
      code: failed[0]?.code ?? "snapshot.not_found",
      ...(failed[0]?.cloud ? { cloud: failed[0].cloud } : {}),
      message: `${failed.map((r) => r.reason).join(" ")} Nothing was copied.`,
    });
  }
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
  return advance(
    deps,
    request,
    "copying",
    {},
    `Checks passed${results.some((r) => r.status !== "passed") ? " (one could not be verified; Tencent Cloud decides at copy time)" : ""}:\n${plain(describeResults(results))}\nStarting the copy to account ${request.destination.accountUin}…`,
  );
}

/** Snapshot and policy names come from people: keep them from becoming mentions in the thread. */
function plain(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

/**
 * Nobody approved the plan as it is now, so the bot asks again: a new request for the same
 * snapshot, destination and name, on behalf of the original requester, with a new card showing the
 * current facts. Approvers decide afresh; the old request stays failed.
 */
async function askForFreshApproval(deps: FlowDeps, request: ReplicationRequest): Promise<void> {
  const outcome = await requestReplication(deps, {
    snapshotId: request.snapshot.snapshotId,
    destination: request.destination.alias,
    newName: request.newName,
    region: request.snapshot.region,
    userId: request.requestedBy,
    channelId: request.requestChannel,
  });
  const stored = (await deps.store.get(request.id)) ?? request;
  await deps.notifier.postThreadReply(
    stored,
    outcome.kind === "posted"
      ? `A fresh request \`${outcome.request.id}\` with the plan as it is now is waiting for approval in <#${outcome.cardChannel}>.`
      : `A fresh request could not be made: ${outcome.message}`,
  );
}
