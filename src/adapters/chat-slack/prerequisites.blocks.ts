import type { types } from "@slack/bolt";
import { z } from "zod";
import type { AccountsReport } from "../../app/accounts.flow.js";
import type { CheckedRequest, CheckOutcome } from "../../app/check-prerequisites.flow.js";
import {
  type CheckStatus,
  describeChanges,
  describeFinding,
  describeResults,
  MINIMAL_POLICY_JSON,
  MINIMAL_POLICY_PATH,
  type PrerequisiteResult,
  statusMark,
} from "../../core/cam/prerequisites.js";
import type { Text } from "../../core/messages/message.js";
import type { Destination, Request } from "../../core/request/request.js";
import { isSnapshotCopy } from "../../kinds/snapshot-copy/snapshot-copy.request.js";
import { renderText, type SlackMessageContent } from "./mrkdwn.renderer.js";
import { ACTION_RECHECK } from "./slack-ids.js";

type KnownBlock = types.KnownBlock;

/** Pure Block Kit builders for the prerequisite checks: replies, Re-check, `/snapshot accounts`, the card's section. */

// ---- the Re-check button's value ---------------------------------------------------------------

const STATUS_CODES: Record<CheckStatus, string> = { passed: "p", failed: "f", "cannot-verify": "c" };
const statusesSchema = z
  .string()
  .regex(/^[pfc]{0,12}$/)
  .transform((s) => [...s].map((c) => (c === "p" ? "passed" : c === "f" ? "failed" : "cannot-verify")));

/** What a Re-check click asks again, with the statuses it compares with (kept in the button, max 2000 chars). */
export const recheckPayloadSchema = z.discriminatedUnion("k", [
  z.object({
    k: z.enum(["check", "replicate"]),
    s: z.string().regex(/^snap-[a-z0-9]{8}$/),
    d: z.string().min(1).max(40),
    r: z.string().max(40).optional(),
    p: statusesSchema,
  }),
  z.object({ k: z.literal("accounts"), p: z.record(z.string().max(40), statusesSchema) }),
]);
export type RecheckPayload = z.output<typeof recheckPayloadSchema>;

const encodeStatuses = (results: readonly PrerequisiteResult[]) =>
  results.map((r) => STATUS_CODES[r.status]).join("");

function checkValue(kind: "check" | "replicate", checked: CheckedRequest): string {
  return JSON.stringify({
    k: kind,
    s: checked.snapshotId,
    d: checked.destination,
    ...(checked.region ? { r: checked.region } : {}),
    p: encodeStatuses(checked.results),
  });
}

function recheckButton(value: string): KnownBlock {
  return {
    type: "actions",
    block_id: "prerequisites_recheck",
    elements: [
      {
        type: "button",
        action_id: ACTION_RECHECK,
        text: { type: "plain_text", text: "Re-check" },
        value,
      },
    ],
  };
}

// ---- check results -------------------------------------------------------------------------------

