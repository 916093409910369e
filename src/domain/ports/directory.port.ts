/** Who is in a Slack user group (approver groups). */
export interface Directory {
  usergroupMembers(usergroupId: string): Promise<string[]>;
}
