#!/usr/bin/env node
// The dependency rule (docs/architecture.md): imports point inward. A room is a folder under src/
// (for src/adapters/ and dev/, the folder below it): each lists the rooms it may import. The
// stand-ins in dev/ may be imported only by the sandbox and the tests (which this script does not
// read), and main/ may not import the sandbox, so no production path can reach a fake and
// tsconfig.build.json can leave src/sandbox and dev/ out of the image. A small script instead of
// dependency-cruiser: the rule is a table and needs no extra install (docs/decisions/003).
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";

const ROOT = resolve(".");
const ADAPTERS = [
  "adapters/chat-slack",
  "adapters/cloud-tencent",
  "adapters/store-redis",
  "adapters/queue-bullmq",
];
const ALLOWED = {
  core: ["core"],
  config: ["config", "core"],
  kinds: ["kinds", "core", "app", "config"],
  // Use cases are generic over kind: they reach the kinds only through the registry they are given.
  app: ["app", "core", "config"],
  // The slash commands and forms that ask for one kind of request call that kind's own flow.
  "adapters/chat-slack": ["adapters/chat-slack", "core", "app", "config", "kinds"],
  "adapters/cloud-tencent": ["adapters/cloud-tencent", "core"],
  "adapters/store-redis": ["adapters/store-redis", "core"],
  "adapters/queue-bullmq": ["adapters/queue-bullmq", "core", "app", "kinds", "config"],
  // Not "sandbox": see SANDBOX_LOADER for the one way main/ reaches it.
  main: ["main", "core", "config", "app", "kinds", ...ADAPTERS],
  sandbox: [
    "sandbox",
    "main",
    "core",
    "config",
    "app",
    "kinds",
    ...ADAPTERS,
    "dev/slack-emulator",
    "dev/tencent-simulator",
  ],
  "dev/slack-emulator": ["dev/slack-emulator"],
  "dev/tencent-simulator": ["dev/tencent-simulator"],
  "": ["main", "config", "core"],
};
// Rooms that may import no package at all: they reach the world only through their ports.
const PURE = new Set(["core"]);
// Only the sandbox (and each stand-in itself) may import dev/: a guard on the table above.
for (const [room, allowed] of Object.entries(ALLOWED)) {
  const dev = allowed.filter((target) => target.startsWith("dev/") && target !== room);
  if (dev.length > 0 && room !== "sandbox") {
    console.error(
      `check-imports: ${room || "src"}/ may not list ${dev.join(", ")}: only sandbox/ may import dev/`,
    );
    process.exit(1);
  }
}
// The one exception to the table: the cli starts the sandbox with `import(SANDBOX_ENTRY)`, a
// constant rather than a literal, so tsc (tsconfig.build.json) does not pull the sandbox and dev/
// into the production build; where it was not built the cli says so in one line. Every other
// dynamic import must name a string literal, which the rule above then checks.
const SANDBOX_LOADER = {
  file: "src/main/cli.ts",
  constant: "SANDBOX_ENTRY",
  target: "src/sandbox/sandbox.ts",
};

function roomOf(file) {
  const rel = relative(ROOT, file).split(sep);
  if (rel[0] === "dev") return rel.length > 2 ? `dev/${rel[1]}` : "dev";
  if (rel[0] !== "src") return undefined;
  if (rel.length === 2) return "";
  if (rel[1] === "adapters") return rel.length > 3 ? `adapters/${rel[2]}` : "adapters";
  return rel[1];
}

function walk(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else if (/\.(ts|mts|tsx)$/.test(name)) out.push(path);
  }
  return out;
}

const IMPORT = /(?:^|\n)\s*(?:import|export)[^'"]*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;
const violations = [];
for (const file of [...walk(resolve("src")), ...walk(resolve("dev"))]) {
  const room = roomOf(file);
  const allowed = ALLOWED[room];
  if (!allowed) {
    violations.push(
      `${relative(".", file)}: "${room}" is not a known room (${Object.keys(ALLOWED).filter(Boolean).join(", ")})`,
    );
    continue;
  }
  const text = readFileSync(file, "utf8");
  for (const match of text.matchAll(/\bimport\(\s*([^"'`\s)][^)]*?)\s*\)/g)) {
    const problem = checkComputedImport(file, text, match[1]);
    if (problem) violations.push(`${relative(".", file)}: ${problem}`);
  }
  for (const match of text.matchAll(IMPORT)) {
    const spec = match[1] ?? match[2];
    if (spec.startsWith(".")) {
      const targetRoom = roomOf(resolve(dirname(file), spec));
      if (targetRoom === undefined || !allowed.includes(targetRoom)) {
        violations.push(
          `${relative(".", file)}: ${room || "src"}/ may not import ${targetRoom ?? "outside src/ and dev/"} ("${spec}")`,
        );
      }
    } else if (PURE.has(room) && !spec.startsWith("node:")) {
      violations.push(`${relative(".", file)}: ${room}/ is pure and may not import "${spec}"`);
    }
  }
}
/** Why a dynamic import of a non-literal is not allowed here, or undefined for the cli's sandbox. */
function checkComputedImport(file, text, argument) {
  if (
    relative(ROOT, file).split(sep).join("/") !== SANDBOX_LOADER.file ||
    argument !== SANDBOX_LOADER.constant
  ) {
    return `import(${argument}) must name a string literal (only ${SANDBOX_LOADER.file} may import(${SANDBOX_LOADER.constant}))`;
  }
  const value = new RegExp(`const ${SANDBOX_LOADER.constant} = ["']([^"']+)["']`).exec(text)?.[1];
  const target = value && relative(ROOT, resolve(dirname(file), value.replace(/\.js$/, ".ts")));
  if (target?.split(sep).join("/") !== SANDBOX_LOADER.target) {
    return `${SANDBOX_LOADER.constant} must be a string constant naming ${SANDBOX_LOADER.target}`;
  }
  return undefined;
}

if (violations.length > 0) {
  console.error(`Import rule violations (see CONTRIBUTING.md):\n${violations.join("\n")}`);
  process.exit(1);
}
console.log("import rule: ok");
