/**
 * Slack's documented limits (Block Kit reference: blocks, block elements, composition objects;
 * chat.postMessage). A message that breaks one is refused with `invalid_blocks` — or a modal
 * silently fails to open — so every builder clips to these, and the emulator enforces the same.
 */
export const SLACK_LIMITS = {
  sectionText: 3000,
  fieldText: 2000,
  fields: 10,
  headerText: 150,
  contextElements: 10,
  contextText: 3000,
  buttonText: 75,
  buttonValue: 2000,
  placeholder: 150,
  optionText: 75,
  options: 100,
  modalTitle: 24,
  confirmTitle: 100,
  confirmText: 300,
  messageBlocks: 50,
  viewBlocks: 100,
  messageText: 40_000,
} as const;

/** Cuts `value` to `max` characters, marking the cut, without splitting an escape like `&amp;`. */
export function clip(value: string, max: number): string {
  if (value.length <= max) return value;
  let cut = value.slice(0, Math.max(0, max - 1));
  const amp = cut.lastIndexOf("&");
  if (amp >= 0 && !cut.slice(amp).includes(";")) cut = cut.slice(0, amp);
  return `${cut}…`;
}

/** Keeps at most `max` items, the last one saying how many were left out. */
export function clipList<T>(items: readonly T[], max: number, more: (left: number) => T): T[] {
  if (items.length <= max) return [...items];
  return [...items.slice(0, max - 1), more(items.length - max + 1)];
}
