/**
 * Slack's documented limits (Block Kit reference: blocks, block elements, composition objects;
 * chat.postMessage). A message that breaks one is refused with `invalid_blocks` — or a modal
 * silently fails to open — so every builder clips to these, and the emulator enforces the same.
 * `clip` and `clipList` here are the adapter's only clipping helpers.
 */
export const SLACK_LIMITS = {
  sectionText: 3000,
  fieldText: 2000,
  fields: 10,
  headerText: 150,
  contextElements: 10,
  contextText: 3000,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  placeholder: 150,
  optionText: 75,
  optionValue: 150,
  options: 100,
  inputLabel: 2000,
  inputHint: 2000,
  modalTitle: 24,
  modalButton: 24,
  privateMetadata: 3000,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  messageBlocks: 50,
  viewBlocks: 100,
  messageText: 40_000,
} as const;

/**
 * Cuts `value` to at most `max` characters, ending with `…` so the cut shows. Never splits an
 * escape (`&amp;`), a piece of markup (`<@U123>`, `<https://…|label>`) or a surrogate pair: what
 * is left is still valid mrkdwn. A cut mid-word goes back to the last space when one is near.
 * `plain` is for plain_text objects, where `&` and `<` are literal characters, not markup.
 */
export function clip(value: string, max: number, format: "mrkdwn" | "plain" = "mrkdwn"): string {
  if (value.length <= max) return value;
  if (max <= 1) return max === 1 ? "…" : "";
  let cut = value.slice(0, max - 1);
  // Mid-word: back to the last space if that loses little (a long run without spaces is cut as is).
  if (/\S/.test(value.charAt(cut.length)) && /\S$/.test(cut)) {
    const space = cut.search(/\s\S*$/);
    if (space >= 0 && cut.length - space <= 20) cut = cut.slice(0, space);
  }
  if (format === "mrkdwn") {
    const amp = cut.lastIndexOf("&");
    if (amp >= 0 && !cut.slice(amp).includes(";")) cut = cut.slice(0, amp);
    const open = cut.lastIndexOf("<");
    if (open >= 0 && open > cut.lastIndexOf(">")) cut = cut.slice(0, open);
  }
  const last = cut.charCodeAt(cut.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
  return `${cut.trimEnd()}…`;
}

/** Keeps at most `max` items, the last one saying how many were left out. */
export function clipList<T>(items: readonly T[], max: number, more: (left: number) => T): T[] {
  if (items.length <= max) return [...items];
  if (max <= 0) return [];
  return [...items.slice(0, max - 1), more(items.length - max + 1)];
}
