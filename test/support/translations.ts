import { expect } from "vitest";
import { withLocale } from "../../src/adapters/chat-slack/reader-locale.js";
import type { Locale } from "../../src/core/messages/message.js";

/**
 * Checks for a message rendered in both languages (issue 13): the Chinese rendering is Chinese, no
 * English sentence is left in it, and neither shows a raw ISO time or an internal state name.
 */

/** Words that stay as they are in Chinese: product names, API words, units a Chinese SRE reads as is. */
const KEPT_WORDS = new Set(
  [
    "CBS",
    "CAM",
    "Tencent",
    "Cloud",
    "Slack",
    "API",
    "JSON",
    "NORMAL",
    "ISOLATED",
    "UIN",
    "UTC",
    "ID",
    "RPO",
    "Home",
    "App",
    "SecretId",
    "SecretKey",
    "AssumeRole",
    "cvm",
    "cam",
    "sts",
    "PassRole",
    "QcloudCVMFullAccess",
    "regions",
    "snapshot",
    "replicate",
    "help",
    "check",
    "status",
    "cancel",
    "auto",
    "link",
    "unlink",
    "accounts",
    "ledger",
    "to",
    "as",
    "in",
    "share",
    "true",
    "false",
    "date",
    "time",
    "short",
    "pretty",
    "and",
  ].map((w) => w.toLowerCase()),
);

/** Internal names a person should never read: lifecycle states and step ids as the code spells them. */
export const INTERNAL_NAMES =
  /\b(awaiting_approval|outcome_unknown|awaiting_visibility|copy\.outcome_unknown|is already (checking|copying|verifying|sharing|linking|confirming))\b/;

const ISO_TIME = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?Z?/;

/** Renders `build` in a locale (the renderer reads the reader's locale from the scope). */
export function renderIn<T>(locale: Locale, build: () => T): T {
  return withLocale(locale, build);
}

/** All the text a person could read in a rendered value (strings anywhere in it). */
export function readableText(value: unknown): string {
  const out: string[] = [];
  const walk = (v: unknown, key?: string) => {
    if (typeof v === "string") {
      // Ids and values a click carries back are not read by anyone.
      if (
        key === "action_id" ||
        key === "block_id" ||
        key === "value" ||
        key === "callback_id" ||
        key === "type" ||
        key === "style" ||
        key === "url" ||
        key === "private_metadata"
      )
        return;
      out.push(v);
    } else if (Array.isArray(v)) {
      for (const x of v) walk(x);
    } else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) walk(x, k);
  };
  walk(value);
  return out.join("\n");
}

/**
 * English words left in a Chinese rendering: words of three letters or more that are not values
 * the test interpolated (`values`: names, ids, aliases), not ids, not Slack markup, not kept words.
 */
export function untranslatedWords(rendered: string, values: readonly string[] = []): string[] {
  let rest = rendered
    .replace(/<!date\^[^>]*>/g, " ")
    .replace(/<[@#!][^>]*>/g, " ")
    .replace(/<https?:[^|>]*\|?/g, " ")
    .replace(/```[\s\S]*?```/g, " ")
    .replace(/`[^`]*`/g, " ")
    .replace(/https?:\/\/\S+/g, " ")
    // CAM action names (`cvm:CopySnapshotCrossAccount`) are the same in every language.
    .replace(/\b[a-z]+:[A-Za-z*]+/g, " ");
  for (const v of [...values].sort((a, b) => b.length - a.length)) if (v) rest = rest.split(v).join(" ");
  const words = rest.match(/[A-Za-z][A-Za-z'-]{2,}/g) ?? [];
  return words.filter(
    (w) =>
      !KEPT_WORDS.has(w.toLowerCase()) && !/^(snap|rq|asp|ap|dr|sp|req)-/.test(w) && !/^[A-Z0-9_]+$/.test(w),
  );
}

/**
 * The message-level checks of issue 13 for one message builder: rendered in English and in Chinese,
 * the Chinese has Chinese in it and no English words outside `values`, and neither has a raw ISO
 * time or an internal state name.
 */
export function expectBothLanguages(
  build: () => unknown,
  values: readonly string[] = [],
): { en: string; zh: string } {
  const en = readableText(renderIn("en", build));
  const zh = readableText(renderIn("zh-CN", build));
  for (const [name, rendered] of [
    ["en", en],
    ["zh-CN", zh],
  ] as const) {
    const withoutDates = rendered.replace(/<!date\^[^>]*>/g, "");
    expect(withoutDates, `${name}: raw ISO time`).not.toMatch(ISO_TIME);
    expect(rendered, `${name}: internal state name`).not.toMatch(INTERNAL_NAMES);
  }
  expect(zh, "zh-CN rendering has no Chinese").toMatch(/[\u4e00-\u9fff]/);
  expect(untranslatedWords(zh, values), `untranslated in zh-CN:\n${zh}`).toEqual([]);
  return { en, zh };
}
