import {
  DESTINATION_ALIAS,
  MAX_SNAPSHOT_NAME_LENGTH,
  POLICY_ID,
  REGION,
  REQUEST_ID,
  SNAPSHOT_ID,
  UIN,
} from "./ids.js";
import { code, type Text, text, tr } from "./messages/message.js";
import { findNearest } from "./nearest-word.js";

/** The `/snapshot` command grammar (README, "Commands"): pure parsing, no configuration, no I/O. */
export type ListScope = "mine" | "pending" | "active" | "all";

export type SnapshotCommand =
  | { kind: "replicate"; snapshotId: string; destination: string; newName?: string; region?: string }
  | { kind: "check"; snapshotId: string; destination: string; region?: string }
  | { kind: "auto"; policyId: string; destination: string; region?: string }
  | { kind: "auto-list" }
  | { kind: "auto-ledger"; policyId: string }
  | { kind: "status"; requestId: string }
  | { kind: "list"; scope: ListScope }
  | { kind: "cancel"; requestId: string }
  | { kind: "accounts" }
  | { kind: "help" };

export interface CommandError {
  /** Namespaced code, stable for tests and logs. */
  code: string;
  /** What was wrong, in words a person can act on, in both languages. */
  message: Text;
  /** The correct form of the command the person was attempting. */
  usage: string;
}

export type ParseResult = { ok: true; command: SnapshotCommand } | { ok: false; error: CommandError };

export const USAGE = {
  replicate: '/snapshot replicate <snap-id> to <destination> [as "<new name>"] [in <region>]',
  check: "/snapshot check <snap-id> to <destination> [in <region>]",
  auto: "/snapshot auto <asp-id> to <destination> [in <region>]  ·  /snapshot auto list  ·  /snapshot auto ledger <asp-id>",
  status: "/snapshot status <request-id>",
  list: "/snapshot list [mine|pending|active|all]",
  cancel: "/snapshot cancel <request-id>",
  accounts: "/snapshot accounts",
  help: "/snapshot help",
} as const;

export const ALL_USAGE = Object.values(USAGE).join("\n");

/** The words that start a command (`copy` is replicate's other name). */
export const VERBS = [
  "replicate",
  "copy",
  "check",
  "auto",
  "status",
  "list",
  "cancel",
  "accounts",
  "help",
] as const;
const AUTO_WORDS = ["list", "ledger"] as const;
const LIST_SCOPES: readonly ListScope[] = ["mine", "pending", "active", "all"];

/**
 * Hyphens that look like `-` (‐ ‑ ‒ – — ― −, full-width －, small ﹣): phones and word processors
 * put them in pasted ids and aliases. Ids, aliases, regions and keywords never contain them, so
 * they are read as `-`; a quoted new name keeps them.
 */
const LOOKALIKE_HYPHENS = /[\u2010-\u2015\u2212\uff0d\ufe63\ufe58]/g;

/** An unquoted word as the person meant it: look-alike hyphens as `-`, full-width letters as ASCII. */
export function normalizeWord(word: string): string {
  return word.replace(LOOKALIKE_HYPHENS, "-").normalize("NFKC").replace(LOOKALIKE_HYPHENS, "-");
}

/** The first character of `raw` that is not plain ASCII, named so the person can retype it. */
export function describeOddCharacter(raw: string): Text | undefined {
  const odd = [...raw].find((ch) => (ch.codePointAt(0) ?? 0) > 0x7e || (ch.codePointAt(0) ?? 0) < 0x20);
  if (odd === undefined) return undefined;
  const point = `U+${(odd.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`;
  if (new RegExp(LOOKALIKE_HYPHENS.source).test(odd))
    return text`${tr(text`${code(raw)} has a Unicode hyphen (${point}); type ${code("-")}. `, text`${code(raw)} 含有形似 ${code("-")} 的连字符（${point}），请输入 ${code("-")}。`)}`;
  return text`${tr(text`${code(raw)} has the character ${code(odd)} (${point}), which is not part of a name or id; type it with plain letters, digits and ${code("-")}. `, text`${code(raw)} 含有字符 ${code(odd)}（${point}），名称和 ID 中不能包含它，请只用英文字母、数字和 ${code("-")} 输入。`)}`;
}

/** "Did you mean `replicate`?" when a known word is one edit away from what was typed. */
export function didYouMean(typed: string, known: readonly string[]): Text | undefined {
  const near = findNearest(typed.toLowerCase(), known);
  if (near.length === 0) return undefined;
  const options = near.map((w) => [code(w)]);
  const en = options.length === 1 ? (options[0] ?? []) : joinOr(options, " or ");
  const zh = options.length === 1 ? (options[0] ?? []) : joinOr(options, " 或 ");
  return text`${tr(text` Did you mean ${en}?`, text`你是想输入 ${zh} 吗？`)}`;
}

