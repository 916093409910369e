// Slack mrkdwn → DOM nodes, minimal and safe: every piece of text becomes a text node, never HTML.
// Handles *bold*, _italic_, ~strike~, `code`, ```blocks```, <@U…> mentions, <#C…> channels,
// <!here>, <url|label> links (http, https, mailto only), and common :emoji: shortcodes.

const EMOJI = {
  hourglass_flowing_sand: "⏳",
  hourglass: "⌛",
  white_check_mark: "✅",
  heavy_check_mark: "✔️",
  mag: "🔍",
  arrows_counterclockwise: "🔄",
  large_green_circle: "🟢",
  large_yellow_circle: "🟡",
  large_orange_circle: "🟠",
  red_circle: "🔴",
  white_circle: "⚪",
  outbox_tray: "📤",
  inbox_tray: "📥",
  no_entry: "⛔",
  no_entry_sign: "🚫",
  heavy_multiplication_x: "✖️",
  x: "❌",
  alarm_clock: "⏰",
  warning: "⚠️",
  boom: "💥",
  question: "❓",
  grey_question: "❔",
  information_source: "ℹ️",
  bulb: "💡",
  rocket: "🚀",
  lock: "🔒",
  key: "🔑",
  tada: "🎉",
  clipboard: "📋",
  gear: "⚙️",
  wrench: "🔧",
  construction: "🚧",
  link: "🔗",
  eyes: "👀",
  thumbsup: "👍",
  "+1": "👍",
  arrow_right: "➡️",
  floppy_disk: "💾",
  package: "📦",
  repeat: "🔁",
  stopwatch: "⏱️",
  bell: "🔔",
  cloud: "☁️",
};

/** Replaces known :shortcodes: in plain text (unknown ones stay as typed). */
export function withEmoji(text) {
  return text.replace(/:([a-z0-9_+-]+):/g, (all, name) => EMOJI[name] ?? all);
}

function decodeEntities(text) {
  return text.replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&amp;", "&");
}

const STYLES = { "*": "strong", _: "em", "~": "del" };
const BOUNDARY = /[\s.,;:!?()[\]{}'"“”‘’/\\-]/;

function isBoundary(ch) {
  return ch === undefined || BOUNDARY.test(ch);
}

/**
 * @param {string} text Slack mrkdwn
 * @param {{ userName: (id: string) => string, channelName: (id: string) => string, onPermalink?: (channel: string, ts: string) => void }} ctx
 * @returns {DocumentFragment}
 */
export function renderMrkdwn(text, ctx) {
  const fragment = document.createDocumentFragment();
  appendInline(fragment, String(text ?? ""), ctx, 0);
  return fragment;
}

function appendInline(parent, s, ctx, depth) {
  let buffer = "";
  const flush = () => {
    if (buffer !== "") parent.append(document.createTextNode(withEmoji(decodeEntities(buffer))));
    buffer = "";
  };
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (s.startsWith("```", i)) {
      const end = s.indexOf("```", i + 3);
      if (end !== -1) {
        flush();
        const pre = document.createElement("pre");
        pre.textContent = decodeEntities(s.slice(i + 3, end).replace(/^\n/, ""));
        parent.append(pre);
        i = end + 3;
        continue;
      }
    }
    if (c === "`") {
      const end = s.indexOf("`", i + 1);
      if (end > i + 1) {
        flush();
        const code = document.createElement("code");
        code.textContent = decodeEntities(s.slice(i + 1, end));
        parent.append(code);
        i = end + 1;
        continue;
      }
    }
    if (c === "<") {
      const end = s.indexOf(">", i + 1);
      if (end > i + 1) {
        flush();
        parent.append(renderEntity(s.slice(i + 1, end), ctx));
        i = end + 1;
        continue;
      }
    }
    if (STYLES[c] && depth < 4 && isBoundary(s[i - 1])) {
      const end = findClosing(s, i, c);
      if (end !== -1) {
        flush();
        const el = document.createElement(STYLES[c]);
        appendInline(el, s.slice(i + 1, end), ctx, depth + 1);
        parent.append(el);
        i = end + 1;
        continue;
      }
    }
    buffer += c;
    i += 1;
  }
  flush();
}

/** The closing marker on the same line, not after a space, followed by a boundary. */
function findClosing(s, start, marker) {
  if (s[start + 1] === undefined || /\s/.test(s[start + 1])) return -1;
  for (let j = start + 2; j < s.length; j += 1) {
    if (s[j] === "\n") return -1;
    if (s[j] === marker && !/\s/.test(s[j - 1]) && isBoundary(s[j + 1])) return j;
  }
  return -1;
}

function span(className, text) {
  const el = document.createElement("span");
  el.className = className;
  el.textContent = text;
  return el;
}

function renderEntity(raw, ctx) {
  const bar = raw.indexOf("|");
  const target = bar === -1 ? raw : raw.slice(0, bar);
  const label = bar === -1 ? undefined : decodeEntities(raw.slice(bar + 1));
  if (target.startsWith("@"))
    return span("mention", `@${ctx.userName(target.slice(1)) ?? label ?? target.slice(1)}`);
  if (target.startsWith("#"))
    return span("channel-ref", `#${ctx.channelName(target.slice(1)) ?? label ?? target.slice(1)}`);
  if (target.startsWith("!")) {
    const special = target.slice(1);
    if (["here", "channel", "everyone"].includes(special)) return span("mention", `@${special}`);
    return document.createTextNode(label ?? special);
  }
  const href = decodeEntities(target);
  let url;
  try {
    url = new URL(href);
  } catch {
    return document.createTextNode(label ?? href);
  }
  if (!["http:", "https:", "mailto:"].includes(url.protocol)) return document.createTextNode(label ?? href);
  const a = document.createElement("a");
  a.textContent = label ?? href;
  const permalink = /\/archives\/([A-Z0-9]+)\/p(\d+)/.exec(url.pathname);
  if (permalink && ctx.onPermalink) {
    // A Slack permalink into this workspace opens the message here instead of leaving the page.
    const [, channel, digits] = permalink;
    const ts = `${digits.slice(0, -6)}.${digits.slice(-6)}`;
    const threadTs = url.searchParams.get("thread_ts") ?? ts;
    a.href = `#${channel}/${threadTs}`;
    a.addEventListener("click", (event) => {
      event.preventDefault();
      ctx.onPermalink(channel, threadTs);
    });
    return a;
  }
  a.href = url.href;
  a.target = "_blank";
  a.rel = "noopener noreferrer";
  return a;
}
