#!/usr/bin/env node
// The dependency rule (docs/architecture.md): imports point inward. A room is a folder under src/
// (for src/adapters/ and dev/, the folder below it): each lists the rooms it may import. The
// stand-ins in dev/ may be imported only by the sandbox and the tests (which this script does not
// read), so no production path can reach a fake. A small script instead of dependency-cruiser:
// the rule is a table and needs no extra install (docs/decisions/003).
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
  // TODO(request-core): app and chat-slack reach into kinds/ until the kind registry lands.
  app: ["app", "core", "config", "kinds"],
  "adapters/chat-slack": ["adapters/chat-slack", "core", "app", "config", "kinds"],
  "adapters/cloud-tencent": ["adapters/cloud-tencent", "core"],
  "adapters/store-redis": ["adapters/store-redis", "core"],
  "adapters/queue-bullmq": ["adapters/queue-bullmq", "core", "app", "kinds", "config"],
  main: ["main", "core", "config", "app", "kinds", ...ADAPTERS, "sandbox"],
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
if (violations.length > 0) {
  console.error(`Import rule violations (see CONTRIBUTING.md):\n${violations.join("\n")}`);
  process.exit(1);
}
console.log("import rule: ok");
