import {
  DESTINATION_ALIAS,
  MAX_SNAPSHOT_NAME_LENGTH,
  POLICY_ID,
  REGION,
  REQUEST_ID,
  SNAPSHOT_ID,
  UIN,
} from "./ids.js";

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
  /** What was wrong, in words a person can act on. */
  message: string;
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

type Token = { text: string; quoted: boolean };

const OPENING_QUOTES = new Set(['"', "\u201c", "\u201d", "\u201e"]);
const CLOSING_QUOTES = new Set(['"', "\u201c", "\u201d"]);

/** Slack escapes &, < and > in command text; names must reach Tencent as the person typed them. */
function decodeSlackEscapes(text: string): string {
  return text.replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&amp;", "&");
}

function tokenize(input: string): { ok: true; tokens: Token[] } | { ok: false; error: string } {
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
      if (j >= input.length) return { ok: false, error: "a quote is opened but never closed" };
      tokens.push({ text: input.slice(i + 1, j), quoted: true });
      i = j + 1;
      continue;
    }
    let j = i;
    while (j < input.length && !/\s/.test(input.charAt(j)) && !OPENING_QUOTES.has(input.charAt(j))) j++;
    tokens.push({ text: input.slice(i, j), quoted: false });
    i = j;
  }
  return { ok: true, tokens };
}

function fail(code: string, message: string, usage: string): ParseResult {
  return { ok: false, error: { code: `command.${code}`, message, usage } };
}

const isKeyword = (t: Token | undefined, word: string) => !!t && !t.quoted && t.text.toLowerCase() === word;

function checkSnapshotId(raw: string | undefined, usage: string): ParseResult | string {
  if (!raw) return fail("missing_snapshot", "Which snapshot? The snapshot id is missing.", usage);
  const id = raw.toLowerCase();
  if (!SNAPSHOT_ID.test(id)) {
    return fail(
      "invalid_snapshot",
      `\`${raw}\` is not a snapshot id: it looks like \`snap-\` followed by 8 letters or digits (e.g. \`snap-abc12345\`).`,
      usage,
    );
  }
  return id;
}

function checkDestination(t: Token | undefined, usage: string): ParseResult | string {
  if (!t) return fail("missing_destination", "Copy to which account? Name a destination after `to`.", usage);
  const raw = t.text.trim();
  if (UIN.test(raw)) return raw;
  const alias = raw.toLowerCase();
  if (DESTINATION_ALIAS.test(alias)) return alias;
  return fail(
    "invalid_destination",
    `\`${raw}\` is not a destination: use a configured alias (like \`dr-prod\`) or an account UIN of 5–20 digits (see \`/snapshot accounts\`).`,
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
      if (options.newName !== undefined) return fail("duplicate_name", "The new name is given twice.", usage);
      const nameToken = rest[i + 1];
      if (!nameToken)
        return fail("missing_name", 'A new name must follow `as`, in quotes: `as "db-backup"`.', usage);
      const name = decodeSlackEscapes(nameToken.text).trim();
      if (name.length === 0) return fail("empty_name", "The new name is empty.", usage);
      if (name.length > MAX_SNAPSHOT_NAME_LENGTH) {
        return fail(
          "name_too_long",
          `The new name has ${name.length} characters; Tencent Cloud allows at most ${MAX_SNAPSHOT_NAME_LENGTH}.`,
          usage,
        );
      }
      // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what we refuse
      if (/[\u0000-\u001f\u007f]/.test(name)) {
        return fail("invalid_name", "The new name contains control characters.", usage);
      }
      options.newName = name;
      i += 2;
      continue;
    }
    if (isKeyword(t, "in")) {
      if (options.region !== undefined) return fail("duplicate_region", "The region is given twice.", usage);
      const regionToken = rest[i + 1];
      if (!regionToken)
        return fail("missing_region", "A region must follow `in`, e.g. `in ap-guangzhou`.", usage);
      const region = regionToken.text.toLowerCase();
      if (!REGION.test(region)) {
        return fail(
          "invalid_region",
          `\`${regionToken.text}\` is not a region name (e.g. \`ap-guangzhou\`).`,
          usage,
        );
      }
      options.region = region;
      i += 2;
      continue;
    }
    if (!allowName && isKeyword(t, "as")) {
      return fail("unexpected_name", "This command does not take a new name (`as …`).", usage);
    }
    const allowed = allowName ? '`as "<new name>"` and `in <region>`' : "`in <region>`";
    return fail(
      "unexpected_word",
      `I did not understand \`${t.text}\`: after the destination only ${allowed} may follow.`,
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
    return fail("missing_snapshot", "The id is missing before `to`.", usage);
  }
  if (!toToken) {
    if (!idToken) return fail("missing_arguments", "This command needs an id and a destination.", usage);
    return fail("missing_to", "Say where to copy it: `to <destination>`.", usage);
  }
  if (!isKeyword(toToken, "to")) {
    return fail(
      "missing_to",
      `Expected \`to\` after \`${idToken?.text ?? ""}\`, found \`${toToken.text}\`.`,
      usage,
    );
  }
  const destination = checkDestination(destToken, usage);
  if (typeof destination !== "string") return destination;
  return { id: idToken?.text ?? "", destination, rest };
}

