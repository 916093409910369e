import { requestReplication } from "../../../kinds/snapshot-copy/request-replication.flow.js";
import { renderLookingUp, renderReplicateOutcome } from "../command-replies.blocks.js";
import { buildReplicateRefusal } from "../prerequisites.blocks.js";
import type { CommandHandler } from "./command-context.js";

export const handleReplicate: CommandHandler<"replicate"> = async ({
  command: c,
  slash,
  ack,
  respond,
  deps,
}) => {
  await ack(renderLookingUp(c.snapshotId, c.destination));
  const outcome = await requestReplication(deps, {
    snapshotId: c.snapshotId,
    destination: c.destination,
    ...(c.newName !== undefined ? { newName: c.newName } : {}),
    ...(c.region !== undefined ? { region: c.region } : {}),
    userId: slash.user_id,
    channelId: slash.channel_id,
  });
  await respond({
    response_type: "ephemeral",
    replace_original: true,
    // Refused by the prerequisite checks: the reasons, the fixes and a Re-check button.
    ...(outcome.kind === "refused" && outcome.checks
      ? buildReplicateRefusal(outcome.message, outcome.checks)
      : { text: renderReplicateOutcome(outcome) }),
  });
};