function joinOr(options: readonly Text[], or: string): Text {
  const out: Text[] = [];
  options.forEach((o, i) => {
    if (i > 0) out.push([i === options.length - 1 ? or : ", "]);
    out.push(o);
  });
  return out.flat();
}

/** Both languages of one message. */
const say = (en: Text | string, zh: Text | string): Text => [tr(en, zh)];

type Token = { text: string; quoted: boolean };

const OPENING_QUOTES = new Set(['"', "\u201c", "\u201d", "\u201e"]);
const CLOSING_QUOTES = new Set(['"', "\u201c", "\u201d"]);

/** Slack escapes &, < and > in command text; names must reach Tencent as the person typed them. */
function decodeSlackEscapes(text: string): string {
  return text.replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&amp;", "&");
}

function tokenize(input: string): { ok: true; tokens: Token[] } | { ok: false; error: "unbalanced" } {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const ch = input.charAt(i);
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (OPENING_QUOTES.has(ch)) {
      let j = i + 1;
      while (j < input.length && !CLOSING_QUOTES.has(input.charAt(j))) j++;
      if (j >= input.length) return { ok: false, error: "unbalanced" };
      tokens.push({ text: input.slice(i + 1, j), quoted: true });
      i = j + 1;
      continue;
    }
    let j = i;
    while (j < input.length && !/\s/.test(input.charAt(j)) && !OPENING_QUOTES.has(input.charAt(j))) j++;
    tokens.push({ text: normalizeWord(input.slice(i, j)), quoted: false });
    i = j;
  }
  return { ok: true, tokens };
}

function fail(name: string, message: Text, usage: string): ParseResult {
  return { ok: false, error: { code: `command.${name}`, message, usage } };
}

const isKeyword = (t: Token | undefined, word: string) => !!t && !t.quoted && t.text.toLowerCase() === word;

/** `raw` is not the id or name it should be: name an odd character first, then what it should look like. */
const notA = (raw: string, en: Text, zh: Text): Text =>
  text`${describeOddCharacter(raw)}${tr(text`${code(raw)} ${en}`, text`${code(raw)} ${zh}`)}`;

function checkSnapshotId(raw: string | undefined, usage: string): ParseResult | string {
  if (!raw)
    return fail(
      "missing_snapshot",
      say("Which snapshot? The snapshot id is missing.", "哪个快照？缺少快照 ID。"),
      usage,
    );
  const id = normalizeWord(raw).toLowerCase();
  if (!SNAPSHOT_ID.test(id)) {
    return fail(
      "invalid_snapshot",
      notA(
        raw,
        text`is not a snapshot id: it looks like ${code("snap-")} followed by 8 letters or digits (e.g. ${code("snap-abc12345")}).`,
        text`不是快照 ID：快照 ID 由 ${code("snap-")} 加 8 位字母或数字组成（例如 ${code("snap-abc12345")}）。`,
      ),
      usage,
    );
  }
  return id;
}

function checkDestination(t: Token | undefined, usage: string): ParseResult | string {
  if (!t)
    return fail(
      "missing_destination",
      say(
        text`Copy to which account? Name a destination after ${code("to")}.`,
        text`复制到哪个账号？请在 ${code("to")} 后写目标账号。`,
      ),
      usage,
    );
  const raw = t.text.trim();
  const normalized = normalizeWord(raw);
  if (UIN.test(normalized)) return normalized;
  const alias = normalized.toLowerCase();
  if (DESTINATION_ALIAS.test(alias)) return alias;
  return fail(
    "invalid_destination",
    notA(
      raw,
      text`is not a destination: use a configured alias (like ${code("dr-prod")}) or an account UIN of 5–20 digits (see ${code("/snapshot accounts")}).`,
      text`不是目标账号：请使用已配置的别名（如 ${code("dr-prod")}）或 5–20 位数字的账号 UIN（见 ${code("/snapshot accounts")}）。`,
    ),
    usage,
  );
}

interface Options {
  newName?: string;
  region?: string;
}

