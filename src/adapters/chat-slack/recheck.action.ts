import type { App, BlockButtonAction } from "@slack/bolt";
import { listDestinationReadiness } from "../../app/accounts.flow.js";
import { runPrerequisiteChecks } from "../../app/check-prerequisites.flow.js";
import type { FlowDeps } from "../../app/flow-deps.js";
import { runPolicyLinkChecks } from "../../kinds/policy-link/check-policy-link.js";
import { renderUnexpectedError } from "./command-replies.blocks.js";
import {
  buildAccountsReply,
  buildPolicyLinkRecheckReply,
  buildRecheckReply,
  type RecheckPayload,
  recheckPayloadSchema,
} from "./prerequisites.blocks.js";
import { say } from "./reader-locale.js";
import { ACTION_RECHECK } from "./slack-ids.js";

/**
 * Re-check on a failed-check message: ack, run the checks again on fresh CAM answers (never the
 * cache: `fresh` asks CAM now, and that answer then serves everyone), and say what changed. On a private message the answer replaces it; on a card it is a new private message.
 */
export function registerRecheckAction(app: App, deps: FlowDeps): void {
  app.action<BlockButtonAction>(ACTION_RECHECK, async ({ ack, action, body, respond }) => {
    await ack();
    const replace = body.container?.is_ephemeral === true;
    const payload = parseValue(action.value);
    if (!payload) {
      await respond({
        response_type: "ephemeral",
        replace_original: false,
        text: say(
          "This Re-check button carries nothing I can check; run `/snapshot check` again.",
          "此“重新检查”按钮没有可检查的内容；请重新运行 `/snapshot check`。",
        ),
      }).catch((err) => deps.logger.warn({ err }, "could not answer a re-check privately"));
      return;
    }
    try {
      const reply =
        payload.k === "accounts"
          ? buildAccountsReply(await listDestinationReadiness(deps), payload)
          : payload.k === "auto"
            ? buildPolicyLinkRecheckReply(
                payload,
                await runPolicyLinkChecks(
                  deps,
                  {
                    policyId: payload.s,
                    destination: payload.d,
                    ...(payload.r ? { region: payload.r } : {}),
                  },
                  { fresh: true },
                ),
              )
            : buildRecheckReply(
                payload,
                await runPrerequisiteChecks(
                  deps,
                  {
                    snapshotId: payload.s,
                    destination: payload.d,
                    ...(payload.r ? { region: payload.r } : {}),
                  },
                  { fresh: true },
                ),
              );
      await respond({ response_type: "ephemeral", replace_original: replace, ...reply });
    } catch (err) {
      deps.logger.error({ err, userId: body.user.id }, "re-check failed");
      await respond({
        response_type: "ephemeral",
        replace_original: false,
        text: renderUnexpectedError(),
      }).catch(() => undefined);
    }
  });
}

function parseValue(value: unknown): RecheckPayload | undefined {
  if (typeof value !== "string" || value === "") return undefined;
  try {
    const parsed = recheckPayloadSchema.safeParse(JSON.parse(value));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
