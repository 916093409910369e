import type { CancelOutcome } from "../../app/cancel-request.flow.js";
import type { RequestList } from "../../app/list-requests.flow.js";
import type { KindRegistry } from "../../app/request-kind.js";
import type { RequestStatus } from "../../app/request-status.flow.js";
import type { CommandError } from "../../core/command.grammar.js";
import { USAGE } from "../../core/command.grammar.js";
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
  tr,
} from "../../core/messages/message.js";
import type { ReplicateOutcome } from "../../kinds/snapshot-copy/request-replication.flow.js";
import { cancelledBy, describeState, listPeople, rejectedBy } from "./approval-card.blocks.js";
import { renderText } from "./mrkdwn.renderer.js";
import { say } from "./reader-locale.js";
import { clip, SLACK_LIMITS } from "./slack-limits.js";

/**
 * Private replies to `/snapshot …`, as mrkdwn text (they are short and read once), in the reader's
 * language. Everything goes through the renderer: what the person typed is echoed escaped, and every
 * reply is clipped. Commands and their keywords stay English in both languages: they are typed.
 */
const reply = (value: Text) => renderText(value, SLACK_LIMITS.messageText);

/** A person's input or a usage line (`<snapshot-id>` is not a link) as one code span per line. */
const usageLines = (usage: string): Text =>
  joinText(
    usage.split("\n").map((line) => [code(line)]),
    "\n",
  );

export function renderCommandError(error: CommandError): string {
  return `⚠️ ${reply(text`${error.message}\n${tr("Usage: ", "用法：")}${usageLines(error.usage)}`)}`;
}

/** What each command in the help does, next to its usage line. */
const HELP_LINES: Record<keyof typeof USAGE, { en: string; zh: string }> = {
  replicate: {
    en: "asks to copy a snapshot into another account (an approver agrees first)",
    zh: "申请把快照跨账号复制到另一个账号（需审批人同意）",
  },
  check: {
    en: "checks every prerequisite of that copy; creates nothing",
    zh: "检查该复制的全部前提条件，不创建任何内容",
  },
  auto: {
    en: "links a scheduled snapshot policy to a destination, lists the links, shows a policy's copies",
    zh: "把定期快照策略关联到目标账号、列出已关联的策略、查看某个策略的复制记录",
  },
  status: { en: "one request: its state, approvals and card", zh: "查看一个申请：状态、审批情况和卡片" },
  list: {
    en: "your requests, or those pending, in progress or all",
    zh: "列出你的申请，或等待审批、进行中、全部的申请",
  },
  cancel: {
    en: "withdraws a request before anything is sent to Tencent Cloud",
    zh: "在向腾讯云发送任何操作之前撤回申请",
  },
  accounts: {
    en: "each destination account: collaborator and permissions",
    zh: "每个目标账号的协作者关系和权限",
  },
  help: { en: "this help", zh: "显示本帮助" },
};

/** Only the commands the grammar reads and a handler answers (test/e2e/commands-truth.e2e.test.ts). */
export function renderHelp(): string {
  const commands = (Object.keys(USAGE) as (keyof typeof USAGE)[]).flatMap((name) => {
    const lines = USAGE[name].split("  ·  ");
    const words = HELP_LINES[name];
    return [
      text`• ${joinText(
        lines.map((l) => [code(l)]),
        "  ·  ",
      )} — ${tr(words.en, words.zh)}`,
    ];
  });
  return reply(
    joinText(
      [
        text`${strong("/snapshot")} ${tr(
          "copies Tencent Cloud CBS snapshots into another account for disaster recovery, after an approver agrees.",
          "在审批人同意后，把腾讯云 CBS 快照跨账号复制到另一个账号，用于容灾。",
        )}`,
        ...commands,
        text`${tr("Example: ", "示例：")}${code('/snapshot replicate snap-abc12345 to dr-prod as "db-before-upgrade"')}`,
        [
          tr(
            text`Automatic replication: ${code("/snapshot auto asp-abc12345 to dr-prod")} links a scheduled snapshot policy to a destination, so Tencent Cloud copies every snapshot it takes there; ${code("/snapshot auto list")} shows every linked policy as the cloud has it.`,
            text`自动复制：${code("/snapshot auto asp-abc12345 to dr-prod")} 把定期快照策略关联到目标账号，之后腾讯云会把该策略创建的每个快照复制过去；${code("/snapshot auto list")} 列出云上所有已关联的策略。`,
          ),
        ],
        [
          tr(
            text`Every copy and every link needs an approver (never the requester); a pending request expires if nobody approves it in time. The global shortcut ${strong("Replicate a snapshot")} opens the same request as a form.`,
            text`每次复制和每次关联都需要审批人批准（申请人不能自己批准）；无人及时批准的申请会过期。全局快捷方式 ${strong("Replicate a snapshot")}（复制快照）以表单方式提交同样的申请。`,
          ),
        ],
      ],
      "\n",
    ),
  );
}

export function renderLookingUp(snapshotId: string, destination: string): string {
  return reply([
    tr(
      text`Looking up ${code(snapshotId)} and preparing a request to copy it to ${code(destination)}…`,
      text`正在查找 ${code(snapshotId)}，并准备复制到 ${code(destination)} 的申请……`,
    ),
  ]);
}

export function renderChecking(snapshotId: string, destination: string): string {
  return reply([
    tr(
      text`Checking ${code(snapshotId)} → ${code(destination)} (dry run: nothing will be created)…`,
      text`正在检查 ${code(snapshotId)} → ${code(destination)}（仅检查，不会创建任何内容）……`,
    ),
  ]);
}