/** Parses the optional `as "<name>"` and `in <region>` clauses, in either order, each at most once. */
function parseOptions(rest: Token[], allowName: boolean, usage: string): ParseResult | Options {
  const options: Options = {};
  let i = 0;
  while (i < rest.length) {
    const t = rest[i] as Token;
    if (allowName && isKeyword(t, "as")) {
      if (options.newName !== undefined)
        return fail("duplicate_name", say("The new name is given twice.", "新名称写了两次。"), usage);
      const nameToken = rest[i + 1];
      if (!nameToken)
        return fail(
          "missing_name",
          say(
            text`A new name must follow ${code("as")}, in quotes: ${code('as "db-backup"')}.`,
            text`${code("as")} 后面要跟新名称，并加引号：${code('as "db-backup"')}。`,
          ),
          usage,
        );
      const name = decodeSlackEscapes(nameToken.text).trim();
      if (name.length === 0) return fail("empty_name", say("The new name is empty.", "新名称为空。"), usage);
      if (name.length > MAX_SNAPSHOT_NAME_LENGTH) {
        return fail(
          "name_too_long",
          say(
            `The new name has ${name.length} characters; Tencent Cloud allows at most ${MAX_SNAPSHOT_NAME_LENGTH}.`,
            `新名称有 ${name.length} 个字符，腾讯云最多允许 ${MAX_SNAPSHOT_NAME_LENGTH} 个。`,
          ),
          usage,
        );
      }
      // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what we refuse
      if (/[\u0000-\u001f\u007f]/.test(name)) {
        return fail(
          "invalid_name",
          say("The new name contains control characters.", "新名称包含控制字符。"),
          usage,
        );
      }
      options.newName = name;
      i += 2;
      continue;
    }
    if (isKeyword(t, "in")) {
      if (options.region !== undefined)
        return fail("duplicate_region", say("The region is given twice.", "地域写了两次。"), usage);
      const regionToken = rest[i + 1];
      if (!regionToken)
        return fail(
          "missing_region",
          say(
            text`A region must follow ${code("in")}, e.g. ${code("in ap-guangzhou")}.`,
            text`${code("in")} 后面要跟地域，例如 ${code("in ap-guangzhou")}。`,
          ),
          usage,
        );
      const region = normalizeWord(regionToken.text).toLowerCase();
      if (!REGION.test(region)) {
        return fail(
          "invalid_region",
          notA(
            regionToken.text,
            text`is not a region name (e.g. ${code("ap-guangzhou")}).`,
            text`不是地域名称（例如 ${code("ap-guangzhou")}）。`,
          ),
          usage,
        );
      }
      options.region = region;
      i += 2;
      continue;
    }
    if (!allowName && isKeyword(t, "as")) {
      return fail(
        "unexpected_name",
        say(
          text`This command does not take a new name (${code("as …")}).`,
          text`此命令不接受新名称（${code("as …")}）。`,
        ),
        usage,
      );
    }
    const allowedEn = allowName
      ? text`${code('as "<new name>"')} and ${code("in <region>")}`
      : [code("in <region>")];
    const allowedZh = allowName
      ? text`${code('as "<new name>"')} 和 ${code("in <region>")}`
      : [code("in <region>")];
    return fail(
      "unexpected_word",
      text`${tr(
        text`I did not understand ${code(t.text)}: after the destination only ${allowedEn} may follow.`,
        text`无法理解 ${code(t.text)}：目标账号后面只能跟 ${allowedZh}。`,
      )}${t.quoted ? undefined : didYouMean(t.text, allowName ? ["as", "in"] : ["in"])}`,
      usage,
    );
  }
  return options;
}

/** `<verb> <id> to <destination> …`: the shape shared by replicate, check and auto. */
function parseTransfer(
  tokens: Token[],
  usage: string,
): ParseResult | { id: string; destination: string; rest: Token[] } {
  const [idToken, toToken, destToken, ...rest] = tokens;
  if (idToken && isKeyword(idToken, "to")) {
    return fail(
      "missing_snapshot",
      say(text`The id is missing before ${code("to")}.`, text`${code("to")} 前缺少 ID。`),
      usage,
    );
  }
  if (!toToken) {
    if (!idToken)
      return fail(
        "missing_arguments",
        say("This command needs an id and a destination.", "此命令需要一个 ID 和一个目标账号。"),
        usage,
      );
    return fail(
      "missing_to",
      say(
        text`Say where to copy it: ${code("to <destination>")}.`,
        text`请说明复制到哪里：${code("to <destination>")}。`,
      ),
      usage,
    );
  }
  if (!isKeyword(toToken, "to")) {
    const before = code(idToken?.text ?? "");
    return fail(
      "missing_to",
      text`${tr(
        text`Expected ${code("to")} after ${before}, found ${code(toToken.text)}.`,
        text`${before} 后面应该是 ${code("to")}，但写的是 ${code(toToken.text)}。`,
      )}${toToken.quoted ? undefined : didYouMean(toToken.text, ["to"])}`,
      usage,
    );
  }
  const destination = checkDestination(destToken, usage);
  if (typeof destination !== "string") return destination;
  return { id: idToken?.text ?? "", destination, rest };
}

