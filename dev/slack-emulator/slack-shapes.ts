import type { WorkspaceConfig } from "./state.js";
import type { EmulatorUser, SlackMessage } from "./types.js";

/** A stored message in the shape Slack returns it (chat.* answers, interaction payloads). */
export function toApiMessage(message: SlackMessage, workspace: WorkspaceConfig): Record<string, unknown> {
  const shaped: Record<string, unknown> = {
    type: "message",
    user: message.user,
    text: message.text,
    blocks: message.blocks,
    ts: message.ts,
    team: workspace.teamId,
  };
  if (message.botId !== undefined) {
    shaped.bot_id = message.botId;
    shaped.app_id = workspace.appId;
  }
  if (message.attachments !== undefined) shaped.attachments = message.attachments;
  if (message.threadTs !== undefined) {
    shaped.thread_ts = message.threadTs;
    shaped.parent_user_id = workspace.botUserId;
  }
  const lastEdit = message.history.at(-1);
  if (message.edits > 0 && lastEdit !== undefined) {
    shaped.edited = { user: message.user, ts: `${Math.floor(lastEdit.at / 1000)}.000000` };
  }
  return shaped;
}

/** A user object as `users.info` returns it. */
export function toApiUser(user: EmulatorUser, workspace: WorkspaceConfig): Record<string, unknown> {
  const realName = user.realName ?? user.name;
  return {
    id: user.id,
    team_id: workspace.teamId,
    name: user.name,
    real_name: realName,
    deleted: user.deleted ?? false,
    is_admin: user.isAdmin ?? false,
    is_owner: false,
    is_bot: false,
    is_app_user: false,
    tz: "UTC",
    profile: {
      real_name: realName,
      real_name_normalized: realName,
      display_name: user.name,
      display_name_normalized: user.name,
      team: workspace.teamId,
    },
  };
}

/** The bot's own user object. */
export function toApiBotUser(workspace: WorkspaceConfig): Record<string, unknown> {
  return {
    id: workspace.botUserId,
    team_id: workspace.teamId,
    name: "snapshot-bot",
    real_name: "Snapshot Bot",
    deleted: false,
    is_admin: false,
    is_bot: true,
    is_app_user: false,
    profile: {
      real_name: "Snapshot Bot",
      display_name: "snapshot-bot",
      bot_id: workspace.botId,
      api_app_id: workspace.appId,
      team: workspace.teamId,
    },
  };
}
