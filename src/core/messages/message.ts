/**
 * The platform-neutral message model (docs/decisions/014). Flows and kinds say *what* to tell
 * people in these parts; a chat adapter decides how it looks. Only the adapter escapes, formats and
 * clips, so no text from a person or the cloud can become markup (a snapshot named `<!channel>`
 * pings nobody) and a second chat platform needs no change here.
 */

/** One piece of a line. A bare string is literal text, shown exactly as it is. */
export type Inline =
  | string
  | { readonly kind: "mention"; readonly userId: string }
  | { readonly kind: "conversation"; readonly id: string }
  | { readonly kind: "group"; readonly id: string }
  | { readonly kind: "code"; readonly text: string }
  | { readonly kind: "strong"; readonly text: string }
  | { readonly kind: "link"; readonly url: string; readonly label: string }
  /** A moment, shown in the reader's own time zone where the platform can. */
  | { readonly kind: "time"; readonly at: string }
  /** The same words in each language the bot speaks; the adapter shows the reader's (decision 022). */
  | { readonly kind: "tr"; readonly en: Text; readonly zh: Text };

/** The languages the bot speaks: English and Simplified Chinese. */
export type Locale = "en" | "zh-CN";
export const LOCALES: readonly Locale[] = ["en", "zh-CN"];

/** A short label (button, header, field name, dialog title): plain words, perhaps in two languages. */
export type Label = string | Text;

/** A run of inline parts; `\n` in a literal starts a new line. */
export type Text = readonly Inline[];

/** `again`: ask again for a failed request, with the same inputs (a new request, a fresh card). */
export type ActionId = "approve" | "reject" | "recheck" | "again";

export interface Action {
  readonly id: ActionId;
  readonly label: Label;
  /** What the click carries back (a request id, a Re-check payload). */
  readonly value: string;
  readonly style?: "primary" | "danger";
  readonly confirm?: {
    readonly title: Label;
    readonly text: Text;
    readonly yes: Label;
    readonly no: Label;
  };
}

export type Block =
  | { readonly type: "header"; readonly text: Label }
  | { readonly type: "section"; readonly text: Text }
  | { readonly type: "fields"; readonly fields: readonly { readonly label: Label; readonly value: Text }[] }
  /** Small print under a message: one entry per fact. */
  | { readonly type: "context"; readonly items: readonly Text[] }
  /** Preformatted text (a policy document), never interpreted. */
  | { readonly type: "code"; readonly title?: Text; readonly text: string }
  | { readonly type: "actions"; readonly id: string; readonly actions: readonly Action[] };

export interface Message {
  /** The message in one line or paragraph: the notification text, and what a reader without blocks sees. */
  readonly text: Text;
  readonly blocks?: readonly Block[];
}

export const mention = (userId: string): Inline => ({ kind: "mention", userId });
export const conversation = (id: string): Inline => ({ kind: "conversation", id });
export const group = (id: string): Inline => ({ kind: "group", id });
export const code = (text: string): Inline => ({ kind: "code", text });
export const strong = (text: string): Inline => ({ kind: "strong", text });
export const link = (url: string, label: string): Inline => ({ kind: "link", url, label });
export const time = (at: string): Inline => ({ kind: "time", at });

/**
 * Words in English and Simplified Chinese, side by side where they are written so neither is
 * forgotten: `tr(text\`Approved by ${who}\`, text\`已由 ${who} 批准\`)`. Names, ids and policy
 * documents interpolated into both stay exactly as they are.
 */
export const tr = (en: Text | string, zh: Text | string): Inline => ({
  kind: "tr",
  en: typeof en === "string" ? plain(en) : en,
  zh: typeof zh === "string" ? plain(zh) : zh,
});

/** One language's words from a bilingual part, for code that must choose itself. */
export function pick<T>(locale: Locale, en: T, zh: T): T {
  return locale === "zh-CN" ? zh : en;
}

/** Slack's `locale` ("en-US", "zh-CN", "zh-TW", "ja-JP") as one of ours: any Chinese reads zh-CN. */
export function localeFrom(value: string | undefined, fallback: Locale): Locale {
  if (!value) return fallback;
  const lower = value.toLowerCase();
  if (lower.startsWith("zh")) return "zh-CN";
  if (lower.startsWith("en")) return "en";
  return fallback;
}

type Interpolated = Inline | Text | number | undefined | null | false;

/**
 * Builds Text from a template: literals and interpolated strings stay literal text, parts stay
 * parts, nested Text is spliced in, and `undefined` / `null` / `false` vanish (for optional bits).
 */
export function text(literals: TemplateStringsArray, ...values: Interpolated[]): Text {
  const out: Inline[] = [];
  literals.forEach((literal, i) => {
    if (literal) out.push(literal);
    if (i < values.length) out.push(...toInlines(values[i]));
  });
  return compact(out);
}

function toInlines(value: Interpolated): Inline[] {
  if (value === undefined || value === null || value === false) return [];
  if (typeof value === "number") return [String(value)];
  if (Array.isArray(value)) return [...(value as Text)];
  return [value as Inline];
}

/** Joins texts with a separator (`", "`, `"\n"`). */
export function joinText(parts: readonly Text[], separator: string): Text {
  const out: Inline[] = [];
  parts.forEach((part, i) => {
    if (i > 0) out.push(separator);
    out.push(...part);
  });
  return compact(out);
}

/** Plain text for logs, audit details and tests: parts as a reader would say them. */
export function toPlainText(value: Text, locale: Locale = "en"): string {
  return value
    .map((part): string => {
      if (typeof part === "string") return part;
      switch (part.kind) {
        case "mention":
          return `@${part.userId}`;
        case "conversation":
          return `#${part.id}`;
        case "group":
          return `@${part.id}`;
        case "code":
        case "strong":
          return part.text;
        case "link":
          return part.label;
        case "time":
          return part.at;
        case "tr":
          return toPlainText(pick(locale, part.en, part.zh), locale);
      }
      return "";
    })
    .join("");
}

/** Merges neighbouring literals: smaller messages, and tests that read them stay simple. */
function compact(parts: Inline[]): Text {
  const out: Inline[] = [];
  for (const part of parts) {
    const last = out[out.length - 1];
    if (typeof part === "string" && typeof last === "string") out[out.length - 1] = last + part;
    else if (part !== "") out.push(part);
  }
  return out;
}

export function plain(value: string): Text {
  return value ? [value] : [];
}

/** Words as stored: Text, or a plain English string on records written before two languages. */
export function asText(value: Text | string | undefined): Text {
  if (value === undefined) return [];
  return typeof value === "string" ? plain(value) : value;
}

/** A label as plain words in one language. */
export function labelText(value: Label, locale: Locale = "en"): string {
  return typeof value === "string" ? value : toPlainText(value, locale);
}
