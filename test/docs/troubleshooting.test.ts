import { readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * docs/operator-guide.md's troubleshooting table against the source: every code the bot can give
 * (a failure, a refusal, a thrown error, a command error, a cloud error's neutral reason and
 * category) has a row, and every row names a code the source still gives. A new code without a
 * row fails here with the exact row to add.
 */
const ROOT = resolve(import.meta.dirname, "../..");
const GUIDE = "docs/operator-guide.md";
const START = "<!-- troubleshooting-table:start -->";
const END = "<!-- troubleshooting-table:end -->";
const REFUSALS_START = "<!-- refusals-table:start -->";
const REFUSALS_END = "<!-- refusals-table:end -->";
/** Where the neutral cloud classification is declared (decision 012). */
const PORT_TYPES = "src/core/ports/cloud-api.port.ts";
const CLOUD_UNIONS = ["CloudErrorCategory", "CloudErrorReason"];

/** `copy.stuck`, `cam.not_collaborator`: a lowercase namespace, a dot, a name. */
const CODE = String.raw`[a-z][a-z0-9]*\.[a-z0-9_]+`;

interface FoundCode {
  /** The code; a part only known at run time is `*` (`cloud.http_*`). */
  code: string;
  /** `src/…/file.ts:line` of one place that gives it. */
  where: string;
}

/** Every .ts file under src/ that ships: not tests, not dev/ stand-ins, not the sandbox. */
function productionSources(dir = join(ROOT, "src")): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      // The sandbox (npm start) is not in the image and gives no code of its own.
      if (["sandbox", "dev", "test", "node_modules"].includes(entry.name)) continue;
      files.push(...productionSources(path));
    } else if (
      entry.name.endsWith(".ts") &&
      !/\.(test|spec)\.ts$/.test(entry.name) &&
      !entry.name.endsWith(".d.ts")
    ) {
      files.push(path);
    }
  }
  return files.sort();
}

/** Comment lines blanked (kept as empty lines, so line numbers stay): a code named in prose gives nothing. */
function withoutCommentLines(source: string): string {
  return source
    .split("\n")
    .map((line) => (/^\s*(\/\/|\/\*|\*)/.test(line) ? "" : line))
    .join("\n");
}

const lineOf = (source: string, index: number) => source.slice(0, index).split("\n").length;

/**
 * The codes one source file gives, read from its text:
 * - `code: "ns.name"`, `code = "ns.name"`, and a literal fallback (`code: x ?? "ns.name"`,
 *   `|| "ns.name"`, `cond ? x : "ns.name"`);
 * - a template `code: \`ns.${param}\``: when `param` is a parameter of the enclosing function,
 *   the literals that function is called with (`fail("missing_to", …)` → `command.missing_to`);
 *   otherwise the run-time part is `*` (`cloud.http_${status}` → `cloud.http_*`);
 * - the union of a thrown error's codes (`type StoreErrorCode = "store.a" | "store.b"`), and the
 *   first argument of `new SomethingError("ns.name", …)`.
 * A template it cannot read is reported as a problem rather than skipped.
 */
function extractCodes(source: string, file: string): { found: FoundCode[]; problems: string[] } {
  const text = withoutCommentLines(source);
  const found: FoundCode[] = [];
  const problems: string[] = [];
  const add = (code: string, index: number) => found.push({ code, where: `${file}:${lineOf(text, index)}` });

  const literal = new RegExp(
    String.raw`\b[cC]ode\??\s*[:=](?!=)\s*(?:[^"'\x60\n;,{}()]*?(?:\?\?|\|\||:)\s*)?(["'])(${CODE})\1`,
    "g",
  );
  for (const m of text.matchAll(literal)) add(m[2] ?? "", m.index);

  const template = /\b[cC]ode\??\s*[:=](?!=)\s*`([^`]*)`/g;
  for (const m of text.matchAll(template)) {
    const body = m[1] ?? "";
    const parts = /^([a-z][a-z0-9]*\.[a-z0-9_]*)\$\{\s*([\w.?]+)\s*\}([a-z0-9_]*)$/.exec(body);
    if (!parts) {
      problems.push(
        `${file}:${lineOf(text, m.index)}: the code \`${body}\` is a template this test cannot read; give it a literal code or teach test/docs/troubleshooting.test.ts its form`,
      );
      continue;
    }
    const [, prefix = "", param = "", suffix = ""] = parts;
    const enclosing = [...text.slice(0, m.index).matchAll(/function\s+(\w+)\s*\(([^)]*)\)/g)].at(-1);
    const params = enclosing?.[2]?.split(",").map((p) => p.split(":")[0]?.trim()) ?? [];
    if (enclosing?.[1] && params.includes(param)) {
      const calls = new RegExp(String.raw`\b${enclosing[1]}\(\s*"([a-z0-9_]+)"`, "g");
      let any = false;
      for (const call of text.matchAll(calls)) {
        add(`${prefix}${call[1]}${suffix}`, call.index);
        any = true;
      }
      if (!any) add(`${prefix}*${suffix}`, m.index);
    } else {
      add(`${prefix}*${suffix}`, m.index);
    }
  }

  for (const m of text.matchAll(/\btype\s+\w*ErrorCode\s*=\s*([^;]+);/g)) {
    for (const item of (m[1] ?? "").matchAll(new RegExp(`"(${CODE})"`, "g"))) add(item[1] ?? "", m.index);
  }
  for (const m of text.matchAll(new RegExp(String.raw`\bnew\s+\w*Error\(\s*(["'])(${CODE})\1`, "g"))) {
    add(m[2] ?? "", m.index);
  }
  return { found, problems };
}

