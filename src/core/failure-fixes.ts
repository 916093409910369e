import { collaboratorFix, explicitDenyFix, permissionFix } from "./cam/prerequisites.js";

/**
 * What a person should do about a failure, by Tencent error code. The messages name the console
 * page, because the person reading them is usually in Slack, not in the API reference.
 */
export interface FixContext {
  sourceUin: string;
  destinationUin: string;
  destinationAlias: string;
}

export function suggestFix(code: string, ctx: FixContext): string | undefined {
  if (code.startsWith("AuthFailure")) {
    return "The bot's Tencent Cloud credentials were refused: check TENCENTCLOUD_SECRET_ID / TENCENTCLOUD_SECRET_KEY (and the session token if temporary).";
  }
  if (code === "cam.not_collaborator") return collaboratorFix(ctx.sourceUin, ctx.destinationUin);
  if (code === "cam.permission_missing") return permissionFix(ctx.sourceUin, ctx.destinationUin);
  if (code === "cam.explicit_deny") return explicitDenyFix(ctx.sourceUin, ctx.destinationUin);
  if (code.startsWith("UnauthorizedOperation")) {
    return `Make account ${ctx.destinationUin} a collaborator of ${ctx.sourceUin} (CAM → User list → Collaborators) and grant it cvm:CopySnapshotCrossAccount (see policies/minimal-cross-account-copy.json).`;
  }
  if (code.startsWith("UnsupportedOperation") || code.includes("NotInWhitelist")) {
    return "Cross-account replication is in beta and allow-listed per account: submit a ticket to Tencent Cloud to enable it, or set `replication.method: share`.";
  }
  if (code.startsWith("InvalidSnapshotId") || code === "snapshot.not_found") {
    return "The source snapshot no longer exists. Pick another snapshot with `/snapshot replicate`.";
  }
  if (code === "snapshot.not_normal" || code.startsWith("InvalidSnapshot")) {
    return "Only a NORMAL snapshot can be copied: wait until it has finished, then request again.";
  }
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
  if (code.startsWith("InvalidParameter") || code.startsWith("MissingParameter")) {
    return "Tencent Cloud refused the request's parameters; this is likely a bot bug — report it with the request id.";
  }
  if (code === "RequestLimitExceeded" || code.startsWith("InternalError") || code === "cloud.network") {
    return "Tencent Cloud was unavailable or busy; request the copy again later.";
  }
  return undefined;
}
