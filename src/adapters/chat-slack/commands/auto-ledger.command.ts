import { describePolicyLedger } from "../../../app/policy-ledger.flow.js";
import { fitMessage, renderMessage } from "../mrkdwn.renderer.js";
import { say } from "../reader-locale.js";
import type { CommandHandler } from "./command-context.js";

/** `/snapshot auto ledger <asp-id>`: the policy's last 20 pairs and its snapshots still without a copy. */
export const handleAutoLedger: CommandHandler<"auto-ledger"> = async ({ command, ack, respond, deps }) => {
  await ack(say(`Reading the ledger of ${command.policyId}…`, `正在读取 ${command.policyId} 的复制账本…`));
  const { text, blocks } = fitMessage(renderMessage(await describePolicyLedger(deps, command.policyId)));
  await respond({
    response_type: "ephemeral",
    replace_original: true,
    text,
    ...(blocks?.length ? { blocks } : {}),
  });
};
