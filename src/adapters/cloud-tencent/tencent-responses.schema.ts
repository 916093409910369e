import { z } from "zod";
import type {
  AutoSnapshotPolicy,
  AutoSnapshotSchedule,
  SnapshotRetention,
} from "../../core/ports/policy-cloud.port.js";
import type { Snapshot } from "../../core/snapshot.js";

/** Lists Tencent may send as null or leave out. */
const list = <T extends z.ZodType>(item: T) =>
  z
    .array(item)
    .nullish()
    .transform((v): z.output<T>[] => v ?? []);

/** The parts of Tencent's responses the bot relies on; anything else is ignored. */
export const snapshotItemSchema = z.object({
  SnapshotId: z.string(),
  SnapshotName: z.string().default(""),
  SnapshotState: z.string(),
  DiskId: z.string().default(""),
  DiskSize: z.number().default(0),
  DiskUsage: z.string().default("DATA_DISK"),
  Encrypt: z.boolean().default(false),
  Percent: z.number().default(0),
  CreateTime: z.string().default(""),
  AutoSnapshotPolicyId: z.string().nullish(),
});

export const describeSnapshotsResponseSchema = z.object({
  TotalCount: z.number().default(0),
  SnapshotSet: z.array(snapshotItemSchema).default([]),
});

/**
 * Assumed shape (docs/decisions/002): the action is not published. Correct it here and in the simulator.
 * Accepted: `SnapshotCopyResultSet: [{SnapshotId, Code, Message}]` (by analogy with
 * CopySnapshotCrossRegions) or a top-level `SnapshotId` (as CopySnapshot-style actions answer);
 * an answer with neither is an unexpected response.
 */
export const copySnapshotCrossAccountResponseSchema = z
  .object({
    SnapshotCopyResultSet: z
      .array(
        z.object({
          SnapshotId: z.string().default(""),
          Code: z.string().default(""),
          Message: z.string().default(""),
        }),
      )
      .min(1)
      .optional(),
    SnapshotId: z.string().min(1).optional(),
    RequestId: z.string().default(""),
  })
  .refine((r) => r.SnapshotCopyResultSet !== undefined || r.SnapshotId !== undefined, {
    message: "neither SnapshotCopyResultSet nor SnapshotId is present",
    path: ["SnapshotCopyResultSet"],
  });

/** `ModifySnapshotsSharePermission` answers only its RequestId. */
export const modifySnapshotsSharePermissionResponseSchema = z.object({ RequestId: z.string().default("") });

/** `DescribeSnapshotSharePermission`: the accounts a snapshot is shared with. */
export const describeSnapshotSharePermissionResponseSchema = z.object({
  SharePermissionSet: z
    .array(z.object({ AccountId: z.union([z.string(), z.number()]).transform(String) }))
    .nullish()
    .transform((s) => s ?? []),
});

export const assumeRoleResponseSchema = z.object({
  Credentials: z.object({ TmpSecretId: z.string(), TmpSecretKey: z.string(), Token: z.string() }),
  ExpiredTime: z.number(),
});

/** CAM `ListCollaborators`: `Uin` is a number on the wire. */
export const listCollaboratorsResponseSchema = z.object({
  TotalNum: z.number().default(0),
  Data: z
    .array(z.object({ Uin: z.union([z.number(), z.string()]), Name: z.string().default("") }))
    .nullish()
    .transform((d) => d ?? []),
});

/** CAM `ListAttachedUserAllPolicies` (`PolicyId` and `StrategyType` are strings on the wire). */
export const listAttachedUserAllPoliciesResponseSchema = z.object({
  TotalNum: z.number().default(0),
  PolicyList: z
    .array(
      z.object({
        PolicyId: z.union([z.string(), z.number()]).transform(String),
        PolicyName: z.string().default(""),
        StrategyType: z.union([z.string(), z.number()]).transform(String).default("1"),
        Groups: z
          .array(z.object({ GroupName: z.string().default("") }))
          .nullish()
          .transform((g) => g ?? []),
      }),
    )
    .nullish()
    .transform((p) => p ?? []),
});

/** CAM `GetPolicy`: the document is JSON text. */
export const getPolicyResponseSchema = z.object({
  PolicyName: z.string().default(""),
  PolicyDocument: z.string(),
});

