import { code, joinText, type Message, strong, type Text, text, tr } from "../core/messages/message.js";
import type { ReplicationLedger } from "../core/ports/replication-ledger.port.js";
import { describeDuration, describeLink, describePair, momentOf } from "./automatic-messages.js";
import type { FlowDeps } from "./flow-deps.js";

export const LEDGER_PAIRS_SHOWN = 20;

/**
 * `/snapshot auto ledger <asp-id>`: the last 20 source snapshots matched to their copy, and every
 * source snapshot still without one, with the pairing's confidence (docs/decisions/015).
 */
export async function describePolicyLedger(
  deps: Pick<FlowDeps, "config" | "clock"> & { ledger?: ReplicationLedger },
  policyId: string,
): Promise<Message> {
  if (!deps.ledger)
    return {
      text: [tr("Automatic replication is not set up in this deployment.", "此部署没有启用自动复制。")],
    };
  const now = deps.clock.now().getTime();
  const link = (await deps.ledger.links()).find((l) => l.policyId === policyId);
  const entries = await deps.ledger.entries(policyId);
  const list = code("/snapshot auto list");
  if (!link && entries.length === 0) {
    return {
      text: [
        tr(
          text`No linked policy ${code(policyId)} is followed, and the ledger has nothing for it. Linked policies are found in every configured region at each watch: see ${list} for the policies that replicate now.`,
          text`没有在跟踪已关联的策略 ${code(policyId)}，复制账本中也没有它的记录。每次巡检都会在所有已配置的地域查找已关联的策略：当前复制中的策略见 ${list}。`,
        ),
      ],
    };
  }
  const paired = entries
    .filter((e) => e.copySnapshotId)
    .sort((a, b) => b.sourceCreatedAt - a.sourceCreatedAt)
    .slice(0, LEDGER_PAIRS_SHOWN);
  const waiting = entries
    .filter((e) => !e.copySnapshotId)
    .sort((a, b) => b.sourceCreatedAt - a.sourceCreatedAt);
  const verifiable = Boolean(link?.alias && deps.config.destinations[link.alias]?.readRoleArn);
  const head = link
    ? tr(text`Ledger of ${describeLink(link)}`, text`${describeLink(link)} 的复制账本`)
    : tr(
        text`Ledger of ${code(policyId)} (no longer linked)`,
        text`${code(policyId)} 的复制账本（已不再关联）`,
      );
  const guesses = paired.filter((e) => e.confidence === "best_guess").length;
  const lines: Text[] = [
    [head],
    [
      paired.length
        ? tr(
            text`${strong(`Last ${paired.length} pairs`)} (source → copy, newest first):`,
            text`${strong(`最近 ${paired.length} 对`)}（源快照 → 副本，最新的在前）：`,
          )
        : tr("No copy confirmed yet.", "尚未确认任何副本。"),
    ],
    ...paired.map((e) => text`• ${momentOf(e.sourceCreatedAt)} ${describePair(e)}`),
  ];
  if (guesses > 0) {
    lines.push([
      tr(
        text`${guesses} of these ${guesses === 1 ? "is a best guess" : "are best guesses"}: Tencent Cloud does not say which copy belongs to which snapshot, and another snapshot had the same name and size.`,
        text`其中 ${guesses} 对是推测：腾讯云不会说明哪个副本对应哪个快照，而另有快照的名称和大小相同。`,
      ),
    ]);
  }
  if (!verifiable) {
    lines.push([
      tr(
        text`Copies cannot be seen: the bot has no read role for this destination. To verify them, set ${code(`destinations.${link?.alias ?? "<alias>"}.readRoleArn`)} in the configuration.`,
        text`无法查看副本：机器人在该目标账号没有只读角色。如需核实副本，请在配置中设置 ${code(`destinations.${link?.alias ?? "<alias>"}.readRoleArn`)}。`,
      ),
    ]);
  }
  if (waiting.length) {
    lines.push([
      tr(
        text`${strong(`Without a copy (${waiting.length})`)}:`,
        text`${strong(`尚无副本（${waiting.length}）`)}：`,
      ),
    ]);
    for (const e of waiting.slice(0, 50)) {
      const age = describeDuration(now - e.sourceCreatedAt);
      lines.push(
        text`• ${code(e.sourceSnapshotId)} ${e.sourceName}${tr(
          text`, taken ${momentOf(e.sourceCreatedAt)} (${age} ago)`,
          text`，拍摄于 ${momentOf(e.sourceCreatedAt)}（${age}前）`,
        )}`,
      );
    }
  }
  return { text: joinText(lines, "\n") };
}
