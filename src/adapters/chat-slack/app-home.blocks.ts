import type { KnownBlock } from "@slack/types";
import type { HomeData, HomeLinkRow } from "../../app/app-home.flow.js";
import type { ListedRequest } from "../../app/list-requests.flow.js";
import type { KindRegistry } from "../../app/request-kind.js";
import type { PrerequisiteResult } from "../../core/cam/prerequisites.js";
import { COPY_AUTO_POLICY_ACTION, COPY_SNAPSHOT_ACTION } from "../../core/cam/prerequisites.js";
import {
  type Block,
  code,
  type Inline,
  link,
  mention,
  strong,
  type Text,
  text,
  time,
  toPlainText,
  tr,
} from "../../core/messages/message.js";
import type { Request } from "../../core/request/request.js";
import { decisionButtons } from "./approval-card.blocks.js";
import { andMore, mrkdwnSection, packSections, renderBlock, renderText } from "./mrkdwn.renderer.js";
import { say } from "./reader-locale.js";
import { SLACK_LIMITS } from "./slack-limits.js";

/** The Home tab as `views.publish` takes it. */
export interface HomeView {
  type: "home";
  blocks: KnownBlock[];
}

export interface HomeViewOptions {
  /** A one-off line at the top: what became of the reader's last click in the Home. */
  notice?: string;
  /** When the view was built (ISO). */
  at: string;
}

/** Lines per list before "…and N more" (each list packs into few sections). */
const LIST_BLOCKS = 2;
const DESTINATION_BLOCKS = 3;

/** States as a person says them (never the lifecycle's names), one symbol each. */
const STATE_WORDS: Record<Request["state"], Inline> = {
  pending_approval: tr("⏳ Waiting for approval", "⏳ 等待审批"),
  approved: tr("✅ Approved, queued", "✅ 已批准，排队中"),
  running: tr("🔄 In progress", "🔄 进行中"),
  completed: tr("🟢 Completed", "🟢 已完成"),
  submitted: tr("📤 Submitted (completion cannot be verified)", "📤 已提交（无法确认是否完成）"),
  failed: tr("🔴 Failed", "🔴 失败"),
  outcome_unknown: tr("❔ Outcome unknown: a copy may exist", "❔ 结果未知：可能已生成副本"),
  rejected: tr("⛔ Rejected", "⛔ 已拒绝"),
  cancelled: tr("✖️ Cancelled", "✖️ 已取消"),
  expired: tr("⏰ Expired", "⏰ 已过期"),
};

/**
 * One person's Home tab (docs/decisions/023), in the reader's language (the scope's locale): the
 * requests waiting for their decision with Approve / Reject (the card's buttons, the card's confirm
 * dialog), their own recent requests, and the disaster-recovery overview. At most 100 blocks: the
 * lists are packed into a few sections each, and the decisions get what is left, the rest counted.
 */
export function buildAppHome(data: HomeData, kinds: KindRegistry, options: HomeViewOptions): HomeView {
  const top: KnownBlock[] = [
    renderBlock({ type: "header", text: [tr("CBS Snapshot Bot", "CBS 快照机器人")] }),
    renderBlock({
      type: "context",
      items: [text`${tr(text`Updated ${time(options.at)}`, text`更新于 ${time(options.at)}`)}`],
    }),
  ];
  if (options.notice) top.push(mrkdwnSection(options.notice, "home_notice"));

  const rest: KnownBlock[] = [
    { type: "divider" },
    renderBlock({ type: "header", text: [tr("Your requests", "我的申请")] }),
    ...listSection(
      data.mine,
      kinds,
      text`${tr("You have not asked for anything yet. Try `/snapshot help`.", "您还没有提交过申请。可以先试试 `/snapshot help`。")}`,
    ),
    { type: "divider" },
    renderBlock({ type: "header", text: [tr("Disaster recovery overview", "容灾概览")] }),
    ...readinessBlocks(data),
    ...linkBlocks(data),
    renderBlock({
      type: "section",
      text: text`${strong(say("Latest copies and failures", "最近的复制与失败"))}`,
    }),
    ...listSection(data.latest, kinds, text`${tr("No copy has finished yet.", "还没有完成的复制。")}`),
  ];

  const decisions = decisionBlocks(data, kinds, SLACK_LIMITS.viewBlocks - top.length - rest.length);
  return { type: "home", blocks: [...top, ...decisions, ...rest] };
}

