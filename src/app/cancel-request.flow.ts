import { CANCELLABLE_STATES, checkCanceller } from "../core/request/approval-rules.js";
import type { ReplicationRequest } from "../core/request/request.js";
import { approverPolicyFor, isAmong, recordAuditEntry } from "./approver-lookup.js";
import type { FlowDeps } from "./flow-deps.js";

export type CancelOutcome =
  | { kind: "cancelled"; request: ReplicationRequest }
  | { kind: "refused"; message: string };

/**
 * `/snapshot cancel <id>`: by the requester or an approver, while nothing has been sent to
 * Tencent Cloud (pending or queued). A queued job then finds the request cancelled and does nothing.
 */
export async function cancelRequest(
  deps: FlowDeps,
  input: { requestId: string; userId: string },
): Promise<CancelOutcome> {
  const request = await deps.store.get(input.requestId);
  if (!request) {
    return {
      kind: "refused",
      message: `No request \`${input.requestId}\` is known (finished requests are kept for 90 days).`,
    };
  }
  const approver = await isAmong(deps, input.userId, approverPolicyFor(deps, request.destination.alias));
  const check = checkCanceller(request, input.userId, approver);
  const refuse = async (message: string): Promise<CancelOutcome> => {
    await recordAuditEntry(deps, {
      event: "cancel_refused",
      requestId: request.id,
      userId: input.userId,
      detail: message,
    });
    return { kind: "refused", message };
  };
  if (check.kind === "refused") return refuse(check.reason);
  const result = await deps.store.transition(
    request.id,
    CANCELLABLE_STATES,
    "cancelled",
    { cancellation: { userId: input.userId, at: deps.clock.now().toISOString() } },
    { userId: input.userId },
  );
  if (!result.ok) {
    // Moved on between the read and the write (approved → checking, or decided): say where it is now.
    if (result.reason === "not_found") return refuse(`Request ${request.id} no longer exists.`);
    const again = checkCanceller(result.request, input.userId, approver);
    return refuse(again.kind === "refused" ? again.reason : `${request.id} changed meanwhile; try again.`);
  }
  deps.logger.info(
    { flow: "cancel-request", requestId: request.id, userId: input.userId },
    "request cancelled",
  );
  await deps.notifier.updateCard(result.request);
  await deps.notifier.postThreadReply(
    result.request,
    `Cancelled by <@${input.userId}>${request.state === "approved" ? " before the copy started" : ""}. Nothing was copied.`,
  );
  return { kind: "cancelled", request: result.request };
}
