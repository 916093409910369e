import { describeDuration, momentOf } from "../../app/automatic-messages.js";
import type { PolicyLinkRow, PolicyLinksReport } from "../../app/policy-links.flow.js";
import { REPLICATE_TO_MY_ACCOUNT_PAGE } from "../../core/cam/policy-link-prerequisites.js";
import {
  code,
  conversation,
  joinText,
  link,
  strong,
  type Text,
  text,
  time,
  tr,
} from "../../core/messages/message.js";
import { describeSchedulesText } from "../../core/replication/schedule-words.js";
import type { PolicyLinkOutcome } from "../../kinds/policy-link/request-policy-link.flow.js";
import { renderText } from "./mrkdwn.renderer.js";
import { clip, SLACK_LIMITS } from "./slack-limits.js";

/** Private replies to `/snapshot auto …` and `/snapshot auto list`, as mrkdwn text, in the reader's language. */

export function renderLinkLookingUp(policyId: string, destination: string): string {
  return renderText([
    tr(
      text`Looking up ${code(policyId)} and preparing a request to replicate it to ${code(destination)} automatically…`,
      text`正在查找 ${code(policyId)}，并准备把它自动复制到 ${code(destination)} 的申请…`,
    ),
  ]);
}

/** The answer to `/snapshot auto` when it did not end in Re-check blocks. */
export function renderPolicyLinkOutcome(outcome: PolicyLinkOutcome): string {
  if (outcome.kind === "refused") return `🚫 ${renderText(outcome.message)}`;
  if (outcome.kind === "already") return `ℹ️ ${renderText(outcome.message)}`;
  const id = code(outcome.request.id);
  const policy = code(outcome.request.spec.policy.policyId);
  const where = conversation(outcome.cardChannel);
  return `📥 ${renderText([
    tr(
      text`Your request ${id} to replicate ${policy} automatically is waiting for approval in ${where}. You will see each step in the card's thread.`,
      text`你的申请 ${id}（自动复制 ${policy}）正在 ${where} 等待审批。每一步进展都会回复在审批卡片的消息列中。`,
    ),
  ])}`;
}

/** A cloud error's own words, short: they stay as the cloud wrote them. */
const cloudWords = (message: string) => clip(message, 200, "plain");

function describeDestination(row: PolicyLinkRow): Text {
  return row.alias
    ? text`${strong(row.alias)} (${row.accountUin})`
    : [
        tr(
          text`account ${row.accountUin} — ${strong("not in the bot's configuration")} (linked outside the bot)`,
          text`账号 ${row.accountUin} — ${strong("不在机器人的配置中")}（在机器人之外关联）`,
        ),
      ];
}

/** A snapshot's time: its epoch ms as a time part, else the cloud's own text (Beijing time). */
function snapshotTime(ms: number | undefined, cloudText: string): Text {
  return ms === undefined ? text`${cloudText} ${tr("(Beijing time)", "（北京时间）")}` : [momentOf(ms)];
}

function describeLastCopy(row: PolicyLinkRow): Text {
  const { lastCopy } = row;
  switch (lastCopy.kind) {
    case "no-read-role":
      return [tr("not verifiable (no read role)", "无法核实（没有只读角色）")];
    case "none":
      return [tr("none found in the destination yet", "目标账号中尚未找到")];
    case "unreadable": {
      const why = cloudWords(lastCopy.message);
      return [
        tr(
          text`not verifiable (the destination could not be read: ${why})`,
          text`无法核实（无法读取目标账号：${why}）`,
        ),
      ];
    }
    case "confirmed": {
      const { copy } = lastCopy;
      const source = code(copy.sourceSnapshotId);
      return text`${code(copy.snapshotId)} ${snapshotTime(copy.createdAtMs, copy.createdAt)} ${
        copy.confidence === "best_guess"
          ? tr(text`(of ${source}, best guess)`, text`（源快照 ${source}，推测）`)
          : tr(text`(of ${source})`, text`（源快照 ${source}）`)
      }`;
    }
  }
}

function describeRecoveryPoint(row: PolicyLinkRow): Text {
  const rp = row.recoveryPoint;
  const objective = describeDuration(rp.objectiveMs);
  switch (rp.kind) {
    case "met": {
      const age = describeDuration(rp.ageMs);
      return [
        tr(
          text`✓ within objective (${age} old, objective ${objective})`,
          text`✓ 符合目标（数据为 ${age}前，目标 ${objective}）`,
        ),
      ];
    }
    case "missed": {
      const known = Number.isFinite(rp.ageMs);
      const age = describeDuration(rp.ageMs);
      return [
        tr(
          text`✗ objective missed: newest confirmed copy ${known ? text`${age} old` : "of unknown age"} (objective ${objective})`,
          text`✗ 未达到目标：最新的已确认副本${known ? text`为 ${age}前的数据` : "时间未知"}（目标 ${objective}）`,
        ),
      ];
    }
    case "no-copy":
      return [
        tr(text`✗ no confirmed copy (objective ${objective})`, text`✗ 没有已确认的副本（目标 ${objective}）`),
      ];
    case "not-verifiable":
      return [
        tr(
          text`? not verifiable (no read role; objective ${objective})`,
          text`? 无法核实（没有只读角色；目标 ${objective}）`,
        ),
      ];
  }
}

function describeDestinationView(row: PolicyLinkRow): Text | undefined {
  const view = row.destinationView;
  if (!view) return undefined;
  const page = (label: string) => link(REPLICATE_TO_MY_ACCOUNT_PAGE, label);
  switch (view.kind) {
    case "listed":
      return [
        tr(
          text`listed on its "Replicate to my account" page (CopyFromAccountUin ${view.copyFromAccountUin})`,
          text`已列在其跨账号复制页面（来源账号 ${view.copyFromAccountUin}）`,
        ),
      ];
    case "not-listed":
      return [
        tr(
          text`not listed on its ${page('"Replicate to my account" page')}: the destination may have removed the link`,
          text`未列在其${page("跨账号复制页面")}：目标账号可能已删除该关联`,
        ),
      ];
    case "unreadable": {
      const why = cloudWords(view.message);
      return [tr(text`could not be read (${why})`, text`无法读取（${why}）`)];
    }
  }
}

function describeRow(row: PolicyLinkRow): Text {
  const { policy } = row;
  const disks =
    policy.diskIds.length === 0
      ? [tr("none bound (nothing is replicated)", "未绑定（不会复制任何内容）")]
      : joinText(
          policy.diskIds.slice(0, 10).map((d) => [code(d)]),
          ", ",
        );
  const extra = policy.diskIds.length - 10;
  const more = extra > 0 ? tr(` and ${extra} more`, ` 等，另有 ${extra} 个`) : undefined;
  const source = row.lastSourceSnapshot
    ? text`${code(row.lastSourceSnapshot.snapshotId)} ${snapshotTime(row.lastSourceSnapshot.createdAtMs, row.lastSourceSnapshot.createdAt)}`
    : row.lastSourceError
      ? [
          tr(
            text`could not be read (${cloudWords(row.lastSourceError)})`,
            text`无法读取（${cloudWords(row.lastSourceError)}）`,
          ),
        ]
      : [tr("none yet", "尚无")];
  const view = describeDestinationView(row);
  const label = (en: string, zh: string) => tr(`    ${en}: `, `    ${zh}：`);
  const lines: Text[] = [
    text`• ${code(policy.policyId)} "${policy.name}" (${policy.region}, ${describeSchedulesText(policy.schedules)}${
      policy.activated ? "" : tr(", not activated", "，未启用")
    }${policy.state === "NORMAL" ? "" : `, ${policy.state}`}) → ${describeDestination(row)}`,
    text`${label("Disks", "云硬盘")}${disks}${more}`,
    text`${label("Last source snapshot", "最近的源快照")}${source}`,
    text`${label("Last confirmed copy", "最近确认的副本")}${describeLastCopy(row)}`,
    text`${label("Recovery point", "恢复点")}${describeRecoveryPoint(row)}`,
    ...(view ? [text`${label("Destination sees it", "目标账号所见")}${view}`] : []),
  ];
  return joinText(lines, "\n");
}

/** `/snapshot auto list`: every linked policy as the cloud shows it. */
export function renderPolicyLinks(report: PolicyLinksReport): string {
  const regions = report.regions.join(", ");
  const at = time(report.checkedAt);
  const head = [
    tr(
      text`${strong("Automatic replication")} — scheduled snapshot policies of the source account that replicate to another account (${regions}; read from Tencent Cloud ${at}):`,
      text`${strong("自动复制")} — 源账号中复制到其他账号的定期快照策略（${regions}；${at} 从腾讯云读取）：`,
    ),
  ];
  const lines: string[] = [renderText(head, 1000)];
  const command = code("/snapshot auto <asp-id> to <destination>");
  if (report.rows.length === 0)
    lines.push(
      renderText([tr(text`None. Link one with ${command}.`, text`暂无。可用 ${command} 关联一个。`)]),
    );
  for (const row of report.rows) lines.push(renderText(describeRow(row), 2000));
  if (report.unlinked > 0) {
    const n = report.unlinked;
    lines.push(
      renderText([
        tr(
          `${n} other ${n === 1 ? "policy replicates" : "policies replicate"} nowhere.`,
          `另有 ${n} 个策略没有复制到任何账号。`,
        ),
      ]),
    );
  }
  for (const error of report.errors) {
    const why = clip(error.message, 300, "plain");
    lines.push(
      renderText([
        tr(
          text`⚠ ${error.region}: policies could not be read (${why}).`,
          text`⚠ ${error.region}：无法读取策略（${why}）。`,
        ),
      ]),
    );
  }
  return clip(lines.join("\n"), SLACK_LIMITS.messageText);
}
