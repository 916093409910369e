import { z } from "zod";
import type { FlowDeps } from "../../app/flow-deps.js";
import { describeOutcomeLine, fromCloudTime, type HeadlineWords } from "../../app/kind-words.js";
import type { CardContent, CardField, RequestKind, StepResult } from "../../app/request-kind.js";
import { advance } from "../../app/request-steps.js";
import { suggestFix } from "../../core/failure-fixes.js";
import { code, type Inline, type Message, type Text, text, time, tr } from "../../core/messages/message.js";
import type { Snapshot } from "../../core/snapshot.js";
import {
  type CopyProgress,
  methodOf,
  SNAPSHOT_COPY,
  SNAPSHOT_COPY_STEPS,
  type SnapshotCopyRequest,
  type SnapshotCopySpec,
  shareMeaning,
} from "./snapshot-copy.request.js";
import { check } from "./steps/check.step.js";
import { copy } from "./steps/copy.step.js";
import { share, verifyShare } from "./steps/share.step.js";
import { verify } from "./steps/verify.step.js";
import { fingerprintNewPlan } from "./verify-plan.js";

const specSchema = z.object({
  snapshot: z
    .object({
      snapshotId: z.string(),
      name: z.string(),
      region: z.string(),
      diskId: z.string(),
      diskSizeGiB: z.number(),
    })
    .passthrough(),
  newName: z.string().min(1),
});

/** Each step as people say it, in both languages (issue 13: never the step's own id). */
const STEP_WORDS: Record<string, Text> = {
  checking: [tr("Checking the prerequisites", "正在检查前提条件")],
  copying: [tr("Starting the copy", "正在发起复制")],
  sharing: [tr("Sharing the snapshot", "正在共享快照")],
  verifying: [tr("Copy in progress", "复制进行中")],
};

const SHARE_STEP_WORDS: Record<string, Text> = {
  ...STEP_WORDS,
  verifying: [tr("Confirming the share", "正在确认共享")],
};

async function runStep(deps: FlowDeps, request: SnapshotCopyRequest): Promise<StepResult> {
  if (request.state === "approved") {
    return advance(
      deps,
      request,
      { to: "running", step: "checking" },
      {},
      methodOf(request) === "share"
        ? [
            tr(
              "Checking the prerequisites again before sharing: the snapshot and who it is shared with…",
              "共享前再次检查前提条件：快照及其共享对象……",
            ),
          ]
        : [
            tr(
              "Checking the prerequisites again before copying: the snapshot, the collaborator and its permission…",
              "复制前再次检查前提条件：快照、协作者及其权限……",
            ),
          ],
    );
  }
  switch (request.step) {
    case "checking":
      return check(deps, request);
    case "copying":
      return copy(deps, request);
    case "sharing":
      return share(deps, request);
    case "verifying":
      return methodOf(request) === "share" ? verifyShare(deps, request) : verify(deps, request);
    default:
      return { kind: "done", state: request.state };
  }
}

/** The disk's use, in both languages, with its parentheses. */
function diskUsageWords(usage: Snapshot["diskUsage"]): Inline {
  if (usage === "SYSTEM_DISK") return tr(" (system disk)", "（系统盘）");
  if (usage === "DATA_DISK") return tr(" (data disk)", "（数据盘）");
  return tr(` (${usage})`, `（${usage}）`);
}

/** When the snapshot was taken, as a time each reader sees in their own zone. */
function createdWords(snapshot: Snapshot): Text {
  const iso = fromCloudTime(snapshot.createdAtMs, snapshot.createdAt);
  if (iso) return [time(iso)];
  return snapshot.createdAt ? [snapshot.createdAt] : [tr("unknown", "未知")];
}

/** The snapshot's id and name, both literal: a name like `*bold*` is shown as it is, never as markup. */
function snapshotWords(snapshot: Snapshot): Text {
  return snapshot.name
    ? text`${code(snapshot.snapshotId)} ${code(snapshot.name)}`
    : [code(snapshot.snapshotId)];
}

