/**
 * A CAM policy evaluator (docs/decisions/005). Pure: documents in,
 * a verdict out. It reads `version 2.0` documents whose `statement` is one object or a list, with
 * `effect` allow/deny, `action` a string or a list (`name/` prefix stripped; another prefix — a
 * feature set `permid/…`, `actionName/…` — cannot be verified; `*` and `?` wildcards, case-insensitive), `resource` `*` or `qcs:<project>:<service>:<region>:<account>:<type>/<id>`
 * strings (an empty segment means all), and `condition`.
 *
 * It tells the truth rather than guess: default deny; a matching unconditional deny wins over any
 * allow; a grant that depends on something the bot cannot know (a `condition`, a resource narrower
 * than what is asked, a document it cannot read) makes the answer "cannot verify", with the reason.
 */

export type Effect = "allow" | "deny";

export interface PolicyStatement {
  /** 1-based position in the document, for messages. */
  index: number;
  effect: Effect;
  actions: string[];
  resources: string[];
  /** Present only when the statement sets a non-empty condition. */
  condition?: Record<string, unknown>;
}

export type PolicyParse = { ok: true; statements: PolicyStatement[] } | { ok: false; problem: string };

/** What is being asked: an action on a resource. Unknown parts (`region`, `resourceId`) mean "any". */
export interface ResourceTarget {
  /** e.g. "cvm" (CBS resources are authorised under the cvm service) */
  service: string;
  ownerUin: string;
  /** e.g. "snapshot", "autoSnapshotPolicy" */
  resourceType: string;
  region?: string;
  resourceId?: string;
}

export interface NamedPolicyDocument {
  name: string;
  /** The document as CAM returns it (JSON text, possibly URL-encoded). */
  document: string;
}

export interface PolicyRef {
  policyName: string;
  /** 1-based statement index */
  statement: number;
}

export type PolicyVerdict =
  | { kind: "allow"; grantedBy: PolicyRef }
  | { kind: "deny"; explicit: true; deniedBy: PolicyRef }
  | { kind: "deny"; explicit: false }
  | { kind: "cannot-verify"; reasons: string[] };

type Match = "yes" | "maybe" | "no";

