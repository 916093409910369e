import { fileURLToPath } from "node:url";
import type { Environment } from "../config/environment.schema.js";
import { ConfigError, loadBotConfigFile, readProcessEnvironment } from "../config/load-config.js";
import { type Role, startBot } from "./compose.js";
import { MainError } from "./errors.js";
import { type AppLogger, createLogger, secretsOf } from "./logger.js";
import { currentSlackRequest } from "./request-scope.js";

/**
 * The sandbox's entry, relative to this module in both layouts (src/ with tsx, dist/src/ after
 * `npm run build`). A constant, not a literal, so tsc leaves the sandbox and the stand-ins it
 * imports out of the production build; scripts/check-imports.mjs allows this one import.
 */
const SANDBOX_ENTRY = "../sandbox/sandbox.js";
const NO_SANDBOX = "the sandbox is not part of this image; run it from a checkout with npm start";

/** What the cli needs from the sandbox entry (test/main/production-build.test.ts checks it matches). */
export interface SandboxEntry {
  startSandbox(options: {
    env: Readonly<Environment>;
    logger: AppLogger;
  }): Promise<{ consoleUrl: string; close(): Promise<void> }>;
}

const ROLES = ["all", "app", "worker", "sandbox"] as const;
type CliRole = (typeof ROLES)[number];

function usage(): string {
  return `usage: node dist/main.js <${ROLES.join("|")}>   (npm start: sandbox without SLACK_BOT_TOKEN, else all)`;
}

/** Entry point: pick the role, load and validate configuration, start, and stop cleanly on signals. */
export async function main(argv: readonly string[]): Promise<void> {
  const env = readProcessEnvironment();
  const requested = argv[0];
  if (requested !== undefined && !ROLES.includes(requested as CliRole)) {
    throw new ConfigError(`unknown role "${requested}". ${usage()}`);
  }
  const role: CliRole = (requested as CliRole | undefined) ?? (env.SLACK_BOT_TOKEN ? "all" : "sandbox");
  const logger = createLogger(env.LOG_LEVEL, { secrets: secretsOf(env) });
  installProcessHandlers(logger);

  if (role === "sandbox") {
    const { startSandbox } = await loadSandbox();
    const sandbox = await startSandbox({ env, logger });
    process.stdout.write(`\nSandbox console: ${sandbox.consoleUrl}  (Ctrl-C stops it)\n\n`);
    onSignals(() => sandbox.close());
    return;
  }
  const config = loadBotConfigFile(env.BOT_CONFIG);
  const bot = await startBot({ env, config, role: role as Role, logger });
  logger.info({ role, port: bot.port }, "cbs-snapshot-bot started");
  onSignals(() => bot.close());
}

/**
 * Errors no code caught, logged as one JSON line each (docs/decisions/018). One request must never
 * take the process down with it: an exception thrown while handling a Slack request (the request
 * scope of request-scope.ts) is logged and the process keeps serving every other request, since
 * that request's state lives in Redis and the lifecycle refuses any half-made move. An exception
 * anywhere else (start-up, a worker loop, a timer of our own) means the process may be broken:
 * logged, then exit(1) so the orchestrator restarts it. A rejected promise nobody awaited is logged
 * and the process goes on in every case (it has no stack in flight to have corrupted).
 */
export function installProcessHandlers(logger: AppLogger): void {
  const handlers = processHandlers(logger, (code) => process.exit(code));
  process.on("uncaughtException", handlers.uncaughtException);
  process.on("unhandledRejection", handlers.unhandledRejection);
}

/** The two handlers of {@link installProcessHandlers}, apart from `process` (tests call them). */
export function processHandlers(
  logger: Pick<AppLogger, "error">,
  exit: (code: number) => void,
): { uncaughtException: (err: unknown) => void; unhandledRejection: (reason: unknown) => void } {
  return {
    uncaughtException: (err) => {
      const request = currentSlackRequest();
      if (request) {
        logger.error({ err, request }, "uncaught exception while handling a Slack request; still serving");
        return;
      }
      logger.error({ err }, "uncaught exception; exiting");
      exit(1);
    },
    unhandledRejection: (err) => {
      const request = currentSlackRequest();
      logger.error({ err, ...(request ? { request } : {}) }, "unhandled promise rejection; still serving");
    },
  };
}

/** The sandbox, or a one-line ConfigError where it was not built (the production image). */
async function loadSandbox(): Promise<SandboxEntry> {
  const path = fileURLToPath(new URL(SANDBOX_ENTRY, import.meta.url));
  let loaded: unknown;
  try {
    loaded = await import(SANDBOX_ENTRY);
  } catch (err) {
    // Only the entry itself missing means "not built"; a broken sandbox keeps its own error.
    const code = (err as { code?: unknown } | null)?.code;
    if (code === "ERR_MODULE_NOT_FOUND" && err instanceof Error && err.message.includes(path)) {
      throw new ConfigError(NO_SANDBOX);
    }
    throw err;
  }
  if (!isSandboxEntry(loaded)) {
    throw new MainError("main.sandbox_entry", `${path} does not export startSandbox`);
  }
  return loaded;
}

function isSandboxEntry(value: unknown): value is SandboxEntry {
  return (
    typeof value === "object" && value !== null && typeof Reflect.get(value, "startSandbox") === "function"
  );
}

function onSignals(close: () => Promise<void>): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) process.exit(1);
    stopping = true;
    process.stderr.write(`${signal}: stopping (finishing the current steps)…\n`);
    close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}