/** The facts of the snapshot, once each (the card's passed snapshot check does not repeat them). */
function snapshotFields(snapshot: Snapshot, regionNote?: Inline): CardField[] {
  return [
    { label: [tr("Snapshot", "快照")], value: snapshotWords(snapshot) },
    { label: [tr("Region", "地域")], value: text`${snapshot.region}${regionNote}` },
    {
      label: [tr("Disk", "云硬盘")],
      value: text`${code(snapshot.diskId)}${diskUsageWords(snapshot.diskUsage)}`,
    },
    { label: [tr("Size", "容量")], value: text`${snapshot.diskSizeGiB} GiB` },
    {
      label: [tr("Encryption", "加密")],
      value: [snapshot.encrypted ? tr("encrypted", "已加密") : tr("not encrypted", "未加密")],
    },
    { label: [tr("Created", "创建时间")], value: createdWords(snapshot) },
  ];
}

/** What a share means for disaster recovery: "share, not a copy" is the point, in both languages. */
function shareMeaningWords(snapshotId: string, accountUin: string): Inline {
  return tr(
    shareMeaning(snapshotId, accountUin),
    `共享而非复制：账号 ${accountUin} 可以使用 ${snapshotId}（在同一地域用它创建云硬盘），但并不拥有它——源快照一旦被删除或源账号丢失，共享也随之消失。`,
  );
}

const destinationWords = (destination: SnapshotCopyRequest["destination"]): Text => [
  tr(`${destination.alias} (${destination.accountUin})`, `${destination.alias}（${destination.accountUin}）`),
];

function describeShareCard(request: SnapshotCopyRequest): CardContent {
  const { destination } = request;
  const { snapshot } = request.spec;
  const id = snapshot.snapshotId;
  const uin = destination.accountUin;
  const meaning = shareMeaningWords(id, uin);
  return {
    title: [tr(`Share ${id} with ${destination.alias}`, `共享 ${id} 给 ${destination.alias}`)],
    summary: [
      tr(
        text`${id} shared with ${destination.alias} (${uin}) — share, not a copy`,
        text`${id} 共享给 ${destination.alias}（${uin}）——共享而非复制`,
      ),
    ],
    fields: [
      ...snapshotFields(snapshot, tr(" (the share is visible there only)", "（共享仅在该地域可见）")),
      { label: [tr("Destination", "目标账号")], value: destinationWords(destination) },
      {
        label: [tr("Method", "方式")],
        value: text`${tr("Share (ModifySnapshotsSharePermission): ", "共享（ModifySnapshotsSharePermission）：")}${meaning}`,
      },
    ],
    facts: request.progress.sharedAt
      ? [[tr(`Shared with ${uin} — share, not a copy`, `已共享给 ${uin}——共享而非复制`)]]
      : [[tr("Share, not a copy: no independent copy is made.", "共享而非复制：不会创建独立的副本。")]],
    confirmTitle: [tr("Approve this share?", "批准此次共享？")],
    confirm: [
      tr(
        text`Share ${code(id)} (${snapshot.diskSizeGiB} GiB) with account ${uin}. This is a ${meaning}`,
        text`将 ${code(id)}（${snapshot.diskSizeGiB} GiB）共享给账号 ${uin}。这是${meaning}`,
      ),
    ],
  };
}

