import { z } from "zod";
import type { Snapshot } from "../../core/snapshot.js";

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
});

export const describeSnapshotsResponseSchema = z.object({
  TotalCount: z.number().default(0),
  SnapshotSet: z.array(snapshotItemSchema).default([]),
});

/**
 * Assumed shape (DESIGN §6.3): the action is not published. Correct it here and in the simulator.
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

export function toSnapshot(item: z.output<typeof snapshotItemSchema>, region: string): Snapshot {
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
  };
}
