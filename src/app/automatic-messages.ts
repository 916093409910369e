import {
  type Block,
  code,
  group,
  joinText,
  type Message,
  strong,
  type Text,
  text,
  time,
} from "../core/messages/message.js";
import type {
  Announcement,
  KnownLink,
  LedgerEntry,
  SummaryLine,
} from "../core/ports/replication-ledger.port.js";

/** The words of automatic replication's announcements (neutral messages; the chat adapter renders). */

const iso = (ms: number) => new Date(ms).toISOString();

export function describeDestination(link: KnownLink): Text {
  return link.alias
    ? text`${strong(link.alias)} (${link.destinationUin})`
    : text`account ${link.destinationUin}`;
}

export function describeLink(link: KnownLink): Text {
  return text`${code(link.policyId)} ${link.policyName} (${link.region}) → ${describeDestination(link)}`;
}

/** "2 h 5 min", "40 s": a delay or an age, for people. */
export function describeDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}

export function describePair(entry: LedgerEntry): Text {
  return text`${code(entry.sourceSnapshotId)} → ${entry.copySnapshotId ? code(entry.copySnapshotId) : "no copy yet"}${
    entry.delayMs !== undefined ? ` after ${describeDuration(entry.delayMs)}` : ""
  }${entry.confidence === "best_guess" ? " (best guess: same name and size as another)" : ""}`;
}

export function buildAnnouncementMessage(announcement: Announcement, now: number): Message {
  switch (announcement.kind) {
    case "copies": {
      const { link, pairs } = announcement;
      const head = text`Automatic copies confirmed for ${describeLink(link)}: ${pairs.length}`;
      const lines = pairs.map(describePair);
      return {
        text: joinText([head, ...lines], "\n"),
        blocks: [{ type: "section", text: head }, ...sections(lines)],
      };
    }
    case "link-gone": {
      const { link, reason } = announcement;
      const why =
        reason === "policy_deleted"
          ? text`the policy was deleted, and the link died with it`
          : reason === "relinked"
            ? text`the policy now copies to account ${announcement.newDestinationUin ?? "?"} instead`
            : text`the link was removed by the destination account`;
      const line = text`:rotating_light: ${strong("Automatic replication stopped")} for ${describeLink(link)}: ${why}. New snapshots of this policy are no longer copied; link it again with ${code(`/snapshot auto ${link.policyId} to ${link.alias ?? link.destinationUin}`)} if that was not intended.`;
      return { text: line, blocks: [{ type: "section", text: line }] };
    }
    case "incident-opened": {
      const { link } = announcement;
      const reasons: Text[] = [];
      if (announcement.reasons.includes("stale")) {
        reasons.push(
          announcement.recoveryPointAt === undefined
            ? text`no copy confirmed yet, for longer than the recovery-point objective (${describeDuration(announcement.objectiveMs)})`
            : text`the newest confirmed copy holds data from ${time(iso(announcement.recoveryPointAt))} (${describeDuration(now - announcement.recoveryPointAt)} ago), older than the objective of ${describeDuration(announcement.objectiveMs)}`,
        );
      }
      if (announcement.reasons.includes("missing")) {
        reasons.push(
          text`no copy after the grace period for ${joinText(
            announcement.missing.map((id) => [code(id)]),
            ", ",
          )}`,
        );
      }
      const line = text`:warning: ${announcement.mention ? text`${group(announcement.mention)} ` : ""}${strong("Recovery point at risk")} for ${describeLink(link)}: ${joinText(reasons, "; ")}. See ${code(`/snapshot auto ledger ${link.policyId}`)}.`;
      return { text: line, blocks: [{ type: "section", text: line }] };
    }
    case "incident-closed": {
      const { link } = announcement;
      const line = text`:white_check_mark: ${strong("Recovered")}: ${describeLink(link)}${
        announcement.recoveryPointAt === undefined
          ? ""
          : text` has a copy of data from ${time(iso(announcement.recoveryPointAt))} again`
      } (at risk for ${describeDuration(now - announcement.openedAt)}).`;
      return { text: line, blocks: [{ type: "section", text: line }] };
    }
    case "summary":
      return buildSummaryMessage(announcement.day, announcement.lines, now);
  }
}

function buildSummaryMessage(day: string, lines: readonly SummaryLine[], now: number): Message {
  const head = text`Automatic replication, daily summary for ${day}: ${lines.length} linked ${lines.length === 1 ? "policy" : "policies"}`;
  const rows = lines.map(
    (line) =>
      text`${describeLink(line.link)}: ${line.created} created, ${
        line.verifiable
          ? text`${line.confirmed} copies confirmed, ${line.missing} missing, recovery point ${
              line.recoveryPointAt === undefined
                ? "none yet"
                : text`${time(iso(line.recoveryPointAt))} (${describeDuration(now - line.recoveryPointAt)} ago)`
            }`
          : "copies not verifiable (no read role for this destination)"
      }`,
  );
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
