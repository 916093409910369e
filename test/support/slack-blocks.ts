/** Reading what the bot rendered, as a person would: which buttons a message offers. */
type Block = { type?: string; elements?: Array<{ type?: string; action_id?: string; value?: string }> };

export function buttonValue(
  message: { blocks?: unknown[] } | undefined,
  actionId: string,
): string | undefined {
  for (const block of (message?.blocks ?? []) as Block[]) {
    for (const element of block.elements ?? []) if (element.action_id === actionId) return element.value;
  }
  return undefined;
}

export function hasButtons(message: { blocks?: unknown[] } | undefined): boolean {
  return ((message?.blocks ?? []) as Block[]).some((b) =>
    (b.elements ?? []).some((e) => e.type === "button"),
  );
}
