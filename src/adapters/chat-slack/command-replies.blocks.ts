import type { CancelOutcome } from "../../app/cancel-request.flow.js";
import type { RequestList } from "../../app/list-requests.flow.js";
import type { KindRegistry } from "../../app/request-kind.js";
import type { RequestStatus } from "../../app/request-status.flow.js";
import type { CommandError } from "../../core/command.grammar.js";
import { ALL_USAGE } from "../../core/command.grammar.js";
import {
  code,
  conversation,
  joinText,
  link,
  mention,
  strong,
  type Text,
  text,
  time,
} from "../../core/messages/message.js";
import type { ReplicateOutcome } from "../../kinds/snapshot-copy/request-replication.flow.js";
import { describeState, listPeople } from "./approval-card.blocks.js";
import { renderText } from "./mrkdwn.renderer.js";
import { clip, SLACK_LIMITS } from "./slack-limits.js";

/**
 * Private replies to `/snapshot …`, as mrkdwn text (they are short and read once). Everything goes
 * through the renderer: what the person typed is echoed escaped, and every reply is clipped.
 */
const reply = (value: Text) => renderText(value, SLACK_LIMITS.messageText);

/** A person's input or a usage line (`<snapshot-id>` is not a link) as one code span per line. */
const usageLines = (usage: string): Text =>
  joinText(
    usage.split("\n").map((line) => [code(line)]),
    "\n",
  );

export function renderCommandError(error: CommandError): string {
  return `:warning: ${reply(text`${clip(error.message, SLACK_LIMITS.sectionText, "plain")}\nUsage: ${usageLines(error.usage)}`)}`;
}

export function renderHelp(): string {
  return reply(
    joinText(
      [
        text`${strong("/snapshot")} copies Tencent Cloud CBS snapshots into another account for disaster recovery, after an approver agrees.`,
        ...ALL_USAGE.split("\n").map((line) => text`• ${code(line)}`),
        text`Example: ${code('/snapshot replicate snap-abc12345 to dr-prod as "db-before-upgrade"')}`,
        text`Automatic replication: ${code("/snapshot auto asp-abc12345 to dr-prod")} links a scheduled snapshot policy to a destination, so Tencent Cloud copies every snapshot it takes there; ${code("/snapshot auto list")} shows every linked policy as the cloud has it.`,
        text`Every copy and every link needs an approver (never the requester); a pending request expires if nobody approves it in time. The global shortcut ${strong("Replicate a snapshot")} opens the same request as a form.`,
      ],
      "\n",
    ),
  );
}

export function renderLookingUp(snapshotId: string, destination: string): string {
  return reply(
    text`Looking up ${code(snapshotId)} and preparing a request to copy it to ${code(destination)}…`,
  );
}

export function renderChecking(snapshotId: string, destination: string): string {
  return reply(text`Checking ${code(snapshotId)} → ${code(destination)} (dry run: nothing will be created)…`);
}

export function renderReplicateOutcome(outcome: ReplicateOutcome): string {
  if (outcome.kind === "refused") return renderRefusal(outcome.message);
  return `:inbox_tray: ${renderText(text`Request ${code(outcome.request.id)} is waiting for approval in ${conversation(outcome.cardChannel)}. You will see each step in the card's thread.`)}`;
}

/** A private "no", with what to do instead. */
export function renderRefusal(message: Text): string {
  return `:no_entry_sign: ${renderText(message)}`;
}

export function renderNotYetAvailable(kind: string): string {
  return reply(
    text`${code(`/snapshot ${kind}`)} is not available in this version of the bot yet. See ${code("/snapshot help")}.`,
  );
}

export function renderStatus(
  requestId: string,
  status: RequestStatus | undefined,
  kinds: KindRegistry,
): string {
  if (!status)
    return reply(text`No request ${code(requestId)} is known (finished requests are kept for 90 days).`);
  const { request } = status;
  const kind = kinds.of(request);
  const card = kind.describeCard(request);
  const id = status.link ? link(status.link, "card") : undefined;
  const lines: Text[] = [
    text`${{ kind: "strong", text: request.id }}: ${describeState(request, kind)}${id ? text` · ${id}` : undefined}`,
    text`${card.summary}, asked by ${mention(request.requestedBy)} ${time(request.createdAt)}`,
  ];
  const needed = request.requiredApprovals;
  if (request.approvals.length > 0)
    lines.push(
      text`Approved by ${listPeople(request.approvals.map((a) => a.userId))}${needed ? ` (${request.approvals.length}/${needed})` : undefined}`,
    );
  else if (request.state === "pending_approval" && needed) lines.push(text`Approvals: 0/${needed}`);
  if (request.state === "pending_approval" && request.expiresAt)
    lines.push(text`Expires ${time(request.expiresAt)}`);
  if (request.rejection)
    lines.push(
      text`Rejected by ${mention(request.rejection.userId)}${request.rejection.reason ? `: ${request.rejection.reason}` : undefined}`,
    );
  if (request.cancellation) lines.push(text`Cancelled by ${mention(request.cancellation.userId)}`);
  lines.push(...card.facts);
  if (request.failure)
    lines.push(
      text`Failure: ${request.failure.message}${request.failure.fix ? ` — ${request.failure.fix}` : undefined}`,
    );
  return clip(lines.map((line) => renderText(line, 2900)).join("\n"), SLACK_LIMITS.messageText);
}

const SCOPE_TITLE: Record<RequestList["scope"], string> = {
  mine: "Your requests",
  pending: "Requests waiting for approval",
  active: "Requests being copied",
  all: "Recent requests",
};

export function renderList(list: RequestList, kinds: KindRegistry): string {
  if (list.items.length === 0) {
    return `${SCOPE_TITLE[list.scope]}: none. (\`/snapshot list mine|pending|active|all\`)`;
  }
  const lines = [`*${SCOPE_TITLE[list.scope]}* (newest first):`];
  for (const item of list.items) {
    const { request } = item;
    const kind = kinds.of(request);
    const id = item.link ? link(item.link, request.id) : code(request.id);
    lines.push(
      renderText(
        text`• ${id} ${describeState(request, kind)} — ${kind.describeCard(request).summary}, by ${mention(request.requestedBy)}`,
        500,
      ),
    );
  }
  if (list.more > 0) lines.push(`…and ${list.more} more.`);
  return clip(lines.join("\n"), SLACK_LIMITS.messageText);
}

export function renderCancelOutcome(outcome: CancelOutcome): string {
  if (outcome.kind === "refused") return renderRefusal(outcome.message);
  return `:heavy_multiplication_x: ${reply(text`Request ${code(outcome.request.id)} is cancelled; nothing was copied.`)}`;
}

export function renderUnexpectedError(): string {
  return ":boom: Something went wrong on the bot's side; nothing was changed. The operators can find the details in the bot's log.";
}
