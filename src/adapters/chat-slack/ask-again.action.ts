import type { App, BlockButtonAction } from "@slack/bolt";
import type { FlowDeps } from "../../app/flow-deps.js";
import { REQUEST_ID } from "../../core/ids.js";
import type { RequestRateLimiter } from "../../core/ports/request-rate-limit.port.js";
import type { Request } from "../../core/request/request.js";
import { isPolicyLink } from "../../kinds/policy-link/policy-link.request.js";
import { requestPolicyLink } from "../../kinds/policy-link/request-policy-link.flow.js";
import { requestReplication } from "../../kinds/snapshot-copy/request-replication.flow.js";
import { isSnapshotCopy } from "../../kinds/snapshot-copy/snapshot-copy.request.js";
import { renderReplicateOutcome, renderUnexpectedError } from "./command-replies.blocks.js";
import type { SlackMessageContent } from "./mrkdwn.renderer.js";
import { renderPolicyLinkOutcome } from "./policy-links.blocks.js";
import { buildPolicyLinkRefusal, buildReplicateRefusal, typedCopyName } from "./prerequisites.blocks.js";
import { say } from "./reader-locale.js";
import { refuseOverRateLimit } from "./request-rate-limit.js";
import { ACTION_ASK_AGAIN } from "./slack-ids.js";

/**
 * "Ask again" on a failed request's thread: a new request with what its requester typed — the
 * snapshot (or policy), the destination, the region and the `as "<name>"` they gave — through the
 * same path as the command (the same admission rules, checks, rate limit, and a fresh card). The
 * clicker is the new requester; the answer is private, as the command's is.
 */
export function registerAskAgainAction(app: App, deps: FlowDeps, rateLimiter?: RequestRateLimiter): void {
  app.action<BlockButtonAction>(ACTION_ASK_AGAIN, async ({ ack, action, body, respond }) => {
    await ack();
    const answer = (reply: SlackMessageContent) =>
      respond({ response_type: "ephemeral", replace_original: false, ...reply }).catch((err) =>
        deps.logger.warn({ err }, "could not answer an ask-again privately"),
      );
    const userId = body.user.id;
    try {
      const refusal = await refuseOverRateLimit(rateLimiter, userId, deps, "ask again");
      if (refusal) return void (await answer({ text: refusal }));
      const id = typeof action.value === "string" && REQUEST_ID.test(action.value) ? action.value : "";
      const request: Request | undefined = id ? await deps.store.get(id) : undefined;
      if (!request) {
        return void (await answer({
          text: say(
            "I cannot find the request this button asks again for; use the command instead (`/snapshot help`).",
            "找不到此按钮对应的申请；请改用命令（`/snapshot help`）。",
          ),
        }));
      }
      deps.logger.info({ requestId: request.id, userId }, "asked again for a failed request");
      await answer(await askAgain(deps, request, userId));
    } catch (err) {
      deps.logger.error({ err, userId }, "ask again failed");
      await answer({ text: renderUnexpectedError() });
    }
  });
}

async function askAgain(deps: FlowDeps, request: Request, userId: string): Promise<SlackMessageContent> {
  const channelId = request.origin;
  if (isSnapshotCopy(request)) {
    const newName = typedCopyName(request);
    const outcome = await requestReplication(deps, {
      snapshotId: request.spec.snapshot.snapshotId,
      destination: request.destination.alias,
      region: request.spec.snapshot.region,
      ...(newName !== undefined ? { newName } : {}),
      userId,
      channelId,
    });
    return outcome.kind === "refused" && outcome.checks
      ? buildReplicateRefusal(outcome.message, outcome.checks)
      : { text: renderReplicateOutcome(outcome) };
  }
  if (isPolicyLink(request)) {
    const { policy } = request.spec;
    const outcome = await requestPolicyLink(deps, {
      policyId: policy.policyId,
      destination: request.destination.alias,
      region: policy.region,
      userId,
      channelId,
    });
    return outcome.kind === "refused" && outcome.checks
      ? buildPolicyLinkRefusal(outcome.message, outcome.checks)
      : { text: renderPolicyLinkOutcome(outcome) };
  }
  return {
    text: say(
      "This kind of request cannot be asked again with a click; use its command (`/snapshot help`).",
      "此类申请不能一键再次申请；请使用对应的命令（`/snapshot help`）。",
    ),
  };
}