export function renderReplicateOutcome(outcome: ReplicateOutcome): string {
  if (outcome.kind === "refused") return renderRefusal(outcome.message);
  const id = code(outcome.request.id);
  const where = conversation(outcome.cardChannel);
  return `📥 ${renderText([
    tr(
      text`Request ${id} is waiting for approval in ${where}. You will see each step in the card's thread.`,
      text`申请 ${id} 正在 ${where} 等待审批。每一步进展都会显示在卡片的消息列中。`,
    ),
  ])}`;
}

/** Starts with its own symbol already (`:warning:`, ⚠️, ✗): one symbol per message. */
const STARTS_WITH_SYMBOL = /^(:[a-z0-9_+-]+:|[\p{Extended_Pictographic}✓✗])/u;

/** A private "no", with what to do instead, under one symbol. */
export function renderRefusal(message: Text): string {
  const rendered = renderText(message);
  return STARTS_WITH_SYMBOL.test(rendered) ? rendered : `🚫 ${rendered}`;
}

export function renderNotYetAvailable(kind: string): string {
  const command = code(`/snapshot ${kind}`);
  const help = code("/snapshot help");
  return reply([
    tr(
      text`${command} is not available in this version of the bot yet. See ${help}.`,
      text`此版本的机器人尚不支持 ${command}。请查看 ${help}。`,
    ),
  ]);
}

const unknownRequest = (requestId: string): Text => [
  tr(
    text`No request ${code(requestId)} is known (finished requests are kept for 90 days).`,
    text`找不到申请 ${code(requestId)}（已结束的申请保留 90 天）。`,
  ),
];

export function renderStatus(
  requestId: string,
  status: RequestStatus | undefined,
  kinds: KindRegistry,
): string {
  if (!status) return reply(unknownRequest(requestId));
  const { request } = status;
  const kind = kinds.of(request);
  const card = kind.describeCard(request);
  const id = status.link ? link(status.link, say("card", "卡片")) : undefined;
  const asker = mention(request.requestedBy);
  const lines: Text[] = [
    text`${strong(request.id)}: ${describeState(request, kind)}${id ? text` · ${id}` : undefined}`,
    text`${card.summary}${tr(text`, asked by ${asker} ${time(request.createdAt)}`, text`，由 ${asker} 于 ${time(request.createdAt)} 提交`)}`,
  ];
  const needed = request.requiredApprovals;
  if (request.approvals.length > 0) {
    const who = listPeople(request.approvals.map((a) => a.userId));
    const count = needed ? `${request.approvals.length}/${needed}` : undefined;
    lines.push([
      tr(
        text`Approved by ${who}${count ? ` (${count})` : undefined}`,
        text`已由 ${who} 批准${count ? `（${count}）` : undefined}`,
      ),
    ]);
  } else if (request.state === "pending_approval" && needed)
    lines.push([tr(`Approvals: 0/${needed}`, `审批：0/${needed}`)]);
  if (request.state === "pending_approval" && request.expiresAt)
    lines.push([tr(text`Expires ${time(request.expiresAt)}`, text`过期时间：${time(request.expiresAt)}`)]);
  if (request.rejection) lines.push([rejectedBy(request.rejection)]);
  if (request.cancellation) lines.push([cancelledBy(request.cancellation)]);
  lines.push(...card.facts);
  if (request.failure) {
    const { message, fix } = request.failure;
    lines.push(text`${tr("Failure: ", "失败原因：")}${message}${fix ? ` — ${fix}` : undefined}`);
  }
  return clip(lines.map((line) => renderText(line, 2900)).join("\n"), SLACK_LIMITS.messageText);
}

const SCOPE_TITLE: Record<RequestList["scope"], { en: string; zh: string }> = {
  mine: { en: "Your requests", zh: "你的申请" },
  pending: { en: "Requests waiting for approval", zh: "等待审批的申请" },
  active: { en: "Requests in progress", zh: "进行中的申请" },
  all: { en: "Recent requests", zh: "最近的申请" },
};

export function renderList(list: RequestList, kinds: KindRegistry): string {
  const title = SCOPE_TITLE[list.scope];
  if (list.items.length === 0) {
    const scopes = code("/snapshot list mine|pending|active|all");
    return reply([tr(text`${title.en}: none. (${scopes})`, text`${title.zh}：无。（${scopes}）`)]);
  }
  const lines = [
    reply(text`${strong(say(title.en, title.zh))}${tr(" (newest first):", "（最新的在前）：")}`),
  ];
  for (const item of list.items) {
    const { request } = item;
    const kind = kinds.of(request);
    const id = item.link ? link(item.link, request.id) : code(request.id);
    const by = mention(request.requestedBy);
    lines.push(
      renderText(
        text`• ${id} ${describeState(request, kind)} — ${kind.describeCard(request).summary}${tr(text`, by ${by}`, text`，申请人 ${by}`)}`,
        500,
      ),
    );
  }
  if (list.more > 0) lines.push(say(`…and ${list.more} more.`, `……另有 ${list.more} 个。`));
  return clip(lines.join("\n"), SLACK_LIMITS.messageText);
}

export function renderCancelOutcome(outcome: CancelOutcome): string {
  if (outcome.kind === "refused") return renderRefusal(outcome.message);
  const id = code(outcome.request.id);
  return `✖️ ${reply([
    tr(text`Request ${id} is cancelled; nothing was done.`, text`申请 ${id} 已取消，未执行任何操作。`),
  ])}`;
}

export function renderUnexpectedError(): string {
  return `💥 ${say(
    "Something went wrong on the bot's side; nothing was changed. The operators can find the details in the bot's log.",
    "机器人内部出错，未做任何更改。运维人员可以在机器人日志中查看详情。",
  )}`;
}
