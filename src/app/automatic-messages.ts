import { REPLICATE_TO_MY_ACCOUNT_PAGE } from "../core/cam/policy-link-prerequisites.js";
import {
  type Block,
  code,
  group,
  joinText,
  link as linkTo,
  type Message,
  strong,
  type Text,
  text,
  time,
  tr,
} from "../core/messages/message.js";
import type {
  Announcement,
  KnownLink,
  LedgerEntry,
  SummaryLine,
} from "../core/ports/replication-ledger.port.js";

/**
 * The words of automatic replication — announcements, the ledger, the link steps' thread — in
 * English and Chinese (decision 022), as neutral messages the chat adapter renders. Every moment is
 * a `time()` part, so each reader sees it in their own time zone.
 */

/** A moment (epoch ms) as a time part. */
export const momentOf = (ms: number) => time(new Date(ms).toISOString());

/** An account as people know it: "200000000002 (dr-prod)", or one the configuration does not name. */
export function describeAccount(accountUin: string, alias: string | undefined): Text {
  return alias
    ? text`${accountUin} (${alias})`
    : text`${accountUin} ${tr("(not in the bot's configuration)", "（不在机器人的配置中）")}`;
}

export function describeDestination(link: Pick<KnownLink, "alias" | "destinationUin">): Text {
  return link.alias
    ? text`${strong(link.alias)} (${link.destinationUin})`
    : text`${tr("account ", "账号 ")}${link.destinationUin}`;
}

export function describeLink(link: KnownLink): Text {
  return text`${code(link.policyId)} ${link.policyName} (${link.region}) → ${describeDestination(link)}`;
}

/** "2 h 5 min", "40 s" (“2 小时 5 分钟”): a delay or an age, for people. */
export function describeDuration(ms: number): Text {
  const s = Math.max(0, Math.round(ms / 1000));
  const say = (en: string, zh: string) => [tr(en, zh)];
  if (!Number.isFinite(s)) return say("an unknown time", "未知时长");
  if (s < 60) return say(`${s} s`, `${s} 秒`);
  const m = Math.floor(s / 60);
  if (m < 60) return say(`${m} min`, `${m} 分钟`);
  const h = Math.floor(m / 60);
  if (h < 48)
    return m % 60 ? say(`${h} h ${m % 60} min`, `${h} 小时 ${m % 60} 分钟`) : say(`${h} h`, `${h} 小时`);
  const d = Math.floor(h / 24);
  return h % 24 ? say(`${d} d ${h % 24} h`, `${d} 天 ${h % 24} 小时`) : say(`${d} d`, `${d} 天`);
}

export function describePair(entry: LedgerEntry): Text {
  const copy = entry.copySnapshotId ? [code(entry.copySnapshotId)] : [tr("no copy yet", "尚无副本")];
  const delay =
    entry.delayMs === undefined
      ? undefined
      : tr(
          text` after ${describeDuration(entry.delayMs)}`,
          text`（${describeDuration(entry.delayMs)}后到达）`,
        );
  const guess =
    entry.confidence === "best_guess"
      ? tr(" (best guess: another snapshot has the same name and size)", "（推测：另有快照名称和大小相同）")
      : undefined;
  return text`${code(entry.sourceSnapshotId)} → ${copy}${delay}${guess}`;
}

/** How a link to another account is removed; the bot itself never removes or overwrites one. */
export function describeUnlink(policyId: string, linkedUin: string, sourceUin: string): Text {
  const page = (label: string) => linkTo(REPLICATE_TO_MY_ACCOUNT_PAGE, label);
  return [
    tr(
      text`The bot never overwrites or deletes a link. To replicate ${code(policyId)} elsewhere, the link to account ${linkedUin} must be removed first: account ${linkedUin} deletes it on its ${page('"Replicate to my account" page')} (CVM console → Snapshots → Cross-account auto-replication); in source account ${sourceUin} the link ends only with the policy. Then ask again.`,
      text`机器人从不覆盖或删除复制关联。要把 ${code(policyId)} 复制到别处，须先删除到账号 ${linkedUin} 的关联：由账号 ${linkedUin} 在其${page("跨账号复制页面")}删除（云服务器控制台 → 快照 → 跨账号自动复制）；在源账号 ${sourceUin} 中，关联只会随策略删除而结束。然后重新申请。`,
    ),
  ];
}

