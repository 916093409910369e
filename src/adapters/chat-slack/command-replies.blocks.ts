import type { CancelOutcome } from "../../app/cancel-request.flow.js";
import type { RequestList } from "../../app/list-requests.flow.js";
import type { RequestStatus } from "../../app/request-status.flow.js";
import type { CommandError } from "../../core/command.grammar.js";
import { ALL_USAGE } from "../../core/command.grammar.js";
import type { ReplicateOutcome } from "../../kinds/snapshot-copy/request-replication.flow.js";
import { describeState, escapeMrkdwn } from "./approval-card.blocks.js";

/** Private replies to `/snapshot …`, as plain text (they are short and read once). */
export function renderCommandError(error: CommandError): string {
  return `:warning: ${error.message}\nUsage: \`${error.usage.split("\n").join("`\n`")}\``;
}

export function renderHelp(): string {
  return [
    "*/snapshot* copies Tencent Cloud CBS snapshots into another account for disaster recovery, after an approver agrees.",
    ...ALL_USAGE.split("\n").map((line) => `• \`${line}\``),
    'Example: `/snapshot replicate snap-abc12345 to dr-prod as "db-before-upgrade"`',
    "Every copy needs an approver (never the requester); a pending request expires if nobody approves it in time. The global shortcut *Replicate a snapshot* opens the same request as a form.",
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

export function renderStatus(requestId: string, status: RequestStatus | undefined): string {
  if (!status) return `No request \`${requestId}\` is known (finished requests are kept for 90 days).`;
  const { request } = status;
  const lines = [
    `*${request.id}*: ${describeState(request.state)}${status.link ? ` · <${status.link}|card>` : ""}`,
    `${request.snapshot.snapshotId} → ${request.destination.alias} (${request.destination.accountUin}) as "${escapeMrkdwn(request.newName)}", asked by <@${request.requestedBy}> ${request.createdAt}`,
  ];
  const needed = request.requiredApprovals;
  if (request.approvals.length > 0)
    lines.push(
      `Approved by ${request.approvals.map((a) => `<@${a.userId}>`).join(", ")}${needed ? ` (${request.approvals.length}/${needed})` : ""}`,
    );
  else if (request.state === "pending_approval" && needed) lines.push(`Approvals: 0/${needed}`);
  if (request.state === "pending_approval" && request.expiresAt) lines.push(`Expires ${request.expiresAt}`);
  if (request.rejection)
    lines.push(
      `Rejected by <@${request.rejection.userId}>${request.rejection.reason ? `: ${escapeMrkdwn(request.rejection.reason)}` : ""}`,
    );
  if (request.cancellation) lines.push(`Cancelled by <@${request.cancellation.userId}>`);
  if (request.copy.newSnapshotId) lines.push(`Copy: \`${request.copy.newSnapshotId}\``);
  if (request.failure)
    lines.push(
      `Failure: ${request.failure.message}${request.failure.fix ? ` — ${request.failure.fix}` : ""}`,
    );
  return lines.join("\n");
}

const SCOPE_TITLE: Record<RequestList["scope"], string> = {
  mine: "Your requests",
  pending: "Requests waiting for approval",
  active: "Requests being copied",
  all: "Recent requests",
};

export function renderList(list: RequestList): string {
  if (list.items.length === 0) {
    return `${SCOPE_TITLE[list.scope]}: none. (\`/snapshot list mine|pending|active|all\`)`;
  }
  const lines = [`*${SCOPE_TITLE[list.scope]}* (newest first):`];
  for (const { request, link } of list.items) {
    const id = link ? `<${link}|${request.id}>` : `\`${request.id}\``;
    lines.push(
      `• ${id} ${describeState(request.state)} — ${request.snapshot.snapshotId} → ${request.destination.alias}, by <@${request.requestedBy}>`,
    );
  }
  if (list.more > 0) lines.push(`…and ${list.more} more.`);
  return lines.join("\n");
}

export function renderCancelOutcome(outcome: CancelOutcome): string {
  if (outcome.kind === "refused") return `:no_entry_sign: ${outcome.message}`;
  return `:heavy_multiplication_x: Request \`${outcome.request.id}\` is cancelled; nothing was copied.`;
}

export function renderUnexpectedError(): string {
  return ":boom: Something went wrong on the bot's side; nothing was changed. The operators can find the details in the bot's log.";
}