/** Parses the text after `/snapshot`. Never throws: every input gets a command or a helpful error. */
export function parseSnapshotCommand(text: string): ParseResult {
  const tokenized = tokenize(decodeSlackEscapes(text ?? ""));
  if (!tokenized.ok) return fail("unbalanced_quote", `I could not read that: ${tokenized.error}.`, ALL_USAGE);
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
          return fail("unexpected_word", "`auto list` takes nothing after it.", USAGE.auto);
        return { ok: true, command: { kind: "auto-list" } };
      }
      if (isKeyword(args[0], "ledger")) {
        const [, idToken, extra] = args;
        if (!idToken)
          return fail("missing_policy", "Which policy? Give its id, like `asp-abc12345`.", USAGE.auto);
        const policyId = idToken.text.toLowerCase();
        if (!POLICY_ID.test(policyId)) {
          return fail(
            "invalid_policy",
            `\`${idToken.text}\` is not a scheduled snapshot policy id: it looks like \`asp-\` followed by 8 letters or digits.`,
            USAGE.auto,
          );
        }
        if (extra) return fail("unexpected_word", `I did not understand \`${extra.text}\`.`, USAGE.auto);
        return { ok: true, command: { kind: "auto-ledger", policyId } };
      }
      const transfer = parseTransfer(args, USAGE.auto);
      if ("ok" in transfer) return transfer;
      const policyId = transfer.id.toLowerCase();
      if (!POLICY_ID.test(policyId)) {
        return fail(
          "invalid_policy",
          `\`${transfer.id}\` is not a scheduled snapshot policy id: it looks like \`asp-\` followed by 8 letters or digits.`,
          USAGE.auto,
        );
      }
      const options = parseOptions(transfer.rest, false, USAGE.auto);
      if ("ok" in options) return options;
      return { ok: true, command: { kind: "auto", policyId, destination: transfer.destination, ...options } };
    }
    case "status":
    case "cancel": {
      const usage = USAGE[verb];
      const [idToken, extra] = args;
      if (!idToken) return fail("missing_request", "Which request? Give its id, like `rq-7f3a9c`.", usage);
      const requestId = idToken.text.toLowerCase();
      if (!REQUEST_ID.test(requestId)) {
        return fail(
          "invalid_request",
          `\`${idToken.text}\` is not a request id (they look like \`rq-7f3a9c\`).`,
          usage,
        );
      }
      if (extra) return fail("unexpected_word", `I did not understand \`${extra.text}\`.`, usage);
      return { ok: true, command: { kind: verb, requestId } };
    }
    case "list": {
      const [scopeToken, extra] = args;
      const scope = (scopeToken?.text.toLowerCase() ?? "mine") as ListScope;
      if (!["mine", "pending", "active", "all"].includes(scope)) {
        return fail(
          "invalid_scope",
          `\`${scopeToken?.text}\` is not a list: use mine, pending, active or all.`,
          USAGE.list,
        );
      }
      if (extra) return fail("unexpected_word", `I did not understand \`${extra.text}\`.`, USAGE.list);
      return { ok: true, command: { kind: "list", scope } };
    }
    case "accounts":
    case "help": {
      if (args[0]) return fail("unexpected_word", `\`${verb}\` takes nothing after it.`, USAGE[verb]);
      return { ok: true, command: { kind: verb } };
    }
    default:
      return fail(
        "unknown_command",
        verbToken.text.startsWith("snap-")
          ? `Start with what to do, e.g. \`replicate ${verbToken.text} to dr-prod\`.`
          : `I do not know the command \`${verbToken.text}\`.`,
        ALL_USAGE,
      );
  }
}
