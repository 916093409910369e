import { AsyncLocalStorage } from "node:async_hooks";
import type { Locale } from "../../core/messages/message.js";

/**
 * The language of whoever will read what is being rendered (decision 022). Set once where the
 * reader is known — an inbound request (its user's Slack locale), a channel post (the configured
 * language) — and read by the renderer and by builders that choose words themselves, so the
 * locale need not be threaded through every builder's arguments.
 */
const scope = new AsyncLocalStorage<{ locale: Locale }>();
let fallback: Locale = "en";

export function withLocale<T>(locale: Locale, fn: () => T): T {
  return scope.run({ locale }, fn);
}

/**
 * Runs `fn` in `initial` and switches to what `later` says once it knows: an ack is not held for a
 * cold users.info lookup, and whatever is rendered after the lookup (the command's answer, a modal)
 * is in the reader's own language.
 */
export function withSettlingLocale<T>(initial: Locale, later: Promise<Locale>, fn: () => T): T {
  const holder = { locale: initial };
  later.then(
    (locale) => {
      holder.locale = locale;
    },
    () => undefined,
  );
  return scope.run(holder, fn);
}

export function currentLocale(): Locale {
  return scope.getStore()?.locale ?? fallback;
}

/** The configured language: what a channel reads, and a reader whose locale is unknown. */
export function setDefaultLocale(locale: Locale): void {
  fallback = locale;
}

export function defaultLocale(): Locale {
  return fallback;
}

/** Words in the current reader's language, for builders that write mrkdwn themselves. */
export function say(en: string, zh: string): string {
  return currentLocale() === "zh-CN" ? zh : en;
}
