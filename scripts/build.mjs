#!/usr/bin/env node
// `npm run build` (a checkout): the bot, the sandbox and the stand-ins in dev/, so
// `node dist/main.js all|app|worker|sandbox` all work. `npm run build:production` (the Dockerfile):
// tsconfig.build.json, which leaves out src/sandbox and therefore dev/; `node dist/main.js sandbox`
// then says the sandbox is not part of the image. Both compile with rootDir "." so src/ and dev/
// keep their relative places (dist/src, dist/dev) and the sandbox's imports of dev/ still resolve;
// dist/main.js and dist/audit.js are one-line entries into dist/src. `--outDir <dir>` builds
// elsewhere (test/main/production-build.test.ts).
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

const args = process.argv.slice(2);
const production = args.includes("--production");
const outDirAt = args.indexOf("--outDir");
const outDir = resolve(outDirAt >= 0 ? (args[outDirAt + 1] ?? "") : "dist");
if (!production && !existsSync("dev")) {
  console.error("build: dev/ is missing (not a checkout?); use npm run build:production");
  process.exit(1);
}

// A clean tree: a file left by an earlier build (say the sandbox) must not ship in this one.
rmSync(outDir, { recursive: true, force: true });
// typescript exports no bin path; npm runs scripts from the package root, where node_modules is.
const tsc = resolve("node_modules/typescript/bin/tsc");
const project = production ? "tsconfig.build.json" : "tsconfig.sandbox.json";
const compiled = spawnSync(process.execPath, [tsc, "-p", project, "--outDir", outDir], { stdio: "inherit" });
if (compiled.status !== 0) process.exit(compiled.status ?? 1);

mkdirSync(outDir, { recursive: true });
for (const entry of ["main", "audit"]) {
  writeFileSync(join(outDir, `${entry}.js`), `#!/usr/bin/env node\nimport "./src/${entry}.js";\n`);
}
if (!production) {
  cpSync("src/sandbox/public", join(outDir, "src/sandbox/public"), { recursive: true });
}
console.log(
  `build: ${production ? "production (no sandbox, no stand-ins)" : "checkout (with the sandbox)"} → ${outDir}`,
);
