/**
 * Block Kit validation: the documented limits (`BLOCK_KIT_LIMITS`), text objects, duplicate ids and
 * button fields, so a test fails where real Slack would refuse the message or view. Messages follow
 * Slack's `"<problem> [json-pointer:/blocks/0/text]"` form. Unknown block and element types pass.
 */

export type BlockCheck = { ok: true } | { ok: false; error: string; messages: string[] };

/**
 * Every limit the emulator enforces, in one table. Values are the maxima Slack documents (a value
 * at the limit is accepted, one over is refused), from the Block Kit reference:
 * https://docs.slack.dev/reference/block-kit/blocks (blocks, block_id),
 * https://docs.slack.dev/reference/block-kit/block-elements (buttons, selects, inputs, action_id),
 * https://docs.slack.dev/reference/block-kit/composition-objects (option, confirmation dialog),
 * https://docs.slack.dev/reference/views (modal and home surfaces) and
 * https://docs.slack.dev/reference/methods/chat.postMessage (`text`, 40,000 → `msg_too_long`).
 */
export const BLOCK_KIT_LIMITS = {
  /** top-level `text` of a message; longer → `msg_too_long` */
  messageText: 40_000,
  messageBlocks: 50,
  /** modal and home views */
  viewBlocks: 100,
  blockId: 255,
  actionId: 255,
  sectionText: 3000,
  sectionFields: 10,
  sectionFieldText: 2000,
  headerText: 150,
  contextElements: 10,
  actionsElements: 25,
  inputLabel: 2000,
  inputHint: 2000,
  buttonText: 75,
  buttonValue: 2000,
  buttonUrl: 3000,
  placeholder: 150,
  optionText: 75,
  optionValue: 150,
  optionDescription: 75,
  /** static / multi static select: `options`, and `option_groups` */
  selectOptions: 100,
  checkboxOptions: 10,
  radioOptions: 10,
  overflowOptions: 5,
  modalTitle: 24,
  modalSubmit: 24,
  modalClose: 24,
  privateMetadata: 3000,
  callbackId: 255,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
} as const;

const L = BLOCK_KIT_LIMITS;

/** Option limits per element type (elements not listed carry no `options`). */
const OPTION_LIMITS: Readonly<Record<string, number>> = {
  static_select: L.selectOptions,
  multi_static_select: L.selectOptions,
  checkboxes: L.checkboxOptions,
  radio_buttons: L.radioOptions,
  overflow: L.overflowOptions,
};
/** Elements whose option text may be mrkdwn; in selects and overflow menus it is plain_text only. */
const MRKDWN_OPTION_ELEMENTS = new Set(["checkboxes", "radio_buttons"]);

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Checks `blocks` of chat.postMessage / chat.update / postEphemeral / response_url bodies. */
export function checkMessageBlocks(blocks: unknown): BlockCheck {
  if (!Array.isArray(blocks)) {
    return { ok: false, error: "invalid_blocks_format", messages: ["[ERROR] blocks must be a JSON array"] };
  }
  const problems: string[] = [];
  checkBlockList(blocks, "/blocks", L.messageBlocks, problems);
  return toCheck("invalid_blocks", problems);
}

/**
 * Checks a view of views.open / views.push / views.update / views.publish. Slack answers these
 * with `invalid_arguments` (not `invalid_blocks`) and the same json-pointer messages.
 */
export function checkView(
  view: unknown,
  allowed: ReadonlyArray<"modal" | "home"> = ["modal", "home"],
): BlockCheck {
  const problems: string[] = [];
  if (!isRecord(view)) {
    return { ok: false, error: "invalid_arguments", messages: ["[ERROR] view must be a JSON object"] };
  }
  if (!allowed.includes(view.type as "modal" | "home")) {
    problems.push(`must be one of ${allowed.join(", ")} [json-pointer:/view/type]`);
  }
  if (view.type === "modal") {
    checkText(view.title, "/view/title", L.modalTitle, problems, { plainOnly: true });
    if (view.submit !== undefined)
      checkText(view.submit, "/view/submit", L.modalSubmit, problems, { plainOnly: true });
    if (view.close !== undefined)
      checkText(view.close, "/view/close", L.modalClose, problems, { plainOnly: true });
  }
  checkMaxString(view.private_metadata, "/view/private_metadata", L.privateMetadata, problems);
  checkMaxString(view.callback_id, "/view/callback_id", L.callbackId, problems);
  if (!Array.isArray(view.blocks)) {
    problems.push("must provide an array [json-pointer:/view/blocks]");
  } else {
    checkBlockList(view.blocks, "/view/blocks", L.viewBlocks, problems);
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
    }
    checkMaxString(block.block_id, `${at}/block_id`, L.blockId, problems);
    checkBlock(block, at, problems);
  });
}

