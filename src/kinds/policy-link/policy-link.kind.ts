import { z } from "zod";
import type { FlowDeps } from "../../app/flow-deps.js";
import { describeOutcomeLine, fromCloudTime } from "../../app/kind-words.js";
import type { CardContent, RequestKind, StepResult } from "../../app/request-kind.js";
import { advance } from "../../app/request-steps.js";
import { unlinkFixText } from "../../core/cam/policy-link-prerequisites.js";
import { collaboratorFixText, explicitDenyFixText, permissionFixText } from "../../core/cam/prerequisites.js";
import { code, joinText, type Message, type Text, text, time, tr } from "../../core/messages/message.js";
import type { AutoSnapshotPolicy } from "../../core/ports/policy-cloud.port.js";
import { describeRetentionText, describeSchedulesText } from "../../core/replication/schedule-words.js";
import { buildLinkPlan, fingerprintLinkPlan } from "./plan-fingerprint.js";
import {
  POLICY_LINK,
  POLICY_LINK_STEPS,
  type PolicyLinkProgress,
  type PolicyLinkRequest,
  type PolicyLinkSpec,
} from "./policy-link.request.js";
import { describeAccountWords } from "./policy-link.words.js";
import { check } from "./steps/check.step.js";
import { confirm } from "./steps/confirm.step.js";
import { link } from "./steps/link.step.js";

const scheduleSchema = z
  .object({
    hours: z.array(z.number()),
    daysOfWeek: z.array(z.number()),
    daysOfMonth: z.array(z.number()).optional(),
    intervalDays: z.number().optional(),
  })
  .passthrough();

const specSchema = z.object({
  policy: z
    .object({
      policyId: z.string().regex(/^asp-[a-z0-9]+$/),
      name: z.string(),
      region: z.string(),
      state: z.string(),
      activated: z.boolean(),
      schedules: z.array(scheduleSchema),
      diskIds: z.array(z.string()),
      retention: z.object({ kind: z.string() }).passthrough(),
      nextTriggerTime: z.string(),
    })
    .passthrough(),
});

/** Each step as people say it, in both languages (issue 13: never the step's own id). */
const STEP_WORDS: Record<string, Text> = {
  checking: [tr("Checking the prerequisites", "正在检查前提条件")],
  linking: [tr("Linking the policy", "正在关联策略")],
  confirming: [tr("Confirming the link", "正在确认关联")],
};

async function runStep(deps: FlowDeps, request: PolicyLinkRequest): Promise<StepResult> {
  if (request.state === "approved") {
    return advance(deps, request, { to: "running", step: "checking" }, {}, [
      tr(
        "Checking the prerequisites again before linking: the policy, the collaborator and its permission…",
        "关联前再次检查前提条件：策略、协作者及其权限……",
      ),
    ]);
  }
  switch (request.step) {
    case "checking":
      return check(deps, request);
    case "linking":
      return link(deps, request);
    case "confirming":
      return confirm(deps, request);
    default:
      return { kind: "done", state: request.state };
  }
}

function describeDisks(policy: AutoSnapshotPolicy): Text {
  // What no bound disk means is said once, in the warning under the card.
  if (policy.diskIds.length === 0) return [tr("none bound", "未绑定")];
  const shown = policy.diskIds.slice(0, 10).map((id) => [code(id)] as Text);
  const more = policy.diskIds.length - shown.length;
  return text`${joinText(shown, ", ")}${more > 0 ? tr(` and ${more} more`, ` 等另外 ${more} 个`) : undefined}`;
}

/** When the policy fires next, as a time each reader sees in their own zone. */
function nextSnapshotWords(policy: AutoSnapshotPolicy): Text {
  const iso = fromCloudTime(policy.nextTriggerAt, policy.nextTriggerTime);
  if (iso) return [time(iso)];
  if (policy.nextTriggerTime)
    return [tr(`${policy.nextTriggerTime} (Beijing time)`, `${policy.nextTriggerTime}（北京时间）`)];
  return [tr("none scheduled", "暂无计划")];
}

/** The policy's id and name, both literal: a name like `*bold*` is shown as it is. */
function policyWords(policy: AutoSnapshotPolicy): Text {
  return policy.name ? text`${code(policy.policyId)} ${code(policy.name)}` : [code(policy.policyId)];
}

