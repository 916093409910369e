import type { WebClient } from "@slack/web-api";
import type { Directory } from "../../core/ports/directory.port.js";

const CACHE_MS = 5 * 60_000;
const LOCALE_CACHE_MS = 60 * 60_000;

/** Slack user group membership, cached briefly so a burst of clicks costs one lookup. */
export class SlackDirectory implements Directory {
  private readonly cache = new Map<string, { members: string[]; until: number }>();
  /** users.info answers (Tier 4), kept as briefly: every new card looks up the same approvers. */
  private readonly users = new Map<string, { state: "active" | "deleted" | "not_found"; until: number }>();

  /** Each reader's locale: it changes rarely, and every private answer would otherwise cost a call. */
  private readonly locales = new Map<string, { locale: string | undefined; until: number }>();

  constructor(private readonly client: WebClient) {}

  async userLocale(userId: string): Promise<string | undefined> {
    const cached = this.locales.get(userId);
    if (cached && cached.until > Date.now()) return cached.locale;
    try {
      await this.userState(userId, true);
    } catch {
      // Unknown language is not a reason to refuse an answer: the configured language is used.
      this.locales.set(userId, { locale: undefined, until: Date.now() + LOCALE_CACHE_MS });
    }
    return this.locales.get(userId)?.locale;
  }

  async usergroupMembers(usergroupId: string): Promise<string[]> {
    const cached = this.cache.get(usergroupId);
    if (cached && cached.until > Date.now()) return cached.members;
    const result = await this.client.usergroups.users.list({ usergroup: usergroupId });
    const members = result.users ?? [];
    this.cache.set(usergroupId, { members, until: Date.now() + CACHE_MS });
    return members;
  }

  async userState(userId: string, fresh = false): Promise<"active" | "deleted" | "not_found"> {
    const cached = this.users.get(userId);
    if (!fresh && cached && cached.until > Date.now()) return cached.state;
    const state = await this.lookUpUser(userId);
    this.users.set(userId, { state, until: Date.now() + CACHE_MS });
    return state;
  }

  private async lookUpUser(userId: string): Promise<"active" | "deleted" | "not_found"> {
    try {
      // One call answers both questions: whether the user is still here, and their language.
      const result = await this.client.users.info({ user: userId, include_locale: true });
      const locale = typeof result.user?.locale === "string" ? result.user.locale : undefined;
      this.locales.set(userId, { locale, until: Date.now() + LOCALE_CACHE_MS });
      return result.user?.deleted ? "deleted" : "active";
    } catch (err) {
      if ((err as { data?: { error?: string } }).data?.error === "user_not_found") return "not_found";
      throw err;
    }
  }
}
