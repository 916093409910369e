import { listPolicyLinks } from "../../../app/policy-links.flow.js";
import { requestPolicyLink } from "../../../kinds/policy-link/request-policy-link.flow.js";
import { renderLinkLookingUp, renderPolicyLinkOutcome, renderPolicyLinks } from "../policy-links.blocks.js";
import { buildPolicyLinkRefusal } from "../prerequisites.blocks.js";
import { say } from "../reader-locale.js";
import type { CommandHandler } from "./command-context.js";

/** `/snapshot auto <asp-id> to <destination> [in <region>]`: look the policy up, check, post the card. */
export const handleAuto: CommandHandler<"auto"> = async ({ command: c, slash, ack, respond, deps }) => {
  await ack(renderLinkLookingUp(c.policyId, c.destination));
  const outcome = await requestPolicyLink(deps, {
    policyId: c.policyId,
    destination: c.destination,
    ...(c.region !== undefined ? { region: c.region } : {}),
    userId: slash.user_id,
    channelId: slash.channel_id,
  });
  await respond({
    response_type: "ephemeral",
    replace_original: true,
    ...(outcome.kind === "refused" && outcome.checks
      ? buildPolicyLinkRefusal(outcome.message, outcome.checks)
      : { text: renderPolicyLinkOutcome(outcome) }),
  });
};

/** `/snapshot auto list`: every policy linked to another account, read from the cloud. */
export const handleAutoList: CommandHandler<"auto-list"> = async ({ ack, respond, deps }) => {
  await ack(
    say(
      "Reading the scheduled snapshot policies and their links from Tencent Cloud…",
      "正在从腾讯云读取定期快照策略及其关联……",
    ),
  );
  const report = await listPolicyLinks(deps);
  await respond({ response_type: "ephemeral", replace_original: true, text: renderPolicyLinks(report) });
};
