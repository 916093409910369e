import type { AutoSnapshotSchedule, SnapshotRetention } from "../ports/policy-cloud.port.js";

/**
 * A scheduled snapshot policy's schedule and retention in words, as the card and `/snapshot auto
 * list` show them: "daily at 03:00", "Mon and Thu at 01:00, 13:00". Times are the policy's own
 * (Beijing time, UTC+8); the caller says so once.
 */

/** Monday first: how people in an office read a week. */
const WEEK_ORDER = [1, 2, 3, 4, 5, 6, 0] as const;
const DAY_NAMES = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"] as const;

/** "a", "a and b", "a, b and c" */
function listWords(items: readonly string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

const unique = (values: readonly number[]) => [...new Set(values)];

/**
 * What a schedule's days come to, whatever the language: the one reading both the English here and
 * the Chinese of schedule-words.ts put into words, so the two cannot drift apart.
 */
export type ScheduleDays =
  | { kind: "daily" }
  | { kind: "every-n-days"; days: number }
  | { kind: "days-of-month"; days: readonly number[] }
  | { kind: "weekdays" }
  | { kind: "weekends" }
  | { kind: "days-of-week"; days: readonly number[] };

/** The schedule's valid hours, once each, earliest first. */
export function scheduleHours(hours: readonly number[]): number[] {
  return unique(hours)
    .filter((h) => Number.isInteger(h) && h >= 0 && h <= 23)
    .sort((a, b) => a - b);
}

/** "HH:00" */
export const hourWords = (h: number) => `${String(h).padStart(2, "0")}:00`;

export function scheduleDays(schedule: AutoSnapshotSchedule): ScheduleDays {
  if (schedule.intervalDays !== undefined && schedule.intervalDays > 0) {
    return schedule.intervalDays === 1
      ? { kind: "daily" }
      : { kind: "every-n-days", days: schedule.intervalDays };
  }
  const monthDays = unique(schedule.daysOfMonth ?? [])
    .filter((d) => Number.isInteger(d) && d >= 1 && d <= 31)
    .sort((a, b) => a - b);
  if (monthDays.length > 0) return { kind: "days-of-month", days: monthDays };
  const days = unique(schedule.daysOfWeek).filter((d) => Number.isInteger(d) && d >= 0 && d <= 6);
  if (days.length === 0 || days.length === 7) return { kind: "daily" };
  const ordered = WEEK_ORDER.filter((d) => days.includes(d));
  if (ordered.length === 5 && !days.includes(0) && !days.includes(6)) return { kind: "weekdays" };
  if (ordered.length === 2 && days.includes(0) && days.includes(6)) return { kind: "weekends" };
  return { kind: "days-of-week", days: ordered };
}

function describeHours(hours: readonly number[]): string {
  const sorted = scheduleHours(hours);
  if (sorted.length === 0) return "at no hour set";
  return `at ${sorted.map(hourWords).join(", ")}`;
}

function describeDays(schedule: AutoSnapshotSchedule): string {
  const days = scheduleDays(schedule);
  switch (days.kind) {
    case "daily":
      return "daily";
    case "every-n-days":
      return `every ${days.days} days`;
    case "days-of-month":
      return `on day${days.days.length > 1 ? "s" : ""} ${listWords(days.days.map(String))} of each month`;
    case "weekdays":
      return "on weekdays (Mon–Fri)";
    case "weekends":
      return "on weekends (Sat and Sun)";
    case "days-of-week":
      return listWords(days.days.map((d) => DAY_NAMES[d] ?? String(d)));
  }
}

/** One schedule: "daily at 03:00", "Mon and Thu at 01:00, 13:00", "every 3 days at 02:00". */
export function describeSchedule(schedule: AutoSnapshotSchedule): string {
  return `${describeDays(schedule)} ${describeHours(schedule.hours)}`;
}

/** Every schedule of a policy, "; "-separated; "no schedule" when it has none. */
export function describeSchedules(schedules: readonly AutoSnapshotSchedule[]): string {
  if (schedules.length === 0) return "no schedule";
  return schedules.map(describeSchedule).join("; ");
}

const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? "" : "s"}`;

/** "kept 7 days", "kept 3 months", "the newest 5 kept", "kept permanently". */
export function describeRetention(retention: SnapshotRetention): string {
  switch (retention.kind) {
    case "days":
      return `kept ${plural(retention.days, "day")}`;
    case "months":
      return `kept ${plural(retention.months, "month")}`;
    case "count":
      return `the newest ${retention.count} kept`;
    case "permanent":
      return "kept permanently";
    case "advanced": {
      const parts = [
        retention.days > 0 ? `${plural(retention.days, "day")}` : "",
        retention.weeks > 0 ? `${plural(retention.weeks, "week")}` : "",
        retention.months > 0 ? `${plural(retention.months, "month")}` : "",
        retention.years > 0 ? `${plural(retention.years, "year")}` : "",
      ].filter(Boolean);
      return parts.length === 0
        ? "advanced retention (nothing kept)"
        : `the newest of each of the last ${listWords(parts)} kept`;
    }
  }
}
