import { type Text, tr } from "../messages/message.js";
import type { AutoSnapshotSchedule } from "../ports/policy-cloud.port.js";
import { describeSchedules } from "./describe-schedule.js";

/**
 * A policy's schedules in English and Chinese ("daily at 03:00" / "每天 03:00"), for messages that
 * speak both (decision 022). The English is describe-schedule.ts's; times are Beijing time.
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
  if (schedule.intervalDays !== undefined && schedule.intervalDays > 0) {
    return schedule.intervalDays === 1 ? "每天" : `每 ${schedule.intervalDays} 天`;
  }
  const monthDays = unique(schedule.daysOfMonth ?? [])
    .filter((d) => Number.isInteger(d) && d >= 1 && d <= 31)
    .sort((a, b) => a - b);
  if (monthDays.length > 0) return `每月 ${monthDays.join("、")} 日`;
  const days = unique(schedule.daysOfWeek).filter((d) => Number.isInteger(d) && d >= 0 && d <= 6);
  if (days.length === 0 || days.length === 7) return "每天";
  const ordered = WEEK_ORDER.filter((d) => days.includes(d));
  if (ordered.length === 5 && !days.includes(0) && !days.includes(6)) return "工作日（周一至周五）";
  if (ordered.length === 2 && days.includes(0) && days.includes(6)) return "周末（周六和周日）";
  return ordered.map((d) => DAY_NAMES_ZH[d] ?? String(d)).join("、");
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