/** The neutral classification of cloud errors: the string members of the port's unions. */
function extractCloudClasses(source: string, file: string): FoundCode[] {
  const found: FoundCode[] = [];
  for (const name of CLOUD_UNIONS) {
    const m = new RegExp(String.raw`export\s+type\s+${name}\s*=([^;]+);`).exec(source);
    if (!m) throw new Error(`${file}: \`export type ${name}\` not found; update ${GUIDE}'s test`);
    for (const item of (m[1] ?? "").matchAll(/"([a-z_]+)"/g)) {
      found.push({ code: item[1] ?? "", where: `${file}:${lineOf(source, m.index)} (${name})` });
    }
  }
  return found;
}

function sourceCodes(): { codes: Map<string, string>; problems: string[] } {
  const codes = new Map<string, string>();
  const problems: string[] = [];
  for (const path of productionSources()) {
    const file = relative(ROOT, path);
    const result = extractCodes(readFileSync(path, "utf8"), file);
    problems.push(...result.problems);
    for (const { code, where } of result.found) if (!codes.has(code)) codes.set(code, where);
  }
  for (const { code, where } of extractCloudClasses(
    readFileSync(join(ROOT, PORT_TYPES), "utf8"),
    PORT_TYPES,
  )) {
    if (!codes.has(code)) codes.set(code, where);
  }
  return { codes, problems };
}

/** The rows of the tables between two markers, as cells; each table's header and rule left out. */
function tableRows(doc: string, start: string, end: string): string[][] {
  const from = doc.indexOf(start);
  const to = doc.indexOf(end);
  if (from < 0 || to < from) return [];
  const lines = doc.slice(from + start.length, to).split("\n");
  const cellsOf = (line: string) =>
    line
      .trim()
      .replace(/^\||\|$/g, "")
      .split(/(?<!\\)\|/)
      .map((cell) => cell.trim());
  const isRule = (line: string | undefined) =>
    line?.trim().startsWith("|") && cellsOf(line).every((c) => /^:?-+:?$/.test(c));
  return lines
    .filter((line, i) => line.trim().startsWith("|") && !isRule(line) && !isRule(lines[i + 1]))
    .map(cellsOf);
}

/** `cloud.http_<status>` in the guide stands for the code the source builds at run time, `cloud.http_*`. */
const normalise = (documented: string) => documented.replace(/<[^>]*>/g, "*");