/** Reads a policy document. Never throws: a malformed document is reported as `problem`. */
export function parsePolicyDocument(raw: string): PolicyParse {
  let text = raw.trim();
  // Some CAM answers URL-encode the document.
  if (/^%7B/i.test(text)) {
    try {
      text = decodeURIComponent(text);
    } catch {
      return { ok: false, problem: "the document is URL-encoded but cannot be decoded" };
    }
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (err) {
    return { ok: false, problem: `not valid JSON (${err instanceof Error ? err.message : String(err)})` };
  }
  if (!isRecord(document)) return { ok: false, problem: "the document is not a JSON object" };
  const version = field(document, "version");
  if (version === undefined) return { ok: false, problem: '"version" is missing (CAM documents are "2.0")' };
  if (String(version) !== "2.0")
    return { ok: false, problem: `version ${JSON.stringify(version)} is not supported (expected "2.0")` };
  const rawStatement = field(document, "statement");
  if (rawStatement === undefined) return { ok: false, problem: '"statement" is missing' };
  const list = Array.isArray(rawStatement) ? rawStatement : [rawStatement];
  const statements: PolicyStatement[] = [];
  for (const [i, item] of list.entries()) {
    const parsed = parseStatement(item, i + 1);
    if (typeof parsed === "string") return { ok: false, problem: parsed };
    statements.push(parsed);
  }
  return { ok: true, statements };
}

function parseStatement(item: unknown, index: number): PolicyStatement | string {
  const where = `statement ${index}`;
  if (!isRecord(item)) return `${where} is not an object`;
  const rawEffect = field(item, "effect");
  const effect = typeof rawEffect === "string" ? rawEffect.trim().toLowerCase() : undefined;
  if (effect !== "allow" && effect !== "deny")
    return `${where}: "effect" must be "allow" or "deny", not ${JSON.stringify(rawEffect ?? null)}`;
  const actions = readStringList(field(item, "action"));
  if (actions === undefined) return `${where}: "action" must be a string or a list of strings`;
  const resources = readStringList(field(item, "resource"));
  if (resources === undefined) return `${where}: "resource" must be a string or a list of strings`;
  const condition = field(item, "condition");
  if (condition !== undefined && !isRecord(condition)) return `${where}: "condition" must be an object`;
  return {
    index,
    effect,
    actions,
    resources,
    ...(condition && Object.keys(condition).length > 0 ? { condition } : {}),
  };
}

/** Evaluates one action against every policy that reaches a user (direct and through groups). */
export function evaluatePolicies(
  documents: readonly NamedPolicyDocument[],
  action: string,
  target: ResourceTarget,
): PolicyVerdict {
  let grantedBy: PolicyRef | undefined;
  const doubts: string[] = [];
  const conditionalDenies: string[] = [];
  for (const { name, document } of documents) {
    const parsed = parsePolicyDocument(document);
    if (!parsed.ok) {
      doubts.push(`policy "${name}" cannot be read: ${parsed.problem}`);
      continue;
    }
    for (const statement of parsed.statements) {
      const applies = matchStatement(statement, action, target);
      if (applies.match === "no") continue;
      const ref = { policyName: name, statement: statement.index };
      if (statement.effect === "deny") {
        if (applies.match === "yes") return { kind: "deny", explicit: true, deniedBy: ref };
        conditionalDenies.push(`policy "${name}" statement ${statement.index} may deny it ${applies.why}`);
      } else if (applies.match === "yes") {
        grantedBy ??= ref;
      } else {
        doubts.push(`policy "${name}" statement ${statement.index} allows it only ${applies.why}`);
      }
    }
  }
  if (grantedBy && conditionalDenies.length === 0 && !doubts.some(isUnreadable))
    return { kind: "allow", grantedBy };
  if (!grantedBy && doubts.length === 0) return { kind: "deny", explicit: false };
  if (grantedBy) {
    return {
      kind: "cannot-verify",
      reasons: [
        `policy "${grantedBy.policyName}" statement ${grantedBy.statement} allows it, but ${[...conditionalDenies, ...doubts.filter(isUnreadable)].join("; ")}`,
      ],
    };
  }
  return { kind: "cannot-verify", reasons: [...doubts, ...conditionalDenies] };
}

/** Convenience for one document. */
export function evaluatePolicy(
  document: string,
  action: string,
  target: ResourceTarget,
  name = "policy",
): PolicyVerdict {
  return evaluatePolicies([{ name, document }], action, target);
}

const isUnreadable = (doubt: string) => doubt.includes("cannot be read");

function matchStatement(
  statement: PolicyStatement,
  action: string,
  target: ResourceTarget,
): { match: Match; why: string } {
  let actionMatch: Match = "no";
  let unresolved = "";
  for (const pattern of statement.actions) {
    const m = matchAction(pattern, action);
    if (m === "yes") {
      actionMatch = "yes";
      break;
    }
    if (m === "maybe") {
      actionMatch = "maybe";
      unresolved ||= pattern.trim();
    }
  }
  if (actionMatch === "no") return { match: "no", why: "" };
  let best: Match = "no";
  let narrowest = "";
  for (const pattern of statement.resources) {
    const m = matchResource(pattern, target);
    if (m === "yes") {
      best = "yes";
      break;
    }
    if (m === "maybe") {
      best = "maybe";
      narrowest = pattern;
    }
  }
  if (best === "no") return { match: "no", why: "" };
  if (actionMatch === "maybe") {
    return {
      match: "maybe",
      why: `through "${unresolved}", a feature set or permission id the bot cannot expand into API actions`,
    };
  }
  if (statement.condition) {
    return { match: "maybe", why: `under the condition ${JSON.stringify(statement.condition)}` };
  }
  if (best === "maybe") return { match: "maybe", why: `for resource ${narrowest}` };
  return { match: "yes", why: "" };
}

/**
 * One action of a statement against the action asked. CAM writes an API as `name/<service>:<Action>`
 * (the prefix may be left out) and may also name a feature set or a permission id with another
 * prefix (`permid/…`, `actionName/…`): the bot cannot know which APIs those cover, so such an entry
 * may match any action ("maybe") — an allow through it cannot be verified, and a deny through it is
 * never ignored.
 */
export function matchAction(pattern: string, action: string): Match {
  const p = pattern.trim();
  const prefix = /^([A-Za-z][\w-]*)\//.exec(p);
  if (prefix) {
    if (prefix[1]?.toLowerCase() !== "name") return "maybe";
    return wildcardMatches(p.slice(prefix[0].length), action, true) ? "yes" : "no";
  }
  return wildcardMatches(p, action, true) ? "yes" : "no";
}

/** `*`, or `qcs:<project>:<service>:<region>:<account>:<type>/<id>` with empty segments meaning all. */
export function matchResource(pattern: string, target: ResourceTarget): Match {
  const p = pattern.trim();
  if (p === "*") return "yes";
  const parts = p.split(":");
  if (parts.length < 6 || parts[0]?.toLowerCase() !== "qcs") return "maybe";
  const [, project = "", service = "", region = "", account = "", ...rest] = parts;
  const resource = rest.join(":");
  const checks: Match[] = [
    project === "" || isAllStars(project) ? "yes" : "maybe",
    service === "" || wildcardMatches(service, target.service, true) ? "yes" : "no",
    matchOptional(region, target.region, true),
    account === "" || wildcardMatches(account, `uin/${target.ownerUin}`, true) ? "yes" : "no",
    matchResourcePart(resource, target),
  ];
  if (checks.includes("no")) return "no";
  return checks.includes("maybe") ? "maybe" : "yes";
}

function matchResourcePart(part: string, target: ResourceTarget): Match {
  if (part === "" || isAllStars(part)) return "yes";
  const slash = part.indexOf("/");
  if (slash < 0) {
    if (target.resourceId === undefined)
      return wildcardMatches(part, target.resourceType, true) ? "maybe" : "no";
    return wildcardMatches(part, `${target.resourceType}/${target.resourceId}`, true) ? "yes" : "no";
  }
  const type = part.slice(0, slash);
  if (!wildcardMatches(type, target.resourceType, true)) return "no";
  return matchOptional(part.slice(slash + 1), target.resourceId, true);
}

function matchOptional(pattern: string, value: string | undefined, caseInsensitive: boolean): Match {
  if (pattern === "" || isAllStars(pattern)) return "yes";
  if (value === undefined) return "maybe";
  return wildcardMatches(pattern, value, caseInsensitive) ? "yes" : "no";
}

const isAllStars = (s: string) => /^\*+$/.test(s);

/** `*` matches any run of characters, `?` exactly one. */
export function wildcardMatches(pattern: string, value: string, caseInsensitive: boolean): boolean {
  let source = "";
  for (const ch of pattern) {
    if (ch === "*") source += ".*";
    else if (ch === "?") source += ".";
    else source += ch.replace(/[.+^${}()|[\]\\/-]/g, "\\$&");
  }
  return new RegExp(`^${source}$`, caseInsensitive ? "is" : "s").test(value);
}

function readStringList(value: unknown): string[] | undefined {
  if (typeof value === "string") return [value];
  if (Array.isArray(value) && value.every((v) => typeof v === "string")) return value as string[];
  return undefined;
}

/** Keys are read case-insensitively: `Statement` means what `statement` means. */
function field(record: Record<string, unknown>, name: string): unknown {
  if (name in record) return record[name];
  const key = Object.keys(record).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : record[key];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
