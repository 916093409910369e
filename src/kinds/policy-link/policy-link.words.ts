import { type Inline, type Text, text, tr } from "../../core/messages/message.js";
import type { AutoSnapshotSchedule, SnapshotRetention } from "../../core/ports/policy-cloud.port.js";
import { describeRetention, describeSchedules } from "../../core/replication/describe-schedule.js";

/**
 * A scheduled policy's schedule and retention in both languages, for the link's card. The English
 * is the shared wording of `core/replication/describe-schedule.ts`; the Chinese is said here as a
 * Tencent Cloud console user reads it ("每天 03:00", "保留 7 天"). Times are the policy's own
 * (Beijing time); the caller says so once.
 */

const WEEK_ORDER = [1, 2, 3, 4, 5, 6, 0] as const;
const DAY_NAMES_ZH = ["周日", "周一", "周二", "周三", "周四", "周五", "周六"] as const;
const unique = (values: readonly number[]) => [...new Set(values)];

function hoursZh(hours: readonly number[]): string {
  const sorted = unique(hours)
    .filter((h) => Number.isInteger(h) && h >= 0 && h <= 23)
    .sort((a, b) => a - b);
  if (sorted.length === 0) return "未设置时间";
  return sorted.map((h) => `${String(h).padStart(2, "0")}:00`).join("、");
}

function daysZh(schedule: AutoSnapshotSchedule): string {
  if (schedule.intervalDays !== undefined && schedule.intervalDays > 0)
    return schedule.intervalDays === 1 ? "每天" : `每 ${schedule.intervalDays} 天`;
  const monthDays = unique(schedule.daysOfMonth ?? [])
    .filter((d) => Number.isInteger(d) && d >= 1 && d <= 31)
    .sort((a, b) => a - b);
  if (monthDays.length > 0) return `每月 ${monthDays.join("、")} 日`;
  const days = unique(schedule.daysOfWeek).filter((d) => Number.isInteger(d) && d >= 0 && d <= 6);
  if (days.length === 0 || days.length === 7) return "每天";
  const ordered = WEEK_ORDER.filter((d) => days.includes(d));
  if (ordered.length === 5 && !days.includes(0) && !days.includes(6)) return "工作日（周一至周五）";
  if (ordered.length === 2 && days.includes(0) && days.includes(6)) return "周末（周六、周日）";
  return `每${ordered.map((d) => DAY_NAMES_ZH[d]).join("、")}`;
}

function schedulesZh(schedules: readonly AutoSnapshotSchedule[]): string {
  if (schedules.length === 0) return "无定期计划";
  return schedules.map((s) => `${daysZh(s)} ${hoursZh(s.hours)}`).join("；");
}

function retentionZh(retention: SnapshotRetention): string {
  switch (retention.kind) {
    case "days":
      return `保留 ${retention.days} 天`;
    case "months":
      return `保留 ${retention.months} 个月`;
    case "count":
      return `保留最新 ${retention.count} 个`;
    case "permanent":
      return "永久保留";
    case "advanced": {
      const parts = [
        retention.days > 0 ? `${retention.days} 天` : "",
        retention.weeks > 0 ? `${retention.weeks} 周` : "",
        retention.months > 0 ? `${retention.months} 个月` : "",
        retention.years > 0 ? `${retention.years} 年` : "",
      ].filter(Boolean);
      return parts.length === 0
        ? "高级保留策略（不保留任何快照）"
        : `按周期保留：最近 ${parts.join("、")}内每个周期保留最新一个`;
    }
  }
}

/** "daily at 03:00 (Beijing time)" / "每天 03:00（北京时间）". */
export function describeScheduleWords(schedules: readonly AutoSnapshotSchedule[]): Text {
  return [tr(`${describeSchedules(schedules)} (Beijing time)`, `${schedulesZh(schedules)}（北京时间）`)];
}

export function describeRetentionWords(retention: SnapshotRetention): Inline {
  return tr(describeRetention(retention), retentionZh(retention));
}

/** An account as people know it: "200000000002 (dr-prod)", or said not to be configured. */
export function describeAccountWords(accountUin: string, alias: string | undefined): Text {
  return alias
    ? text`${accountUin} (${alias})`
    : text`${accountUin}${tr(" (not in the bot's configuration)", "（不在机器人的配置中）")}`;
}