export function buildAnnouncementMessage(announcement: Announcement, now: number): Message {
  switch (announcement.kind) {
    case "copies": {
      const { link, pairs } = announcement;
      const head = text`✅ ${tr(
        text`Automatic copies confirmed for ${describeLink(link)}: ${pairs.length}`,
        text`已确认 ${describeLink(link)} 的自动复制副本：${pairs.length} 个`,
      )}`;
      const lines = pairs.map(describePair);
      return {
        text: joinText([head, ...lines], "\n"),
        blocks: [{ type: "section", text: head }, ...sections(lines)],
      };
    }
    case "link-gone": {
      const { link, reason } = announcement;
      const command = code(`/snapshot auto ${link.policyId} to ${link.alias ?? link.destinationUin}`);
      const newUin = announcement.newDestinationUin ?? "?";
      const what =
        reason === "policy_deleted"
          ? tr(
              text`the policy was deleted, and the link ended with it. To keep replicating these disks, bind them to a scheduled snapshot policy and link it with ${code(`/snapshot auto <asp-id> to ${link.alias ?? link.destinationUin}`)}.`,
              text`该策略已被删除，复制关联随之结束。如需继续复制这些云硬盘，请把它们绑定到一个定期快照策略，再用 ${code(`/snapshot auto <asp-id> to ${link.alias ?? link.destinationUin}`)} 关联。`,
            )
          : reason === "relinked"
            ? tr(
                text`the policy now copies to account ${newUin} instead. If that was not intended, account ${newUin} removes that link on its ${linkTo(REPLICATE_TO_MY_ACCOUNT_PAGE, '"Replicate to my account" page')}, then link it again with ${command}.`,
                text`该策略现在改为复制到账号 ${newUin}。如非预期，请账号 ${newUin} 在其${linkTo(REPLICATE_TO_MY_ACCOUNT_PAGE, "跨账号复制页面")}删除该关联，再用 ${command} 重新关联。`,
              )
            : tr(
                text`the destination account removed the link. If that was not intended, ask its owners why, then link it again with ${command}.`,
                text`目标账号删除了该复制关联。如非预期，请先向该账号的负责人确认原因，再用 ${command} 重新关联。`,
              );
      const line = text`🚨 ${tr(
        text`${strong("Automatic replication stopped")} for ${describeLink(link)}: new snapshots of this policy are no longer copied; `,
        text`${strong("自动复制已停止")}：${describeLink(link)}，该策略的新快照不再复制；`,
      )}${what}`;
      return { text: line, blocks: [{ type: "section", text: line }] };
    }
    case "incident-opened": {
      const { link } = announcement;
      const objective = describeDuration(announcement.objectiveMs);
      const reasons: Text[] = [];
      if (announcement.reasons.includes("stale")) {
        const at = announcement.recoveryPointAt;
        reasons.push([
          at === undefined
            ? tr(
                text`no copy confirmed yet, for longer than the recovery-point objective (${objective})`,
                text`超过恢复点目标（${objective}）仍没有已确认的副本`,
              )
            : tr(
                text`the newest confirmed copy holds data from ${momentOf(at)} (${describeDuration(now - at)} ago), older than the objective of ${objective}`,
                text`最新的已确认副本只有 ${momentOf(at)} 的数据（${describeDuration(now - at)}前），超过了 ${objective}的恢复点目标`,
              ),
        ]);
      }
      if (announcement.reasons.includes("missing")) {
        const ids = announcement.missing.map((id) => [code(id)]);
        reasons.push([
          tr(
            text`no copy after the grace period for ${joinText(ids, ", ")}`,
            text`${joinText(ids, "、")} 超过宽限期仍没有副本`,
          ),
        ]);
      }
      const ledger = code(`/snapshot auto ledger ${link.policyId}`);
      const list = code("/snapshot auto list");
      const again = code(`/snapshot auto ${link.policyId} to ${link.alias ?? link.destinationUin}`);
      const line = text`⚠️ ${announcement.mention ? text`${group(announcement.mention)} ` : ""}${tr(
        text`${strong("Recovery point at risk")} for ${describeLink(link)}: ${joinText(reasons, "; ")}. What to check: that ${describeDestination(link)} still lists the policy (${list}) and that its copies arrive; if the link is gone, link it again with ${again}. The snapshots without a copy are in ${ledger}; a message follows here when a copy arrives.`,
        text`${strong("恢复点有风险")}：${describeLink(link)}：${joinText(reasons, "；")}。请检查：${describeDestination(link)} 是否仍列出该策略（${list}），以及副本是否到达；如果关联已不存在，请用 ${again} 重新关联。没有副本的快照见 ${ledger}；副本到达后，这里会再发消息。`,
      )}`;
      return { text: line, blocks: [{ type: "section", text: line }] };
    }
    case "incident-closed": {
      const { link } = announcement;
      const at = announcement.recoveryPointAt;
      const lasted = describeDuration(now - announcement.openedAt);
      const line = text`✅ ${tr(
        text`${strong("Recovered")}: ${describeLink(link)}${at === undefined ? "" : text` has a copy of data from ${momentOf(at)} again`} (at risk for ${lasted}).`,
        text`${strong("已恢复")}：${describeLink(link)}${at === undefined ? "" : text` 重新有了 ${momentOf(at)} 数据的副本`}（风险持续了 ${lasted}）。`,
      )}`;
      return { text: line, blocks: [{ type: "section", text: line }] };
    }
    case "summary":
      return buildSummaryMessage(announcement.day, announcement.lines, now);
  }
}

