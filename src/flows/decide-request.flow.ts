import { describeDecidedState, judgeApproval } from "../domain/approval-rules.js";
import type { ReplicationRequest } from "../domain/request.js";
import type { FlowDeps } from "./flow-deps.js";

export type Decision = "approve" | "reject";

export type DecisionOutcome =
  | { kind: "approved"; request: ReplicationRequest }
  | { kind: "approval_recorded"; request: ReplicationRequest; remaining: number }
  | { kind: "rejected"; request: ReplicationRequest }
  | { kind: "refused"; message: string };

async function isApprover(deps: FlowDeps, userId: string): Promise<boolean> {
  const { users, usergroups } = deps.config.approvers;
  if (users.includes(userId)) return true;
  for (const group of usergroups) {
    try {
      if ((await deps.directory.usergroupMembers(group)).includes(userId)) return true;
    } catch (err) {
      // A deleted or unreadable group grants nothing; it must not crash the click.
      deps.logger.warn({ err, usergroup: group }, "approver user group could not be read");
    }
  }
  return false;
}

/** An Approve or Reject click on a card. Every refusal changes nothing and says why. */
export async function decideRequest(
  deps: FlowDeps,
  input: { requestId: string; userId: string; decision: Decision; reason?: string },
): Promise<DecisionOutcome> {
  const request = await deps.store.get(input.requestId);
  if (!request) return { kind: "refused", message: `Request ${input.requestId} no longer exists.` };
  if (request.state !== "pending_approval")
    return { kind: "refused", message: describeDecidedState(request) };
  const approver = await isApprover(deps, input.userId);
  const log = deps.logger.child({ flow: "decide-request", requestId: request.id, userId: input.userId });

  if (input.decision === "reject") {
    if (!approver) {
      return {
        kind: "refused",
        message:
          "Only an approver can reject a request. (The requester can withdraw it with `/snapshot cancel`.)",
      };
    }
    const rejection = {
      userId: input.userId,
      at: deps.clock.now().toISOString(),
      ...(input.reason ? { reason: input.reason } : {}),
    };
    const result = await deps.store.transition(request.id, ["pending_approval"], "rejected", { rejection });
    if (!result.ok) return { kind: "refused", message: refusalFor(result) };
    log.info({}, "request rejected");
    await deps.notifier.updateCard(result.request);
    await deps.notifier.postThreadReply(
      result.request,
      `Rejected by <@${input.userId}>${input.reason ? `: ${input.reason}` : "."} Nothing was copied.`,
    );
    return { kind: "rejected", request: result.request };
  }

  const verdict = judgeApproval(request, input.userId, approver, deps.config.approvers, deps.clock.now());
  if (verdict.kind === "refused") return { kind: "refused", message: verdict.reason };
  if (verdict.kind === "recorded") {
    const updated = await deps.store.transition(request.id, ["pending_approval"], "pending_approval", {
      approvals: verdict.approvals,
    });
    if (!updated.ok) return { kind: "refused", message: refusalFor(updated) };
    await deps.notifier.updateCard(updated.request);
    return { kind: "approval_recorded", request: updated.request, remaining: verdict.remaining };
  }
  const result = await deps.store.transition(request.id, ["pending_approval"], "approved", {
    approvals: verdict.approvals,
  });
  if (!result.ok) return { kind: "refused", message: refusalFor(result) };
  // The job id is the request id, so even a duplicate enqueue yields one job.
  await deps.queue.enqueueReplication(result.request.id);
  log.info({}, "request approved and queued");
  await deps.notifier.updateCard(result.request);
  await deps.notifier.postThreadReply(
    result.request,
    `Approved by <@${input.userId}>. Queued for replication.`,
  );
  return { kind: "approved", request: result.request };
}

function refusalFor(
  result:
    | { ok: false; reason: "not_found" }
    | { ok: false; reason: "wrong_state"; request: ReplicationRequest },
): string {
  return result.reason === "not_found"
    ? "This request no longer exists."
    : describeDecidedState(result.request);
}
