import type { AnyMiddlewareArgs, App } from "@slack/bolt";
import { type Locale, localeFrom } from "../../core/messages/message.js";
import type { Directory } from "../../core/ports/directory.port.js";
import { defaultLocale, withLocale, withSettlingLocale } from "./reader-locale.js";

/** A private answer waits this long at most for a slow locale lookup, then uses the configured language. */
const LOOKUP_BUDGET_MS = 500;
/**
 * What a listener (whose ack may carry words) waits for a cold lookup before it runs in the
 * configured language; the reader's language takes over as soon as the lookup answers. A cached
 * answer comes at once.
 */
const ACK_BUDGET_MS = 100;

/** Who sent a command, a click, a view submission or an event (`app_home_opened`). */
export function senderOf(body: unknown): string | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const b = body as Record<string, unknown>;
  if (typeof b.user_id === "string") return b.user_id;
  const user = b.user;
  if (typeof user === "object" && user !== null && typeof (user as { id?: unknown }).id === "string")
    return (user as { id: string }).id;
  const event = b.event;
  if (typeof event === "object" && event !== null && typeof (event as { user?: unknown }).user === "string")
    return (event as { user: string }).user;
  return undefined;
}

/**
 * Lookups in flight, per directory and user: a burst of one person's commands (or a first burst
 * after start-up) waits on one users.info call, not one each.
 */
const inFlight = new WeakMap<Directory, Map<string, Promise<string | undefined>>>();

function lookUpOnce(directory: Directory, userId: string): Promise<string | undefined> {
  let mine = inFlight.get(directory);
  if (!mine) {
    mine = new Map();
    inFlight.set(directory, mine);
  }
  const pending = mine.get(userId);
  if (pending) return pending;
  const lookup = (directory.userLocale?.(userId) ?? Promise.resolve(undefined))
    .catch(() => undefined)
    .finally(() => mine.delete(userId));
  mine.set(userId, lookup);
  return lookup;
}

/** The reader's language: their Slack locale (users.info, cached), else the configured one. */
export async function readerLocale(directory: Directory, userId: string | undefined): Promise<Locale> {
  const fallback = defaultLocale();
  if (!userId || !directory.userLocale) return fallback;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), LOOKUP_BUDGET_MS);
  });
  const locale = await Promise.race([lookUpOnce(directory, userId), late]);
  clearTimeout(timer);
  return localeFrom(locale, fallback);
}

/**
 * Every listener runs in its sender's language: what it answers privately (ephemeral replies,
 * modals, the App Home) reads in that person's Slack locale. Posts to the channel choose the
 * configured language themselves (the notifier).
 */
export function registerReaderLocale(app: App, directory: Directory): void {
  app.use(async (args: AnyMiddlewareArgs & { next: () => Promise<void> }) => {
    const userId = senderOf(args.body);
    const fallback = defaultLocale();
    if (!userId || !directory.userLocale) return withLocale(fallback, args.next);
    const lookup = lookUpOnce(directory, userId).then((locale) => localeFrom(locale, fallback));
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), ACK_BUDGET_MS);
    });
    const early = await Promise.race([lookup, late]);
    clearTimeout(timer);
    if (early) return withLocale(early, args.next);
    await withSettlingLocale(fallback, lookup, args.next);
  });
}
