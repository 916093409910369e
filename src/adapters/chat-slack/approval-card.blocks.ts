import type { types } from "@slack/bolt";

type KnownBlock = types.KnownBlock;

import type { ReplicationRequest, RequestState } from "../../core/request/request.js";
import { describeDiskUsage } from "../../core/snapshot.js";
import { buildCheckSection } from "./prerequisites.blocks.js";
import { ACTION_APPROVE, ACTION_REJECT } from "./slack-ids.js";

export interface SlackMessageContent {
  text: string;
  blocks: KnownBlock[];
}

const STATE_LABEL: Record<RequestState, string> = {
  pending_approval: ":hourglass_flowing_sand: Waiting for approval",
  approved: ":white_check_mark: Approved — queued",
  checking: ":mag: Checking prerequisites",
  copying: ":arrows_counterclockwise: Copying",
  verifying: ":arrows_counterclockwise: Copy in progress",
  completed: ":large_green_circle: Completed",
  submitted: ":outbox_tray: Submitted (completion not verifiable)",
  failed: ":red_circle: Failed",
  rejected: ":no_entry: Rejected",
  cancelled: ":heavy_multiplication_x: Cancelled",
  expired: ":alarm_clock: Expired",
};

export function describeState(state: RequestState): string {
  return STATE_LABEL[state];
}

/** The approval card (DESIGN §5). Pure: the same request always renders the same card. */
export function buildApprovalCard(
  request: ReplicationRequest,
  requiredApprovals: number,
  options: { approverMention?: string } = {},
): SlackMessageContent {
  const { snapshot, destination } = request;
  const text = `Replication request ${request.id}: ${snapshot.snapshotId} → ${destination.alias} (${destination.accountUin}) — ${STATE_LABEL[request.state]}`;
  const blocks: KnownBlock[] = [
    {
      type: "header",
      text: { type: "plain_text", text: `Copy ${snapshot.snapshotId} to ${destination.alias}`, emoji: true },
    },
    {
      type: "section",
      text: {
        type: "mrkdwn",
        text: `*${STATE_LABEL[request.state]}* · request \`${request.id}\` · asked by <@${request.requestedBy}>`,
      },
    },
    {
      type: "section",
      fields: [
        { type: "mrkdwn", text: `*Snapshot*\n\`${snapshot.snapshotId}\` ${snapshot.name}` },
        { type: "mrkdwn", text: `*Region*\n${snapshot.region}` },
        { type: "mrkdwn", text: `*Disk*\n\`${snapshot.diskId}\` (${describeDiskUsage(snapshot.diskUsage)})` },
        { type: "mrkdwn", text: `*Size*\n${snapshot.diskSizeGiB} GiB` },
        { type: "mrkdwn", text: `*Encryption*\n${snapshot.encrypted ? "encrypted" : "not encrypted"}` },
        { type: "mrkdwn", text: `*Created*\n${snapshot.createdAt || "unknown"}` },
        { type: "mrkdwn", text: `*Destination*\n${destination.alias} (${destination.accountUin})` },
        { type: "mrkdwn", text: `*New name*\n${escapeMrkdwn(request.newName)}` },
      ],
    },
  ];
  blocks.push(...buildChecksBlocks(request));
  const context: string[] = [];
  const needed = request.requiredApprovals ?? requiredApprovals;
  if (request.approvals.length > 0) {
    context.push(
      `Approved by ${request.approvals.map((a) => `<@${a.userId}>`).join(", ")} (${request.approvals.length}/${needed})`,
    );
  } else if (request.state === "pending_approval" && needed > 1) {
    context.push(`Approvals: 0/${needed}`);
  }
  if (request.cancellation) context.push(`Cancelled by <@${request.cancellation.userId}>`);
  if (request.state === "pending_approval" && request.expiresAt) {
    const epoch = Math.floor(Date.parse(request.expiresAt) / 1000);
    context.push(`Expires <!date^${epoch}^{date_short_pretty} {time}|${request.expiresAt}>`);
  }
  if (request.approverProblems?.length) {
    context.push(`:warning: Approver configuration: ${request.approverProblems.join("; ")}`);
  }
  if (request.rejection) {
    context.push(
      `Rejected by <@${request.rejection.userId}>${request.rejection.reason ? `: ${escapeMrkdwn(request.rejection.reason)}` : ""}`,
    );
  }
  if (request.copy.newSnapshotId) context.push(`Copy: \`${request.copy.newSnapshotId}\``);
  if (request.failure) context.push(`Failure: ${escapeMrkdwn(request.failure.message)}`);
  if (context.length > 0) {
    blocks.push({ type: "context", elements: context.map((t) => ({ type: "mrkdwn", text: t })) });
  }
  if (request.state === "pending_approval" && options.approverMention) {
    // One group mention, never every approver one by one (DESIGN §5).
    blocks.push({
      type: "section",
      text: { type: "mrkdwn", text: `<!subteam^${options.approverMention}> this request needs a review.` },
    });
  }
  if (request.state === "pending_approval") {
    blocks.push({
      type: "actions",
      block_id: "request_decision",
      elements: [
        {
          type: "button",
          action_id: ACTION_APPROVE,
          style: "primary",
          text: { type: "plain_text", text: "Approve" },
          value: request.id,
          confirm: {
            title: { type: "plain_text", text: "Approve this copy?" },
            text: {
              type: "mrkdwn",
              text: `Copy \`${snapshot.snapshotId}\` (${snapshot.diskSizeGiB} GiB) into account ${destination.accountUin}. The copy cannot be undone by the bot.`,
            },
            confirm: { type: "plain_text", text: "Approve" },
            deny: { type: "plain_text", text: "Cancel" },
          },
        },
        {
          type: "button",
          action_id: ACTION_REJECT,
          style: "danger",
          text: { type: "plain_text", text: "Reject" },
          value: request.id,
        },
      ],
    });
  }
  return { text, blocks };
}

/** The notify channel's one message per finished request. */
export function buildOutcomeNotice(request: ReplicationRequest, threadLink?: string): SlackMessageContent {
  const { snapshot, destination, copy } = request;
  const headline =
    request.state === "completed"
      ? `:large_green_circle: Replication ${request.id} completed`
      : request.state === "submitted"
        ? `:outbox_tray: Replication ${request.id} submitted (completion not verifiable)`
        : `:red_circle: Replication ${request.id} failed`;
  const detail = `${snapshot.snapshotId} → account ${destination.accountUin} (${destination.alias}) as ${copy.newSnapshotId ?? "no copy"}`;
  const reason = request.failure
    ? ` — ${request.failure.message}${request.failure.fix ? ` ${request.failure.fix}` : ""}`
    : "";
  const text = `${headline}: ${detail}${reason}`;
  const blocks: KnownBlock[] = [
    { type: "section", text: { type: "mrkdwn", text: `*${headline}*\n${detail}${reason}` } },
  ];
  if (threadLink)
    blocks.push({ type: "context", elements: [{ type: "mrkdwn", text: `<${threadLink}|See the thread>` }] });
  return { text, blocks };
}

/** Names come from people; keep them from turning into mentions or formatting. */
export function escapeMrkdwn(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

/** The prerequisite results (✓ / ✗ / ?) the approvers decide with; Re-check once a run-time check failed. */
function buildChecksBlocks(request: ReplicationRequest): KnownBlock[] {
  return buildCheckSection(request, request.checks);
}
