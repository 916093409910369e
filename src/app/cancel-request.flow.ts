import { code, mention, type Text, text, toPlainText } from "../core/messages/message.js";
import { checkCanceller } from "../core/request/approval-rules.js";
import type { Request } from "../core/request/request.js";
import {
  type AuditDeps,
  approverPolicyFor,
  isAmong,
  type LookupDeps,
  recordAuditEntry,
} from "./approver-lookup.js";
import type { FlowDeps } from "./flow-deps.js";

export type CancelOutcome = { kind: "cancelled"; request: Request } | { kind: "refused"; message: Text };

/** The ports a cancel uses. */
export type CancelDeps = LookupDeps & AuditDeps & Pick<FlowDeps, "store" | "notifier" | "config">;

/**
 * `/snapshot cancel <id>`: by the requester or an approver, while nothing has been sent to
 * Tencent Cloud (pending or queued). A queued job then finds the request cancelled and does nothing.
 */
export async function cancelRequest(
  deps: CancelDeps,
  input: { requestId: string; userId: string },
): Promise<CancelOutcome> {
  const request = await deps.store.get(input.requestId);
  if (!request) {
    return {
      kind: "refused",
      message: text`No request ${code(input.requestId)} is known (finished requests are kept for 90 days).`,
    };
  }
  const approver = await isAmong(deps, input.userId, approverPolicyFor(deps, request.destination.alias));
  const check = checkCanceller(request, input.userId, approver);
  const refuse = async (message: Text): Promise<CancelOutcome> => {
    await recordAuditEntry(deps, {
      event: "cancel_refused",
      requestId: request.id,
      userId: input.userId,
      detail: toPlainText(message),
    });
    return { kind: "refused", message };
  };
  if (check.kind === "refused") return refuse(check.reason);
  const result = await deps.store.transition(request.id, {
    to: "cancelled",
    patch: { cancellation: { userId: input.userId, at: deps.clock.now().toISOString() } },
    note: { userId: input.userId },
  });
  if (!result.ok) {
    // Moved on between the read and the write (approved → checking, or decided): say where it is now.
    if (result.reason === "not_found") return refuse(text`Request ${request.id} no longer exists.`);
    const again = checkCanceller(result.request, input.userId, approver);
    return refuse(
      again.kind === "refused" ? again.reason : text`${request.id} changed meanwhile; try again.`,
    );
  }
  deps.logger.info(
    { flow: "cancel-request", requestId: request.id, userId: input.userId },
    "request cancelled",
  );
  await deps.notifier.updateCard(result.request);
  await deps.notifier.postThreadReply(
    result.request,
    text`Cancelled by ${mention(input.userId)}${request.state === "approved" ? " before it started" : ""}. Nothing was done.`,
  );
  return { kind: "cancelled", request: result.request };
}
