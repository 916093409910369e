import type { App } from "@slack/bolt";
import type { FlowDeps } from "../../app/flow-deps.js";
import type { BotConfig } from "../../config/load-config.js";
import {
  checkConfiguredNames,
  type KnownNames,
  parseSnapshotCommand,
  type SnapshotCommand,
} from "../../core/command.grammar.js";
import type { RequestRateLimiter } from "../../core/ports/request-rate-limit.port.js";
import {
  renderCommandError,
  renderNotYetAvailable,
  renderUnexpectedError,
} from "./command-replies.blocks.js";
import { handleAccounts } from "./commands/accounts.command.js";
import { handleAuto, handleAutoList } from "./commands/auto.command.js";
import { handleAutoLedger } from "./commands/auto-ledger.command.js";
import { handleCancel } from "./commands/cancel.command.js";
import { handleCheck } from "./commands/check.command.js";
import type { CommandContext, CommandHandler } from "./commands/command-context.js";
import { handleHelp } from "./commands/help.command.js";
import { handleList } from "./commands/list.command.js";
import { handleReplicate } from "./commands/replicate.command.js";
import { handleStatus } from "./commands/status.command.js";
import { RATE_LIMITED_COMMANDS, refuseOverRateLimit } from "./request-rate-limit.js";
import { SLASH_COMMAND } from "./slack-ids.js";

type HandlerTable = { [K in SnapshotCommand["kind"]]?: CommandHandler<K> };

/** One handler per command kind, each in its own file under commands/. */
const HANDLERS: HandlerTable = {
  replicate: handleReplicate,
  status: handleStatus,
  list: handleList,
  cancel: handleCancel,
  check: handleCheck,
  accounts: handleAccounts,
  auto: handleAuto,
  "auto-list": handleAutoList,
  help: handleHelp,
  "auto-ledger": handleAutoLedger,
};

/**
 * `/snapshot …`: parse, ack at once (with the error, for bad input), then the command's handler.
 * Commands that create cards or run checks count against the person's rate limit first.
 */
export function registerSnapshotCommand(app: App, deps: FlowDeps, rateLimiter?: RequestRateLimiter): void {
  app.command(SLASH_COMMAND, async ({ command: slash, ack, respond }) => {
    let acked = false;
    const ackText = async (text: string) => {
      acked = true;
      await ack({ response_type: "ephemeral", text });
    };
    const parsed = parseSnapshotCommand(slash.text);
    if (!parsed.ok) {
      await ackText(renderCommandError(parsed.error));
      return;
    }
    const misspelt = checkConfiguredNames(parsed.command, knownNames(deps.config));
    if (misspelt) {
      await ackText(renderCommandError(misspelt));
      return;
    }
    const handler = HANDLERS[parsed.command.kind] as CommandHandler<SnapshotCommand["kind"]> | undefined;
    if (!handler) {
      await ackText(renderNotYetAvailable(parsed.command.kind));
      return;
    }
    if (RATE_LIMITED_COMMANDS.has(parsed.command.kind)) {
      const refusal = await refuseOverRateLimit(rateLimiter, slash.user_id, deps, parsed.command.kind);
      if (refusal) {
        await ackText(refusal);
        return;
      }
    }
    const ctx: CommandContext = { command: parsed.command, slash, ack: ackText, respond, deps };
    try {
      await handler(ctx);
    } catch (err) {
      deps.logger.error({ err, command: parsed.command.kind, userId: slash.user_id }, "slash command failed");
      if (!acked) await ackText(renderUnexpectedError());
      else
        await respond({ response_type: "ephemeral", text: renderUnexpectedError() }).catch(() => undefined);
    }
  });
}

function knownNames(config: Readonly<BotConfig>): KnownNames {
  return {
    destinations: Object.keys(config.destinations),
    accountUins: Object.values(config.destinations).map((d) => d.accountUin),
    regions: config.source.regions,
  };
}
