import type { RespondFn, SlashCommand } from "@slack/bolt";
import type { FlowDeps } from "../../../app/flow-deps.js";
import type { SnapshotCommand } from "../../../core/command.grammar.js";

/** A private answer: `ack` is the immediate reply (within 3 s), `respond` a later one. */
export interface CommandContext<K extends SnapshotCommand["kind"] = SnapshotCommand["kind"]> {
  command: Extract<SnapshotCommand, { kind: K }>;
  slash: SlashCommand;
  ack: (text: string) => Promise<void>;
  respond: RespondFn;
  deps: FlowDeps;
}

export type CommandHandler<K extends SnapshotCommand["kind"]> = (ctx: CommandContext<K>) => Promise<void>;
