import type { SummaryLine } from "../core/ports/replication-ledger.port.js";
import { assessRecoveryPoint } from "../core/replication/recovery-watchdog.js";
import { recoveryPointObjectiveOf } from "./recovery-point.js";
import { automaticConversation, postPendingAnnouncements, type WatchDeps } from "./watch-policies.flow.js";

const DAY_MS = 86_400_000;

/** The calendar day of `at` in a time zone, `YYYY-MM-DD`. */
export function dayIn(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat("en-CA", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).format(at);
}

/**
 * The daily summary (`automatic.dailySummary`): per linked policy the watcher follows, the snapshots
 * it took in the last 24 h, the copies confirmed and missing among them, and the current recovery
 * point. Queued once per day (its id is the day), then posted like every announcement.
 */
export async function postDailySummary(
  deps: Pick<WatchDeps, "config" | "clock" | "logger" | "notifier" | "ledger">,
): Promise<{ kind: "off" | "no_links" | "queued" | "already"; lines: number }> {
  const { config, ledger } = deps;
  const summary = config.automatic.dailySummary;
  if (summary === false) return { kind: "off", lines: 0 };
  const nowDate = deps.clock.now();
  const now = nowDate.getTime();
  const links = await ledger.links();
  if (links.length === 0) return { kind: "no_links", lines: 0 };
  const lines: SummaryLine[] = [];
  for (const link of links.sort((a, b) => a.policyId.localeCompare(b.policyId))) {
    const entries = await ledger.entries(link.policyId);
    const day = entries.filter((e) => e.sourceCreatedAt > now - DAY_MS);
    const verifiable = Boolean(link.alias && config.destinations[link.alias]?.readRoleArn);
    const verdict = assessRecoveryPoint({
      now,
      objectiveMs: recoveryPointObjectiveOf(config, link.alias ?? ""),
      graceMs: config.automatic.copyGrace,
      watchFrom: link.watchFrom,
      entries,
    });
    lines.push({
      link,
      created: day.length,
      confirmed: day.filter((e) => e.copySnapshotId).length,
      missing: day.filter((e) => !e.copySnapshotId && e.sourceCreatedAt + config.automatic.copyGrace < now)
        .length,
      verifiable,
      ...(verdict.recoveryPointAt === undefined ? {} : { recoveryPointAt: verdict.recoveryPointAt }),
    });
  }
  const day = dayIn(nowDate, summary.timeZone);
  const queued = await ledger.queueAnnouncement({
    id: `summary:${day}`,
    conversation: summary.channel ?? automaticConversation(config),
    createdAt: now,
    announcement: { kind: "summary", day, lines },
  });
  await postPendingAnnouncements(deps);
  return { kind: queued ? "queued" : "already", lines: lines.length };
}
