import { ConfigError, loadBotConfigFile, readProcessEnvironment } from "../config/load-config.js";
import { type Role, startBot } from "./compose.js";
import { createLogger } from "./logger.js";

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
  const logger = createLogger(env.LOG_LEVEL);

  if (role === "sandbox") {
    const { startSandbox } = await import("../sandbox/sandbox.js");
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
