/**
 * A small subset of Slack's Block Kit validation: the limits our cards and modals could plausibly
 * break (counts, lengths, text objects, duplicate ids, button fields). Messages follow Slack's
 * `"<problem> [json-pointer:/blocks/0/text]"` form. Unknown block and element types pass.
 */

export type BlockCheck = { ok: true } | { ok: false; error: string; messages: string[] };

const messageBlockLimit = 50;
const viewBlockLimit = 100;

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Checks `blocks` of chat.postMessage / chat.update / postEphemeral / response_url bodies. */
export function checkMessageBlocks(blocks: unknown): BlockCheck {
  if (!Array.isArray(blocks)) {
    return { ok: false, error: "invalid_blocks_format", messages: ["[ERROR] blocks must be a JSON array"] };
  }
  const problems: string[] = [];
  checkBlockList(blocks, "/blocks", messageBlockLimit, problems);
  return toCheck("invalid_blocks", problems);
}

/** Checks a view of views.open / views.update / views.push. */
export function checkView(view: unknown): BlockCheck {
  const problems: string[] = [];
  if (!isRecord(view)) {
    return { ok: false, error: "invalid_arguments", messages: ["[ERROR] view must be a JSON object"] };
  }
  if (view.type !== "modal" && view.type !== "home") {
    problems.push(`must be one of modal, home [json-pointer:/view/type]`);
  }
  if (view.type === "modal") {
    checkText(view.title, "/view/title", 24, problems, { plainOnly: true });
    if (view.submit !== undefined) checkText(view.submit, "/view/submit", 24, problems, { plainOnly: true });
    if (view.close !== undefined) checkText(view.close, "/view/close", 24, problems, { plainOnly: true });
  }
  checkMaxString(view.private_metadata, "/view/private_metadata", 3000, problems);
  checkMaxString(view.callback_id, "/view/callback_id", 255, problems);
  if (!Array.isArray(view.blocks)) {
    problems.push("must provide an array [json-pointer:/view/blocks]");
  } else {
    checkBlockList(view.blocks, "/view/blocks", viewBlockLimit, problems);
  }
  return toCheck("invalid_arguments", problems);
}

function toCheck(error: string, problems: string[]): BlockCheck {
  if (problems.length === 0) return { ok: true };
  return { ok: false, error, messages: problems.map((p) => `[ERROR] ${p}`) };
}

function checkBlockList(blocks: unknown[], pointer: string, limit: number, problems: string[]): void {
  if (blocks.length > limit) problems.push(`no more than ${limit} items allowed [json-pointer:${pointer}]`);
  const blockIds = new Set<string>();
  blocks.forEach((block, index) => {
    const at = `${pointer}/${index}`;
    if (!isRecord(block) || typeof block.type !== "string") {
      problems.push(`must provide an object with a string type [json-pointer:${at}]`);
      return;
    }
    if (typeof block.block_id === "string") {
      if (blockIds.has(block.block_id)) problems.push(`duplicate block_id [json-pointer:${at}/block_id]`);
      blockIds.add(block.block_id);
      checkMaxString(block.block_id, `${at}/block_id`, 255, problems);
    }
    checkBlock(block, at, problems);
  });
}

function checkBlock(block: Record<string, unknown>, at: string, problems: string[]): void {
  switch (block.type) {
    case "section": {
      if (block.text === undefined && block.fields === undefined) {
        problems.push(`must provide text or fields [json-pointer:${at}]`);
      }
      if (block.text !== undefined) checkText(block.text, `${at}/text`, 3000, problems);
      if (block.fields !== undefined) {
        if (!Array.isArray(block.fields) || block.fields.length > 10) {
          problems.push(`must be an array of no more than 10 items [json-pointer:${at}/fields]`);
        } else {
          block.fields.forEach((field, i) => {
            checkText(field, `${at}/fields/${i}`, 2000, problems);
          });
        }
      }
      if (block.accessory !== undefined) checkElement(block.accessory, `${at}/accessory`, problems);
      return;
    }
    case "header":
      checkText(block.text, `${at}/text`, 150, problems, { plainOnly: true });
      return;
    case "context":
      checkElementList(block.elements, `${at}/elements`, 10, problems, false);
      return;
    case "actions":
      checkElementList(block.elements, `${at}/elements`, 25, problems, true);
      return;
    case "input":
      checkText(block.label, `${at}/label`, 2000, problems, { plainOnly: true });
      if (block.element === undefined) problems.push(`must provide an element [json-pointer:${at}/element]`);
      else checkElement(block.element, `${at}/element`, problems);
      return;
    default:
      return;
  }
}

