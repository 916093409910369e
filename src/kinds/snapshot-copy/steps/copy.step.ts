import type { FlowDeps } from "../../../app/flow-deps.js";
import type { StepResult } from "../../../app/request-kind.js";
import { advance, fail, failFromCloud, finish, type StepDeps } from "../../../app/request-steps.js";
import { code, text, tr } from "../../../core/messages/message.js";
import { CloudError } from "../../../core/ports/cloud-api.port.js";
import type { SnapshotCopyRequest } from "../snapshot-copy.request.js";

/** How long after a call's timeout it surely no longer runs (clock differences, the SDK's own delays). */
const CALL_SETTLE_MARGIN_MS = 2000;

/** The ports the copy step uses: the step's bookkeeping, the copy call's claim, the cloud and the clock. */
export type CopyStepDeps = StepDeps & Pick<FlowDeps, "copyWatch" | "cloud" | "clock" | "config">;

export async function copy(deps: CopyStepDeps, request: SnapshotCopyRequest): Promise<StepResult> {
  const { destination } = request;
  let newSnapshotId = request.progress.newSnapshotId;
  let cloudRequestId = request.progress.cloudRequestId;

  if (!newSnapshotId) {
    // Exactly once (docs/decisions/008): the claim says a run may have called already.
    const stored = await deps.copyWatch.readCopyClaim(request.id);
    // A record written before claims existed (or a crash mid-release) still says a call may be out.
    const claim =
      stored ??
      (request.progress.copyRequestedAt ? { at: request.progress.copyRequestedAt, ended: false } : undefined);
    if (claim) {
      if (!destination.readRoleArn) {
        // The cautious choice (no second call) is right, but "failed" would be misleading: the copy
        // usually exists. A state of its own says so, and where to look.
        return fail(
          deps,
          request,
          {
            code: "copy.outcome_unknown",
            message: [
              tr(
                text`A copy may exist — look for a snapshot named "${request.spec.newName}" in account ${destination.accountUin} (${destination.alias}), region ${request.spec.snapshot.region}. The copy call was interrupted (a crash or a fault while it was being made), and without a read role the bot cannot tell whether Tencent Cloud made the copy. It did not request a second copy.`,
                text`可能已存在副本——请在账号 ${destination.accountUin}（${destination.alias}）的 ${request.spec.snapshot.region} 地域查找名为“${request.spec.newName}”的快照。复制调用被中断（进行中发生崩溃或故障），而没有只读角色，机器人无法判断腾讯云是否已完成复制。机器人没有发起第二次复制。`,
              ),
            ],
          },
          "outcome_unknown",
        );
      }
      if (!claim.ended) {
        // That call may still be on its way (or running in another worker right now): look only
        // once it cannot be any more.
        // It is sent before `at + cloudCallTimeout` or never, and answered or abandoned one
        // timeout later.
        const settledAt =
          Date.parse(claim.at) + 2 * deps.config.worker.cloudCallTimeout + CALL_SETTLE_MARGIN_MS;
        const now = deps.clock.now().getTime();
        if (now < settledAt) return { kind: "wait", delayMs: settledAt - now };
      }
      const found = await deps.cloud.findDestinationSnapshotsByName(
        { accountUin: destination.accountUin, readRoleArn: destination.readRoleArn },
        request.spec.snapshot.region,
        request.spec.newName,
      );
      newSnapshotId = found[0]?.snapshotId;
    }

    if (!newSnapshotId) {
      const mine = { at: deps.clock.now().toISOString(), ended: false };
      if (!(await deps.copyWatch.swapCopyClaim(request.id, stored, mine))) {
        // Another run took the call first: it owns it; look again later.
        return { kind: "wait", delayMs: deps.config.replication.pollInterval };
      }
      await deps.store.update(request.id, { progress: { ...request.progress, copyRequestedAt: mine.at } });
      try {
        const accepted = await deps.cloud.copySnapshotCrossAccount({
          snapshotId: request.spec.snapshot.snapshotId,
          region: request.spec.snapshot.region,
          targetAccountUin: destination.accountUin,
          newName: request.spec.newName,
          notAfter: Date.parse(mine.at) + deps.config.worker.cloudCallTimeout,
        });
        newSnapshotId = accepted.newSnapshotId;
        cloudRequestId = accepted.requestId;
      } catch (err) {
        if (err instanceof CloudError && !err.retryable) {
          // Refused outright (not allow-listed, no permission, bad parameters): no copy was made,
          // so the name is free again and "ask again" may use the one the requester typed.
          await deps.copyWatch.swapCopyClaim(request.id, mine, undefined);
          const { copyRequestedAt: _refused, ...unclaimed } = request.progress;
          await deps.store.update(request.id, { progress: unclaimed });
          return failFromCloud(deps, { ...request, progress: unclaimed }, err);
        }
        if (err instanceof CloudError && isRefusedUnrun(err)) {
          // Tencent refused the call before running it: no copy was made, a retry may call again.
          await deps.copyWatch.swapCopyClaim(request.id, mine, undefined);
          const { copyRequestedAt: _notMade, ...withoutIntent } = request.progress;
          await deps.store.update(request.id, { progress: withoutIntent });
        } else {
          // InternalError, a timeout, a 5xx: the copy may have been made. The claim stays, marked
          // ended (no longer in flight), and the retry looks for the copy by name first.
          await deps.copyWatch.swapCopyClaim(request.id, mine, { ...mine, ended: true });
        }
        throw err;
      }
    }
  }

  const copyFacts = {
    ...request.progress,
    copyRequestedAt: request.progress.copyRequestedAt ?? deps.clock.now().toISOString(),
    newSnapshotId,
    startedAt: request.progress.startedAt ?? deps.clock.now().toISOString(),
    ...(cloudRequestId ? { cloudRequestId } : {}),
  };
  await deps.store.update(request.id, { progress: copyFacts });
  const started = [
    tr(
      text`Copy started: new snapshot ${code(newSnapshotId)} in account ${destination.accountUin} (${destination.alias})${cloudRequestId ? `, Tencent request id ${cloudRequestId}` : ""}.`,
      text`复制已开始：账号 ${destination.accountUin}（${destination.alias}）中的新快照 ${code(newSnapshotId)}${cloudRequestId ? `，腾讯云请求 ID ${cloudRequestId}` : ""}。`,
    ),
  ];
  if (!destination.readRoleArn) {
    const result = await deps.store.transition(request.id, {
      to: "submitted",
      from: { state: "running", step: "copying" },
      patch: { progress: { ...copyFacts, finishedAt: deps.clock.now().toISOString() } },
    });
    if (result.ok) {
      await deps.notifier.postThreadReply(result.request, started);
      await deps.notifier.postThreadReply(result.request, [
        tr(
          text`Submitted; completion cannot be verified: destination "${destination.alias}" has no read role. Add ${code("readRoleArn")} to it in the configuration so the bot can follow copies to the end.`,
          text`已提交；无法验证是否完成：目标“${destination.alias}”没有只读角色。请在配置中为它添加 ${code("readRoleArn")}，机器人才能跟踪复制直到完成。`,
        ),
      ]);
      await finish(deps, result.request);
    }
    return { kind: "done", state: "submitted" };
  }
  await advance(
    deps,
    { ...request, progress: copyFacts },
    { to: "running", step: "verifying" },
    { progress: { ...copyFacts, reportedQuarter: 0 } },
    started,
  );
  return { kind: "wait", delayMs: deps.config.replication.pollInterval };
}

/** Errors that say the call did not run at all (rate limit): the only transient ones that clear the intent. */
function isRefusedUnrun(err: CloudError): boolean {
  return err.category === "throttled";
}
