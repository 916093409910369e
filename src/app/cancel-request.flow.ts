import { code, mention, type Text, text, toPlainText, tr } from "../core/messages/message.js";
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
export type CancelDeps = LookupDeps & AuditDeps & Pick<FlowDeps, "store" | "notifier" | "config" | "kinds">;

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
      message: [
        tr(
          text`No request ${code(input.requestId)} is known (finished requests are kept for 90 days).`,
          text`找不到申请 ${code(input.requestId)}（已结束的申请保留 90 天）。`,
        ),
      ],
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
    if (result.reason === "not_found")
      return refuse([
        tr(text`Request ${code(request.id)} no longer exists.`, text`申请 ${code(request.id)} 已不存在。`),
      ]);
    const again = checkCanceller(result.request, input.userId, approver);
    return refuse(
      again.kind === "refused"
        ? again.reason
        : [
            tr(
              text`${code(request.id)} changed meanwhile; try again.`,
              text`${code(request.id)} 刚刚发生了变化，请重试。`,
            ),
          ],
    );
  }
  deps.logger.info(
    { flow: "cancel-request", requestId: request.id, userId: input.userId },
    "request cancelled",
  );
  await deps.notifier.updateCard(result.request);
  const byRequester = input.userId === request.requestedBy;
  const early = request.state === "approved";
  const by = mention(input.userId);
  const requester = mention(request.requestedBy);
  await deps.notifier.postThreadReply(result.request, [
    tr(
      text`Cancelled by ${by}${early ? " before it started" : ""}. Nothing was done.${byRequester ? "" : text` ${requester}, make a new request if it is still needed.`}`,
      text`${by} 已${early ? "在开始前" : ""}取消此申请，未执行任何操作。${byRequester ? "" : text`${requester}，如仍需要，请重新提交申请。`}`,
    ),
  ]);
  // Cancelled by an approver: the requester hears it as they would a rejection, privately too.
  if (!byRequester) await tellRequester(deps, result.request, input.userId);
  return { kind: "cancelled", request: result.request };
}

async function tellRequester(deps: CancelDeps, request: Request, canceller: string): Promise<void> {
  const summary = deps.kinds.of(request).describeCard(request).summary;
  const id = code(request.id);
  try {
    await deps.notifier.tellUser(request.origin, request.requestedBy, [
      tr(
        text`${mention(canceller)} cancelled your request ${id} (${summary}); nothing was done. Make a new request if it is still needed.`,
        text`${mention(canceller)} 取消了你的申请 ${id}（${summary}），未执行任何操作。如仍需要，请重新提交申请。`,
      ),
    ]);
  } catch (err) {
    deps.logger.debug({ err, requestId: request.id }, "requester could not be told privately");
  }
}
