import type { PolicyLinkRow, PolicyLinksReport } from "../../app/policy-links.flow.js";
import { formatDuration } from "../../app/request-steps.js";
import { REPLICATE_TO_MY_ACCOUNT_PAGE } from "../../core/cam/policy-link-prerequisites.js";
import { code, conversation, joinText, strong, type Text, text } from "../../core/messages/message.js";
import { describeSchedules } from "../../core/replication/describe-schedule.js";
import type { PolicyLinkOutcome } from "../../kinds/policy-link/request-policy-link.flow.js";
import { renderRefusal } from "./command-replies.blocks.js";
import { renderText } from "./mrkdwn.renderer.js";
import { clip, SLACK_LIMITS } from "./slack-limits.js";

/** Private replies to `/snapshot auto …` and `/snapshot auto list`, as mrkdwn text. */

export function renderLinkLookingUp(policyId: string, destination: string): string {
  return renderText(
    text`Looking up ${code(policyId)} and preparing a request to replicate it to ${code(destination)} automatically…`,
  );
}

/** The answer to `/snapshot auto` when it did not end in Re-check blocks. */
export function renderPolicyLinkOutcome(outcome: PolicyLinkOutcome): string {
  if (outcome.kind === "refused") return renderRefusal(outcome.message);
  if (outcome.kind === "already") return `:information_source: ${renderText(outcome.message)}`;
  return `:inbox_tray: ${renderText(text`Request ${code(outcome.request.id)} to replicate ${code(outcome.request.spec.policy.policyId)} automatically is waiting for approval in ${conversation(outcome.cardChannel)}. You will see each step in the card's thread.`)}`;
}

function describeDestination(row: PolicyLinkRow): Text {
  return row.alias
    ? text`${strong(row.alias)} (${row.accountUin})`
    : text`account ${row.accountUin} — ${strong("not in the bot's configuration")} (linked outside the bot)`;
}

function describeLastCopy(row: PolicyLinkRow): Text {
  const { lastCopy } = row;
  switch (lastCopy.kind) {
    case "no-read-role":
      return ["not verifiable (no read role)"];
    case "none":
      return ["none found in the destination yet"];
    case "unreadable":
      return [`not verifiable (the destination could not be read: ${clip(lastCopy.message, 200, "plain")})`];
    case "confirmed":
      return text`${code(lastCopy.copy.snapshotId)} ${lastCopy.copy.createdAt} (of ${code(lastCopy.copy.sourceSnapshotId)}${lastCopy.copy.confidence === "best_guess" ? ", best guess" : ""})`;
  }
}

function describeRecoveryPoint(row: PolicyLinkRow): string {
  const rp = row.recoveryPoint;
  const objective = formatDuration(rp.objectiveMs);
  switch (rp.kind) {
    case "met":
      return `✓ within objective (${formatDuration(rp.ageMs)} old, objective ${objective})`;
    case "missed":
      return `✗ objective missed: newest confirmed copy ${Number.isFinite(rp.ageMs) ? `${formatDuration(rp.ageMs)} old` : "of unknown age"} (objective ${objective})`;
    case "no-copy":
      return `✗ no confirmed copy (objective ${objective})`;
    case "not-verifiable":
      return `? not verifiable (no read role; objective ${objective})`;
  }
}

function describeDestinationView(row: PolicyLinkRow): Text | undefined {
  const view = row.destinationView;
  if (!view) return undefined;
  switch (view.kind) {
    case "listed":
      return text`listed on its "Replicate to my account" page (CopyFromAccountUin ${view.copyFromAccountUin})`;
    case "not-listed":
      return text`not listed on its "Replicate to my account" page (${REPLICATE_TO_MY_ACCOUNT_PAGE}): the destination may have removed the link`;
    case "unreadable":
      return [`could not be read (${clip(view.message, 200, "plain")})`];
  }
}

function describeRow(row: PolicyLinkRow): Text {
  const { policy } = row;
  const disks =
    policy.diskIds.length === 0
      ? text`none bound (nothing is replicated)`
      : joinText(
          policy.diskIds.slice(0, 10).map((d) => [code(d)]),
          ", ",
        );
  const more = policy.diskIds.length > 10 ? ` and ${policy.diskIds.length - 10} more` : undefined;
  const source = row.lastSourceSnapshot
    ? text`${code(row.lastSourceSnapshot.snapshotId)} ${row.lastSourceSnapshot.createdAt}`
    : row.lastSourceError
      ? [`could not be read (${clip(row.lastSourceError, 200, "plain")})`]
      : ["none yet"];
  const view = describeDestinationView(row);
  const lines: Text[] = [
    text`• ${code(policy.policyId)} "${policy.name}" (${policy.region}, ${describeSchedules(policy.schedules)}${policy.activated ? "" : ", not activated"}${policy.state === "NORMAL" ? "" : `, ${policy.state}`}) → ${describeDestination(row)}`,
    text`    Disks: ${disks}${more}`,
    text`    Last source snapshot: ${source}`,
    text`    Last confirmed copy: ${describeLastCopy(row)}`,
    text`    Recovery point: ${describeRecoveryPoint(row)}`,
    ...(view ? [text`    Destination sees it: ${view}`] : []),
  ];
  return joinText(lines, "\n");
}

/** `/snapshot auto list`: every linked policy as the cloud shows it. */
export function renderPolicyLinks(report: PolicyLinksReport): string {
  const head = text`${strong("Automatic replication")} — scheduled policies of the source account that replicate to another account (${report.regions.join(", ")}; read from Tencent Cloud ${report.checkedAt}):`;
  const lines: string[] = [renderText(head, 1000)];
  if (report.rows.length === 0) lines.push("None. Link one with `/snapshot auto <asp-id> to <destination>`.");
  for (const row of report.rows) lines.push(renderText(describeRow(row), 2000));
  if (report.unlinked > 0)
    lines.push(
      `${report.unlinked} other ${report.unlinked === 1 ? "policy replicates" : "policies replicate"} nowhere.`,
    );
  for (const error of report.errors)
    lines.push(
      renderText(text`⚠ ${error.region}: policies could not be read (${clip(error.message, 300, "plain")}).`),
    );
  return clip(lines.join("\n"), SLACK_LIMITS.messageText);
}
