import type { App, types } from "@slack/bolt";
import { z } from "zod";
import { decideRequest, MAX_REASON_LENGTH } from "../../app/decide-request.flow.js";
import type { FlowDeps } from "../../app/flow-deps.js";
import type { RequestKind } from "../../app/request-kind.js";
import { REQUEST_ID } from "../../core/ids.js";
import { code, mention, text, tr } from "../../core/messages/message.js";
import type { Request } from "../../core/request/request.js";
import { renderRefusal, renderUnexpectedError } from "./command-replies.blocks.js";
import { plainText, renderText } from "./mrkdwn.renderer.js";
import { say } from "./reader-locale.js";
import { VIEW_REJECT_REASON } from "./slack-ids.js";
import { SLACK_LIMITS } from "./slack-limits.js";

export const REASON_BLOCK = "reason";
export const REASON_ACTION = "reason_input";

const metadataSchema = z.object({
  requestId: z.string().regex(REQUEST_ID),
  channel: z.string().min(1).max(40),
});

const submissionSchema = z.object({
  private_metadata: z.string(),
  state: z.object({
    values: z.record(
      z.string(),
      z.record(z.string(), z.object({ value: z.string().nullish() }).passthrough()),
    ),
  }),
});

/** The modal Reject opens: an optional reason, shown on the card and in the thread. */
export function buildRejectReasonView(request: Request, kind: RequestKind, channel: string): types.ModalView {
  const summary = kind.describeCard(request).summary;
  const asker = mention(request.requestedBy);
  return {
    type: "modal",
    callback_id: VIEW_REJECT_REASON,
    private_metadata: JSON.stringify({ requestId: request.id, channel }),
    title: plainText([tr("Reject request", "拒绝申请")], SLACK_LIMITS.modalTitle),
    submit: plainText([tr("Reject", "拒绝")], SLACK_LIMITS.modalButton),
    close: plainText([tr("Back", "返回")], SLACK_LIMITS.modalButton),
    blocks: [
      {
        type: "section",
        text: {
          type: "mrkdwn",
          text:
            renderText(
              [
                tr(
                  text`Reject ${code(request.id)}: ${summary}, asked by ${asker}?`,
                  text`拒绝 ${code(request.id)}：${summary}（申请人 ${asker}）？`,
                ),
              ],
              SLACK_LIMITS.sectionText,
            ) || " ",
        },
      },
      {
        type: "input",
        block_id: REASON_BLOCK,
        optional: true,
        label: plainText(
          [tr("Reason (optional, shown on the card)", "原因（可选，会显示在卡片上）")],
          SLACK_LIMITS.inputLabel,
        ),
        element: {
          type: "plain_text_input",
          action_id: REASON_ACTION,
          multiline: true,
          max_length: MAX_REASON_LENGTH,
        },
      },
    ],
  };
}

/** The reject modal's submission: validate, close the modal, decide, and tell a refused person why. */
export function registerRejectReasonView(app: App, deps: FlowDeps): void {
  app.view(VIEW_REJECT_REASON, async ({ ack, view, body, client }) => {
    const parsed = submissionSchema.safeParse(view);
    const metadata = parsed.success ? safeJson(parsed.data.private_metadata) : undefined;
    const meta = metadataSchema.safeParse(metadata);
    if (!parsed.success || !meta.success) {
      await ack({
        response_action: "errors",
        errors: {
          [REASON_BLOCK]: say(
            "This dialog is no longer valid; nothing changed.",
            "此对话框已失效，未做任何更改。",
          ),
        },
      });
      return;
    }
    const reason = parsed.data.state.values[REASON_BLOCK]?.[REASON_ACTION]?.value ?? "";
    if (reason.length > MAX_REASON_LENGTH) {
      await ack({
        response_action: "errors",
        errors: {
          [REASON_BLOCK]: say(
            `Keep the reason under ${MAX_REASON_LENGTH} characters.`,
            `原因请少于 ${MAX_REASON_LENGTH} 个字符。`,
          ),
        },
      });
      return;
    }
    await ack();
    const { requestId, channel } = meta.data;
    const userId = body.user.id;
    let text: string | undefined;
    try {
      const outcome = await decideRequest(deps, { requestId, userId, decision: "reject", reason });
      if (outcome.kind === "refused") text = renderRefusal(outcome.message);
    } catch (err) {
      deps.logger.error({ err, requestId }, "rejection failed");
      text = renderUnexpectedError();
    }
    if (text) {
      await client.chat
        .postEphemeral({ channel, user: userId, text })
        .catch((err) => deps.logger.warn({ err, requestId }, "could not tell the user privately"));
    }
  });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
