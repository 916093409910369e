import { describeAccount, describeUnlink } from "../../../app/automatic-messages.js";
import type { FlowDeps } from "../../../app/flow-deps.js";
import type { StepResult } from "../../../app/request-kind.js";
import { advance, fail, failFromCloud, type StepDeps } from "../../../app/request-steps.js";
import { linkStateOf } from "../../../core/cam/policy-link-prerequisites.js";
import { code, text, tr } from "../../../core/messages/message.js";
import { CloudError } from "../../../core/ports/cloud-api.port.js";
import type { PolicyLinkRequest } from "../policy-link.request.js";

/** How long after a call's timeout it surely no longer runs (clock differences, the SDK's own delays). */
const CALL_SETTLE_MARGIN_MS = 2000;

export type LinkStepDeps = StepDeps & Pick<FlowDeps, "copyWatch" | "cloud" | "clock" | "config">;

/**
 * `CopyAutoSnapshotPolicyCrossAccount`, once. Linking again to the same account is harmless at
 * Tencent, but the call is still fenced like a copy (docs/decisions/008): a claim before the call,
 * and a run that finds one reads `CopyToAccountUin` back before it calls again — so a crash or a
 * lost answer never turns into a second call while the first may still be in flight, and a link
 * made meanwhile to another account is never overwritten.
 */
export async function link(deps: LinkStepDeps, request: PolicyLinkRequest): Promise<StepResult> {
  const { destination } = request;
  const { policyId, region } = request.spec.policy;
  const stored = await deps.copyWatch.readCopyClaim(request.id);
  const claim =
    stored ??
    (request.progress.linkRequestedAt ? { at: request.progress.linkRequestedAt, ended: false } : undefined);
  if (claim) {
    if (!claim.ended) {
      const settledAt =
        Date.parse(claim.at) + 2 * deps.config.worker.cloudCallTimeout + CALL_SETTLE_MARGIN_MS;
      const now = deps.clock.now().getTime();
      if (now < settledAt) return { kind: "wait", delayMs: settledAt - now };
    }
    let policy: Awaited<ReturnType<typeof deps.cloud.findAutoSnapshotPolicy>>;
    try {
      policy = await deps.cloud.findAutoSnapshotPolicy(policyId, [region]);
    } catch (err) {
      if (err instanceof CloudError && !err.retryable) return failFromCloud(deps, request, err);
      throw err;
    }
    if (!policy) {
      return fail(deps, request, {
        code: "policy.not_found",
        message: [
          tr(
            text`Scheduled snapshot policy ${code(policyId)} is gone from ${region}; nothing more was linked.`,
            text`定期快照策略 ${code(policyId)} 已不在地域 ${region} 中；没有再建立关联。`,
          ),
        ],
      });
    }
    const state = linkStateOf(policy, destination.accountUin);
    if (state === "this") return accepted(deps, request, claim.at, undefined);
    if (state === "other") {
      const other = policy.copyToAccountUin ?? "";
      return fail(deps, request, {
        code: "policy.linked_elsewhere",
        message: text`${tr(
          text`${code(policyId)} now replicates to account ${other}, not ${destination.accountUin}: someone linked it elsewhere meanwhile. `,
          text`${code(policyId)} 现在复制到账号 ${other}，而不是 ${destination.accountUin}：有人在此期间把它关联到了别处。`,
        )}${describeUnlink(policyId, other, deps.config.source.accountUin)}`,
      });
    }
  }
  const mine = { at: deps.clock.now().toISOString(), ended: false };
  if (!(await deps.copyWatch.swapCopyClaim(request.id, stored, mine))) {
    return { kind: "wait", delayMs: deps.config.replication.pollInterval };
  }
  await deps.store.update(request.id, { progress: { ...request.progress, linkRequestedAt: mine.at } });
  let requestId: string;
  try {
    ({ requestId } = await deps.cloud.copyAutoSnapshotPolicyCrossAccount({
      policyId,
      region,
      targetAccountUin: destination.accountUin,
      notAfter: Date.parse(mine.at) + deps.config.worker.cloudCallTimeout,
    }));
  } catch (err) {
    if (err instanceof CloudError && !err.retryable) {
      await deps.copyWatch.swapCopyClaim(request.id, mine, undefined);
      return failFromCloud(deps, request, err);
    }
    if (err instanceof CloudError && err.category === "throttled") {
      // Refused before it ran: nothing was linked, a retry may call again.
      await deps.copyWatch.swapCopyClaim(request.id, mine, undefined);
      const { linkRequestedAt: _notSent, ...withoutIntent } = request.progress;
      await deps.store.update(request.id, { progress: withoutIntent });
    } else {
      // It may have run: the retry reads CopyToAccountUin before calling again.
      await deps.copyWatch.swapCopyClaim(request.id, mine, { ...mine, ended: true });
    }
    throw err;
  }
  return accepted(
    deps,
    { ...request, progress: { ...request.progress, linkRequestedAt: mine.at } },
    mine.at,
    requestId,
  );
}

function accepted(
  deps: LinkStepDeps,
  request: PolicyLinkRequest,
  requestedAt: string,
  cloudRequestId: string | undefined,
): Promise<StepResult> {
  const { destination } = request;
  const { policyId } = request.spec.policy;
  const policyCode = code(policyId);
  const account = describeAccount(destination.accountUin, destination.alias);
  const progress = {
    ...request.progress,
    linkRequestedAt: requestedAt,
    linkAcceptedAt: deps.clock.now().toISOString(),
    ...(cloudRequestId ? { cloudRequestId } : {}),
  };
  return advance(deps, request, { to: "running", step: "confirming" }, { progress }, [
    cloudRequestId
      ? tr(
          text`Link requested: ${policyCode} → account ${account}; Tencent Cloud accepted it (request id ${cloudRequestId}). Checking that the link shows…`,
          text`已请求关联：${policyCode} → 账号 ${account}；腾讯云已接受（请求 ID ${cloudRequestId}）。正在确认关联已生效…`,
        )
      : tr(
          text`${policyCode} already replicates to account ${account} (an earlier call went through); no second call. Checking that the link shows…`,
          text`${policyCode} 已经复制到账号 ${account}（之前的调用已生效），不再重复调用。正在确认关联已生效…`,
        ),
  ]);
}
