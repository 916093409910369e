/** Who is in a Slack user group (approver groups). */
export interface Directory {
  usergroupMembers(usergroupId: string): Promise<string[]>;
  /** Whether a user is still in the workspace (an approver may have left). Throws when unreadable. */
  userState?(userId: string): Promise<"active" | "deleted" | "not_found">;
  /** The user's Slack locale as Slack spells it ("zh-CN"), or undefined when unknown. Never throws. */
  userLocale?(userId: string): Promise<string | undefined>;
}
