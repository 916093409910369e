import { type Inline, type Text, tr } from "../messages/message.js";
import type { AutoSnapshotSchedule, SnapshotRetention } from "../ports/policy-cloud.port.js";
import {
  describeRetention,
  describeSchedules,
  hourWords,
  scheduleDays,
  scheduleHours,
} from "./describe-schedule.js";

/**
 * A policy's schedules and retention in English and Chinese ("daily at 03:00" / "每天 03:00",
 * "kept 7 days" / "保留 7 天"), for messages that speak both (decision 022): the one place the
 * `/snapshot auto` list and the policy link's card take them from. The English and the reading of
 * the schedule are describe-schedule.ts's; the Chinese is said as a Tencent Cloud console user
 * reads it. Times are Beijing time.
 */

const DAY_NAMES_ZH = ["周日", "周一", "周二", "周三", "周四", "周五", "周六"] as const;

function hoursZh(hours: readonly number[]): string {
  const sorted = scheduleHours(hours);
  if (sorted.length === 0) return "未设置时间";
  return sorted.map(hourWords).join("、");
}

function daysZh(schedule: AutoSnapshotSchedule): string {
  const days = scheduleDays(schedule);
  switch (days.kind) {
    case "daily":
      return "每天";
    case "every-n-days":
      return `每 ${days.days} 天`;
    case "days-of-month":
      return `每月 ${days.days.join("、")} 日`;
    case "weekdays":
      return "工作日（周一至周五）";
    case "weekends":
      return "周末（周六和周日）";
    case "days-of-week":
      return days.days.map((d) => DAY_NAMES_ZH[d] ?? String(d)).join("、");
  }
}

/** Every schedule of a policy in Chinese, "；"-separated. */
export function describeSchedulesZh(schedules: readonly AutoSnapshotSchedule[]): string {
  if (schedules.length === 0) return "无计划";
  return schedules.map((s) => `${daysZh(s)} ${hoursZh(s.hours)}`).join("；");
}

/** The schedules in both languages, with the time zone said once. */
export function describeSchedulesText(schedules: readonly AutoSnapshotSchedule[]): Text {
  return [
    tr(`${describeSchedules(schedules)} (Beijing time)`, `${describeSchedulesZh(schedules)}（北京时间）`),
  ];
}

/** "保留 7 天", "永久保留". */
export function describeRetentionZh(retention: SnapshotRetention): string {
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

/** The retention in both languages. */
export function describeRetentionText(retention: SnapshotRetention): Inline {
  return tr(describeRetention(retention), describeRetentionZh(retention));
}