function describeRecoveryPointAt(at: number | undefined, now: number): Text {
  return at === undefined
    ? [tr("none yet", "尚无")]
    : text`${momentOf(at)}${tr(text` (${describeDuration(now - at)} ago)`, text`（${describeDuration(now - at)}前）`)}`;
}

function buildSummaryMessage(day: string, lines: readonly SummaryLine[], now: number): Message {
  const head = text`${tr(
    text`${strong("Automatic replication, daily summary")} for ${day}: ${lines.length} linked ${lines.length === 1 ? "policy" : "policies"}`,
    text`${strong("自动复制每日汇总")}（${day}）：已关联 ${lines.length} 个策略`,
  )}`;
  const rows = lines.map((line) => {
    const rp = describeRecoveryPointAt(line.recoveryPointAt, now);
    const copies = line.confirmed === 1 ? "copy" : "copies";
    return text`${describeLink(line.link)}${
      line.verifiable
        ? tr(
            text`: ${line.created} created, ${line.confirmed} ${copies} confirmed, ${line.missing} missing, recovery point ${rp}`,
            text`：新快照 ${line.created} 个，已确认副本 ${line.confirmed} 个，缺失 ${line.missing} 个，恢复点 ${rp}`,
          )
        : tr(
            text`: ${line.created} created; copies not verifiable (the bot has no read role for this destination)`,
            text`：新快照 ${line.created} 个；副本无法核实（机器人在该目标账号没有只读角色）`,
          )
    }`;
  });
  return {
    text: joinText([head, ...rows], "\n"),
    blocks: [{ type: "section", text: head }, ...sections(rows)],
  };
}

/** Lines in sections of at most 10 (the adapter clips a section to Slack's limits). */
function sections(lines: readonly Text[]): Block[] {
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i += 10) {
    blocks.push({ type: "section", text: joinText(lines.slice(i, i + 10), "\n") });
  }
  return blocks;
}
