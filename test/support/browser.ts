import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { parseEnvironment } from "../../src/config/load-config.js";
import { createLogger } from "../../src/main/logger.js";
import { type Sandbox, type SandboxOptions, startSandbox } from "../../src/sandbox/sandbox.js";

/** Debian's Chromium (installed by .ci/run when missing), driven by playwright-core. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
/** Screenshots to look at, kept as test artifacts (test-artifacts/ is git-ignored). */
export const SCREENSHOTS = join(process.cwd(), "test-artifacts", "screenshots");

export interface SandboxInBrowser {
  sandbox: Sandbox;
  page: Page;
  /** Closes the browser and the sandbox and removes the browser's profile. */
  close(): Promise<void>;
}

/**
 * The sandbox (on a free port, a 1.5 s copy, 200 ms polls, unless `sandbox` says otherwise) and a
 * headless Chromium with a throwaway profile: what each browser test of the console starts from.
 */
export async function startSandboxInBrowser(options: {
  sandbox?: Partial<Omit<SandboxOptions, "env" | "logger">>;
  /** How long the page waits for anything (Playwright's default timeout). */
  waitMs: number;
  profilePrefix: string;
}): Promise<SandboxInBrowser> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const env = parseEnvironment({
    REDIS_URL: process.env.REDIS_URL,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
  });
  const sandbox = await startSandbox({
    env,
    logger: createLogger(env.LOG_LEVEL),
    port: 0,
    copyDurationMs: 1500,
    pollInterval: "200ms",
    ...options.sandbox,
  });
  const profile = mkdtempSync(join(tmpdir(), options.profilePrefix));
  let context: BrowserContext | undefined;
  const close = async () => {
    await context?.close();
    await sandbox.close();
    rmSync(profile, { recursive: true, force: true });
  };
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
      viewport: { width: 1500, height: 940 },
    });
    const page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(options.waitMs);
    return { sandbox, page, close };
  } catch (error) {
    await close();
    throw error;
  }
}
