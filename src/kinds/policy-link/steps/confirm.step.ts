import { describeAccount, describeDuration, momentOf } from "../../../app/automatic-messages.js";
import type { FlowDeps } from "../../../app/flow-deps.js";
import type { StepOutcome } from "../../../app/request-kind.js";
import { fail, failFromCloud, finish, type StepDeps } from "../../../app/request-steps.js";
import { code, text, tr } from "../../../core/messages/message.js";
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
  const policyCode = code(policyId);
  if (linkedTo !== destination.accountUin) {
    if (policy && linkedTo) {
      return fail(deps, request, {
        code: "policy.linked_elsewhere",
        message: [
          tr(
            text`${policyCode} replicates to account ${linkedTo}, not ${destination.accountUin}: someone linked it elsewhere meanwhile. The bot did not change it.`,
            text`${policyCode} 现在复制到账号 ${linkedTo}，而不是 ${destination.accountUin}：有人在此期间把它关联到了别处。机器人没有改动它。`,
          ),
        ],
      });
    }
    if (elapsed < LINK_VISIBILITY_GRACE_MS)
      return { kind: "wait", delayMs: deps.config.replication.pollInterval };
    const waited = describeDuration(elapsed);
    return fail(deps, request, {
      code: policy ? "link.not_confirmed" : "policy.not_found",
      message: [
        policy
          ? tr(
              text`Tencent Cloud accepted the link, but ${policyCode} still does not show account ${destination.accountUin} as its destination after ${waited}.`,
              text`腾讯云已接受关联请求，但 ${waited}后 ${policyCode} 仍未显示目标账号 ${destination.accountUin}。`,
            )
          : tr(
              text`Scheduled snapshot policy ${policyCode} is gone from ${region}.`,
              text`定期快照策略 ${policyCode} 已不在地域 ${region} 中。`,
            ),
      ],
    });
  }
  const result = await deps.store.transition(request.id, {
    to: "completed",
    from: { state: "running", step: "confirming" },
    patch: { progress: { ...progress, confirmedAt: deps.clock.now().toISOString() } },
  });
  if (result.ok) {
    const account = describeAccount(destination.accountUin, destination.alias);
    const next = policy?.nextTriggerAt;
    await deps.notifier.postThreadReply(result.request, [
      tr(
        text`Confirmed: Tencent Cloud lists ${policyCode} as replicating to account ${account}. From its next snapshot on${next === undefined ? "" : text` (${momentOf(next)})`}, Tencent Cloud copies every snapshot the policy takes into that account. Completed.`,
        text`已确认：腾讯云显示 ${policyCode} 复制到账号 ${account}。从下一个快照${next === undefined ? "" : text`（${momentOf(next)}）`}起，腾讯云会把该策略拍摄的每个快照复制到该账号。已完成。`,
      ),
    ]);
    await finish(deps, result.request);
  }
  return { kind: "done", state: "completed" };
}
