import { renderHelp } from "../command-replies.blocks.js";
import type { CommandHandler } from "./command-context.js";

export const handleHelp: CommandHandler<"help"> = async ({ ack }) => {
  await ack(renderHelp());
};