/** CBS `DescribeAutoSnapshotPolicies` (the same item for the source and for a destination). */
export const autoSnapshotPolicyItemSchema = z.object({
  AutoSnapshotPolicyId: z.string(),
  AutoSnapshotPolicyName: z.string().default(""),
  AutoSnapshotPolicyState: z.enum(["NORMAL", "ISOLATED"]),
  IsActivated: z.boolean().default(true),
  IsPermanent: z.boolean().nullish(),
  RetentionDays: z.number().nullish(),
  RetentionMonths: z.number().nullish(),
  RetentionAmount: z.number().nullish(),
  AdvancedRetentionPolicy: z
    .object({
      Days: z.number().default(0),
      Weeks: z.number().default(0),
      Months: z.number().default(0),
      Years: z.number().default(0),
    })
    .nullish(),
  NextTriggerTime: z.string().nullish(),
  Policy: list(
    z.object({
      Hour: list(z.number()),
      DayOfWeek: list(z.number()),
      DayOfMonth: z.array(z.number()).nullish(),
      IntervalDays: z.number().nullish(),
    }),
  ),
  DiskIdSet: list(z.string()),
  CopyToAccountUin: z.string().nullish(),
  CopyFromAccountUin: z.string().nullish(),
});

export const describeAutoSnapshotPoliciesResponseSchema = z.object({
  TotalCount: z.number().default(0),
  AutoSnapshotPolicySet: list(autoSnapshotPolicyItemSchema),
});

/** CBS `CopyAutoSnapshotPolicyCrossAccount`. */
export const copyAutoSnapshotPolicyCrossAccountResponseSchema = z.object({
  AutoSnapshotPolicyIds: list(z.string()),
  TargetAccountUin: z.string().nullish(),
  RequestId: z.string().default(""),
});

const BEIJING_OFFSET_MS = 8 * 60 * 60 * 1000;

/** Tencent's times, `YYYY-MM-DD HH:mm:ss` in Beijing time (UTC+8), as epoch ms; undefined otherwise. */
export function parseTencentTime(text: string | null | undefined): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(text ?? "");
  if (!m) return undefined;
  const [, y, mo, d, h, mi, se] = m.map(Number) as [number, number, number, number, number, number, number];
  return Date.UTC(y, mo - 1, d, h, mi, se) - BEIJING_OFFSET_MS;
}

function toRetention(item: z.output<typeof autoSnapshotPolicyItemSchema>): SnapshotRetention {
  if (item.IsPermanent) return { kind: "permanent" };
  const advanced = item.AdvancedRetentionPolicy;
  if (advanced && advanced.Days + advanced.Weeks + advanced.Months + advanced.Years > 0) {
    return {
      kind: "advanced",
      days: advanced.Days,
      weeks: advanced.Weeks,
      months: advanced.Months,
      years: advanced.Years,
    };
  }
  if (item.RetentionAmount) return { kind: "count", count: item.RetentionAmount };
  if (item.RetentionMonths) return { kind: "months", months: item.RetentionMonths };
  return { kind: "days", days: item.RetentionDays ?? 0 };
}

export function toAutoSnapshotPolicy(
  item: z.output<typeof autoSnapshotPolicyItemSchema>,
  region: string,
): AutoSnapshotPolicy {
  const schedules = item.Policy.map((p): AutoSnapshotSchedule => {
    const schedule: AutoSnapshotSchedule = { hours: p.Hour, daysOfWeek: p.DayOfWeek };
    if (p.DayOfMonth?.length) schedule.daysOfMonth = p.DayOfMonth;
    if (p.IntervalDays) schedule.intervalDays = p.IntervalDays;
    return schedule;
  });
  const nextTriggerAt = parseTencentTime(item.NextTriggerTime);
  return {
    policyId: item.AutoSnapshotPolicyId,
    name: item.AutoSnapshotPolicyName,
    region,
    state: item.AutoSnapshotPolicyState,
    activated: item.IsActivated,
    schedules,
    diskIds: item.DiskIdSet,
    retention: toRetention(item),
    nextTriggerTime: item.NextTriggerTime ?? "",
    ...(nextTriggerAt === undefined ? {} : { nextTriggerAt }),
    ...(item.CopyToAccountUin ? { copyToAccountUin: item.CopyToAccountUin } : {}),
    ...(item.CopyFromAccountUin ? { copyFromAccountUin: item.CopyFromAccountUin } : {}),
  };
}

export function toSnapshot(item: z.output<typeof snapshotItemSchema>, region: string): Snapshot {
  const createdAtMs = parseTencentTime(item.CreateTime);
  return {
    snapshotId: item.SnapshotId,
    name: item.SnapshotName,
    region,
    state: item.SnapshotState,
    diskId: item.DiskId,
    diskSizeGiB: item.DiskSize,
    diskUsage: item.DiskUsage,
    encrypted: item.Encrypt,
    percent: item.Percent,
    createdAt: item.CreateTime,
    ...(createdAtMs === undefined ? {} : { createdAtMs }),
    ...(item.AutoSnapshotPolicyId ? { autoSnapshotPolicyId: item.AutoSnapshotPolicyId } : {}),
  };
}