/** The reader's decisions: a header, then per request a section and its buttons, within `room` blocks. */
function decisionBlocks(data: HomeData, kinds: KindRegistry, room: number): KnownBlock[] {
  const items = data.awaitingDecision;
  if (items.length === 0 && !data.approver) return [];
  const blocks: KnownBlock[] = [
    renderBlock({
      type: "header",
      text: [tr(`Waiting for your decision (${items.length})`, `待您审批（${items.length}）`)],
    }),
  ];
  if (items.length === 0) {
    blocks.push(
      renderBlock({
        type: "section",
        text: text`${tr("Nothing is waiting for your decision.", "目前没有待您审批的申请。")}`,
      }),
    );
    return blocks;
  }
  // Two blocks a request; one left for the count of those not shown.
  const fits = Math.floor((room - blocks.length) / 2);
  const shown =
    items.length <= fits ? items : items.slice(0, Math.max(0, Math.floor((room - blocks.length - 1) / 2)));
  for (const item of shown) blocks.push(...decisionItem(item, kinds));
  const left = items.length - shown.length;
  if (left > 0) {
    blocks.push(
      renderBlock({
        type: "context",
        items: [
          text`${tr(
            text`…and ${left} more waiting for your decision: ${code("/snapshot list pending")}`,
            text`……另有 ${left} 项待您审批：${code("/snapshot list pending")}`,
          )}`,
        ],
      }),
    );
  }
  return blocks;
}

function decisionItem({ request, link: card }: ListedRequest, kinds: KindRegistry): KnownBlock[] {
  const content = kinds.of(request).describeCard(request);
  const needed = request.requiredApprovals ?? 1;
  const facts: Text = text`${code(request.id)} · ${tr(text`asked by ${mention(request.requestedBy)}`, text`申请人 ${mention(request.requestedBy)}`)}${
    needed > 1
      ? text` · ${tr(`approvals ${request.approvals.length}/${needed}`, `已批准 ${request.approvals.length}/${needed}`)}`
      : undefined
  }${request.expiresAt ? text` · ${tr(text`expires ${time(request.expiresAt)}`, text`${time(request.expiresAt)} 过期`)}` : undefined}${
    card ? text` · ${link(card, say("card", "审批卡片"))}` : undefined
  }`;
  const section: Block = { type: "section", text: text`${content.summary}\n${facts}` };
  const buttons = decisionButtons(`home_decision_${request.id}`, request.id, content);
  return [renderBlock(section), renderBlock(buttons)];
}

function requestLine({ request, link: card }: ListedRequest, kinds: KindRegistry): string {
  const summary = kinds.of(request).describeCard(request).summary;
  const failure =
    request.state === "failed" || request.state === "outcome_unknown"
      ? request.failure?.code
        ? text` · ${code(request.failure.code)}`
        : undefined
      : undefined;
  const where = card ? text` · ${link(card, say("thread", "消息串"))}` : undefined;
  return renderText(
    text`${STATE_WORDS[request.state]} · ${code(request.id)} · ${summary} · ${time(request.updatedAt)}${failure}${where}`,
    SLACK_LIMITS.sectionText,
  );
}

function listSection(items: readonly ListedRequest[], kinds: KindRegistry, empty: Text): KnownBlock[] {
  if (items.length === 0) return [renderBlock({ type: "context", items: [empty] })];
  return packSections(
    items.map((item) => requestLine(item, kinds)),
    { maxBlocks: LIST_BLOCKS, more: andMore },
  );
}

const MARK: Record<PrerequisiteResult["status"], string> = {
  passed: "✅",
  failed: "❌",
  "cannot-verify": "❔",
};