function describeCard(request: PolicyLinkRequest): CardContent {
  const { destination } = request;
  const { policy } = request.spec;
  const uin = destination.accountUin;
  const linked = request.progress.confirmedAt;
  return {
    title: [
      tr(
        `Replicate ${policy.policyId} to ${destination.alias}`,
        `自动复制 ${policy.policyId} 到 ${destination.alias}`,
      ),
    ],
    summary: [
      tr(
        text`${policyWords(policy)} → ${destination.alias} (${uin}): automatic replication`,
        text`${policyWords(policy)} → ${destination.alias}（${uin}）：自动跨账号复制`,
      ),
    ],
    fields: [
      { label: [tr("Scheduled policy", "定期快照策略")], value: policyWords(policy) },
      { label: [tr("Region", "地域")], value: [policy.region] },
      { label: [tr("Schedule", "执行时间")], value: describeSchedulesText(policy.schedules) },
      { label: [tr("Disks", "云硬盘")], value: describeDisks(policy) },
      {
        label: [tr("State", "状态")],
        value: text`${policy.state}${policy.activated ? tr(", activated", "，已启用") : tr(", not activated", "，未启用")}`,
      },
      { label: [tr("Retention", "保留")], value: [describeRetentionText(policy.retention)] },
      { label: [tr("Next snapshot", "下次快照")], value: nextSnapshotWords(policy) },
      {
        label: [tr("Replicates to now", "当前复制到")],
        value: policy.copyToAccountUin
          ? describeAccountWords(
              policy.copyToAccountUin,
              policy.copyToAccountUin === uin ? destination.alias : undefined,
            )
          : [tr("no account", "未复制到任何账号")],
      },
      {
        label: [tr("Destination", "目标账号")],
        value: [tr(`${destination.alias} (${uin})`, `${destination.alias}（${uin}）`)],
      },
    ],
    facts: [
      ...(policy.diskIds.length === 0
        ? [
            [
              tr(
                text`⚠️ No disks are bound to ${code(policy.policyId)}: linking works, but nothing is replicated until disks are bound.`,
                text`⚠️ ${code(policy.policyId)} 未绑定云硬盘：可以关联，但绑定云硬盘之前不会复制任何内容。`,
              ),
            ],
          ]
        : []),
      ...(linked
        ? [[tr(`Linked: CopyToAccountUin ${uin} confirmed`, `已关联：已确认 CopyToAccountUin 为 ${uin}`)]]
        : []),
    ],
    confirmTitle: [tr("Approve this automatic replication?", "批准此自动复制？")],
    confirm: [
      tr(
        text`Link ${code(policy.policyId)} to account ${uin}: every snapshot the policy takes from now on (full and incremental) is copied there by Tencent Cloud, until the policy is deleted or account ${uin} removes the link. The bot cannot undo it.`,
        text`将 ${code(policy.policyId)} 关联到账号 ${uin}：此后该策略创建的每个快照（全量和增量）都会由腾讯云复制到该账号，直到策略被删除或账号 ${uin} 解除关联。机器人无法撤销此操作。`,
      ),
    ],
  };
}

const HEADLINE = {
  what: tr("Automatic replication", "自动复制"),
  completed: tr(" linked", " 已关联"),
  outcomeUnknown: tr(": outcome unknown, the link may exist", " 结果未知：关联可能已生效"),
};

/** The notify channel's one line: what, where, who asked and approved, how long, the thread. */
function describeOutcome(request: PolicyLinkRequest, threadLink?: string): Message {
  const { destination } = request;
  const { policy } = request.spec;
  const uin = destination.accountUin;
  const where =
    request.state === "completed"
      ? tr(
          text`${policyWords(policy)} → account ${uin} (${destination.alias}), confirmed by reading CopyToAccountUin back${request.progress.alreadyLinked ? " (it was already linked; nothing was called)" : undefined}`,
          text`${policyWords(policy)} → 账号 ${uin}（${destination.alias}），已读回 CopyToAccountUin 确认${request.progress.alreadyLinked ? "（此前已关联，未调用任何接口）" : undefined}`,
        )
      : tr(
          text`${policyWords(policy)} → account ${uin} (${destination.alias})`,
          text`${policyWords(policy)} → 账号 ${uin}（${destination.alias}）`,
        );
  return describeOutcomeLine(request, HEADLINE, where, threadLink);
}

