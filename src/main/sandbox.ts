import { Redis } from "ioredis";
import { startTencentSimulator } from "../cloud/simulator/index.js";
import { buildBotConfig, ConfigError, type Environment, parseEnvironment } from "../config/load-config.js";
import { startSlackEmulator } from "../slack/emulator/index.js";
import { startBot } from "./compose.js";
import type { AppLogger } from "./logger.js";
import { SANDBOX, sandboxConfig, seedSandboxCloud } from "./sandbox-seed.js";

export interface Sandbox {
  appUrl: string;
  close(): Promise<void>;
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
 * Slack emulator, the bot and the worker, wired exactly as in production but pointed at stand-ins.
 */
export async function startSandbox(options: {
  env: Readonly<Environment>;
  logger: AppLogger;
}): Promise<Sandbox> {
  const { env, logger } = options;
  await requireRedis(env.REDIS_URL);
  const sim = await startTencentSimulator({ copyDurationMs: 20_000 });
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
  const config = buildBotConfig(sandboxConfig(`cbs-sandbox-${Date.now().toString(36)}`));
  const bot = await startBot({ env: sandboxEnv, config, role: "all", logger, port: 0 });
  const appUrl = `http://127.0.0.1:${bot.slack?.port}/slack/events`;
  logger.info(
    { appUrl, slackEmulator: slack.baseUrl, tencentSimulator: sim.url },
    "sandbox running: simulated Slack and Tencent Cloud, no accounts needed",
  );
  return {
    appUrl,
    async close() {
      await bot.close();
      await slack.close();
      await sim.close();
    },
  };
}