function checkElementList(
  elements: unknown,
  at: string,
  limit: number,
  problems: string[],
  interactive: boolean,
): void {
  if (!Array.isArray(elements) || elements.length === 0) {
    problems.push(`must provide a non-empty array [json-pointer:${at}]`);
    return;
  }
  if (elements.length > limit) problems.push(`no more than ${limit} items allowed [json-pointer:${at}]`);
  const actionIds = new Set<string>();
  elements.forEach((element, i) => {
    if (!interactive) return;
    checkElement(element, `${at}/${i}`, problems);
    if (isRecord(element) && typeof element.action_id === "string") {
      if (actionIds.has(element.action_id)) {
        problems.push(`duplicate action_id [json-pointer:${at}/${i}/action_id]`);
      }
      actionIds.add(element.action_id);
    }
  });
}

function checkElement(element: unknown, at: string, problems: string[]): void {
  if (!isRecord(element) || typeof element.type !== "string") {
    problems.push(`must provide an object with a string type [json-pointer:${at}]`);
    return;
  }
  checkMaxString(element.action_id, `${at}/action_id`, 255, problems);
  if (element.type === "button") {
    checkText(element.text, `${at}/text`, 75, problems, { plainOnly: true });
    checkMaxString(element.value, `${at}/value`, 2000, problems);
    checkMaxString(element.url, `${at}/url`, 3000, problems);
    if (element.style !== undefined && element.style !== "primary" && element.style !== "danger") {
      problems.push(`must be one of primary, danger [json-pointer:${at}/style]`);
    }
  }
  if (element.confirm !== undefined) checkConfirm(element.confirm, `${at}/confirm`, problems);
}

function checkConfirm(confirm: unknown, at: string, problems: string[]): void {
  if (!isRecord(confirm)) {
    problems.push(`must provide an object [json-pointer:${at}]`);
    return;
  }
  checkText(confirm.title, `${at}/title`, 100, problems, { plainOnly: true });
  checkText(confirm.text, `${at}/text`, 300, problems);
  checkText(confirm.confirm, `${at}/confirm`, 30, problems, { plainOnly: true });
  checkText(confirm.deny, `${at}/deny`, 30, problems, { plainOnly: true });
}

function checkText(
  value: unknown,
  at: string,
  maxLength: number,
  problems: string[],
  opts: { plainOnly?: boolean } = {},
): void {
  if (!isRecord(value)) {
    problems.push(`must provide a text object [json-pointer:${at}]`);
    return;
  }
  const allowed = opts.plainOnly ? ["plain_text"] : ["plain_text", "mrkdwn"];
  if (typeof value.type !== "string" || !allowed.includes(value.type)) {
    problems.push(`must be one of ${allowed.join(", ")} [json-pointer:${at}/type]`);
  }
  if (typeof value.text !== "string" || value.text.length === 0) {
    problems.push(`must be more than 0 characters [json-pointer:${at}/text]`);
  } else if (value.text.length > maxLength) {
    problems.push(`must be less than ${maxLength + 1} characters [json-pointer:${at}/text]`);
  }
}

function checkMaxString(value: unknown, at: string, maxLength: number, problems: string[]): void {
  if (value === undefined) return;
  if (typeof value !== "string") problems.push(`must be a string [json-pointer:${at}]`);
  else if (value.length > maxLength) {
    problems.push(`must be less than ${maxLength + 1} characters [json-pointer:${at}]`);
  }
}
