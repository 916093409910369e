import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SandboxEntry } from "../../src/main/cli.js";

const run = promisify(execFile);

// Compile-time: the sandbox entry the cli loads by name still has the shape the cli expects.
type SandboxModule = typeof import("../../src/sandbox/sandbox.js");
const sandboxMatchesCli: SandboxModule extends SandboxEntry ? true : never = true;

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split("\\").join("/"));
}

/**
 * `npm run build:production`, what the Dockerfile runs, into a temporary directory: the image's
 * dist must hold the bot and no stand-in (dev/) or sandbox code, and still start.
 */
describe("the production build", () => {
  let root: string;
  let files: string[];

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), "cbs-production-build-"));
    await run(process.execPath, ["scripts/build.mjs", "--production", "--outDir", join(root, "dist")]);
    files = filesUnder(join(root, "dist"));
    // Like the image: dist beside node_modules and a package.json that makes .js files ES modules.
    symlinkSync(realpathSync("node_modules"), join(root, "node_modules"), "dir");
    writeFileSync(join(root, "package.json"), JSON.stringify({ type: "module" }));
  }, 30_000);
  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it("compiles the bot and its entries, but nothing from dev/ or src/sandbox", () => {
    expect(sandboxMatchesCli).toBe(true);
    expect(files).toEqual(expect.arrayContaining(["main.js", "audit.js", "src/main.js", "src/main/cli.js"]));
    expect(files.filter((file) => file.startsWith("dev/") || file.startsWith("src/sandbox/"))).toEqual([]);
    expect(files.some((file) => /emulator|simulator/.test(file))).toBe(false);
  });

  it("answers `sandbox` with one line where the sandbox was not built", async () => {
    const failed = await run(process.execPath, [join(root, "dist/main.js"), "sandbox"], {
      cwd: root,
      env: { PATH: process.env.PATH ?? "", LOG_LEVEL: "silent" },
      // A build that wrongly has the sandbox would start it: stop it rather than outlive the test.
      timeout: 10_000,
    }).then(
      () => undefined,
      (error: { code?: number; stdout?: string; stderr?: string }) => error,
    );
    expect(failed).toMatchObject({
      code: 1,
      stdout: "",
      stderr:
        "cbs-snapshot-bot: the sandbox is not part of this image; run it from a checkout with npm start\n",
    });
  }, 15_000);
});
