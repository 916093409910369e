import { runPrerequisiteChecks } from "../../../app/check-prerequisites.flow.js";
import { renderChecking } from "../command-replies.blocks.js";
import { buildCheckReply } from "../prerequisites.blocks.js";
import type { CommandHandler } from "./command-context.js";

/** `/snapshot check <snap-id> to <destination> [in <region>]`: every prerequisite, privately; creates nothing. */
export const handleCheck: CommandHandler<"check"> = async ({ command: c, ack, respond, deps }) => {
  await ack(renderChecking(c.snapshotId, c.destination));
  const outcome = await runPrerequisiteChecks(deps, {
    snapshotId: c.snapshotId,
    destination: c.destination,
    ...(c.region !== undefined ? { region: c.region } : {}),
  });
  await respond({
    response_type: "ephemeral",
    replace_original: true,
    ...buildCheckReply(outcome, c.snapshotId, c.region),
  });
};
