import type { App, BlockButtonAction } from "@slack/bolt";
import { REQUEST_ID } from "../domain/ids.js";
import { type Decision, decideRequest } from "../flows/decide-request.flow.js";
import type { FlowDeps } from "../flows/flow-deps.js";
import { renderUnexpectedError } from "./command-replies.blocks.js";
import { ACTION_APPROVE, ACTION_REJECT } from "./slack-ids.js";

/** Approve / Reject on a card: ack, one flow, and a private word to the clicker when refused. */
export function registerDecisionActions(app: App, deps: FlowDeps): void {
  const handle = (decision: Decision) =>
    app.action<BlockButtonAction>(
      decision === "approve" ? ACTION_APPROVE : ACTION_REJECT,
      async ({ ack, action, body, respond }) => {
        await ack();
        const requestId = action.value ?? "";
        if (!REQUEST_ID.test(requestId)) {
          await respond({
            response_type: "ephemeral",
            replace_original: false,
            text: "This button carries no valid request id.",
          });
          return;
        }
        try {
          const outcome = await decideRequest(deps, { requestId, userId: body.user.id, decision });
          if (outcome.kind === "refused") {
            await respond({
              response_type: "ephemeral",
              replace_original: false,
              text: `:no_entry_sign: ${outcome.message}`,
            });
          } else if (outcome.kind === "approval_recorded") {
            await respond({
              response_type: "ephemeral",
              replace_original: false,
              text: `Your approval is recorded; ${outcome.remaining} more needed.`,
            });
          }
        } catch (err) {
          deps.logger.error({ err, requestId, decision }, "decision failed");
          await respond({
            response_type: "ephemeral",
            replace_original: false,
            text: renderUnexpectedError(),
          }).catch(() => undefined);
        }
      },
    );
  handle("approve");
  handle("reject");
}
