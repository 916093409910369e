/**
 * A deliberately small CAM policy check, so the simulated copy refuses a collaborator that was not
 * granted the action — the way the real service does. It is not the project's evaluator (that lives
 * in `src/domain/`): it reads `version 2.0` documents, `statement` as a list or one object, `effect`,
 * `action` (string or list, `name/` prefix stripped, `*` wildcards, case-insensitive) and `resource`
 * (`*`, wildcards, empty segments match all). A statement with a `condition` never matches, since the
 * simulator has no request context. Malformed documents grant nothing. Any matching deny wins.
 */
export function isActionAllowed(documents: readonly string[], action: string, resource: string): boolean {
  let allowed = false;
  for (const text of documents) {
    for (const statement of readStatements(text)) {
      if (!statementMatches(statement, action, resource)) {
        continue;
      }
      const effect = typeof statement.effect === "string" ? statement.effect.toLowerCase() : "";
      if (effect === "deny") {
        return false;
      }
      if (effect === "allow") {
        allowed = true;
      }
    }
  }
  return allowed;
}

type Statement = Record<string, unknown>;

function readStatements(text: string): Statement[] {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    return [];
  }
  if (!isRecord(document)) {
    return [];
  }
  const statement = document.statement;
  if (Array.isArray(statement)) {
    return statement.filter(isRecord);
  }
  return isRecord(statement) ? [statement] : [];
}

function statementMatches(statement: Statement, action: string, resource: string): boolean {
  if (statement.condition !== undefined) {
    return false;
  }
  const actions = toStringList(statement.action).map((pattern) => pattern.replace(/^name\//i, ""));
  const resources = toStringList(statement.resource);
  return (
    actions.some((pattern) => wildcardMatches(pattern, action)) &&
    resources.some((pattern) => resourceMatches(pattern, resource))
  );
}

function resourceMatches(pattern: string, resource: string): boolean {
  if (pattern === "*") {
    return true;
  }
  const patternParts = pattern.split(":");
  const resourceParts = resource.split(":");
  if (patternParts.length !== resourceParts.length) {
    return wildcardMatches(pattern, resource);
  }
  return patternParts.every(
    (part, index) => part === "" || wildcardMatches(part, resourceParts[index] ?? ""),
  );
}

function wildcardMatches(pattern: string, value: string): boolean {
  const source = pattern
    .split("*")
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${source}$`, "i").test(value);
}

function toStringList(value: unknown): string[] {
  if (typeof value === "string") {
    return [value];
  }
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
