import type { CommandError } from "../domain/command.grammar.js";
import { ALL_USAGE } from "../domain/command.grammar.js";
import type { ReplicationRequest } from "../domain/request.js";
import type { ReplicateOutcome } from "../flows/request-replication.flow.js";
import { describeState } from "./approval-card.blocks.js";

/** Private replies to `/snapshot …`, as plain text (they are short and read once). */
export function renderCommandError(error: CommandError): string {
  return `:warning: ${error.message}\nUsage: \`${error.usage.split("\n").join("`\n`")}\``;
}

export function renderHelp(): string {
  return [
    "*/snapshot* copies Tencent Cloud CBS snapshots into another account for disaster recovery, after an approver agrees.",
    ...ALL_USAGE.split("\n").map((line) => `• \`${line}\``),
    'Example: `/snapshot replicate snap-abc12345 to dr-prod as "db-before-upgrade"`',
  ].join("\n");
}

export function renderLookingUp(snapshotId: string, destination: string): string {
  return `Looking up \`${snapshotId}\` and preparing a request to copy it to \`${destination}\`…`;
}

export function renderReplicateOutcome(outcome: ReplicateOutcome): string {
  if (outcome.kind === "refused") return `:no_entry_sign: ${outcome.message}`;
  return `:inbox_tray: Request \`${outcome.request.id}\` is waiting for approval in <#${outcome.cardChannel}>. You will see each step in the card's thread.`;
}

export function renderNotYetAvailable(kind: string): string {
  return `\`/snapshot ${kind}\` is not available in this version of the bot yet. See \`/snapshot help\`.`;
}

export function renderStatus(requestId: string, request: ReplicationRequest | undefined): string {
  if (!request) return `No request \`${requestId}\` is known (finished requests are kept for 90 days).`;
  const lines = [
    `*${request.id}*: ${describeState(request.state)}`,
    `${request.snapshot.snapshotId} → ${request.destination.alias} (${request.destination.accountUin}) as "${request.newName}"`,
  ];
  if (request.copy.newSnapshotId) lines.push(`Copy: \`${request.copy.newSnapshotId}\``);
  if (request.failure)
    lines.push(
      `Failure: ${request.failure.message}${request.failure.fix ? ` — ${request.failure.fix}` : ""}`,
    );
  return lines.join("\n");
}

export function renderUnexpectedError(): string {
  return ":boom: Something went wrong on the bot's side; nothing was changed. The operators can find the details in the bot's log.";
}
