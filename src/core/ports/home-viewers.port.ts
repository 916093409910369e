/**
 * Who has opened the bot's Home tab (docs/decisions/023): only their Homes are refreshed when a
 * request changes, so a change costs no `views.publish` for people who never look.
 */
export interface HomeViewers {
  /** Remembers that a person opened their Home (epoch ms). */
  opened(userId: string, atMs: number): Promise<void>;
  /** The people who opened their Home since `sinceMs` (epoch ms). */
  since(sinceMs: number): Promise<string[]>;
}