function checkBlock(block: Record<string, unknown>, at: string, problems: string[]): void {
  switch (block.type) {
    case "section": {
      if (block.text === undefined && block.fields === undefined) {
        problems.push(`must provide text or fields [json-pointer:${at}]`);
      }
      if (block.text !== undefined) checkText(block.text, `${at}/text`, L.sectionText, problems);
      if (block.fields !== undefined) {
        if (!Array.isArray(block.fields) || block.fields.length > L.sectionFields) {
          problems.push(
            `must be an array of no more than ${L.sectionFields} items [json-pointer:${at}/fields]`,
          );
        } else {
          block.fields.forEach((field, i) => {
            checkText(field, `${at}/fields/${i}`, L.sectionFieldText, problems);
          });
        }
      }
      if (block.accessory !== undefined) checkElement(block.accessory, `${at}/accessory`, problems);
      return;
    }
    case "header":
      checkText(block.text, `${at}/text`, L.headerText, problems, { plainOnly: true });
      return;
    case "context":
      checkElementList(block.elements, `${at}/elements`, L.contextElements, problems, false);
      return;
    case "actions":
      checkElementList(block.elements, `${at}/elements`, L.actionsElements, problems, true);
      return;
    case "input":
      checkText(block.label, `${at}/label`, L.inputLabel, problems, { plainOnly: true });
      if (block.hint !== undefined)
        checkText(block.hint, `${at}/hint`, L.inputHint, problems, { plainOnly: true });
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
  checkMaxString(element.action_id, `${at}/action_id`, L.actionId, problems);
  if (element.type === "button") {
    checkText(element.text, `${at}/text`, L.buttonText, problems, { plainOnly: true });
    checkMaxString(element.value, `${at}/value`, L.buttonValue, problems);
    checkMaxString(element.url, `${at}/url`, L.buttonUrl, problems);
    if (element.style !== undefined && element.style !== "primary" && element.style !== "danger") {
      problems.push(`must be one of primary, danger [json-pointer:${at}/style]`);
    }
  }
  if (element.placeholder !== undefined) {
    checkText(element.placeholder, `${at}/placeholder`, L.placeholder, problems, { plainOnly: true });
  }
  const optionLimit = OPTION_LIMITS[element.type];
  if (optionLimit !== undefined) checkOptions(element, at, optionLimit, problems);
  if (element.confirm !== undefined) checkConfirm(element.confirm, `${at}/confirm`, problems);
}

/** `options` (or a select's `option_groups`) of a select, overflow menu, checkboxes or radio buttons. */
function checkOptions(element: Record<string, unknown>, at: string, limit: number, problems: string[]): void {
  const plainOnly = !MRKDWN_OPTION_ELEMENTS.has(String(element.type));
  const checkList = (options: unknown, pointer: string) => {
    if (!Array.isArray(options)) {
      problems.push(`must provide an array [json-pointer:${pointer}]`);
      return;
    }
    if (options.length > limit)
      problems.push(`no more than ${limit} items allowed [json-pointer:${pointer}]`);
    options.forEach((option, i) => {
      checkOption(option, `${pointer}/${i}`, problems, plainOnly);
    });
  };
  if (element.options !== undefined) checkList(element.options, `${at}/options`);
  if (Array.isArray(element.option_groups)) {
    if (element.option_groups.length > L.selectOptions) {
      problems.push(`no more than ${L.selectOptions} items allowed [json-pointer:${at}/option_groups]`);
    }
    element.option_groups.forEach((group, g) => {
      if (isRecord(group)) checkList(group.options, `${at}/option_groups/${g}/options`);
    });
  }
}

function checkOption(option: unknown, at: string, problems: string[], plainOnly: boolean): void {
  if (!isRecord(option)) {
    problems.push(`must provide an object [json-pointer:${at}]`);
    return;
  }
  checkText(option.text, `${at}/text`, L.optionText, problems, { plainOnly });
  checkMaxString(option.value, `${at}/value`, L.optionValue, problems);
  if (option.description !== undefined) {
    checkText(option.description, `${at}/description`, L.optionDescription, problems, { plainOnly: true });
  }
}

function checkConfirm(confirm: unknown, at: string, problems: string[]): void {
  if (!isRecord(confirm)) {
    problems.push(`must provide an object [json-pointer:${at}]`);
    return;
  }
  checkText(confirm.title, `${at}/title`, L.confirmTitle, problems, { plainOnly: true });
  checkText(confirm.text, `${at}/text`, L.confirmText, problems);
  checkText(confirm.confirm, `${at}/confirm`, L.confirmButton, problems, { plainOnly: true });
  checkText(confirm.deny, `${at}/deny`, L.confirmButton, problems, { plainOnly: true });
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
