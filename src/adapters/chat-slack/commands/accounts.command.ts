import { listDestinationReadiness } from "../../../app/accounts.flow.js";
import { buildAccountsReply } from "../prerequisites.blocks.js";
import { say } from "../reader-locale.js";
import type { CommandHandler } from "./command-context.js";

/** `/snapshot accounts`: each configured destination with its collaborator and permission status. */
export const handleAccounts: CommandHandler<"accounts"> = async ({ ack, respond, deps }) => {
  await ack(say("Checking every configured destination in CAM…", "正在 CAM 中检查每个已配置的目标账号……"));
  const report = await listDestinationReadiness(deps);
  await respond({ response_type: "ephemeral", replace_original: true, ...buildAccountsReply(report) });
};