function describeCard(request: SnapshotCopyRequest): CardContent {
  if (methodOf(request) === "share") return describeShareCard(request);
  const { destination } = request;
  const { snapshot, newName } = request.spec;
  const id = snapshot.snapshotId;
  const uin = destination.accountUin;
  const copyId = request.progress.newSnapshotId;
  return {
    title: [tr(`Copy ${id} to ${destination.alias}`, `复制 ${id} 到 ${destination.alias}`)],
    summary: [
      tr(
        // As typed in the command: `as "<name>"`, the name itself a code span so it is shown literally.
        text`${id} → ${destination.alias} (${uin}) as "${code(newName)}"`,
        text`${id} → ${destination.alias}（${uin}），新名称 ${code(newName)}`,
      ),
    ],
    fields: [
      ...snapshotFields(snapshot),
      { label: [tr("Destination", "目标账号")], value: destinationWords(destination) },
      // Literal: the name Tencent Cloud will be given, character for character.
      { label: [tr("New name", "新快照名称")], value: [code(newName)] },
    ],
    facts: [
      ...(copyId ? [text`${tr("Copy: ", "副本：")}${code(copyId)}`] : []),
      ...(destination.readRoleArn
        ? []
        : [
            [
              tr(
                text`⚠️ No read role for ${destination.alias}: the bot cannot follow this copy to the end, and if the copy call is interrupted (a crash, a fault) it cannot tell whether the copy was made. Add ${code("readRoleArn")} to the destination.`,
                text`⚠️ ${destination.alias} 未配置只读角色：机器人无法跟踪此次复制直到完成；复制调用一旦被中断（崩溃、故障），也无法判断副本是否已创建。请为该目标账号配置 ${code("readRoleArn")}。`,
              ),
            ],
          ]),
    ],
    confirmTitle: [tr("Approve this copy?", "批准此次复制？")],
    confirm: [
      tr(
        text`Copy ${code(id)} (${snapshot.diskSizeGiB} GiB) into account ${uin}. The copy cannot be undone by the bot.`,
        text`将 ${code(id)}（${snapshot.diskSizeGiB} GiB）复制到账号 ${uin}。机器人无法撤销此次复制。`,
      ),
    ],
  };
}

/** The outcome headline's own words: a share is named as one, and says what "submitted" means. */
function headlineWords(request: SnapshotCopyRequest): HeadlineWords {
  return {
    what: methodOf(request) === "share" ? tr("Share", "共享") : tr("Copy", "复制"),
    completed: tr(" completed", " 已完成"),
    submitted: tr(
      " submitted (completion cannot be verified without a read role)",
      " 已提交（未配置只读角色，无法确认是否完成）",
    ),
    outcomeUnknown: tr(": outcome unknown, a copy may exist", " 结果未知：副本可能已创建"),
  };
}

/**
 * The notify channel's one line (issue 13): what, where, as what name, who asked and approved,
 * how long, and the thread. The fix and any policy document stay in the thread.
 */
function describeOutcome(request: SnapshotCopyRequest, threadLink?: string): Message {
  const { destination } = request;
  const { snapshot, newName } = request.spec;
  const id = code(snapshot.snapshotId);
  const uin = destination.accountUin;
  const copyId = request.progress.newSnapshotId;
  const where =
    methodOf(request) === "share"
      ? [
          tr(
            text`${id} ${request.state === "completed" ? "shared with" : "→"} account ${uin} (${destination.alias}), share, not a copy`,
            text`${id} ${request.state === "completed" ? "已共享给" : "→"} 账号 ${uin}（${destination.alias}），共享而非复制`,
          ),
        ]
      : [
          tr(
            text`${id} → account ${uin} (${destination.alias}) as ${code(newName)}${copyId ? text` (${code(copyId)})` : undefined}`,
            text`${id} → 账号 ${uin}（${destination.alias}），新名称 ${code(newName)}${copyId ? text`（${code(copyId)}）` : undefined}`,
          ),
        ];
  return describeOutcomeLine(request, headlineWords(request), where, threadLink);
}

/** The manual copy of one snapshot into another account (`/snapshot replicate`). */
export const snapshotCopyKind: RequestKind<SnapshotCopySpec, CopyProgress> = {
  id: SNAPSHOT_COPY,
  steps: SNAPSHOT_COPY_STEPS,
  parseSpec: (spec) => specSchema.parse(spec) as unknown as SnapshotCopySpec,
  fingerprintPlan: (request) =>
    fingerprintNewPlan(request.spec.snapshot, request.destination, request.spec.newName),
  runStep,
  describeCard,
  describeStep: (step, request) =>
    (request?.destination?.method === "share" ? SHARE_STEP_WORDS : STEP_WORDS)[step] ?? [
      tr("In progress", "进行中"),
    ],
  describeOutcome,
  fixFor: (failure, request, deps) =>
    suggestFix(failure, {
      sourceUin: deps.config.source.accountUin,
      destinationUin: request.destination.accountUin,
      destinationAlias: request.destination.alias,
      method: methodOf(request),
    }),
  release: (deps, request) => deps.copyWatch.unwatch(request.id),
};
