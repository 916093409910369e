import type { App } from "@slack/bolt";
import { parseSnapshotCommand } from "../domain/command.grammar.js";
import type { FlowDeps } from "../flows/flow-deps.js";
import { requestReplication } from "../flows/request-replication.flow.js";
import { getRequestStatus } from "../flows/request-status.flow.js";
import {
  renderCommandError,
  renderHelp,
  renderLookingUp,
  renderNotYetAvailable,
  renderReplicateOutcome,
  renderStatus,
  renderUnexpectedError,
} from "./command-replies.blocks.js";
import { SLASH_COMMAND } from "./slack-ids.js";

/** `/snapshot …`: ack at once (with the error, for bad input), then one flow, then a private reply. */
export function registerSnapshotCommand(app: App, deps: FlowDeps): void {
  app.command(SLASH_COMMAND, async ({ command, ack, respond }) => {
    const parsed = parseSnapshotCommand(command.text);
    if (!parsed.ok) {
      await ack({ response_type: "ephemeral", text: renderCommandError(parsed.error) });
      return;
    }
    const c = parsed.command;
    try {
      switch (c.kind) {
        case "help":
          await ack({ response_type: "ephemeral", text: renderHelp() });
          return;
        case "status":
          await ack({
            response_type: "ephemeral",
            text: renderStatus(c.requestId, await getRequestStatus(deps, c.requestId)),
          });
          return;
        case "replicate": {
          await ack({ response_type: "ephemeral", text: renderLookingUp(c.snapshotId, c.destination) });
          const outcome = await requestReplication(deps, {
            snapshotId: c.snapshotId,
            destination: c.destination,
            ...(c.newName !== undefined ? { newName: c.newName } : {}),
            ...(c.region !== undefined ? { region: c.region } : {}),
            userId: command.user_id,
            channelId: command.channel_id,
          });
          await respond({
            response_type: "ephemeral",
            replace_original: true,
            text: renderReplicateOutcome(outcome),
          });
          return;
        }
        default:
          await ack({ response_type: "ephemeral", text: renderNotYetAvailable(c.kind) });
      }
    } catch (err) {
      deps.logger.error({ err, command: c.kind, userId: command.user_id }, "slash command failed");
      await respond({ response_type: "ephemeral", text: renderUnexpectedError() }).catch(() => undefined);
    }
  });
}
