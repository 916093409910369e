#!/usr/bin/env node
// The dependency rule of DESIGN §2: imports point inward. Each room lists the rooms it may import.
// A small script instead of dependency-cruiser: the rule is six lines and needs no extra install.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";

const SRC = resolve("src");
const ALLOWED = {
  domain: ["domain"],
  config: ["config", "domain"],
  flows: ["flows", "domain", "config"],
  store: ["store", "domain"],
  cloud: ["cloud", "domain"],
  queue: ["queue", "domain", "flows", "config"],
  slack: ["slack", "domain", "flows", "config"],
  main: ["main", "domain", "flows", "config", "store", "cloud", "queue", "slack", "sandbox"],
  sandbox: ["sandbox", "main", "domain", "flows", "config", "store", "cloud", "queue", "slack"],
  "": ["main", "config"],
};
// Packages the pure core may not import: it reaches the world only through its ports.
const DOMAIN_FORBIDS_PACKAGES = true;

function roomOf(file) {
  const rel = relative(SRC, file).split(sep);
  return rel.length > 1 ? rel[0] : "";
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
for (const file of walk(SRC)) {
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
      const target = resolve(dirname(file), spec);
      const targetRoom = roomOf(target);
      if (!allowed.includes(targetRoom)) {
        violations.push(
          `${relative(".", file)}: ${room || "src"}/ may not import ${targetRoom || "src"}/ ("${spec}")`,
        );
      }
    } else if (room === "domain" && DOMAIN_FORBIDS_PACKAGES) {
      violations.push(`${relative(".", file)}: domain/ is pure and may not import "${spec}"`);
    }
  }
}
if (violations.length > 0) {
  console.error(`Import rule violations (see CONTRIBUTING.md):\n${violations.join("\n")}`);
  process.exit(1);
}
console.log("import rule: ok");
