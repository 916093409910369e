import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { startSlackEmulator } from "../../dev/slack-emulator/index.js";
import { startTencentSimulator } from "../../dev/tencent-simulator/index.js";
import { buildBotConfig, ConfigError, type Environment, parseEnvironment } from "../config/load-config.js";
import { startBot } from "../main/compose.js";
import type { AppLogger } from "../main/logger.js";
import { startConsoleServer } from "./console.server.js";
import { deleteKeysWithPrefix } from "./redis-keys.js";
import { SANDBOX, sandboxConfig, seedSandboxCloud } from "./sandbox-seed.js";

export interface Sandbox {
  /** The web console, e.g. "http://127.0.0.1:3000/". */
  consoleUrl: string;
  /** The bot's Slack endpoint (the emulator sends signed requests there). */
  appUrl: string;
  /** This run's Redis key prefix (deleted on close). */
  redisPrefix: string;
  close(): Promise<void>;
}

export interface SandboxOptions {
  env: Readonly<Environment>;
  logger: AppLogger;
  /** The console's port. @defaultValue env.PORT (3000); 0 picks a free one */
  port?: number;
  /** @defaultValue "127.0.0.1" (the console is for this machine only) */
  host?: string;
  /** How long a simulated cross-account copy takes. @defaultValue 20000 */
  copyDurationMs?: number;
  /** How often the worker looks at a running copy. @defaultValue "1s" */
  pollInterval?: string;
}

/** Tells the person exactly how to get a Redis, instead of a stack of connection errors. */
async function requireRedis(url: string): Promise<void> {
  const redis = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: 2000,
    retryStrategy: () => null,
  });
  redis.on("error", () => {});
  try {
    await redis.connect();
    await redis.ping();
  } catch {
    throw new ConfigError(
      `Redis is not reachable at ${url}. Start one with \`docker compose up -d redis\` (or \`redis-server\`), or set REDIS_URL.`,
    );
  } finally {
    redis.disconnect();
  }
}

/**
 * The whole product on one machine with no account anywhere: the Tencent Cloud simulator, the
 * Slack emulator, the bot and the worker, wired exactly as in production but pointed at stand-ins,
 * and a web console that shows the emulated Slack and the simulated cloud.
 */
export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  const { env, logger } = options;
  await requireRedis(env.REDIS_URL);
  const sim = await startTencentSimulator({ copyDurationMs: options.copyDurationMs ?? 20_000 });
  seedSandboxCloud(sim);
  const slack = await startSlackEmulator({
    signingSecret: SANDBOX.signingSecret,
    botToken: SANDBOX.botToken,
    users: Object.values(SANDBOX.users).map((u) => ({ id: u.id, name: u.name, realName: u.realName })),
    channels: Object.values(SANDBOX.channels).map((c) => ({ id: c.id, name: c.name })),
  });
  const sandboxEnv = parseEnvironment({
    SLACK_BOT_TOKEN: SANDBOX.botToken,
    SLACK_SIGNING_SECRET: SANDBOX.signingSecret,
    SLACK_API_URL: slack.apiUrl,
    REDIS_URL: env.REDIS_URL,
    TENCENTCLOUD_SECRET_ID: SANDBOX.source.secretId,
    TENCENTCLOUD_SECRET_KEY: SANDBOX.source.secretKey,
    TENCENTCLOUD_API_ENDPOINT: sim.url,
    LOG_LEVEL: env.LOG_LEVEL,
  });
  // Each sandbox run starts clean under its own prefix, and never touches a real deployment's keys.
  const redisPrefix = `cbs-sandbox-${Date.now().toString(36)}${randomBytes(2).toString("hex")}`;
  const config = buildBotConfig(sandboxConfig(redisPrefix, options.pollInterval));
  const bot = await startBot({ env: sandboxEnv, config, role: "all", logger, port: 0 });
  const appUrl = `http://127.0.0.1:${bot.slack?.port}/slack/events`;
  const consoleServer = await startConsoleServer({
    slack,
    sim,
    appUrl,
    host: options.host ?? "127.0.0.1",
    port: options.port ?? env.PORT,
    logger,
  }).catch(async (err: unknown) => {
    await Promise.allSettled([bot.close(), slack.close(), sim.close()]);
    await deleteKeysWithPrefix(env.REDIS_URL, redisPrefix).catch(() => undefined);
    if (isAddressInUse(err)) {
      throw new ConfigError(
        `port ${options.port ?? env.PORT} is already in use: stop what runs there, or set PORT to another port for the console.`,
      );
    }
    throw err;
  });
  logger.info(
    {
      console: consoleServer.url,
      appUrl,
      slackEmulator: slack.baseUrl,
      tencentSimulator: sim.url,
      redisPrefix,
    },
    "sandbox running: simulated Slack and Tencent Cloud, no accounts needed",
  );

  let closing: Promise<void> | undefined;
  return {
    consoleUrl: consoleServer.url,
    appUrl,
    redisPrefix,
    close() {
      closing ??= (async () => {
        await consoleServer.close();
        await bot.close();
        await slack.close();
        await sim.close();
        // The sandbox leaves nothing behind in Redis: only its own prefix is deleted.
        await deleteKeysWithPrefix(env.REDIS_URL, redisPrefix).catch((err: unknown) =>
          logger.warn({ err, redisPrefix }, "could not delete the sandbox's Redis keys"),
        );
      })();
      return closing;
    },
  };
}

function isAddressInUse(err: unknown): boolean {
  return typeof err === "object" && err !== null && (err as { code?: unknown }).code === "EADDRINUSE";
}
