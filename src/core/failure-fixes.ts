import { collaboratorFix, explicitDenyFix, permissionFix } from "./cam/prerequisites.js";
import type { CloudErrorClass } from "./ports/cloud-api.port.js";
import type { RequestFailure } from "./request/request.js";

/**
 * What a person should do about a failure: by the bot's code, or by how the cloud adapter classified
 * a cloud error (never by a provider's error code). The messages name the console
 * page, because the person reading them is usually in Slack, not in the API reference.
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

export function suggestFix(failure: FixableFailure, ctx: FixContext): string | undefined {
  return failure.cloud ? cloudFix(failure.cloud, ctx) : botFix(failure.code, ctx);
}

function cloudFix(cloud: CloudErrorClass, ctx: FixContext): string | undefined {
  if (cloud.category !== "permanent") return BUSY_FIX;
  switch (cloud.reason) {
    case "credentials_refused":
      return "The bot's Tencent Cloud credentials were refused: check TENCENTCLOUD_SECRET_ID / TENCENTCLOUD_SECRET_KEY (and the session token if temporary).";
    case "access_denied":
      if (ctx.method === "share") return shareAccessFix(ctx);
      return `Make account ${ctx.destinationUin} a collaborator of ${ctx.sourceUin} (CAM → User list → Collaborators) and grant it cvm:CopySnapshotCrossAccount (see policies/minimal-cross-account-copy.json).`;
    case "not_allow_listed":
      return notAllowListedFix(ctx);
    case "request_shape_refused":
      return "The bot's request shape for CopySnapshotCrossAccount is assumed (Tencent has not published the action) and may be wrong: see docs/decisions/002-copy-snapshot-cross-account-shape.md, compare it with the console's call or ask Tencent Cloud support, and correct it in one place (the Tencent adapter and its response schema).";
    case "not_found":
      return SNAPSHOT_GONE_FIX;
    case "invalid_state":
      return NOT_NORMAL_FIX;
    case "role_not_assumable":
      return `Check the read role of destination "${ctx.destinationAlias}" (readRoleArn): it must exist in account ${ctx.destinationUin} and trust account ${ctx.sourceUin}.`;
    case "invalid_request":
      return "Tencent Cloud refused the request's parameters; this is likely a bot bug — report it with the request id.";
    default:
      return undefined;
  }
}

/** The two ways out when the source account is not in the cross-account-copy beta. */
export function notAllowListedFix(ctx: Pick<FixContext, "sourceUin" | "destinationAlias">): string {
  return `Account ${ctx.sourceUin} is not enrolled in Tencent Cloud's cross-account snapshot copy beta (allow-listed per account). Either ask Tencent Cloud to enable it (submit a ticket for CopySnapshotCrossAccount), or use the share method: set \`method: share\` under \`destinations.${ctx.destinationAlias}\` (or \`replication.method: share\` for every destination) — the destination then receives a share, not a copy, of the source snapshot (gone if the source snapshot is deleted).`;
}

function shareAccessFix(ctx: FixContext): string {
  return `The bot's own API key in account ${ctx.sourceUin} may not share snapshots: allow its CAM user cvm:ModifySnapshotsSharePermission and cvm:DescribeSnapshotSharePermission (the destination needs no collaborator grant for a share).`;
}

const BUSY_FIX = "Tencent Cloud was unavailable or busy; request the copy again later.";
const SNAPSHOT_GONE_FIX =
  "The source snapshot no longer exists. Pick another snapshot with `/snapshot replicate`.";
const NOT_NORMAL_FIX =
  "Only a NORMAL snapshot can be copied: wait until it has finished, then request again.";

function botFix(code: string, ctx: FixContext): string | undefined {
  if (code === "cam.not_collaborator") return collaboratorFix(ctx.sourceUin, ctx.destinationUin);
  if (code === "cam.permission_missing") return permissionFix(ctx.sourceUin, ctx.destinationUin);
  if (code === "cam.explicit_deny") return explicitDenyFix(ctx.sourceUin, ctx.destinationUin);
  if (code === "snapshot.not_found") return SNAPSHOT_GONE_FIX;
  if (code === "snapshot.not_normal") return NOT_NORMAL_FIX;
  if (code === "copy.stuck") {
    return `Look at the copy in account ${ctx.destinationUin}'s CBS console (Snapshots); if it is still copying, it may finish later.`;
  }
  if (code === "copy.size_mismatch") {
    return `Compare the copy with the source in both consoles before relying on it; request a fresh copy if they differ.`;
  }
  if (code === "copy.outcome_unknown") {
    return `Check account ${ctx.destinationUin}'s snapshot list for a copy with this name before requesting again; add a read role to destination "${ctx.destinationAlias}" (readRoleArn) so the bot can check itself.`;
  }
  if (code === "worker.stalled") {
    return `Look at the worker logs for crashes (out of memory, restarts), then check account ${ctx.destinationUin}'s snapshot list for a copy of this snapshot before requesting it again.`;
  }
  return undefined;
}