function readinessBlocks(data: HomeData): KnownBlock[] {
  const blocks: KnownBlock[] = [
    renderBlock({ type: "section", text: text`${strong(say("Destinations", "目标账号"))}` }),
  ];
  const readiness = data.readiness;
  if (!readiness) {
    blocks.push(
      renderBlock({
        type: "context",
        items: [
          text`${tr(
            text`Readiness could not be read just now; ${code("/snapshot accounts")} checks it.`,
            text`暂时无法读取目标账号状态；可运行 ${code("/snapshot accounts")} 检查。`,
          )}`,
        ],
      }),
    );
    return blocks;
  }
  const lines = readiness.destinations.map(({ destination, results }) => {
    const collaborator = results.find((r) => r.check === "collaborator");
    const copy = results.find(
      (r) => r.check === "permission" && toPlainText(r.subject) === COPY_SNAPSHOT_ACTION,
    );
    const auto = results.find(
      (r) => r.check === "permission" && toPlainText(r.subject) === COPY_AUTO_POLICY_ACTION,
    );
    const mark = (r: PrerequisiteResult | undefined) => MARK[r?.status ?? "cannot-verify"];
    const role = destination.readRoleArn ? "✅" : "⚠️";
    return renderText(
      text`${strong(destination.alias)} (${destination.accountUin}) · ${mark(collaborator)} ${tr("collaborator", "协作者")} · ${mark(copy)} ${tr("copy permission", "复制权限")} · ${mark(auto)} ${tr("automatic replication permission", "自动复制权限")} · ${role} ${
        destination.readRoleArn ? tr("read role", "只读角色") : tr("no read role", "未配置只读角色")
      }`,
    );
  });
  blocks.push(
    ...packSections(lines, {
      maxBlocks: DESTINATION_BLOCKS,
      more: (left) => say(`…and ${left} more destinations`, `……另有 ${left} 个目标账号`),
    }),
  );
  const anyFailed = readiness.destinations.some((d) => d.results.some((r) => r.status !== "passed"));
  blocks.push(
    renderBlock({
      type: "context",
      items: [
        text`${tr(text`Checked ${time(readiness.checkedAt)}`, text`检查于 ${time(readiness.checkedAt)}`)}${
          anyFailed
            ? text` · ${tr(
                text`${code("/snapshot accounts")} reads CAM again and says how to fix each ❌`,
                text`运行 ${code("/snapshot accounts")} 重新读取 CAM，并查看每个 ❌ 的修复方法`,
              )}`
            : undefined
        }`,
      ],
    }),
  );
  return blocks;
}

function hours(ms: number): Inline {
  const h = Math.round(ms / 3_600_000);
  return tr(`${h} h`, `${h} 小时`);
}

function linkLine(row: HomeLinkRow): string {
  const { link: known } = row;
  const where = known.alias ?? known.destinationUin;
  const head = text`${strong(known.policyId)} ${known.policyName ? `"${known.policyName}"` : undefined} → ${strong(where)}`;
  let status: Text;
  if (!row.verifiable) {
    status = text`${tr("⚠️ copies cannot be verified (no read role)", "⚠️ 无法确认副本（未配置只读角色）")}`;
  } else if (!row.lastCopy) {
    status = text`${tr("⏳ no copy confirmed yet", "⏳ 尚未确认任何副本")}`;
  } else {
    const age = row.recoveryPointAgeMs ?? 0;
    const within = age <= row.objectiveMs && !row.incidentOpen;
    const copy = row.lastCopy;
    status = text`${tr(
      text`last copy ${code(copy.copySnapshotId ?? "")} of ${time(new Date(copy.sourceCreatedAt).toISOString())}`,
      text`最近副本 ${code(copy.copySnapshotId ?? "")}（源快照 ${time(new Date(copy.sourceCreatedAt).toISOString())}）`,
    )} · ${
      within
        ? tr(text`✅ within RPO (${hours(row.objectiveMs)})`, text`✅ 在 RPO（${hours(row.objectiveMs)}）内`)
        : tr(
            text`⚠️ RPO missed: the recovery point is ${hours(age)} old (RPO ${hours(row.objectiveMs)})`,
            text`⚠️ 超出 RPO：恢复点已有 ${hours(age)}（RPO ${hours(row.objectiveMs)}）`,
          )
    }`;
  }
  return renderText(text`${head} · ${status}`);
}

function linkBlocks(data: HomeData): KnownBlock[] {
  const blocks: KnownBlock[] = [
    renderBlock({ type: "section", text: text`${strong(say("Linked policies", "已关联的定期快照策略"))}` }),
  ];
  if (data.links.length === 0) {
    blocks.push(
      renderBlock({
        type: "context",
        items: [
          text`${tr(
            text`No scheduled snapshot policy is linked yet: ${code("/snapshot auto asp-… to <dest>")}`,
            text`还没有关联任何定期快照策略：${code("/snapshot auto asp-… to <dest>")}`,
          )}`,
        ],
      }),
    );
    return blocks;
  }
  blocks.push(
    ...packSections(data.links.map(linkLine), {
      maxBlocks: DESTINATION_BLOCKS,
      more: (left) => say(`…and ${left} more policies`, `……另有 ${left} 个策略`),
    }),
  );
  if (data.watcherLastRunAt) {
    blocks.push(
      renderBlock({
        type: "context",
        items: [
          text`${tr(
            text`The watcher last looked ${time(data.watcherLastRunAt)}`,
            text`自动复制检查最近一次运行于 ${time(data.watcherLastRunAt)}`,
          )}`,
        ],
      }),
    );
  }
  return blocks;
}
