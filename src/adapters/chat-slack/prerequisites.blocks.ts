import type { types } from "@slack/bolt";
import { z } from "zod";
import type { AccountsReport } from "../../app/accounts.flow.js";
import type { CheckedRequest, CheckOutcome } from "../../app/check-prerequisites.flow.js";
import {
  CAM_CONSOLE,
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
import type { CheckedLink, PolicyLinkCheckOutcome } from "../../kinds/policy-link/check-policy-link.js";
import { isSnapshotCopy } from "../../kinds/snapshot-copy/snapshot-copy.request.js";
import {
  escapeMrkdwn,
  fitMessage,
  joinWithin,
  mrkdwnContext,
  mrkdwnSection,
  packSections,
  plainText,
  renderText,
  type SlackMessageContent,
} from "./mrkdwn.renderer.js";
import { ACTION_RECHECK } from "./slack-ids.js";
import { clip, SLACK_LIMITS } from "./slack-limits.js";

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
  z.object({
    k: z.literal("auto"),
    s: z.string().regex(/^asp-[a-z0-9]{8}$/),
    d: z.string().min(1).max(40),
    r: z.string().max(40).optional(),
    p: statusesSchema,
  }),
  z.object({
    k: z.literal("accounts"),
    /** The statuses per destination alias, while that fits in a button (up to ~40 destinations). */
    p: z.record(z.string().max(40), statusesSchema).optional(),
    /** Otherwise: the statuses in the configured order (`s`, dot-separated) and a hash of that order (`h`). */
    h: z
      .string()
      .regex(/^[0-9a-z]{1,14}$/)
      .optional(),
    s: z
      .string()
      .regex(/^[pfc.]{0,1900}$/)
      .optional(),
  }),
]);
export type RecheckPayload = z.output<typeof recheckPayloadSchema>;
type AccountsRecheck = Extract<RecheckPayload, { k: "accounts" }>;

