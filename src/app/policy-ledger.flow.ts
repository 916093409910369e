import { code, joinText, type Message, strong, type Text, text, time } from "../core/messages/message.js";
import type { ReplicationLedger } from "../core/ports/replication-ledger.port.js";
import { describeDuration, describeLink, describePair } from "./automatic-messages.js";
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
  if (!deps.ledger) return { text: text`Automatic replication is not set up in this deployment.` };
  const now = deps.clock.now().getTime();
  const link = (await deps.ledger.links()).find((l) => l.policyId === policyId);
  const entries = await deps.ledger.entries(policyId);
  if (!link && entries.length === 0) {
    return {
      text: text`The watcher follows no linked policy ${code(policyId)} and has nothing in its ledger for it. Linked policies are found in every configured region at each watch (see ${code("/snapshot auto list")}).`,
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
    ? text`Ledger of ${describeLink(link)}`
    : text`Ledger of ${code(policyId)} (no longer linked)`;
  const guesses = paired.filter((e) => e.confidence === "best_guess").length;
  const lines: Text[] = [
    head,
    paired.length
      ? text`${strong(`Last ${paired.length} pairs`)} (source → copy, newest first):`
      : text`No copy confirmed yet.`,
    ...paired.map((e) => text`• ${time(new Date(e.sourceCreatedAt).toISOString())} ${describePair(e)}`),
  ];
  if (guesses > 0) {
    lines.push(
      text`${guesses} of these ${guesses === 1 ? "is a best guess" : "are best guesses"}: Tencent does not say which copy is whose, and another snapshot had the same name and size (docs/decisions/015).`,
    );
  }
  if (!verifiable) {
    lines.push(text`Copies cannot be seen: the bot has no read role for this destination.`);
  }
  if (waiting.length) {
    lines.push(text`${strong(`Without a copy (${waiting.length})`)}:`);
    for (const e of waiting.slice(0, 50)) {
      lines.push(
        text`• ${code(e.sourceSnapshotId)} ${e.sourceName}, taken ${time(new Date(e.sourceCreatedAt).toISOString())} (${describeDuration(now - e.sourceCreatedAt)} ago)`,
      );
    }
  }
  return { text: joinText(lines, "\n") };
}