const notPolicy = (raw: string) =>
  notA(
    raw,
    text`is not a scheduled snapshot policy id: it looks like ${code("asp-")} followed by 8 letters or digits.`,
    text`不是定期快照策略 ID：策略 ID 由 ${code("asp-")} 加 8 位字母或数字组成。`,
  );

const notUnderstood = (word: string) =>
  say(text`I did not understand ${code(word)}.`, text`无法理解 ${code(word)}。`);

/** Parses the text after `/snapshot`. Never throws: every input gets a command or a helpful error. */
export function parseSnapshotCommand(input: string): ParseResult {
  const tokenized = tokenize(decodeSlackEscapes(input ?? ""));
  if (!tokenized.ok)
    return fail(
      "unbalanced_quote",
      say("I could not read that: a quote is opened but never closed.", "无法读取：有一个引号没有闭合。"),
      ALL_USAGE,
    );
  const [verbToken, ...args] = tokenized.tokens;
  if (!verbToken) return { ok: true, command: { kind: "help" } };
  const verb = verbToken.quoted ? "" : verbToken.text.toLowerCase();

  switch (verb) {
    case "replicate":
    case "copy": {
      const transfer = parseTransfer(args, USAGE.replicate);
      if ("ok" in transfer) return transfer;
      const snapshotId = checkSnapshotId(transfer.id, USAGE.replicate);
      if (typeof snapshotId !== "string") return snapshotId;
      const options = parseOptions(transfer.rest, true, USAGE.replicate);
      if ("ok" in options) return options;
      return {
        ok: true,
        command: { kind: "replicate", snapshotId, destination: transfer.destination, ...options },
      };
    }
    case "check": {
      const transfer = parseTransfer(args, USAGE.check);
      if ("ok" in transfer) return transfer;
      const snapshotId = checkSnapshotId(transfer.id, USAGE.check);
      if (typeof snapshotId !== "string") return snapshotId;
      const options = parseOptions(transfer.rest, false, USAGE.check);
      if ("ok" in options) return options;
      return {
        ok: true,
        command: { kind: "check", snapshotId, destination: transfer.destination, ...options },
      };
    }
    case "auto": {
      if (isKeyword(args[0], "list")) {
        if (args.length > 1)
          return fail(
            "unexpected_word",
            say(
              text`${code("auto list")} takes nothing after it.`,
              text`${code("auto list")} 后面不能再跟内容。`,
            ),
            USAGE.auto,
          );
        return { ok: true, command: { kind: "auto-list" } };
      }
      if (isKeyword(args[0], "ledger")) {
        const [, idToken, extra] = args;
        if (!idToken)
          return fail(
            "missing_policy",
            say(
              text`Which policy? Give its id, like ${code("asp-abc12345")}.`,
              text`哪个策略？请给出策略 ID，例如 ${code("asp-abc12345")}。`,
            ),
            USAGE.auto,
          );
        const policyId = normalizeWord(idToken.text).toLowerCase();
        if (!POLICY_ID.test(policyId)) return fail("invalid_policy", notPolicy(idToken.text), USAGE.auto);
        if (extra) return fail("unexpected_word", notUnderstood(extra.text), USAGE.auto);
        return { ok: true, command: { kind: "auto-ledger", policyId } };
      }
      const sub = args[0];
      // `auto lsit`, `auto ledgr`: a sub-command one edit away, not a policy id.
      const near =
        sub && !sub.quoted && !/^asp-/i.test(sub.text) ? didYouMean(sub.text, AUTO_WORDS) : undefined;
      if (sub && near)
        return fail(
          "unknown_command",
          text`${tr(text`${code(`auto ${sub.text}`)} is not a command.`, text`${code(`auto ${sub.text}`)} 不是命令。`)}${near}`,
          USAGE.auto,
        );
      const transfer = parseTransfer(args, USAGE.auto);
      if ("ok" in transfer) return transfer;
      const policyId = normalizeWord(transfer.id).toLowerCase();
      if (!POLICY_ID.test(policyId)) return fail("invalid_policy", notPolicy(transfer.id), USAGE.auto);
      const options = parseOptions(transfer.rest, false, USAGE.auto);
      if ("ok" in options) return options;
      return { ok: true, command: { kind: "auto", policyId, destination: transfer.destination, ...options } };
    }
    case "status":
    case "cancel": {
      const usage = USAGE[verb];
      const [idToken, extra] = args;
      if (!idToken)
        return fail(
          "missing_request",
          say(
            text`Which request? Give its id, like ${code("rq-7f3a9c")}.`,
            text`哪个申请？请给出申请 ID，例如 ${code("rq-7f3a9c")}。`,
          ),
          usage,
        );
      const requestId = normalizeWord(idToken.text).toLowerCase();
      if (!REQUEST_ID.test(requestId)) {
        return fail(
          "invalid_request",
          notA(
            idToken.text,
            text`is not a request id (they look like ${code("rq-7f3a9c")}).`,
            text`不是申请 ID（申请 ID 形如 ${code("rq-7f3a9c")}）。`,
          ),
          usage,
        );
      }
      if (extra) return fail("unexpected_word", notUnderstood(extra.text), usage);
      return { ok: true, command: { kind: verb, requestId } };
    }
    case "list": {
      const [scopeToken, extra] = args;
      const scope = (scopeToken?.text.toLowerCase() ?? "mine") as ListScope;
      if (!LIST_SCOPES.includes(scope)) {
        return fail(
          "invalid_scope",
          text`${tr(
            text`${code(scopeToken?.text ?? "")} is not a list: use ${code("mine")}, ${code("pending")}, ${code("active")} or ${code("all")}.`,
            text`${code(scopeToken?.text ?? "")} 不是列表名称：请使用 ${code("mine")}、${code("pending")}、${code("active")} 或 ${code("all")}。`,
          )}${didYouMean(scopeToken?.text ?? "", LIST_SCOPES)}`,
          USAGE.list,
        );
      }
      if (extra) return fail("unexpected_word", notUnderstood(extra.text), USAGE.list);
      return { ok: true, command: { kind: "list", scope } };
    }
    case "accounts":
    case "help": {
      if (args[0])
        return fail(
          "unexpected_word",
          say(text`${code(verb)} takes nothing after it.`, text`${code(verb)} 后面不能再跟内容。`),
          USAGE[verb],
        );
      return { ok: true, command: { kind: verb } };
    }
    default: {
      if (verbToken.text.toLowerCase().startsWith("snap-")) {
        const example = code(`replicate ${verbToken.text} to dr-prod`);
        return fail(
          "unknown_command",
          say(text`Start with what to do, e.g. ${example}.`, text`请先写要做什么，例如 ${example}。`),
          ALL_USAGE,
        );
      }
      return fail(
        "unknown_command",
        text`${tr(
          text`I do not know the command ${code(verbToken.text)}.`,
          text`没有 ${code(verbToken.text)} 这个命令。`,
        )}${verbToken.quoted ? undefined : didYouMean(verbToken.text, VERBS)}`,
        ALL_USAGE,
      );
    }
  }
}

