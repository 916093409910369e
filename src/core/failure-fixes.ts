import { collaboratorFixText, explicitDenyFixText, permissionFixText } from "./cam/prerequisites.js";
import { asText, code, plain, type Text, text, tr } from "./messages/message.js";
import type { CloudErrorClass } from "./ports/cloud-api.port.js";
import type { RequestFailure } from "./request/request.js";

/**
 * What a person should do about a failure: by the bot's code, or by how the cloud adapter classified
 * a cloud error (never by a provider's error code). The messages name the console
 * page, because the person reading them is usually in Slack, not in the API reference. Every fix is
 * written in English and Simplified Chinese (issue 13).
 */
export interface FixContext {
  sourceUin: string;
  destinationUin: string;
  destinationAlias: string;
  /** How the request reaches the destination. @defaultValue "copy" */
  method?: "copy" | "share";
}

/**
 * The failure to fix: the bot's own code, or for a failure the cloud reported, its classification
 * (the provider's code in `code` is for people and is not read here).
 */
export type FixableFailure = Pick<RequestFailure, "code" | "cloud">;

export function suggestFix(failure: FixableFailure, ctx: FixContext): Text | undefined {
  return failure.cloud ? cloudFix(failure.cloud, ctx) : botFix(failure.code, ctx);
}

/** A failure's words for people: the bilingual ones when stored, else the English of older records. */
export function failureMessage(failure: Pick<RequestFailure, "message" | "said">): Text {
  return failure.said?.message ?? asText(failure.message);
}

export function failureFix(failure: Pick<RequestFailure, "fix" | "said">): Text | undefined {
  return failure.said?.fix ?? (failure.fix ? plain(failure.fix) : undefined);
}

const both = (en: Text | string, zh: Text | string): Text => [tr(en, zh)];

function cloudFix(cloud: CloudErrorClass, ctx: FixContext): Text | undefined {
  if (cloud.category !== "permanent") return BUSY_FIX;
  switch (cloud.reason) {
    case "credentials_refused":
      return both(
        text`The bot's Tencent Cloud credentials were refused: check ${code("TENCENTCLOUD_SECRET_ID")} / ${code("TENCENTCLOUD_SECRET_KEY")} (and the session token if temporary).`,
        text`机器人的腾讯云凭证被拒绝：请检查 ${code("TENCENTCLOUD_SECRET_ID")} / ${code("TENCENTCLOUD_SECRET_KEY")}（如使用临时凭证，还要检查会话令牌）。`,
      );
    case "access_denied":
      if (ctx.method === "share") return shareAccessFix(ctx);
      return both(
        text`Make account ${ctx.destinationUin} a collaborator of ${ctx.sourceUin} (CAM → User list → Collaborators) and grant it ${code("cvm:CopySnapshotCrossAccount")} (see ${code("policies/minimal-cross-account-copy.json")}).`,
        text`请把账号 ${ctx.destinationUin} 添加为 ${ctx.sourceUin} 的协作者（访问管理 → 用户列表 → 协作者），并授予 ${code("cvm:CopySnapshotCrossAccount")} 权限（见 ${code("policies/minimal-cross-account-copy.json")}）。`,
      );
    case "not_allow_listed":
      return notAllowListedFix(ctx);
    case "request_shape_refused":
      return both(
        text`The bot's request shape for CopySnapshotCrossAccount is assumed (Tencent has not published the action) and may be wrong: see ${code("docs/decisions/002-copy-snapshot-cross-account-shape.md")}, compare it with the console's call or ask Tencent Cloud support, and correct it in one place (the Tencent adapter and its response schema).`,
        text`机器人调用 CopySnapshotCrossAccount 的请求格式是推测的（腾讯云尚未公开该接口），可能有误：请参阅 ${code("docs/decisions/002-copy-snapshot-cross-account-shape.md")}，与控制台发出的调用对比或咨询腾讯云技术支持，然后在一处（腾讯云适配器及其响应结构）修正。`,
      );
    case "not_found":
      return SNAPSHOT_GONE_FIX;
    case "invalid_state":
      return NOT_NORMAL_FIX;
    case "role_not_assumable":
      return both(
        text`Check the read role of destination "${ctx.destinationAlias}" (${code("readRoleArn")}): it must exist in account ${ctx.destinationUin} and trust account ${ctx.sourceUin}.`,
        text`请检查目标“${ctx.destinationAlias}”的只读角色（${code("readRoleArn")}）：它必须存在于账号 ${ctx.destinationUin} 中，并信任账号 ${ctx.sourceUin}。`,
      );
    case "invalid_request":
      return both(
        "Tencent Cloud refused the request's parameters; this is likely a bot bug — report it with the request id.",
        "腾讯云拒绝了请求参数；这很可能是机器人的缺陷，请附上请求 ID 报告。",
      );
    default:
      return undefined;
  }
}

/** The two ways out when the source account is not in the cross-account-copy beta. */
export function notAllowListedFix(ctx: Pick<FixContext, "sourceUin" | "destinationAlias">): Text {
  return both(
    text`Account ${ctx.sourceUin} is not enrolled in Tencent Cloud's cross-account snapshot copy beta (allow-listed per account). Either ask Tencent Cloud to enable it (submit a ticket for CopySnapshotCrossAccount), or use the share method: set ${code("method: share")} under ${code(`destinations.${ctx.destinationAlias}`)} (or ${code("replication.method: share")} for every destination) — the destination then receives a share, not a copy, of the source snapshot (gone if the source snapshot is deleted).`,
    text`账号 ${ctx.sourceUin} 未开通腾讯云跨账号快照复制内测（按账号加白名单）。可以请腾讯云开通（为 CopySnapshotCrossAccount 提交工单），或改用共享方式：在 ${code(`destinations.${ctx.destinationAlias}`)} 下设置 ${code("method: share")}（或用 ${code("replication.method: share")} 作用于所有目标）——这样目标账号得到的是源快照的共享而不是副本（源快照删除后共享随之消失）。`,
  );
}

