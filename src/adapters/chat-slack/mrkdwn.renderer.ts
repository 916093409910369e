import type { types } from "@slack/bolt";
import {
  type Action,
  type Block,
  type Inline,
  type Label,
  type Locale,
  labelText,
  type Message,
  pick,
  type Text,
} from "../../core/messages/message.js";
import { currentLocale, say } from "./reader-locale.js";
import { ACTION_APPROVE, ACTION_ASK_AGAIN, ACTION_RECHECK, ACTION_REJECT } from "./slack-ids.js";
import { clip, clipList, SLACK_LIMITS } from "./slack-limits.js";

type KnownBlock = types.KnownBlock;

/**
 * The one place that turns neutral messages into Slack mrkdwn and Block Kit. Every literal is
 * escaped (`&`, `<`, `>`), so text from a person or the cloud never becomes a mention, a
 * channel ping or a link, and every piece is clipped to Slack's limits (slack-limits.ts).
 */

export function escapeMrkdwn(value: string): string {
  return value.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

/** Characters Slack reads as markup inside `code` or *bold*: the delimiter itself is dropped. */
const strip = (value: string, delimiter: string) => escapeMrkdwn(value.replaceAll(delimiter, "'"));

/**
 * A literal in a code span, as a person typed it: Slack formats nothing inside one (`*bold*`,
 * `_x_`, `~x~` stay as they are), but has no escape for the backtick that would end it, so a
 * backtick is shown as its look-alike ˋ (U+02CB) rather than as another character.
 */
const literal = (value: string) => escapeMrkdwn(value.replaceAll("`", "\u02cb"));

function renderInline(part: Inline, locale: Locale): string {
  if (typeof part === "string") return escapeMrkdwn(part);
  switch (part.kind) {
    case "mention":
      return /^[UW][A-Z0-9]+$/.test(part.userId) ? `<@${part.userId}>` : escapeMrkdwn(part.userId);
    case "conversation":
      return /^[CGD][A-Z0-9]+$/.test(part.id) ? `<#${part.id}>` : escapeMrkdwn(part.id);
    case "group":
      return /^S[A-Z0-9]+$/.test(part.id) ? `<!subteam^${part.id}>` : escapeMrkdwn(part.id);
    case "code":
      return part.text ? `\`${literal(part.text)}\`` : "";
    case "strong":
      return part.text ? `*${strip(part.text, "*")}*` : "";
    case "link":
      return /^https?:\/\/[^\s<>|]+$/.test(part.url)
        ? `<${part.url}|${escapeMrkdwn(part.label).replaceAll("|", "¦")}>`
        : escapeMrkdwn(part.label);
    case "time": {
      const ms = Date.parse(part.at);
      if (!Number.isFinite(ms)) return escapeMrkdwn(part.at);
      return `<!date^${Math.floor(ms / 1000)}^{date_short_pretty} {time}|${escapeMrkdwn(fallbackTime(ms))}>`;
    }
    case "tr":
      return pick(locale, part.en, part.zh)
        .map((p) => renderInline(p, locale))
        .join("");
  }
  return "";
}

/** What a client that cannot format dates shows: a readable UTC time, not a raw ISO string. */
function fallbackTime(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** Text as mrkdwn, clipped to `max`. */
export function renderText(
  value: Text,
  max: number = SLACK_LIMITS.messageText,
  locale: Locale = currentLocale(),
): string {
  return clip(value.map((p) => renderInline(p, locale)).join(""), max);
}

/** Text where Slack shows plain text only (headers, buttons, titles): no markup at all. */
export function renderPlain(value: Label, max: number, locale: Locale = currentLocale()): string {
  return clip(flatten(value, locale), max, "plain") || " ";
}

function flatten(value: Label, locale: Locale): string {
  if (typeof value === "string") return value;
  return value
    .map((p): string => {
      if (typeof p === "string") return p;
      switch (p.kind) {
        case "mention":
          return `@${p.userId}`;
        case "conversation":
          return `#${p.id}`;
        case "group":
          return `@${p.id}`;
        case "link":
          return p.label;
        case "time":
          return fallbackTime(Date.parse(p.at));
        case "tr":
          return flatten(pick(locale, p.en, p.zh), locale);
        default:
          return p.text;
      }
    })
    .join("");
}

/** A plain_text object (headers, buttons, titles, labels, placeholders), clipped to `max`. */
export function plainText(value: Label, max: number): types.PlainTextElement {
  return { type: "plain_text", text: renderPlain(value, max) };
}

const ACTION_IDS: Record<Action["id"], string> = {
  approve: ACTION_APPROVE,
  reject: ACTION_REJECT,
  recheck: ACTION_RECHECK,
  again: ACTION_ASK_AGAIN,
};

function renderAction(action: Action): types.Button {
  return {
    type: "button",
    action_id: ACTION_IDS[action.id],
    text: { type: "plain_text", text: renderPlain(action.label, SLACK_LIMITS.buttonText) },
    value: action.value.slice(0, SLACK_LIMITS.buttonValue),
    ...(action.style ? { style: action.style } : {}),
    ...(action.confirm
      ? {
          confirm: {
            title: { type: "plain_text", text: renderPlain(action.confirm.title, SLACK_LIMITS.confirmTitle) },
            text: { type: "mrkdwn", text: renderText(action.confirm.text, SLACK_LIMITS.confirmText) },
            confirm: {
              type: "plain_text",
              text: renderPlain(action.confirm.yes, SLACK_LIMITS.confirmButton),
            },
            deny: { type: "plain_text", text: renderPlain(action.confirm.no, SLACK_LIMITS.confirmButton) },
          },
        }
      : {}),
  };
}

/** Code blocks close with ``` — a document containing one must not end the block early. */
function renderCodeBlock(body: string, max: number): string {
  const safe = escapeMrkdwn(body.replaceAll("```", "'''"));
  return `\`\`\`${clip(safe, max - 6)}\`\`\``;
}

export function renderBlock(block: Block): KnownBlock {
  switch (block.type) {
    case "header":
      return {
        type: "header",
        text: { type: "plain_text", text: renderPlain(block.text, SLACK_LIMITS.headerText), emoji: true },
      };
    case "section":
      return {
        type: "section",
        text: { type: "mrkdwn", text: renderText(block.text, SLACK_LIMITS.sectionText) || " " },
      };
    case "fields":
      return {
        type: "section",
        fields: block.fields.slice(0, SLACK_LIMITS.fields).map((f) => ({
          type: "mrkdwn",
          text: clip(
            `*${strip(labelText(f.label, currentLocale()), "*")}*\n${renderText(f.value, SLACK_LIMITS.fieldText)}`,
            SLACK_LIMITS.fieldText,
          ),
        })),
      };
    case "context":
      return {
        type: "context",
        elements: clipList(block.items, SLACK_LIMITS.contextElements, (left) => [andMore(left)]).map(
          (item) => ({
            type: "mrkdwn",
            text: renderText(item, SLACK_LIMITS.contextText) || " ",
          }),
        ),
      };
    case "code": {
      const title = block.title ? `${renderText(block.title, 1000)}\n` : "";
      return {
        type: "section",
        text: {
          type: "mrkdwn",
          text: `${title}${renderCodeBlock(block.text, SLACK_LIMITS.sectionText - title.length)}`,
        },
      };
    }
    case "actions":
      return {
        type: "actions",
        block_id: block.id,
        elements: block.actions.slice(0, SLACK_LIMITS.actionsElements).map(renderAction),
      };
  }
}

export interface SlackMessageContent {
  text: string;
  blocks?: KnownBlock[];
}

/** A whole message: its notification text and at most 50 blocks. */
export function renderMessage(message: Message): SlackMessageContent {
  const text = renderText(message.text, SLACK_LIMITS.messageText);
  if (!message.blocks?.length) return { text };
  return { text, blocks: fitBlocks(message.blocks.map(renderBlock)) };
}

// ---- helpers for builders that assemble Block Kit themselves (prerequisites, modals) -------------

/** A section of mrkdwn the caller already rendered (every literal escaped), clipped to Slack's limit. */
export function mrkdwnSection(mrkdwn: string, blockId?: string): KnownBlock {
  return {
    type: "section",
    ...(blockId ? { block_id: blockId } : {}),
    text: { type: "mrkdwn", text: clip(mrkdwn, SLACK_LIMITS.sectionText) || " " },
  };
}

/** A context block of rendered mrkdwn elements: at most 10, the last saying how many were left out. */
export function mrkdwnContext(elements: readonly string[]): KnownBlock {
  return {
    type: "context",
    elements: clipList(elements, SLACK_LIMITS.contextElements, (left) => andMore(left)).map((e) => ({
      type: "mrkdwn",
      text: clip(e, SLACK_LIMITS.contextText) || " ",
    })),
  };
}

/**
 * Rendered items joined by `separator` within `max` characters; items that do not fit are
 * summarised by `more(left)` ("…and 12 more"), never cut mid-item.
 */
export function joinWithin(
  items: readonly string[],
  separator: string,
  max: number,
  more: (left: number) => string = andMore,
): string {
  const all = items.join(separator);
  if (all.length <= max) return all;
  let out = "";
  for (let i = 0; i < items.length; i++) {
    const next = out ? `${out}${separator}${items[i]}` : (items[i] ?? "");
    const tail = `${separator}${more(items.length - i - 1)}`;
    if (next.length + (i < items.length - 1 ? tail.length : 0) > max) {
      const summary = more(items.length - i);
      return clip(out ? `${out}${separator}${summary}` : summary, max);
    }
    out = next;
  }
  return out;
}

/**
 * Packs rendered lines (each a paragraph of mrkdwn) into as few sections as fit, at most
 * `maxBlocks`; a line longer than a section is clipped with a marker, and lines beyond the last
 * section are summarised by `more(left)` ("…and 12 more destinations").
 */
export function packSections(
  lines: readonly string[],
  options: { maxBlocks: number; more: (left: number) => string; max?: number },
): KnownBlock[] {
  const max = options.max ?? SLACK_LIMITS.sectionText;
  const pack = (items: readonly string[]) => {
    const chunks: string[] = [];
    for (const item of items.map((line) => clip(line, max))) {
      const last = chunks[chunks.length - 1];
      if (last !== undefined && last.length + 1 + item.length <= max)
        chunks[chunks.length - 1] = `${last}\n${item}`;
      else chunks.push(item);
    }
    return chunks;
  };
  if (options.maxBlocks <= 0) return [];
  for (let shown = lines.length; shown >= 0; shown--) {
    const left = lines.length - shown;
    const chunks = pack(left > 0 ? [...lines.slice(0, shown), options.more(left)] : lines);
    if (chunks.length <= options.maxBlocks) return chunks.map((chunk) => mrkdwnSection(chunk));
  }
  return [mrkdwnSection(options.more(lines.length))];
}

/**
 * At most `max` blocks (50 in a message, 100 in a modal). Buttons are kept: blocks before them
 * are shortened, one context block saying how many were left out.
 */
export function fitBlocks(
  blocks: readonly KnownBlock[],
  max: number = SLACK_LIMITS.messageBlocks,
): KnownBlock[] {
  if (blocks.length <= max) return [...blocks];
  const actions = blocks.filter((b) => b.type === "actions").slice(-Math.max(0, max - 1));
  const others = blocks.filter((b) => b.type !== "actions");
  const room = Math.max(0, max - actions.length - 1);
  const left = others.length - room;
  return [
    ...others.slice(0, room),
    {
      type: "context",
      elements: [
        { type: "mrkdwn", text: say(`…and ${left} more not shown here`, `……另有 ${left} 项未显示`) },
      ],
    },
    ...actions,
  ];
}

/** A message a builder assembled itself: the notification text and the blocks within Slack's limits. */
export function fitMessage(content: SlackMessageContent): SlackMessageContent {
  const text = clip(content.text, SLACK_LIMITS.messageText) || " ";
  return content.blocks === undefined ? { text } : { text, blocks: fitBlocks(content.blocks) };
}

/** "…and 12 more", in the reader's language. */
export function andMore(left: number): string {
  return say(`…and ${left} more`, `……另有 ${left} 项`);
}

/** Text or a message, as a message. */
export function asMessage(value: Text | Message): Message {
  return Array.isArray(value) ? { text: value as Text } : (value as Message);
}
