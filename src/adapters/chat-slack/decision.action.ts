import type { AllMiddlewareArgs, App, BlockButtonAction, SlackActionMiddlewareArgs } from "@slack/bolt";
import { decideRequest, precheck } from "../../app/decide-request.flow.js";
import type { FlowDeps } from "../../app/flow-deps.js";
import { REQUEST_ID } from "../../core/ids.js";
import type { AppHomePublisher } from "./app-home.publisher.js";
import { renderRefusal, renderUnexpectedError } from "./command-replies.blocks.js";
import { say as sayIn } from "./reader-locale.js";
import { buildRejectReasonView } from "./reject-reason.view.js";
import { ACTION_APPROVE, ACTION_REJECT } from "./slack-ids.js";

type Respond = (text: string) => Promise<unknown>;

type ButtonArgs = SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs;

/** A click on the Home tab: a view container, no channel, no message, no response_url. */
function fromHome(body: BlockButtonAction): boolean {
  return body.container?.type === "view" || body.view?.type === "home";
}

/**
 * The part every card button shares: ack, a private `say`, the request id from the button's value,
 * and one catch that turns an unexpected error into a polite private reply. A click on the Home
 * tab has no response_url: its private word is a line at the top of the clicker's Home, published
 * again at once (which also drops a request they just decided).
 */
function onCardButton(
  app: App,
  deps: FlowDeps,
  actionId: string,
  home: AppHomePublisher | undefined,
  handle: (args: ButtonArgs, requestId: string, say: Respond) => Promise<void>,
): void {
  app.action<BlockButtonAction>(actionId, async (args) => {
    await args.ack();
    const inHome = fromHome(args.body);
    const userId = args.body.user.id;
    let said = false;
    const say: Respond = async (text) => {
      said = true;
      if (inHome) {
        if (home) home.notify(userId, text);
        else deps.logger.warn({ userId }, "a click in the Home tab, but no Home publisher to answer in");
        return;
      }
      await args
        .respond({ response_type: "ephemeral", replace_original: false, text })
        .catch((err) => deps.logger.warn({ err }, "could not answer a click privately"));
    };
    // Only a string: a JSON array ["rq-…"] would pass the regex through its string form.
    const value: unknown = args.action.value;
    const requestId = typeof value === "string" ? value : "";
    if (!REQUEST_ID.test(requestId)) {
      await say(
        sayIn(
          "This button carries no valid request id; nothing changed.",
          "此按钮没有有效的申请 ID，未做任何更改。",
        ),
      );
      return;
    }
    try {
      await handle(args, requestId, say);
    } catch (err) {
      deps.logger.error({ err, requestId, actionId }, "card button failed");
      await say(renderUnexpectedError());
    }
    // Decided without a word to say (approved): the clicker's Home shows the request gone now.
    if (inHome && !said && actionId === ACTION_APPROVE) home?.refreshNow(userId);
  });
}

/**
 * Approve / Reject on a card: ack, one flow, and a private word to the clicker when refused.
 * Reject first opens a modal for an optional reason (reject-reason.view.ts decides).
 */
export function registerDecisionActions(app: App, deps: FlowDeps, home?: AppHomePublisher): void {
  onCardButton(app, deps, ACTION_APPROVE, home, async ({ body }, requestId, say) => {
    const outcome = await decideRequest(deps, { requestId, userId: body.user.id, decision: "approve" });
    if (outcome.kind === "refused") await say(renderRefusal(outcome.message));
    else if (outcome.kind === "approval_recorded") {
      await say(
        sayIn(
          `Your approval is recorded; ${outcome.remaining} more approval${outcome.remaining === 1 ? "" : "s"} needed.`,
          `已记录您的批准；还需要 ${outcome.remaining} 位审批人批准。`,
        ),
      );
    }
  });

  onCardButton(app, deps, ACTION_REJECT, home, async ({ body, client }, requestId, say) => {
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