function shareAccessFix(ctx: FixContext): Text {
  return both(
    text`The bot's own API key in account ${ctx.sourceUin} may not share snapshots: allow its CAM user ${code("cvm:ModifySnapshotsSharePermission")} and ${code("cvm:DescribeSnapshotSharePermission")} (the destination needs no collaborator grant for a share).`,
    text`机器人在账号 ${ctx.sourceUin} 中的 API 密钥无权共享快照：请为其 CAM 用户授予 ${code("cvm:ModifySnapshotsSharePermission")} 和 ${code("cvm:DescribeSnapshotSharePermission")} 权限（共享不需要目标账号是协作者）。`,
  );
}

const BUSY_FIX = both(
  "Tencent Cloud was unavailable or busy; request the copy again later.",
  "腾讯云不可用或繁忙；请稍后重新申请复制。",
);
const SNAPSHOT_GONE_FIX = both(
  text`The source snapshot no longer exists. Pick another snapshot with ${code("/snapshot replicate")}.`,
  text`源快照已不存在。请用 ${code("/snapshot replicate")} 选择另一个快照。`,
);
const NOT_NORMAL_FIX = both(
  "Only a NORMAL snapshot can be copied: wait until it has finished, then request again.",
  "只有 NORMAL 状态的快照可以复制：请等它创建完成后再申请。",
);

function botFix(failureCode: string, ctx: FixContext): Text | undefined {
  const dest = ctx.destinationUin;
  switch (failureCode) {
    case "cam.not_collaborator":
      return collaboratorFixText(ctx.sourceUin, dest);
    case "cam.permission_missing":
      return permissionFixText(ctx.sourceUin, dest);
    case "cam.explicit_deny":
      return explicitDenyFixText(ctx.sourceUin, dest);
    case "snapshot.not_found":
      return SNAPSHOT_GONE_FIX;
    case "snapshot.not_normal":
      return NOT_NORMAL_FIX;
    case "copy.stuck":
      return both(
        text`Look at the copy in account ${dest}'s CBS console (Snapshots); if it is still copying, it may finish later.`,
        text`请在账号 ${dest} 的云硬盘控制台（快照）中查看该副本；如果仍在复制，它可能稍后完成。`,
      );
    case "copy.missing":
      return both(
        text`Check account ${dest}'s CBS console (Snapshots, same region): its quotas, the snapshot list and its event log tell whether the copy failed there; also that the read role (${code("readRoleArn")} of "${ctx.destinationAlias}") can list snapshots in that region. Then ask again.`,
        text`请查看账号 ${dest} 的云硬盘控制台（快照，同一地域）：配额、快照列表和事件记录可以说明复制是否在那里失败；并确认只读角色（“${ctx.destinationAlias}”的 ${code("readRoleArn")}）能列出该地域的快照。然后再申请一次。`,
      );
    case "copy.vanished":
      return both(
        text`Check in account ${dest}'s CBS console (Snapshots, same region) whether the copy was deleted or failed — and whether anyone or any automation there deletes snapshots; also that the read role (${code("readRoleArn")} of "${ctx.destinationAlias}") can list snapshots in that region. Then ask again.`,
        text`请在账号 ${dest} 的云硬盘控制台（快照，同一地域）中确认该副本是被删除还是复制失败，以及是否有人或自动化任务在删除快照；并确认只读角色（“${ctx.destinationAlias}”的 ${code("readRoleArn")}）能列出该地域的快照。然后再申请一次。`,
      );
    case "copy.size_mismatch":
      return both(
        "Compare the copy with the source in both consoles before relying on it; request a fresh copy if they differ.",
        "在依赖该副本之前，请在两个账号的控制台中对比副本与源快照；如有不同，请重新申请复制。",
      );
    case "copy.outcome_unknown":
      return both(
        text`Check account ${dest}'s snapshot list for a copy with this name before requesting again; add a read role to destination "${ctx.destinationAlias}" (${code("readRoleArn")}) so the bot can check itself.`,
        text`重新申请之前，请先在账号 ${dest} 的快照列表中查找同名副本；为目标“${ctx.destinationAlias}”添加只读角色（${code("readRoleArn")}），机器人就能自行检查。`,
      );
    case "worker.stalled":
      return both(
        text`Look at the worker logs for crashes (out of memory, restarts), then check account ${dest}'s snapshot list for a copy of this snapshot before requesting it again.`,
        text`请查看工作进程日志中的崩溃记录（内存不足、重启），并在重新申请之前检查账号 ${dest} 的快照列表中是否已有该快照的副本。`,
      );
    case "share.not_listed":
      return both(
        text`Look at the snapshot's share permissions in the CBS console (Snapshots → Share); if account ${dest} is missing, ask again.`,
        text`请在云硬盘控制台（快照 → 共享）中查看该快照的共享权限；如果其中没有账号 ${dest}，请再申请一次。`,
      );
    case "plan.changed":
      return both(
        "The snapshot changed after the approval: a fresh request with the plan as it is now needs a new approval.",
        "审批之后快照发生了变化：需按当前情况重新发起申请并重新审批。",
      );
    default:
      return undefined;
  }
}