function fixFor(
  failure: { code: string; cloud?: { category: string; reason: string } },
  request: PolicyLinkRequest,
  deps: Pick<FlowDeps, "config">,
): Text | undefined {
  const sourceUin = deps.config.source.accountUin;
  const destinationUin = request.destination.accountUin;
  const policy = code(request.spec.policy.policyId);
  const gone = [
    tr(
      text`The scheduled snapshot policy no longer exists. Pick another one with ${code("/snapshot auto")}.`,
      text`该定期快照策略已不存在。请用 ${code("/snapshot auto")} 另选一个。`,
    ),
  ];
  if (failure.cloud) {
    if (failure.cloud.category !== "permanent")
      return [
        tr(
          "Tencent Cloud was unavailable or busy; ask for the link again later.",
          "腾讯云暂时不可用或繁忙；请稍后重新申请关联。",
        ),
      ];
    switch (failure.cloud.reason) {
      case "access_denied":
        return [
          tr(
            text`Make account ${destinationUin} a collaborator of ${sourceUin} and grant it cvm:CopyAutoSnapshotPolicyCrossAccount (see ${code("policies/minimal-cross-account-copy.json")}).`,
            text`将账号 ${destinationUin} 设为 ${sourceUin} 的协作者，并授予 cvm:CopyAutoSnapshotPolicyCrossAccount（见 ${code("policies/minimal-cross-account-copy.json")}）。`,
          ),
        ];
      case "not_allow_listed":
        return [
          tr(
            text`Account ${sourceUin} is not enrolled in Tencent Cloud's cross-account snapshot replication beta: submit a ticket to enable it.`,
            text`账号 ${sourceUin} 尚未开通腾讯云跨账号快照复制（内测）：请提交工单申请开通。`,
          ),
        ];
      case "invalid_state":
        return [
          tr(
            text`${policy} may already replicate to another account: see ${code("/snapshot auto list")}. `,
            text`${policy} 可能已在复制到另一个账号：见 ${code("/snapshot auto list")}。`,
          ),
          ...unlinkFixText(request.spec.policy.policyId, "(the linked account)", sourceUin),
        ];
      case "not_found":
        return gone;
      default:
        return undefined;
    }
  }
  switch (failure.code) {
    case "cam.not_collaborator":
      return collaboratorFixText(sourceUin, destinationUin);
    case "cam.permission_missing":
      return permissionFixText(sourceUin, destinationUin);
    case "cam.explicit_deny":
      return explicitDenyFixText(sourceUin, destinationUin);
    case "policy.not_found":
      return gone;
    case "policy.not_normal":
    case "policy.not_activated":
      return [
        tr(
          text`Restore or activate ${policy} in account ${sourceUin} (CVM console → Snapshots → Scheduled snapshot policies), then ask again.`,
          text`在账号 ${sourceUin} 中恢复或启用 ${policy}（云服务器控制台 → 快照 → 定期快照策略），然后重新申请。`,
        ),
      ];
    case "link.not_confirmed":
      return [
        tr(
          text`Look at source account ${sourceUin}'s "Replicate to other account" page for ${policy}; ask again if it is not listed.`,
          text`在源账号 ${sourceUin} 的“复制到其他账号”页面查看 ${policy}；如果没有列出，请重新申请。`,
        ),
      ];
    default:
      return undefined;
  }
}

/** Automatic replication: a scheduled snapshot policy linked to a destination (`/snapshot auto`). */
export const policyLinkKind: RequestKind<PolicyLinkSpec, PolicyLinkProgress> = {
  id: POLICY_LINK,
  steps: POLICY_LINK_STEPS,
  parseSpec: (spec) => specSchema.parse(spec) as unknown as PolicyLinkSpec,
  fingerprintPlan: (request) =>
    fingerprintLinkPlan(buildLinkPlan(request.spec.policy, request.destination.accountUin)),
  runStep,
  describeCard,
  describeStep: (step) => STEP_WORDS[step] ?? [tr("In progress", "进行中")],
  describeOutcome,
  fixFor,
  release: async (deps, request) => {
    // The call's claim, if any: a link that ended early has nothing in flight to follow.
    const claim = await deps.copyWatch.readCopyClaim(request.id);
    if (claim?.ended) await deps.copyWatch.swapCopyClaim(request.id, claim, undefined);
  },
};
