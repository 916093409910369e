import type { FlowDeps } from "../../../app/flow-deps.js";
import { CloudError } from "../../../core/ports/cloud-api.port.js";
import type { ReplicationRequest } from "../../../core/request/request.js";
import { advance, fail, failFromCloud, finish, type StepResult } from "./step-outcome.js";

/** How long after a call's timeout it surely no longer runs (clock differences, the SDK's own delays). */
const CALL_SETTLE_MARGIN_MS = 2000;

export async function copy(deps: FlowDeps, request: ReplicationRequest): Promise<StepResult> {
  const { destination } = request;
  let newSnapshotId = request.copy.newSnapshotId;
  let cloudRequestId = request.copy.cloudRequestId;

  if (!newSnapshotId) {
    // Exactly once (docs/decisions/008): the claim says a run may have called already.
    const stored = await deps.copyWatch.readCopyClaim(request.id);
    // A record written before claims existed (or a crash mid-release) still says a call may be out.
    const claim =
      stored ??
      (request.copy.copyRequestedAt ? { at: request.copy.copyRequestedAt, ended: false } : undefined);
    if (claim) {
      if (!destination.readRoleArn) {
        return fail(deps, request, {
          code: "copy.outcome_unknown",
          message:
            "The bot stopped while the copy was being requested, and without a read role it cannot tell whether the copy was made. It did not request a second copy.",
        });
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
        request.snapshot.region,
        request.newName,
      );
      newSnapshotId = found[0]?.snapshotId;
    }

    if (!newSnapshotId) {
      const mine = { at: deps.clock.now().toISOString(), ended: false };
      if (!(await deps.copyWatch.swapCopyClaim(request.id, stored, mine))) {
        // Another run took the call first: it owns it; look again later.
        return { kind: "wait", delayMs: deps.config.replication.pollInterval };
      }
      await deps.store.update(request.id, { copy: { ...request.copy, copyRequestedAt: mine.at } });
      try {
        const accepted = await deps.cloud.copySnapshotCrossAccount({
          snapshotId: request.snapshot.snapshotId,
          region: request.snapshot.region,
          targetAccountUin: destination.accountUin,
          newName: request.newName,
          notAfter: Date.parse(mine.at) + deps.config.worker.cloudCallTimeout,
        });
        newSnapshotId = accepted.newSnapshotId;
        cloudRequestId = accepted.requestId;
      } catch (err) {
        if (err instanceof CloudError && !err.retryable) return failFromCloud(deps, request, err);
        if (err instanceof CloudError && isRefusedUnrun(err)) {
          // Tencent refused the call before running it: no copy was made, a retry may call again.
          await deps.copyWatch.swapCopyClaim(request.id, mine, undefined);
          const { copyRequestedAt: _notMade, ...withoutIntent } = request.copy;
          await deps.store.update(request.id, { copy: withoutIntent });
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
    ...request.copy,
    copyRequestedAt: request.copy.copyRequestedAt ?? deps.clock.now().toISOString(),
    newSnapshotId,
    startedAt: request.copy.startedAt ?? deps.clock.now().toISOString(),
    ...(cloudRequestId ? { cloudRequestId } : {}),
  };
  await deps.store.update(request.id, { copy: copyFacts });
  const started = `Copy started: new snapshot \`${newSnapshotId}\` in account ${destination.accountUin} (${destination.alias})${cloudRequestId ? `, Tencent request id ${cloudRequestId}` : ""}.`;
  if (!destination.readRoleArn) {
    const result = await deps.store.transition(request.id, ["copying"], "submitted", {
      copy: { ...copyFacts, finishedAt: deps.clock.now().toISOString() },
    });
    if (result.ok) {
      await deps.notifier.postThreadReply(result.request, started);
      await deps.notifier.postThreadReply(
        result.request,
        `Submitted; completion cannot be verified: destination "${destination.alias}" has no read role. Add \`readRoleArn\` to it in the configuration so the bot can follow copies to the end.`,
      );
      await finish(deps, result.request);
    }
    return { kind: "done", state: "submitted" };
  }
  await advance(
    deps,
    { ...request, copy: copyFacts },
    "verifying",
    { copy: { ...copyFacts, reportedQuarter: 0 } },
    started,
  );
  return { kind: "wait", delayMs: deps.config.replication.pollInterval };
}

/** Errors that say the call did not run at all (rate limit): the only transient ones that clear the intent. */
function isRefusedUnrun(err: CloudError): boolean {
  return err.category === "throttled";
}