function documentedCodes(doc: string): { codes: Map<string, number>; rows: string[][] } {
  const rows = tableRows(doc, START, END);
  const codes = new Map<string, number>();
  for (const cells of rows) {
    for (const m of (cells[0] ?? "").matchAll(/`([^`]+)`/g)) {
      const code = normalise(m[1] ?? "");
      codes.set(code, (codes.get(code) ?? 0) + 1);
    }
  }
  return { codes, rows };
}

describe(`${GUIDE}: the troubleshooting table against the codes in src/`, () => {
  const doc = readFileSync(join(ROOT, GUIDE), "utf8");
  const { codes: given, problems } = sourceCodes();
  const { codes: documented, rows } = documentedCodes(doc);

  it("reads every code in src/ (no template it cannot read)", () => {
    expect(problems, problems.join("\n")).toEqual([]);
    expect(given.size).toBeGreaterThan(40);
  });

  it("has a row for every code the bot can give", () => {
    const missing = [...given.keys()].filter((code) => !documented.has(code)).sort();
    const howTo = missing.map((code) => {
      const shown = code.replaceAll("*", "<…>");
      return `  - \`${shown}\` (given at ${given.get(code)}): add the row\n      | \`${shown}\` | what it means | what to do |\n    to the table between ${START} and ${END} in ${GUIDE}`;
    });
    expect(
      missing,
      `${missing.length} code(s) the bot can give have no row in ${GUIDE}'s troubleshooting table:\n${howTo.join("\n")}`,
    ).toEqual([]);
  });

  it("has no row for a code the bot no longer gives", () => {
    const stale = [...documented.keys()].filter((code) => !given.has(code)).sort();
    expect(
      stale,
      `${GUIDE}'s troubleshooting table names code(s) no file in src/ gives any more: ${stale.map((c) => `\`${c}\``).join(", ")}. Remove the row, or fix its spelling to match the source.`,
    ).toEqual([]);
  });

  it("names each code once, and says what it means and what to do", () => {
    expect(rows.length, `${GUIDE} has no table between ${START} and ${END}`).toBeGreaterThan(10);
    const twice = [...documented].filter(([, n]) => n > 1).map(([code]) => code);
    expect(twice, `codes with more than one row in ${GUIDE}: ${twice.join(", ")}`).toEqual([]);
    const thin = rows.filter((cells) => cells.length < 3 || cells.slice(1).some((c) => c === ""));
    expect(
      thin.map((cells) => cells[0]),
      "rows without a meaning or a fix",
    ).toEqual([]);
  });

  it("quotes refusals without a code in words the source still uses", () => {
    const sources = productionSources()
      .map((path) => readFileSync(path, "utf8"))
      .join("\n");
    const refusals = tableRows(doc, REFUSALS_START, REFUSALS_END);
    expect(
      refusals.length,
      `${GUIDE} has no table between ${REFUSALS_START} and ${REFUSALS_END}`,
    ).toBeGreaterThan(5);
    const gone = refusals
      .map((cells) => /"([^"]+)"/.exec(cells[0] ?? "")?.[1] ?? `(no quote in "${cells[0]}")`)
      .filter((quote) => !sources.includes(quote));
    expect(
      gone,
      `these quoted refusals in ${GUIDE} no longer appear verbatim in src/: update the quote to the current wording`,
    ).toEqual([]);
  });
});

describe("the code extractor", () => {
  it("reads each form a code is given in, and not prose or comparisons", () => {
    const sample = [
      '// code: "comment.ignored"',
      ' * the code: "doc.ignored"',
      'const a = { code: "copy.stuck", message };',
      'readonly code = "config.invalid";',
      'const b = { code: busy.code ?? "cloud.unavailable" };',
      'const c = { code: result?.Code || "cloud.copy_refused" };',
      'const code = err instanceof CloudError ? err.code : "worker.unexpected_error";',
      'if (code === "compared.only") return;',
      'const d = { code: "InvalidSnapshotId.NotFound" };',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: source text to read, not a template
      "const e = { code: `cloud.http_${e.httpCode}` };",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: source text to read, not a template
      "function fail(code: string, message: string) { return { code: `command.${code}`, message }; }",
      'fail("missing_to", "Say where");',
      'export type StoreErrorCode = "store.duplicate_id" | "store.invalid_transition";',
      'throw new MainError("main.sandbox_entry", "x");',
    ].join("\n");
    const { found, problems } = extractCodes(sample, "sample.ts");
    expect(problems).toEqual([]);
    expect(new Set(found.map((f) => f.code))).toEqual(
      new Set([
        "copy.stuck",
        "config.invalid",
        "cloud.unavailable",
        "cloud.copy_refused",
        "worker.unexpected_error",
        "cloud.http_*",
        "command.missing_to",
        "store.duplicate_id",
        "store.invalid_transition",
        "main.sandbox_entry",
      ]),
    );
    expect(found.find((f) => f.code === "copy.stuck")?.where).toBe("sample.ts:3");
  });

  it("reports a code template it cannot read", () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: source text to read, not a template
    const { problems } = extractCodes("const x = { code: `${ns}.${name}` };", "odd.ts");
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain("odd.ts:1");
  });

  it("reads the cloud categories and reasons from the port's unions", () => {
    const classes = extractCloudClasses(readFileSync(join(ROOT, PORT_TYPES), "utf8"), PORT_TYPES).map(
      (f) => f.code,
    );
    expect(classes).toEqual(expect.arrayContaining(["throttled", "permanent", "access_denied", "other"]));
  });
});
