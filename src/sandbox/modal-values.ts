import { z } from "zod";

const option = z.object({ text: z.object({ type: z.string(), text: z.string() }), value: z.string() });
const inputBlock = z.object({
  type: z.literal("input"),
  block_id: z.string(),
  element: z
    .object({ type: z.string(), action_id: z.string(), options: z.array(option).optional() })
    .passthrough(),
});
const viewBlocks = z.object({ blocks: z.array(z.unknown()) });

/**
 * Turns what the person typed or picked in a modal (one string per input block, by block id) into the
 * `view.state.values` Slack sends with a `view_submission`, shaped per element type.
 */
export function buildViewStateValues(
  view: Record<string, unknown>,
  typed: Readonly<Record<string, string>>,
): Record<string, Record<string, Record<string, unknown>>> {
  const parsed = viewBlocks.safeParse(view);
  if (!parsed.success) return {};
  const values: Record<string, Record<string, Record<string, unknown>>> = {};
  for (const raw of parsed.data.blocks) {
    const block = inputBlock.safeParse(raw);
    if (!block.success) continue;
    const { block_id: blockId, element } = block.data;
    const text = typed[blockId] ?? "";
    const picked = text === "" ? null : text;
    let state: Record<string, unknown>;
    switch (element.type) {
      case "conversations_select":
        state = { type: element.type, selected_conversation: picked };
        break;
      case "channels_select":
        state = { type: element.type, selected_channel: picked };
        break;
      case "users_select":
        state = { type: element.type, selected_user: picked };
        break;
      case "static_select": {
        const chosen = element.options?.find((o) => o.value === text);
        state = { type: element.type, selected_option: chosen ?? null };
        break;
      }
      default:
        state = { type: element.type, value: picked };
    }
    values[blockId] = { [element.action_id]: state };
  }
  return values;
}
