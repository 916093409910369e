import { cancelRequest } from "../../../app/cancel-request.flow.js";
import { renderCancelOutcome } from "../command-replies.blocks.js";
import type { CommandHandler } from "./command-context.js";

export const handleCancel: CommandHandler<"cancel"> = async ({ command, slash, ack, deps }) => {
  await ack(
    renderCancelOutcome(await cancelRequest(deps, { requestId: command.requestId, userId: slash.user_id })),
  );
};