/** FNV-1a of the aliases in order: a compact Re-check applies only to the same destinations. */
function orderHash(aliases: readonly string[]): string {
  let hash = 0x811c9dc5;
  for (const ch of aliases.join(",")) {
    hash ^= ch.charCodeAt(0);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(36);
}

/** The statuses a Re-check of `/snapshot accounts` compares with, by alias. */
function previousStatuses(report: AccountsReport, before: AccountsRecheck): Record<string, CheckStatus[]> {
  if (before.p) return before.p;
  const aliases = report.destinations.map((d) => d.destination.alias);
  if (before.s === undefined || before.h !== orderHash(aliases)) return {};
  const decoded = before.s.split(".").map((codes) => statusesSchema.safeParse(codes).data ?? []);
  return Object.fromEntries(aliases.map((alias, i) => [alias, decoded[i] ?? []]));
}

function accountsRecheckValue(report: AccountsReport): string {
  const full = JSON.stringify({
    k: "accounts",
    p: Object.fromEntries(report.destinations.map((d) => [d.destination.alias, encodeStatuses(d.results)])),
  });
  if (full.length <= SLACK_LIMITS.buttonValue) return full;
  return JSON.stringify({
    k: "accounts",
    h: orderHash(report.destinations.map((d) => d.destination.alias)),
    s: report.destinations.map((d) => encodeStatuses(d.results)).join("."),
  });
}

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

/** Re-check, when its payload fits in a button's value (it always does for one destination). */
function recheckButton(value: string): KnownBlock[] {
  if (value.length > SLACK_LIMITS.buttonValue) return [];
  return [
    {
      type: "actions",
      block_id: "prerequisites_recheck",
      elements: [
        {
          type: "button",
          action_id: ACTION_RECHECK,
          text: plainText("Re-check", SLACK_LIMITS.buttonText),
          value,
        },
      ],
    },
  ];
}

// ---- check results -------------------------------------------------------------------------------

/** A cloud error can be thousands of characters: a finding is shortened so its fix still shows. */
const MAX_FINDING = 1200;
/** In the overview of every destination, shorter still: the same error usually repeats. */
const MAX_OVERVIEW_FINDING = 400;

function finding(result: PrerequisiteResult, max: number): string {
  return clip(escapeMrkdwn(describeFinding(result)), max);
}

function resultLine(result: PrerequisiteResult, withFix: boolean, max = MAX_FINDING): string {
  const fix =
    withFix && result.fix && result.status !== "passed"
      ? `\n      _How to fix:_ ${clip(escapeMrkdwn(result.fix), SLACK_LIMITS.sectionText / 2)}`
      : "";
  return `${statusMark(result.status)} *${escapeMrkdwn(result.subject.replaceAll("*", "'"))}* — ${finding(result, max)}${fix}`;
}

/** Plain text of the results for the notification text, escaped (it is mrkdwn too) and shortened. */
function resultsText(results: readonly PrerequisiteResult[], options: { fixes?: boolean } = {}): string {
  return clip(escapeMrkdwn(describeResults(results, options)), 3 * MAX_FINDING);
}

function policyText(): string {
  return `\`\`\`${escapeMrkdwn(MINIMAL_POLICY_JSON)}\`\`\``;
}

/** The minimal policy, once, when a permission is not known to be granted and no fix printed it yet. */
function policyBlocks(results: readonly PrerequisiteResult[], alreadyPrinted: boolean): KnownBlock[] {
  const needed = results.some(
    (r) => (r.check === "collaborator" || r.check === "permission") && r.status !== "passed",
  );
  if (!needed || alreadyPrinted) return [];
  return [
    mrkdwnSection(
      `The minimal policy to attach to the collaborator (\`${escapeMrkdwn(MINIMAL_POLICY_PATH)}\`):\n${policyText()}`,
    ),
  ];
}

function resultsBlocks(results: readonly PrerequisiteResult[]): KnownBlock[] {
  const blocks = results.map((r) => mrkdwnSection(resultLine(r, true)));
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

const codeSpan = (value: string) => `\`${escapeMrkdwn(value.replaceAll("`", "'"))}\``;

function describeTarget(snapshotId: string, destination: Destination): string {
  return `${codeSpan(snapshotId)} → ${escapeMrkdwn(destination.alias)} (${escapeMrkdwn(destination.accountUin)})`;
}

function refusedReply(message: string): SlackMessageContent {
  return fitMessage({
    text: `:no_entry_sign: ${renderText([message], SLACK_LIMITS.sectionText)}`,
    blocks: [],
  });
}

/** `/snapshot check`: the dry run's private answer. */
export function buildCheckReply(
  outcome: CheckOutcome,
  snapshotId: string,
  region?: string,
): SlackMessageContent {
  if (outcome.kind === "refused") return refusedReply(outcome.message);
  const { results } = outcome.report;
  const headline = `${headlineFor(results)} for ${describeTarget(snapshotId, outcome.destination)} (dry run: nothing was created).`;
  const allPassed = results.every((r) => r.status === "passed");
  const next = allPassed
    ? `Ask for the copy with ${codeSpan(`/snapshot replicate ${snapshotId} to ${outcome.destination.alias}`)}.`
    : "Fix what failed, then press Re-check.";
  const blocks: KnownBlock[] = [
    mrkdwnSection(headline),
    ...resultsBlocks(results),
    mrkdwnContext([`${next} Checked ${escapeMrkdwn(outcome.checkedAt)}.`]),
  ];
  if (!allPassed) {
    blocks.push(
      ...recheckButton(
        checkValue("check", {
          snapshotId,
          destination: outcome.destination.alias,
          ...(region ? { region } : {}),
          results,
        }),
      ),
    );
  }
  return fitMessage({ text: `${headline}\n${resultsText(results)}`, blocks });
}

/** `/snapshot replicate` refused by the checks: the reasons, the fixes and Re-check. */
export function buildReplicateRefusal(message: Text, checked: CheckedRequest): SlackMessageContent {
  const blocks: KnownBlock[] = [
    mrkdwnSection(
      `:no_entry_sign: ${headlineFor(checked.results)}: I cannot ask for this copy of ${codeSpan(checked.snapshotId)} to ${escapeMrkdwn(checked.destination)}. Nothing was created.`,
    ),
    ...resultsBlocks(checked.results),
    ...recheckButton(checkValue("replicate", checked)),
  ];
  return fitMessage({ text: `:no_entry_sign: ${renderText(message)}`, blocks });
}

/** A Re-check of `/snapshot check` or of a refused request: the new results and what changed. */
export function buildRecheckReply(
  payload: Extract<RecheckPayload, { k: "check" | "replicate" }>,
  outcome: CheckOutcome,
): SlackMessageContent {
  if (outcome.kind === "refused") return refusedReply(outcome.message);
  const { results } = outcome.report;
  const changes = describeChanges(payload.p, results).map(escapeMrkdwn);
  const allPassed = results.every((r) => r.status === "passed");
  const changed =
    changes.length > 0 ? `What changed: ${changes.join("; ")}.` : "Nothing changed since the last check.";
  const command = `/snapshot replicate ${payload.s} to ${outcome.destination.alias}${payload.r ? ` in ${payload.r}` : ""}`;
  const next = allPassed
    ? `All checks pass now: ask for the copy with ${codeSpan(command)}.`
    : "Fix what failed, then press Re-check again.";
  const headline = `Re-checked ${describeTarget(payload.s, outcome.destination)}: ${headlineFor(results)}. ${changed}`;
  const blocks: KnownBlock[] = [
    mrkdwnSection(headline),
    ...resultsBlocks(results),
    mrkdwnContext([`${next} Checked ${escapeMrkdwn(outcome.checkedAt)}.`]),
  ];
  if (!allPassed) {
    blocks.push(
      ...recheckButton(
        checkValue(payload.k, {
          snapshotId: payload.s,
          destination: payload.d,
          ...(payload.r ? { region: payload.r } : {}),
          results,
        }),
      ),
    );
  }
  return fitMessage({ text: `${headline}\n${next}\n${resultsText(results)}`, blocks });
}

// ---- /snapshot auto (linking a scheduled policy) ----------------------------------------------

function linkValue(checked: CheckedLink): string {
  return JSON.stringify({
    k: "auto",
    s: checked.policyId,
    d: checked.destination,
    ...(checked.region ? { r: checked.region } : {}),
    p: encodeStatuses(checked.results),
  });
}

/** `/snapshot auto` refused by the checks: the reasons, the fixes (the minimal policy) and Re-check. */
export function buildPolicyLinkRefusal(message: Text, checked: CheckedLink): SlackMessageContent {
  const blocks: KnownBlock[] = [
    mrkdwnSection(
      `:no_entry_sign: ${headlineFor(checked.results)}: I cannot ask to replicate ${codeSpan(checked.policyId)} to ${escapeMrkdwn(checked.destination)} automatically. Nothing was created.`,
    ),
    ...resultsBlocks(checked.results),
    ...recheckButton(linkValue(checked)),
  ];
  return fitMessage({
    text: `:no_entry_sign: ${renderText(message)}\n${resultsText(checked.results)}`,
    blocks,
  });
}

/** A Re-check of a refused `/snapshot auto`: the new results and what changed. */
export function buildPolicyLinkRecheckReply(
  payload: Extract<RecheckPayload, { k: "auto" }>,
  outcome: PolicyLinkCheckOutcome,
): SlackMessageContent {
  if (outcome.kind === "refused") return refusedReply(outcome.message);
  const { results } = outcome;
  const changes = describeChanges(payload.p, results).map(escapeMrkdwn);
  const allPassed = results.every((r) => r.status === "passed");
  const changed =
    changes.length > 0 ? `What changed: ${changes.join("; ")}.` : "Nothing changed since the last check.";
  const command = `/snapshot auto ${payload.s} to ${outcome.destination.alias}${payload.r ? ` in ${payload.r}` : ""}`;
  const next =
    outcome.link === "this"
      ? `${codeSpan(payload.s)} already replicates to ${escapeMrkdwn(outcome.destination.alias)}: nothing to ask for.`
      : allPassed
        ? `All checks pass now: ask for it with ${codeSpan(command)}.`
        : "Fix what failed, then press Re-check again.";
  const headline = `Re-checked ${codeSpan(payload.s)} → ${escapeMrkdwn(outcome.destination.alias)} (${escapeMrkdwn(outcome.destination.accountUin)}): ${headlineFor(results)}. ${changed}`;
  const blocks: KnownBlock[] = [
    mrkdwnSection(headline),
    ...resultsBlocks(results),
    mrkdwnContext([`${next} Checked ${escapeMrkdwn(outcome.checkedAt)}.`]),
  ];
  if (!allPassed) {
    blocks.push(
      ...recheckButton(
        linkValue({
          policyId: payload.s,
          destination: payload.d,
          ...(payload.r ? { region: payload.r } : {}),
          results,
        }),
      ),
    );
  }
  return fitMessage({ text: `${headline}\n${next}\n${resultsText(results)}`, blocks });
}

// ---- /snapshot accounts -------------------------------------------------------------------------

/** Sections for what changed; the destinations get what is left of the 50 blocks. */
const MAX_CHANGE_BLOCKS = 6;
const MAX_FIX_BLOCKS = 3;
/** One destination's paragraph in the notification text. */
const MAX_DESTINATION_TEXT = 1500;

/** `/snapshot accounts` (and its Re-check): every destination's collaborator and permission status. */
export function buildAccountsReply(report: AccountsReport, recheck?: AccountsRecheck): SlackMessageContent {
  const before = recheck ? previousStatuses(report, recheck) : undefined;
  const age = ` (checked ${escapeMrkdwn(report.checkedAt)})`;
  const changes: string[] = [];
  if (before) {
    for (const d of report.destinations) {
      const previous = before[d.destination.alias];
      if (previous)
        changes.push(
          ...describeChanges(previous, d.results).map((c) => escapeMrkdwn(`${d.destination.alias}: ${c}`)),
        );
    }
  }
  const title = `Destinations of source account ${escapeMrkdwn(report.sourceUin)}`;
  const changedLine = before
    ? changes.length > 0
      ? `What changed: ${joinWithin(changes, "; ", SLACK_LIMITS.sectionText * MAX_CHANGE_BLOCKS, (left) => `…and ${left} more changes`)}.`
      : "Nothing changed since the last check."
    : undefined;
  const head: KnownBlock[] = [mrkdwnSection(`*${title}*${age}`)];
  if (before) {
    head.push(
      ...(changes.length > 0
        ? packSections(["*What changed:*", ...changes.map((c) => `• ${c}`)], {
            maxBlocks: MAX_CHANGE_BLOCKS,
            more: (left) => `…and ${left} more changes`,
          })
        : [mrkdwnSection("Nothing changed since the last check.")]),
    );
  }

  const lines: string[] = [];
  const entries: string[] = [];
  for (const d of report.destinations) {
    const ready = d.results.every((r) => r.status === "passed");
    const manual = d.results.slice(0, 2).every((r) => r.status === "passed");
    const summary = ready
      ? "ready"
      : manual
        ? "ready for copies (not for automatic replication)"
        : d.results.some((r) => r.status === "failed")
          ? "not ready"
          : "could not be verified";
    const alias = escapeMrkdwn(d.destination.alias);
    const uin = escapeMrkdwn(d.destination.accountUin);
    const role = d.destination.readRoleArn ? "set (copies are verified)" : "none (copies cannot be verified)";
    const body = d.results.map((r) => resultLine(r, false, MAX_OVERVIEW_FINDING)).join("\n");
    entries.push(
      `*${alias.replaceAll("*", "'")}* — account ${uin}: ${summary} · read role: ${role}\n${body}`,
    );
    lines.push(
      clip(
        `${alias} (${uin}): ${summary}\n${escapeMrkdwn(describeResults(d.results, { fixes: false }))}`,
        MAX_DESTINATION_TEXT,
      ),
    );
  }

  const all = report.destinations.flatMap((d) => d.results);
  const notCollaborators = report.destinations.filter((d) => d.results[0]?.status === "failed");
  const fixes: string[] = [];
  if (notCollaborators.length > 0) {
    const uins = joinWithin(
      notCollaborators.map((d) => escapeMrkdwn(d.destination.accountUin)),
      ", ",
      SLACK_LIMITS.sectionText - 200,
      (left) => `…and ${left} more (see above)`,
    );
    fixes.push(
      `Not a collaborator: in the source account's CAM console → User list → Collaborators → Add collaborator (${CAM_CONSOLE.users}), enter ${uins}.`,
    );
  }
  if (all.some((r) => r.check === "permission" && r.status !== "passed")) {
    fixes.push(
      `Missing permission: CAM console → Policies → Create custom policy (${CAM_CONSOLE.policies}) with \`${escapeMrkdwn(MINIMAL_POLICY_PATH)}\`, associated with the collaborator:\n${policyText()}`,
    );
  }
  const fixBlocks =
    fixes.length > 0
      ? packSections(fixes, { maxBlocks: MAX_FIX_BLOCKS, more: (left) => `…and ${left} more` })
      : [];

  const tail: KnownBlock[] = [...fixBlocks];
  if (all.some((r) => r.status !== "passed")) {
    tail.push(...recheckButton(accountsRecheckValue(report)));
  }
  const room = SLACK_LIMITS.messageBlocks - head.length - tail.length;
  const destinationBlocks = packSections(entries, {
    maxBlocks: room,
    more: (left) =>
      `…and ${left} more destination${left === 1 ? "" : "s"} not shown here: \`/snapshot check &lt;snapshot&gt; to &lt;alias&gt;\` checks one.`,
  });

  const text = [`${title}${age}`, ...(changedLine ? [changedLine] : []), ...lines, ...fixes].join("\n");
  return fitMessage({ text, blocks: [...head, ...destinationBlocks, ...tail] });
}

// ---- the approval card ----------------------------------------------------------------------------

/**
 * The card's checks section (docs/decisions/005): ✓ / ✗ / ? with the reasons. A request that failed its
 * run-time checks also gets Re-check, answered privately to whoever clicks.
 */
export function buildCheckSection(
  request: Request,
  results: readonly PrerequisiteResult[] | undefined,
): KnownBlock[] {
  if (!results || results.length === 0) return [];
  const lines = results.map((r) => {
    const fix =
      r.status !== "passed" && r.fix && !r.fix.includes(MINIMAL_POLICY_JSON)
        ? ` _${clip(escapeMrkdwn(r.fix), 500)}_`
        : "";
    return `${statusMark(r.status)} ${finding(r, 700)}${fix}`;
  });
  const blocks: KnownBlock[] = [mrkdwnSection(`*Prerequisite checks*\n${lines.join("\n")}`)];
  return [...blocks, ...buildRecheckForFailedRequest({ ...request, checks: [...results] })];
}

/** Re-check for a request that failed its run-time checks (on the card and on the thread's failure reply). */
export function buildRecheckForFailedRequest(request: Request): KnownBlock[] {
  const results = request.checks ?? [];
  if (!isSnapshotCopy(request) || request.state !== "failed" || !results.some((r) => r.status === "failed"))
    return [];
  return recheckButton(
    checkValue("check", {
      snapshotId: request.spec.snapshot.snapshotId,
      destination: request.destination.alias,
      region: request.spec.snapshot.region,
      results: [...results],
    }),
  );
}
