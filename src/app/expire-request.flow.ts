import { code, mention, text } from "../core/messages/message.js";
import type { Request } from "../core/request/request.js";
import type { FlowDeps } from "./flow-deps.js";

export type ExpiryOutcome =
  | { kind: "expired"; request: Request }
  /** Decided, cancelled or already expired before its time was up: nothing to do. */
  | { kind: "unchanged" };

/**
 * A pending request's `requestTtl` is up (run by a delayed job, or by a click that finds it past
 * its time). Atomic: a request approved a moment earlier stays approved.
 */
/** The ports expiring a request uses. */
export type ExpireDeps = Pick<FlowDeps, "store" | "notifier" | "logger" | "config" | "kinds">;

export async function expireRequest(deps: ExpireDeps, requestId: string): Promise<ExpiryOutcome> {
  const result = await deps.store.transition(requestId, { to: "expired" });
  if (!result.ok) return { kind: "unchanged" };
  const request = result.request;
  deps.logger.info({ flow: "expire-request", requestId }, "request expired");
  const count = request.approvals.length;
  const needed = request.requiredApprovals ?? deps.config.approvers.required;
  await deps.notifier.updateCard(request);
  await deps.notifier.postThreadReply(
    request,
    text`Expired: nobody approved it in time${count > 0 ? ` (${count}/${needed} approvals)` : ""}. Nothing was done. ${mention(request.requestedBy)}, make a new request if it is still needed.`,
  );
  const summary = deps.kinds.of(request).describeCard(request).summary;
  try {
    await deps.notifier.tellUser(
      request.origin,
      request.requestedBy,
      text`Your request ${code(request.id)} (${summary}) expired without enough approvals; nothing was done.`,
    );
  } catch (err) {
    deps.logger.debug({ err, requestId }, "requester could not be told privately");
  }
  return { kind: "expired", request };
}
