import type { App, BlockButtonAction } from "@slack/bolt";
import { REQUEST_ID } from "../domain/ids.js";
import { decideRequest, precheck } from "../flows/decide-request.flow.js";
import type { FlowDeps } from "../flows/flow-deps.js";
import { renderUnexpectedError } from "./command-replies.blocks.js";
import { buildRejectReasonView } from "./reject-reason.view.js";
import { ACTION_APPROVE, ACTION_REJECT } from "./slack-ids.js";

type Respond = (text: string) => Promise<unknown>;

/**
 * Approve / Reject on a card: ack, one flow, and a private word to the clicker when refused.
 * Reject first opens a modal for an optional reason (reject-reason.view.ts decides).
 */
export function registerDecisionActions(app: App, deps: FlowDeps): void {
  app.action<BlockButtonAction>(ACTION_APPROVE, async ({ ack, action, body, respond }) => {
    await ack();
    const say: Respond = (text) =>
      respond({ response_type: "ephemeral", replace_original: false, text }).catch((err) =>
        deps.logger.warn({ err }, "could not answer a click privately"),
      );
    const requestId = action.value ?? "";
    if (!REQUEST_ID.test(requestId)) {
      await say("This button carries no valid request id; nothing changed.");
      return;
    }
    try {
      const outcome = await decideRequest(deps, { requestId, userId: body.user.id, decision: "approve" });
      if (outcome.kind === "refused") await say(`:no_entry_sign: ${outcome.message}`);
      else if (outcome.kind === "approval_recorded")
        await say(
          `Your approval is recorded; ${outcome.remaining} more approval${outcome.remaining === 1 ? "" : "s"} needed.`,
        );
    } catch (err) {
      deps.logger.error({ err, requestId }, "approval failed");
      await say(renderUnexpectedError());
    }
  });

  app.action<BlockButtonAction>(ACTION_REJECT, async ({ ack, action, body, respond, client }) => {
    await ack();
    const say: Respond = (text) =>
      respond({ response_type: "ephemeral", replace_original: false, text }).catch((err) =>
        deps.logger.warn({ err }, "could not answer a click privately"),
      );
    const requestId = action.value ?? "";
    if (!REQUEST_ID.test(requestId)) {
      await say("This button carries no valid request id; nothing changed.");
      return;
    }
    try {
      const allowed = await precheck(deps, requestId, body.user.id, "reject");
      if (allowed.kind === "refused") {
        await say(`:no_entry_sign: ${allowed.message}`);
        return;
      }
      const channel = body.channel?.id ?? allowed.request.card?.channel ?? allowed.request.requestChannel;
      await client.views.open({
        trigger_id: body.trigger_id,
        view: buildRejectReasonView(allowed.request, channel),
      });
    } catch (err) {
      deps.logger.error({ err, requestId }, "reject dialog failed");
      await say(renderUnexpectedError());
    }
  });
}
