import { getRequestStatus } from "../../../app/request-status.flow.js";
import { renderStatus } from "../command-replies.blocks.js";
import type { CommandHandler } from "./command-context.js";

export const handleStatus: CommandHandler<"status"> = async ({ command, ack, deps }) => {
  await ack(renderStatus(command.requestId, await getRequestStatus(deps, command.requestId), deps.kinds));
};
