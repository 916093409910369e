import type { FlowDeps } from "../../../app/flow-deps.js";
import type { StepOutcome } from "../../../app/request-kind.js";
import { fail, failFromCloud, finish, formatDuration, type StepDeps } from "../../../app/request-steps.js";
import { describeAccount } from "../../../core/cam/policy-link-prerequisites.js";
import { code, text } from "../../../core/messages/message.js";
import { CloudError } from "../../../core/ports/cloud-api.port.js";
import type { PolicyLinkRequest } from "../policy-link.request.js";

/** How long an accepted link may be missing from DescribeAutoSnapshotPolicies before it counts as lost. */
const LINK_VISIBILITY_GRACE_MS = 120_000;

export type ConfirmStepDeps = StepDeps & Pick<FlowDeps, "cloud" | "clock" | "config">;

/** The link is confirmed when the source's DescribeAutoSnapshotPolicies shows CopyToAccountUin = destination. */
export async function confirm(deps: ConfirmStepDeps, request: PolicyLinkRequest): Promise<StepOutcome> {
  const { destination, progress } = request;
  const { policyId, region } = request.spec.policy;
  let policy: Awaited<ReturnType<typeof deps.cloud.findAutoSnapshotPolicy>>;
  try {
    policy = await deps.cloud.findAutoSnapshotPolicy(policyId, [region]);
  } catch (err) {
    if (err instanceof CloudError && !err.retryable) return failFromCloud(deps, request, err);
    throw err;
  }
  const since = Date.parse(progress.linkAcceptedAt ?? progress.linkRequestedAt ?? request.updatedAt);
  const elapsed = deps.clock.now().getTime() - since;
  const linkedTo = policy?.copyToAccountUin;
  if (linkedTo !== destination.accountUin) {
    if (policy && linkedTo) {
      return fail(deps, request, {
        code: "policy.linked_elsewhere",
        message: `${policyId} replicates to account ${linkedTo}, not ${destination.accountUin}: someone linked it elsewhere meanwhile. The bot did not change it.`,
      });
    }
    if (elapsed < LINK_VISIBILITY_GRACE_MS)
      return { kind: "wait", delayMs: deps.config.replication.pollInterval };
    return fail(deps, request, {
      code: policy ? "link.not_confirmed" : "policy.not_found",
      message: policy
        ? `Tencent Cloud accepted the link, but ${policyId} still shows no CopyToAccountUin after ${formatDuration(elapsed)}.`
        : `Scheduled snapshot policy ${policyId} is gone from ${region}.`,
    });
  }
  const result = await deps.store.transition(request.id, {
    to: "completed",
    from: { state: "running", step: "confirming" },
    patch: { progress: { ...progress, confirmedAt: deps.clock.now().toISOString() } },
  });
  if (result.ok) {
    const next = policy?.nextTriggerTime ? ` (next: ${policy.nextTriggerTime}, Beijing time)` : "";
    await deps.notifier.postThreadReply(
      result.request,
      text`Confirmed: ${code(policyId)} lists CopyToAccountUin ${describeAccount(destination.accountUin, destination.alias)}. From its next snapshot on${next}, Tencent Cloud copies every snapshot the policy takes into that account. Completed.`,
    );
    await finish(deps, result.request);
  }
  return { kind: "done", state: "completed" };
}
