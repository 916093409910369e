import { describe, expect, it } from "vitest";
import { toPlainText } from "../../src/core/messages/message.js";
import type { AutoSnapshotSchedule, SnapshotRetention } from "../../src/core/ports/policy-cloud.port.js";
import {
  describeRetention,
  describeSchedule,
  describeSchedules,
} from "../../src/core/replication/describe-schedule.js";
import {
  describeRetentionText,
  describeRetentionZh,
  describeSchedulesText,
  describeSchedulesZh,
} from "../../src/core/replication/schedule-words.js";

const weekly = (daysOfWeek: number[], hours: number[]): AutoSnapshotSchedule => ({ daysOfWeek, hours });

const SCHEDULES: Array<[string, AutoSnapshotSchedule, string]> = [
  ["every day, one hour", weekly([0, 1, 2, 3, 4, 5, 6], [3]), "daily at 03:00"],
  ["no days given means every day", weekly([], [3]), "daily at 03:00"],
  ["two days, two hours", weekly([4, 1], [13, 1]), "Mon and Thu at 01:00, 13:00"],
  ["one day", weekly([3], [0]), "Wed at 00:00"],
  ["Sunday comes last", weekly([0, 1, 5], [23]), "Mon, Fri and Sun at 23:00"],
  ["weekdays", weekly([1, 2, 3, 4, 5], [2]), "on weekdays (Mon–Fri) at 02:00"],
  ["weekends", weekly([6, 0], [10]), "on weekends (Sat and Sun) at 10:00"],
  ["repeated days and hours once", weekly([1, 1, 4], [5, 5]), "Mon and Thu at 05:00"],
  ["no hour", weekly([1], []), "Mon at no hour set"],
  [
    "by day of the month",
    { hours: [2], daysOfWeek: [], daysOfMonth: [15, 1] },
    "on days 1 and 15 of each month at 02:00",
  ],
  [
    "one day of the month",
    { hours: [4], daysOfWeek: [], daysOfMonth: [28] },
    "on day 28 of each month at 04:00",
  ],
  ["every 3 days", { hours: [2, 14], daysOfWeek: [], intervalDays: 3 }, "every 3 days at 02:00, 14:00"],
  ["an interval of 1 day", { hours: [6], daysOfWeek: [], intervalDays: 1 }, "daily at 06:00"],
];

const RETENTIONS: Array<[SnapshotRetention, string]> = [
  [{ kind: "days", days: 7 }, "kept 7 days"],
  [{ kind: "days", days: 1 }, "kept 1 day"],
  [{ kind: "months", months: 3 }, "kept 3 months"],
  [{ kind: "count", count: 5 }, "the newest 5 kept"],
  [{ kind: "permanent" }, "kept permanently"],
  [
    { kind: "advanced", days: 7, weeks: 4, months: 0, years: 1 },
    "the newest of each of the last 7 days, 4 weeks and 1 year kept",
  ],
];

describe("a policy's schedule in words", () => {
  it.each(SCHEDULES)("%s → %s", (_what, schedule, words) => {
    expect(describeSchedule(schedule)).toBe(words);
  });

  it("joins several schedules and says when there is none", () => {
    expect(describeSchedules([weekly([], [3]), weekly([6], [12])])).toBe("daily at 03:00; Sat at 12:00");
    expect(describeSchedules([])).toBe("no schedule");
  });

  it.each(RETENTIONS)("retention %j → %s", (retention, words) => {
    expect(describeRetention(retention)).toBe(words);
  });
});

/** The same schedules in Chinese: the reading is shared with the English, only the words differ. */
const SCHEDULES_ZH: Array<[AutoSnapshotSchedule, string]> = [
  [weekly([], [3]), "每天 03:00"],
  [weekly([4, 1], [13, 1]), "周一、周四 01:00、13:00"],
  [weekly([0, 1, 5], [23]), "周一、周五、周日 23:00"],
  [weekly([1, 2, 3, 4, 5], [2]), "工作日（周一至周五） 02:00"],
  [weekly([6, 0], [10]), "周末（周六和周日） 10:00"],
  [weekly([1], []), "周一 未设置时间"],
  [{ hours: [2], daysOfWeek: [], daysOfMonth: [15, 1] }, "每月 1、15 日 02:00"],
  [{ hours: [2, 14], daysOfWeek: [], intervalDays: 3 }, "每 3 天 02:00、14:00"],
  [{ hours: [6], daysOfWeek: [], intervalDays: 1 }, "每天 06:00"],
];

describe("a policy's schedule in Chinese", () => {
  it.each(SCHEDULES_ZH)("%j → %s", (schedule, words) => {
    expect(describeSchedulesZh([schedule])).toBe(words);
  });

  it("joins several schedules with ；, says when there is none, and names the time zone once in both languages", () => {
    expect(describeSchedulesZh([weekly([], [3]), weekly([6], [12])])).toBe("每天 03:00；周六 12:00");
    expect(describeSchedulesZh([])).toBe("无计划");
    const both = describeSchedulesText([weekly([], [3])]);
    expect(toPlainText(both, "en")).toBe("daily at 03:00 (Beijing time)");
    expect(toPlainText(both, "zh-CN")).toBe("每天 03:00（北京时间）");
  });

  it.each<[SnapshotRetention, string]>([
    [{ kind: "days", days: 7 }, "保留 7 天"],
    [{ kind: "months", months: 3 }, "保留 3 个月"],
    [{ kind: "count", count: 5 }, "保留最新 5 个"],
    [{ kind: "permanent" }, "永久保留"],
    [
      { kind: "advanced", days: 7, weeks: 4, months: 0, years: 1 },
      "按周期保留：最近 7 天、4 周、1 年内每个周期保留最新一个",
    ],
    [{ kind: "advanced", days: 0, weeks: 0, months: 0, years: 0 }, "高级保留策略（不保留任何快照）"],
  ])("retention %j → %s", (retention, words) => {
    expect(describeRetentionZh(retention)).toBe(words);
    expect(toPlainText([describeRetentionText(retention)], "zh-CN")).toBe(words);
  });
});
