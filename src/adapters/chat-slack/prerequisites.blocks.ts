import type { types } from "@slack/bolt";
import { z } from "zod";
import type { AccountsReport } from "../../app/accounts.flow.js";
import type { CheckedRequest, CheckOutcome } from "../../app/check-prerequisites.flow.js";
import {
  asText,
  CAM_CONSOLE,
  type CheckStatus,
  describeAnswerAge,
  describeChanges,
  describeFinding,
  describeResults,
  MINIMAL_POLICY_JSON,
  MINIMAL_POLICY_PATH,
  type PrerequisiteResult,
  statusMark,
} from "../../core/cam/prerequisites.js";
import { type Text, time, toPlainText } from "../../core/messages/message.js";
import type { Destination, Request } from "../../core/request/request.js";
import type { CheckedLink, PolicyLinkCheckOutcome } from "../../kinds/policy-link/check-policy-link.js";
import { defaultCopyName } from "../../kinds/snapshot-copy/copy-name.js";
import { isSnapshotCopy, type SnapshotCopyRequest } from "../../kinds/snapshot-copy/snapshot-copy.request.js";
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
import { currentLocale, say } from "./reader-locale.js";
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
    /** The new name the requester typed (`as "<name>"`), so the suggested command keeps it. */
    n: z.string().min(1).max(120).optional(),
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
    ...(checked.newName ? { n: checked.newName } : {}),
    p: encodeStatuses(checked.results),
  });
}

/**
 * The name a copy request's requester typed (`as "<name>"`), or undefined when the bot chose it
 * (`<source name>-copy-<yyyymmdd>`, perhaps numbered): asking again keeps only what was typed.
 */
export function typedCopyName(request: SnapshotCopyRequest): string | undefined {
  const chosen = defaultCopyName(request.spec.snapshot.name, new Date(request.createdAt));
  const name = request.spec.newName;
  if (name === chosen || new RegExp(`^${escapeRegExp(chosen)}-\\d+$`).test(name)) return undefined;
  return name;
}

const escapeRegExp = (value: string) => value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** `/snapshot replicate …` as the requester would type it again, with their region and name. */
export function replicateCommand(
  snapshotId: string,
  alias: string,
  region?: string,
  newName?: string,
): string {
  return `/snapshot replicate ${snapshotId} to ${alias}${region ? ` in ${region}` : ""}${newName ? ` as "${newName}"` : ""}`;
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
          text: plainText(say("Re-check", "重新检查"), SLACK_LIMITS.buttonText),
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
  return renderText(describeFinding(result), max);
}

/** A stored fix prints the minimal policy document itself. */
const fixPrintsPolicy = (result: PrerequisiteResult) =>
  result.fix !== undefined && toPlainText(asText(result.fix)).includes(MINIMAL_POLICY_JSON);

function resultLine(result: PrerequisiteResult, withFix: boolean, max = MAX_FINDING): string {
  const fix =
    withFix && result.fix && result.status !== "passed"
      ? `\n      _${say("How to fix:", "解决方法：")}_ ${renderText(asText(result.fix), SLACK_LIMITS.sectionText / 2)}`
      : "";
  const subject = toPlainText(asText(result.subject), currentLocale());
  return `${statusMark(result.status)} *${escapeMrkdwn(subject.replaceAll("*", "'"))}* — ${finding(result, max)}${fix}`;
}

/** Plain text of the results for the notification text, escaped (it is mrkdwn too) and shortened. */
function resultsText(results: readonly PrerequisiteResult[], options: { fixes?: boolean } = {}): string {
  return renderText(describeResults(results, options), 3 * MAX_FINDING);
}

/** "(CAM answer from the cache, checked 4 s ago; Re-check asks CAM again)" under a refusal, once. */
function answerAgeLine(results: readonly PrerequisiteResult[], now = new Date()): string[] {
  const cached = results.find((r) => r.status !== "passed" && r.answeredAt);
  const age = cached ? describeAnswerAge(cached, now) : undefined;
  return age ? [renderText(age)] : [];
}

/** "Checked <time>" as each reader's own time. */
const checkedAt = (at: string) => `${say("Checked", "检查时间：")} ${renderText([time(at)])}`;

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
      `${say("The minimal policy to attach to the collaborator", "需关联到协作者的最小权限策略")} (\`${escapeMrkdwn(MINIMAL_POLICY_PATH)}\`):\n${policyText()}`,
    ),
  ];
}

function resultsBlocks(results: readonly PrerequisiteResult[]): KnownBlock[] {
  const blocks = results.map((r) => mrkdwnSection(resultLine(r, true)));
  const printed = results.some((r) => r.status !== "passed" && fixPrintsPolicy(r));
  return [...blocks, ...policyBlocks(results, printed)];
}

