import { listDestinationReadiness } from "../../../app/accounts.flow.js";
import { buildAccountsReply } from "../prerequisites.blocks.js";
import type { CommandHandler } from "./command-context.js";

/** `/snapshot accounts`: each configured destination with its collaborator and permission status. */
export const handleAccounts: CommandHandler<"accounts"> = async ({ ack, respond, deps }) => {
  await ack("Checking every configured destination in CAM…");
  const report = await listDestinationReadiness(deps);
  await respond({ response_type: "ephemeral", replace_original: true, ...buildAccountsReply(report) });
};
