import type { AllMiddlewareArgs, App, BlockButtonAction, SlackActionMiddlewareArgs } from "@slack/bolt";
import { decideRequest, precheck } from "../../app/decide-request.flow.js";
import type { FlowDeps } from "../../app/flow-deps.js";
import { REQUEST_ID } from "../../core/ids.js";
import { renderRefusal, renderUnexpectedError } from "./command-replies.blocks.js";
import { buildRejectReasonView } from "./reject-reason.view.js";
import { ACTION_APPROVE, ACTION_REJECT } from "./slack-ids.js";

type Respond = (text: string) => Promise<unknown>;

type ButtonArgs = SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs;

/**
 * The part every card button shares: ack, a private `say`, the request id from the button's value,
 * and one catch that turns an unexpected error into a polite private reply.
 */
function onCardButton(
  app: App,
  deps: FlowDeps,
  actionId: string,
  handle: (args: ButtonArgs, requestId: string, say: Respond) => Promise<void>,
): void {
  app.action<BlockButtonAction>(actionId, async (args) => {
    await args.ack();
    const say: Respond = (text) =>
      args
        .respond({ response_type: "ephemeral", replace_original: false, text })
        .catch((err) => deps.logger.warn({ err }, "could not answer a click privately"));
    // Only a string: a JSON array ["rq-…"] would pass the regex through its string form.
    const value: unknown = args.action.value;
    const requestId = typeof value === "string" ? value : "";
    if (!REQUEST_ID.test(requestId)) {
      await say("This button carries no valid request id; nothing changed.");
      return;
    }
    try {
      await handle(args, requestId, say);
    } catch (err) {
      deps.logger.error({ err, requestId, actionId }, "card button failed");
      await say(renderUnexpectedError());
    }
  });
}

/**
 * Approve / Reject on a card: ack, one flow, and a private word to the clicker when refused.
 * Reject first opens a modal for an optional reason (reject-reason.view.ts decides).
 */
export function registerDecisionActions(app: App, deps: FlowDeps): void {
  onCardButton(app, deps, ACTION_APPROVE, async ({ body }, requestId, say) => {
    const outcome = await decideRequest(deps, { requestId, userId: body.user.id, decision: "approve" });
    if (outcome.kind === "refused") await say(renderRefusal(outcome.message));
    else if (outcome.kind === "approval_recorded") {
      await say(
        `Your approval is recorded; ${outcome.remaining} more approval${outcome.remaining === 1 ? "" : "s"} needed.`,
      );
    }
  });

  onCardButton(app, deps, ACTION_REJECT, async ({ body, client }, requestId, say) => {
    const allowed = await precheck(deps, requestId, body.user.id, "reject");
    if (allowed.kind === "refused") {
      await say(renderRefusal(allowed.message));
      return;
    }
    const channel = body.channel?.id ?? allowed.request.card?.conversation ?? allowed.request.origin;
    await client.views.open({
      trigger_id: body.trigger_id,
      view: buildRejectReasonView(allowed.request, deps.kinds.of(allowed.request), channel),
    });
  });
}