function headlineFor(results: readonly PrerequisiteResult[]): string {
  const failed = results.filter((r) => r.status === "failed").length;
  const doubtful = results.filter((r) => r.status === "cannot-verify").length;
  if (failed === 0 && doubtful === 0) return say("✓ All checks pass", "✓ 全部检查通过");
  const parts = [
    failed > 0 ? say(`${failed} failed`, `${failed} 项未通过`) : "",
    doubtful > 0 ? say(`${doubtful} could not be verified`, `${doubtful} 项无法确认`) : "",
  ];
  return `${failed > 0 ? "✗" : "?"} ${parts.filter(Boolean).join(say(", ", "，"))}`;
}

const codeSpan = (value: string) => `\`${escapeMrkdwn(value.replaceAll("`", "'"))}\``;

function describeTarget(snapshotId: string, destination: Destination): string {
  return `${codeSpan(snapshotId)} → ${escapeMrkdwn(destination.alias)} (${escapeMrkdwn(destination.accountUin)})`;
}

function refusedReply(message: string | Text): SlackMessageContent {
  return fitMessage({
    text: `:no_entry_sign: ${renderText(asText(message), SLACK_LIMITS.sectionText)}`,
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
  const headline = say(
    `${headlineFor(results)} for ${describeTarget(snapshotId, outcome.destination)} (dry run: nothing was created).`,
    `${headlineFor(results)}：${describeTarget(snapshotId, outcome.destination)}（演练：未创建任何内容）。`,
  );
  const allPassed = results.every((r) => r.status === "passed");
  const command = codeSpan(replicateCommand(snapshotId, outcome.destination.alias, region));
  const next = allPassed
    ? say(`Ask for the copy with ${command}.`, `可用 ${command} 申请复制。`)
    : say("Fix what failed, then press Re-check.", "请修复未通过的项，然后点击“重新检查”。");
  const blocks: KnownBlock[] = [
    mrkdwnSection(headline),
    ...resultsBlocks(results),
    mrkdwnContext([
      `${next} ${checkedAt(outcome.checkedAt)}`,
      ...answerAgeLine(results, new Date(outcome.checkedAt)),
    ]),
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
      say(
        `:no_entry_sign: ${headlineFor(checked.results)}: I cannot ask for this copy of ${codeSpan(checked.snapshotId)} to ${escapeMrkdwn(checked.destination)}. Nothing was created.`,
        `:no_entry_sign: ${headlineFor(checked.results)}：无法申请把 ${codeSpan(checked.snapshotId)} 复制到 ${escapeMrkdwn(checked.destination)}。未创建任何内容。`,
      ),
    ),
    ...resultsBlocks(checked.results),
    ...contextLines(answerAgeLine(checked.results)),
    ...recheckButton(checkValue("replicate", checked)),
  ];
  const age = answerAgeLine(checked.results);
  return fitMessage({
    text: `:no_entry_sign: ${renderText(message)}${age.length ? `\n${age.join("\n")}` : ""}`,
    blocks,
  });
}

const contextLines = (lines: string[]): KnownBlock[] => (lines.length ? [mrkdwnContext(lines)] : []);

/** A Re-check of `/snapshot check` or of a refused request: the new results and what changed. */
export function buildRecheckReply(
  payload: Extract<RecheckPayload, { k: "check" | "replicate" }>,
  outcome: CheckOutcome,
): SlackMessageContent {
  if (outcome.kind === "refused") return refusedReply(outcome.message);
  const { results } = outcome.report;
  const changes = describeChanges(payload.p, results).map((c) => renderText(c));
  const allPassed = results.every((r) => r.status === "passed");
  const changed = changedLine(changes);
  const command = codeSpan(replicateCommand(payload.s, outcome.destination.alias, payload.r, payload.n));
  const next = allPassed
    ? say(
        `All checks pass now: ask for the copy with ${command}.`,
        `现已全部通过：可用 ${command} 申请复制。`,
      )
    : say("Fix what failed, then press Re-check again.", "请修复未通过的项，然后再次点击“重新检查”。");
  const headline = say(
    `Re-checked ${describeTarget(payload.s, outcome.destination)}: ${headlineFor(results)}. ${changed}`,
    `已重新检查 ${describeTarget(payload.s, outcome.destination)}：${headlineFor(results)}。${changed}`,
  );
  const blocks: KnownBlock[] = [
    mrkdwnSection(headline),
    ...resultsBlocks(results),
    mrkdwnContext([`${next} ${checkedAt(outcome.checkedAt)}`]),
  ];
  if (!allPassed) {
    blocks.push(
      ...recheckButton(
        checkValue(payload.k, {
          snapshotId: payload.s,
          destination: payload.d,
          ...(payload.r ? { region: payload.r } : {}),
          ...(payload.n ? { newName: payload.n } : {}),
          results,
        }),
      ),
    );
  }
  return fitMessage({ text: `${headline}\n${next}\n${resultsText(results)}`, blocks });
}

function changedLine(changes: readonly string[]): string {
  return changes.length > 0
    ? say(`What changed: ${changes.join("; ")}.`, `变化：${changes.join("；")}。`)
    : say("Nothing changed since the last check.", "与上次检查相比没有变化。");
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
      say(
        `:no_entry_sign: ${headlineFor(checked.results)}: I cannot ask to replicate ${codeSpan(checked.policyId)} to ${escapeMrkdwn(checked.destination)} automatically. Nothing was created.`,
        `:no_entry_sign: ${headlineFor(checked.results)}：无法申请把 ${codeSpan(checked.policyId)} 自动复制到 ${escapeMrkdwn(checked.destination)}。未创建任何内容。`,
      ),
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
  const changes = describeChanges(payload.p, results).map((c) => renderText(c));
  const allPassed = results.every((r) => r.status === "passed");
  const changed = changedLine(changes);
  const command = codeSpan(
    `/snapshot auto ${payload.s} to ${outcome.destination.alias}${payload.r ? ` in ${payload.r}` : ""}`,
  );
  const alias = escapeMrkdwn(outcome.destination.alias);
  const next =
    outcome.link === "this"
      ? say(
          `${codeSpan(payload.s)} already replicates to ${alias}: nothing to ask for.`,
          `${codeSpan(payload.s)} 已复制到 ${alias}：无需申请。`,
        )
      : allPassed
        ? say(`All checks pass now: ask for it with ${command}.`, `现已全部通过：可用 ${command} 申请。`)
        : say("Fix what failed, then press Re-check again.", "请修复未通过的项，然后再次点击“重新检查”。");
  const target = `${codeSpan(payload.s)} → ${alias} (${escapeMrkdwn(outcome.destination.accountUin)})`;
  const headline = say(
    `Re-checked ${target}: ${headlineFor(results)}. ${changed}`,
    `已重新检查 ${target}：${headlineFor(results)}。${changed}`,
  );
  const blocks: KnownBlock[] = [
    mrkdwnSection(headline),
    ...resultsBlocks(results),
    mrkdwnContext([`${next} ${checkedAt(outcome.checkedAt)}`]),
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
  const age = ` (${say("checked", "检查时间：")} ${renderText([time(report.checkedAt)])})`;
  const changes: string[] = [];
  if (before) {
    for (const d of report.destinations) {
      const previous = before[d.destination.alias];
      if (previous)
        changes.push(
          ...describeChanges(previous, d.results).map(
            (c) => `${escapeMrkdwn(d.destination.alias)}: ${renderText(c)}`,
          ),
        );
    }
  }
  const title = say(
    `Destinations of source account ${escapeMrkdwn(report.sourceUin)}`,
    `源账号 ${escapeMrkdwn(report.sourceUin)} 的目标账号`,
  );
  const moreChanges = (left: number) => say(`…and ${left} more changes`, `……另有 ${left} 项变化`);
  const changedSummary = before
    ? changes.length > 0
      ? say(
          `What changed: ${joinWithin(changes, "; ", SLACK_LIMITS.sectionText * MAX_CHANGE_BLOCKS, moreChanges)}.`,
          `变化：${joinWithin(changes, "；", SLACK_LIMITS.sectionText * MAX_CHANGE_BLOCKS, moreChanges)}。`,
        )
      : say("Nothing changed since the last check.", "与上次检查相比没有变化。")
    : undefined;
  const head: KnownBlock[] = [mrkdwnSection(`*${title}*${age}`)];
  if (before) {
    head.push(
      ...(changes.length > 0
        ? packSections([say("*What changed:*", "*变化：*"), ...changes.map((c) => `• ${c}`)], {
            maxBlocks: MAX_CHANGE_BLOCKS,
            more: moreChanges,
          })
        : [mrkdwnSection(say("Nothing changed since the last check.", "与上次检查相比没有变化。"))]),
    );
  }

  const lines: string[] = [];
  const entries: string[] = [];
  for (const d of report.destinations) {
    const ready = d.results.every((r) => r.status === "passed");
    const manual = d.results.slice(0, 2).every((r) => r.status === "passed");
    const summary = ready
      ? say("ready", "已就绪")
      : manual
        ? say("ready for copies (not for automatic replication)", "可手动复制（自动复制未就绪）")
        : d.results.some((r) => r.status === "failed")
          ? say("not ready", "未就绪")
          : say("could not be verified", "无法确认");
    const alias = escapeMrkdwn(d.destination.alias);
    const uin = escapeMrkdwn(d.destination.accountUin);
    const role = d.destination.readRoleArn
      ? say("set (copies are verified)", "已设置（会验证副本）")
      : say("none (copies cannot be verified)", "未设置（无法验证副本）");
    const body = d.results.map((r) => resultLine(r, false, MAX_OVERVIEW_FINDING)).join("\n");
    entries.push(
      say(
        `*${alias.replaceAll("*", "'")}* — account ${uin}: ${summary} · read role: ${role}\n${body}`,
        `*${alias.replaceAll("*", "'")}* — 账号 ${uin}：${summary} · 只读角色：${role}\n${body}`,
      ),
    );
    lines.push(
      clip(
        `${alias} (${uin}): ${summary}\n${renderText(describeResults(d.results, { fixes: false }))}`,
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
      (left) => say(`…and ${left} more (see above)`, `……另有 ${left} 个（见上文）`),
    );
    fixes.push(
      say(
        `Not a collaborator: in the source account's CAM console → User list → Collaborators → Add collaborator (${CAM_CONSOLE.users}), enter ${uins}.`,
        `不是协作者：在源账号的访问管理（CAM）控制台 → 用户列表 → 协作者 → 添加协作者（${CAM_CONSOLE.users}），输入 ${uins}。`,
      ),
    );
  }
  if (all.some((r) => r.check === "permission" && r.status !== "passed")) {
    const path = `\`${escapeMrkdwn(MINIMAL_POLICY_PATH)}\``;
    fixes.push(
      say(
        `Missing permission: CAM console → Policies → Create custom policy (${CAM_CONSOLE.policies}) with ${path}, associated with the collaborator:\n${policyText()}`,
        `缺少权限：访问管理（CAM）控制台 → 策略 → 新建自定义策略（${CAM_CONSOLE.policies}），使用 ${path}，并关联到协作者：\n${policyText()}`,
      ),
    );
  }
  const fixBlocks =
    fixes.length > 0
      ? packSections(fixes, {
          maxBlocks: MAX_FIX_BLOCKS,
          more: (left) => say(`…and ${left} more`, `……另有 ${left} 项`),
        })
      : [];

  const tail: KnownBlock[] = [...fixBlocks];
  if (all.some((r) => r.status !== "passed")) {
    tail.push(...recheckButton(accountsRecheckValue(report)));
  }
  const room = SLACK_LIMITS.messageBlocks - head.length - tail.length;
  const destinationBlocks = packSections(entries, {
    maxBlocks: room,
    more: (left) =>
      say(
        `…and ${left} more destination${left === 1 ? "" : "s"} not shown here: \`/snapshot check &lt;snapshot&gt; to &lt;alias&gt;\` checks one.`,
        `……另有 ${left} 个目标账号未在此显示：可用 \`/snapshot check &lt;snapshot&gt; to &lt;alias&gt;\` 逐个检查。`,
      ),
  });

  const text = [`${title}${age}`, ...(changedSummary ? [changedSummary] : []), ...lines, ...fixes].join("\n");
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
      r.status !== "passed" && r.fix && !fixPrintsPolicy(r) ? ` _${renderText(asText(r.fix), 500)}_` : "";
    return `${statusMark(r.status)} ${finding(r, 700)}${fix}`;
  });
  const blocks: KnownBlock[] = [
    mrkdwnSection(`*${say("Prerequisite checks", "前提条件检查")}*\n${lines.join("\n")}`),
  ];
  return [...blocks, ...buildRecheckForFailedRequest({ ...request, checks: [...results] })];
}

/** Re-check for a request that failed its run-time checks (on the card and on the thread's failure reply). */
export function buildRecheckForFailedRequest(request: Request): KnownBlock[] {
  const results = request.checks ?? [];
  if (!isSnapshotCopy(request) || request.state !== "failed" || !results.some((r) => r.status === "failed"))
    return [];
  const newName = typedCopyName(request);
  return recheckButton(
    checkValue("check", {
      snapshotId: request.spec.snapshot.snapshotId,
      destination: request.destination.alias,
      region: request.spec.snapshot.region,
      ...(newName ? { newName } : {}),
      results: [...results],
    }),
  );
}