function escapeText(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

function clip(text: string, max = 2900): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function resultLine(result: PrerequisiteResult, withFix: boolean): string {
  const fix =
    withFix && result.fix && result.status !== "passed"
      ? `\n      _How to fix:_ ${escapeText(result.fix)}`
      : "";
  return `${statusMark(result.status)} *${escapeText(result.subject)}* — ${escapeText(describeFinding(result))}${fix}`;
}

/** The minimal policy, once, when a permission is not known to be granted and no fix printed it yet. */
function policyBlocks(results: readonly PrerequisiteResult[], alreadyPrinted: boolean): KnownBlock[] {
  const needed = results.some(
    (r) => (r.check === "collaborator" || r.check === "permission") && r.status !== "passed",
  );
  if (!needed || alreadyPrinted) return [];
  return [
    {
      type: "section",
      text: {
        type: "mrkdwn",
        text: `The minimal policy to attach to the collaborator (\`${MINIMAL_POLICY_PATH}\`):\n\`\`\`${MINIMAL_POLICY_JSON}\`\`\``,
      },
    },
  ];
}

function resultsBlocks(results: readonly PrerequisiteResult[]): KnownBlock[] {
  const blocks: KnownBlock[] = results.map((r) => ({
    type: "section",
    text: { type: "mrkdwn", text: clip(resultLine(r, true)) },
  }));
  const printed = results.some((r) => r.status !== "passed" && r.fix?.includes(MINIMAL_POLICY_JSON));
  return [...blocks, ...policyBlocks(results, printed)];
}

function headlineFor(results: readonly PrerequisiteResult[]): string {
  const failed = results.filter((r) => r.status === "failed").length;
  const doubtful = results.filter((r) => r.status === "cannot-verify").length;
  if (failed === 0 && doubtful === 0) return "✓ All checks pass";
  const parts = [
    failed > 0 ? `${failed} failed` : "",
    doubtful > 0 ? `${doubtful} could not be verified` : "",
  ];
  return `${failed > 0 ? "✗" : "?"} ${parts.filter(Boolean).join(", ")}`;
}

function describeTarget(snapshotId: string, destination: Destination): string {
  return `\`${snapshotId}\` → ${destination.alias} (${destination.accountUin})`;
}

/** `/snapshot check`: the dry run's private answer. */
export function buildCheckReply(
  outcome: CheckOutcome,
  snapshotId: string,
  region?: string,
): SlackMessageContent {
  if (outcome.kind === "refused")
    return { text: `:no_entry_sign: ${renderText([outcome.message])}`, blocks: [] };
  const { results } = outcome.report;
  const headline = `${headlineFor(results)} for ${describeTarget(snapshotId, outcome.destination)} (dry run: nothing was created).`;
  const allPassed = results.every((r) => r.status === "passed");
  const next = allPassed
    ? `Ask for the copy with \`/snapshot replicate ${snapshotId} to ${outcome.destination.alias}\`.`
    : "Fix what failed, then press Re-check.";
  const blocks: KnownBlock[] = [
    { type: "section", text: { type: "mrkdwn", text: headline } },
    ...resultsBlocks(results),
    { type: "context", elements: [{ type: "mrkdwn", text: `${next} Checked ${outcome.checkedAt}.` }] },
  ];
  if (!allPassed) {
    blocks.push(
      recheckButton(
        checkValue("check", {
          snapshotId,
          destination: outcome.destination.alias,
          ...(region ? { region } : {}),
          results,
        }),
      ),
    );
  }
  return { text: `${headline}\n${describeResults(results)}`, blocks };
}

/** `/snapshot replicate` refused by the checks: the reasons, the fixes and Re-check. */
export function buildReplicateRefusal(message: Text, checked: CheckedRequest): SlackMessageContent {
  const blocks: KnownBlock[] = [
    {
      type: "section",
      text: {
        type: "mrkdwn",
        text: `:no_entry_sign: ${headlineFor(checked.results)}: I cannot ask for this copy of \`${checked.snapshotId}\` to ${escapeText(checked.destination)}. Nothing was created.`,
      },
    },
    ...resultsBlocks(checked.results),
    recheckButton(checkValue("replicate", checked)),
  ];
  return { text: `:no_entry_sign: ${renderText(message)}`, blocks };
}

/** A Re-check of `/snapshot check` or of a refused request: the new results and what changed. */
export function buildRecheckReply(
  payload: Extract<RecheckPayload, { k: "check" | "replicate" }>,
  outcome: CheckOutcome,
): SlackMessageContent {
  if (outcome.kind === "refused")
    return { text: `:no_entry_sign: ${renderText([outcome.message])}`, blocks: [] };
  const { results } = outcome.report;
  const changes = describeChanges(payload.p, results);
  const allPassed = results.every((r) => r.status === "passed");
  const changed =
    changes.length > 0 ? `What changed: ${changes.join("; ")}.` : "Nothing changed since the last check.";
  const next = allPassed
    ? `All checks pass now: ask for the copy with \`/snapshot replicate ${payload.s} to ${outcome.destination.alias}${payload.r ? ` in ${payload.r}` : ""}\`.`
    : "Fix what failed, then press Re-check again.";
  const headline = `Re-checked ${describeTarget(payload.s, outcome.destination)}: ${headlineFor(results)}. ${changed}`;
  const blocks: KnownBlock[] = [
    { type: "section", text: { type: "mrkdwn", text: clip(headline) } },
    ...resultsBlocks(results),
    { type: "context", elements: [{ type: "mrkdwn", text: `${next} Checked ${outcome.checkedAt}.` }] },
  ];
  if (!allPassed) {
    blocks.push(
      recheckButton(
        checkValue(payload.k, {
          snapshotId: payload.s,
          destination: payload.d,
          ...(payload.r ? { region: payload.r } : {}),
          results,
        }),
      ),
    );
  }
  return { text: `${headline}\n${next}\n${describeResults(results)}`, blocks };
}

// ---- /snapshot accounts -------------------------------------------------------------------------

const MAX_DESTINATION_BLOCKS = 40;

/** `/snapshot accounts` (and its Re-check): every destination's collaborator and permission status. */
export function buildAccountsReply(
  report: AccountsReport,
  before?: Record<string, CheckStatus[]>,
): SlackMessageContent {
  const age = ` (checked ${report.checkedAt})`;
  const changes: string[] = [];
  if (before) {
    for (const d of report.destinations) {
      const previous = before[d.destination.alias];
      if (previous)
        changes.push(...describeChanges(previous, d.results).map((c) => `${d.destination.alias}: ${c}`));
    }
  }
  const lines: string[] = [];
  const blocks: KnownBlock[] = [
    {
      type: "section",
      text: {
        type: "mrkdwn",
        text: `*Destinations of source account ${report.sourceUin}*${age}${before ? `\n${changes.length > 0 ? `What changed: ${changes.join("; ")}.` : "Nothing changed since the last check."}` : ""}`,
      },
    },
  ];
  for (const d of report.destinations.slice(0, MAX_DESTINATION_BLOCKS)) {
    const ready = d.results.every((r) => r.status === "passed");
    const manual = d.results.slice(0, 2).every((r) => r.status === "passed");
    const summary = ready
      ? "ready"
      : manual
        ? "ready for copies (not for automatic replication)"
        : d.results.some((r) => r.status === "failed")
          ? "not ready"
          : "could not be verified";
    const head = `*${escapeText(d.destination.alias)}* — account ${d.destination.accountUin}: ${summary} · read role: ${d.destination.readRoleArn ? "set (copies are verified)" : "none (copies cannot be verified)"}`;
    const body = d.results.map((r) => resultLine(r, false)).join("\n");
    lines.push(
      `${d.destination.alias} (${d.destination.accountUin}): ${summary}\n${describeResults(d.results, { fixes: false })}`,
    );
    blocks.push({ type: "section", text: { type: "mrkdwn", text: clip(`${head}\n${body}`) } });
  }
  const all = report.destinations.flatMap((d) => d.results);
  const notCollaborators = report.destinations.filter((d) => d.results[0]?.status === "failed");
  const fixes: string[] = [];
  if (notCollaborators.length > 0) {
    fixes.push(
      `Not a collaborator: in the source account's CAM console → User list → Collaborators → Add collaborator (https://console.cloud.tencent.com/cam), enter ${notCollaborators.map((d) => d.destination.accountUin).join(", ")}.`,
    );
  }
  if (all.some((r) => r.check === "permission" && r.status !== "passed")) {
    fixes.push(
      `Missing permission: CAM console → Policies → Create custom policy (https://console.cloud.tencent.com/cam/policy) with \`${MINIMAL_POLICY_PATH}\`, associated with the collaborator:\n\`\`\`${MINIMAL_POLICY_JSON}\`\`\``,
    );
  }
  if (fixes.length > 0)
    blocks.push({ type: "section", text: { type: "mrkdwn", text: clip(fixes.join("\n")) } });
  if (all.some((r) => r.status !== "passed")) {
    const value = JSON.stringify({
      k: "accounts",
      p: Object.fromEntries(report.destinations.map((d) => [d.destination.alias, encodeStatuses(d.results)])),
    });
    if (value.length <= 2000) blocks.push(recheckButton(value));
  }
  const text = [
    `Destinations of source account ${report.sourceUin}${age}`,
    ...(before
      ? [
          changes.length > 0
            ? `What changed: ${changes.join("; ")}.`
            : "Nothing changed since the last check.",
        ]
      : []),
    ...lines,
    ...fixes,
  ].join("\n");
  return { text, blocks };
}

// ---- the approval card ----------------------------------------------------------------------------

/**
 * The card's checks section (DESIGN §5): ✓ / ✗ / ? with the reasons. A request that failed its
 * run-time checks also gets Re-check, answered privately to whoever clicks.
 */
export function buildCheckSection(
  request: Request,
  results: readonly PrerequisiteResult[] | undefined,
): KnownBlock[] {
  if (!results || results.length === 0) return [];
  const lines = results.map((r) => {
    const fix =
      r.status !== "passed" && r.fix && !r.fix.includes(MINIMAL_POLICY_JSON) ? ` _${escapeText(r.fix)}_` : "";
    return `${statusMark(r.status)} ${escapeText(describeFinding(r))}${fix}`;
  });
  const blocks: KnownBlock[] = [
    { type: "section", text: { type: "mrkdwn", text: clip(`*Prerequisite checks*\n${lines.join("\n")}`) } },
  ];
  return [...blocks, ...buildRecheckForFailedRequest({ ...request, checks: [...results] })];
}

/** Re-check for a request that failed its run-time checks (on the card and on the thread's failure reply). */
export function buildRecheckForFailedRequest(request: Request): KnownBlock[] {
  const results = request.checks ?? [];
  if (!isSnapshotCopy(request) || request.state !== "failed" || !results.some((r) => r.status === "failed"))
    return [];
  return [
    recheckButton(
      checkValue("check", {
        snapshotId: request.spec.snapshot.snapshotId,
        destination: request.destination.alias,
        region: request.spec.snapshot.region,
        results: [...results],
      }),
    ),
  ];
}
