import { code, mention, text, tr } from "../core/messages/message.js";
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
  const requester = mention(request.requestedBy);
  await deps.notifier.updateCard(request);
  await deps.notifier.postThreadReply(request, [
    tr(
      text`Expired: ${count > 0 ? `only ${count} of ${needed} approvals came in time` : "nobody approved it in time"}. Nothing was done. ${requester}, make a new request if it is still needed.`,
      text`已过期：${count > 0 ? `在时限内只获得 ${count}/${needed} 个审批` : "无人在时限内批准"}，未执行任何操作。${requester}，如仍需要，请重新提交申请。`,
    ),
  ]);
  const summary = deps.kinds.of(request).describeCard(request).summary;
  const id = code(request.id);
  try {
    await deps.notifier.tellUser(request.origin, request.requestedBy, [
      tr(
        text`Your request ${id} (${summary}) expired without enough approvals; nothing was done. Make a new request if it is still needed.`,
        text`你的申请 ${id}（${summary}）在获得足够审批前已过期，未执行任何操作。如仍需要，请重新提交申请。`,
      ),
    ]);
  } catch (err) {
    deps.logger.debug({ err, requestId }, "requester could not be told privately");
  }
  return { kind: "expired", request };
}
