import { listRequests } from "../../../app/list-requests.flow.js";
import { renderList } from "../command-replies.blocks.js";
import type { CommandHandler } from "./command-context.js";

export const handleList: CommandHandler<"list"> = async ({ command, slash, ack, deps }) => {
  await ack(
    renderList(await listRequests(deps, { scope: command.scope, userId: slash.user_id }), deps.kinds),
  );
};