/** The names the configuration knows: destination aliases and UINs, the source's regions. */
export interface KnownNames {
  destinations: readonly string[];
  accountUins: readonly string[];
  regions: readonly string[];
}

/**
 * After parsing: a destination or region that is not configured but one edit away from one that
 * is (`dr-prd`, `ap-guangzou`) is answered "did you mean …" at once, before anything is looked up.
 * Anything further away is left to the flow, which lists what is configured.
 */
export function checkConfiguredNames(command: SnapshotCommand, known: KnownNames): CommandError | undefined {
  if (command.kind !== "replicate" && command.kind !== "check" && command.kind !== "auto") return undefined;
  const usage = USAGE[command.kind];
  const { destination, region } = command;
  if (!known.destinations.includes(destination) && !known.accountUins.includes(destination)) {
    const near = didYouMean(destination, [...known.destinations, ...known.accountUins]);
    if (near)
      return {
        code: "command.unknown_destination",
        message: text`${tr(
          text`${code(destination)} is not a configured destination.`,
          text`${code(destination)} 不是已配置的目标账号。`,
        )}${near}`,
        usage,
      };
  }
  if (region !== undefined && known.regions.length > 0 && !known.regions.includes(region)) {
    const near = didYouMean(region, known.regions);
    if (near)
      return {
        code: "command.unknown_region",
        message: text`${tr(
          text`${code(region)} is not one of the source account's configured regions.`,
          text`${code(region)} 不是源账号已配置的地域。`,
        )}${near}`,
        usage,
      };
  }
  return undefined;
}
