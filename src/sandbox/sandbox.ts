import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { z } from "zod";
import { startSlackEmulator } from "../../dev/slack-emulator/index.js";
import { startTencentSimulator } from "../../dev/tencent-simulator/index.js";
import { auditStreamKey, RedisAuditTrail } from "../adapters/store-redis/audit.store.js";
import { buildBotConfig, ConfigError, type Environment, parseEnvironment } from "../config/load-config.js";
import { startBot } from "../main/compose.js";
import type { AppLogger } from "../main/logger.js";
import { startConsoleServer } from "./console.server.js";
import { type PrivateRedis, startPrivateRedis } from "./private-redis.js";
import { deleteKeysWithPrefix } from "./redis-keys.js";
import { SANDBOX, sandboxConfig, seedSandboxCloud } from "./sandbox-seed.js";

export interface Sandbox {
  /** The web console, e.g. "http://127.0.0.1:3000/". */
  consoleUrl: string;
  /** The bot's Slack endpoint (the emulator sends signed requests there). */
  appUrl: string;
  /** This run's Redis key prefix (deleted on close, but for the audit stream unless told otherwise). */
  redisPrefix: string;
  /** The exact command that prints this run's audit trail (`npm run audit -- --prefix …`). */
  auditCommand: string;
  /**
   * Where the audit trail goes on close with a private redis-server (its data goes with it): the
   * same JSON lines `npm run audit` prints. Absent with REDIS_URL (the stream stays there) or when
   * told to delete it.
   */
  auditFile?: string;
  /** The Redis it uses: REDIS_URL's, or (REDIS_URL unset) its private redis-server's. */
  redisUrl: string;
  /** The private redis-server (REDIS_URL unset), stopped and its folder removed on close. */
  privateRedis?: { pid: number; port: number; dir: string };
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
  /** How long a copy may run before it is reported stuck. @defaultValue SANDBOX_MAX_COPY_DURATION */
  maxCopyDuration?: string;
  /**
   * Keep the audit trail after close (in REDIS_URL's Redis, or written to {@link Sandbox.auditFile}).
   * @defaultValue true, unless SANDBOX_DELETE_AUDIT=1
   */
  keepAudit?: boolean;
  /** Where a private Redis's audit trail is written on close. @defaultValue `<tmpdir>/cbs-sandbox-audit` */
  auditDir?: string;
  /** How long after a linked policy's snapshot its automatic copy shows. @defaultValue 3000 */
  autoCopyDelayMs?: number;
  /** Real time between two firings of the console's "Fire a day". @defaultValue 1500 */
  policyDayStepMs?: number;
  /** Where the line saying which Redis the sandbox uses goes. @defaultValue stdout */
  announce?: (line: string) => void;
}

/** SANDBOX_DELETE_AUDIT=1: the sandbox leaves no audit trail behind (by default it keeps it). */
const deleteAuditFlag = z
  .enum(["", "0", "1", "false", "true"], { message: "SANDBOX_DELETE_AUDIT must be 1 (delete) or 0 (keep)" })
  .optional();

function keepAuditByDefault(): boolean {
  const parsed = deleteAuditFlag.safeParse(process.env.SANDBOX_DELETE_AUDIT);
  if (!parsed.success) throw new ConfigError(parsed.error.issues[0]?.message ?? "bad SANDBOX_DELETE_AUDIT");
  return !(parsed.data === "1" || parsed.data === "true");
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
      `Redis is not reachable at ${url}. Start one with \`docker compose up -d redis\` (or \`redis-server\`), or unset REDIS_URL and the sandbox runs a private one.`,
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
  // REDIS_URL unset: a redis-server of its own, so the demo never writes into whatever answers on 6379.
  const keepAudit = options.keepAudit ?? keepAuditByDefault();
  const privateRedis = options.env.redisUrlSet ? undefined : await startPrivateRedis();
  try {
    return await startSandboxOn(privateRedis?.url ?? options.env.REDIS_URL, privateRedis, {
      ...options,
      keepAudit,
    });
  } catch (err) {
    await privateRedis?.stop();
    throw err;
  }
}

async function startSandboxOn(
  redisUrl: string,
  privateRedis: PrivateRedis | undefined,
  options: SandboxOptions & { keepAudit: boolean },
): Promise<Sandbox> {
  const { env, logger, keepAudit } = options;
  if (!privateRedis) await requireRedis(redisUrl);
  const sim = await startTencentSimulator({ copyDurationMs: options.copyDurationMs ?? 20_000 });
  seedSandboxCloud(
    sim,
    options.autoCopyDelayMs === undefined ? {} : { autoCopyDelayMs: options.autoCopyDelayMs },
  );
  const slack = await startSlackEmulator({
    signingSecret: SANDBOX.signingSecret,
    botToken: SANDBOX.botToken,
    users: Object.values(SANDBOX.users).map((u) => ({
      id: u.id,
      name: u.name,
      realName: u.realName,
      ...("locale" in u ? { locale: u.locale } : {}),
    })),
    channels: Object.values(SANDBOX.channels).map((c) => ({ id: c.id, name: c.name })),
  });
  const sandboxEnv = parseEnvironment({
    SLACK_BOT_TOKEN: SANDBOX.botToken,
    SLACK_SIGNING_SECRET: SANDBOX.signingSecret,
    SLACK_API_URL: slack.apiUrl,
    REDIS_URL: redisUrl,
    TENCENTCLOUD_SECRET_ID: SANDBOX.source.secretId,
    TENCENTCLOUD_SECRET_KEY: SANDBOX.source.secretKey,
    TENCENTCLOUD_API_ENDPOINT: sim.url,
    LOG_LEVEL: env.LOG_LEVEL,
  });
  // Each sandbox run starts clean under its own prefix, and never touches a real deployment's keys.
  const redisPrefix = `cbs-sandbox-${Date.now().toString(36)}${randomBytes(2).toString("hex")}`;
  const config = buildBotConfig(sandboxConfig(redisPrefix, options.pollInterval, options.maxCopyDuration));
  const bot = await startBot({ env: sandboxEnv, config, role: "all", logger, port: 0 });
  const appUrl = `http://127.0.0.1:${bot.slack?.port}/slack/events`;
  const consoleServer = await startConsoleServer({
    slack,
    sim,
    appUrl,
    // The bot's /readyz and /metrics on the console's port (PORT), as the production bot has them on PORT.
    opsUrl: `http://127.0.0.1:${bot.port}`,
    host: options.host ?? "127.0.0.1",
    port: options.port ?? env.PORT,
    logger,
    ...(options.policyDayStepMs === undefined ? {} : { policyDayStepMs: options.policyDayStepMs }),
  }).catch(async (err: unknown) => {
    await Promise.allSettled([bot.close(), slack.close(), sim.close()]);
    if (!privateRedis) await deleteKeysWithPrefix(redisUrl, redisPrefix).catch(() => undefined);
    if (isAddressInUse(err)) {
      throw new ConfigError(
        `port ${options.port ?? env.PORT} is already in use: stop what runs there, or set PORT to another port for the console.`,
      );
    }
    throw err;
  });
  const redis = privateRedis
    ? `a private redis-server on 127.0.0.1:${privateRedis.port} (pid ${privateRedis.pid}, data in ${privateRedis.dir}; stopped and removed on exit; set REDIS_URL to use another Redis)`
    : `${withoutPassword(redisUrl)} from REDIS_URL (keys under ${redisPrefix}:, deleted on exit${keepAudit ? ` but for the audit stream ${auditStreamKey(redisPrefix)}` : ""})`;
  const auditCommand = `REDIS_URL=${withoutPassword(redisUrl)} npm run audit -- --prefix ${redisPrefix}`;
  const auditFile =
    privateRedis && keepAudit
      ? join(options.auditDir ?? join(tmpdir(), "cbs-sandbox-audit"), `${redisPrefix}.jsonl`)
      : undefined;
  const afterExit = !keepAudit
    ? "deleted on exit (SANDBOX_DELETE_AUDIT=1)"
    : auditFile
      ? `on exit written to ${auditFile} (the same JSON lines); SANDBOX_DELETE_AUDIT=1 npm start keeps nothing`
      : "kept in that Redis after exit; SANDBOX_DELETE_AUDIT=1 npm start deletes it too";
  logger.info(
    {
      console: consoleServer.url,
      appUrl,
      slackEmulator: slack.baseUrl,
      tencentSimulator: sim.url,
      redisPrefix,
      redis,
      auditCommand,
    },
    "sandbox running: simulated Slack and Tencent Cloud, no accounts needed",
  );

  const announce = options.announce ?? ((line) => process.stdout.write(`${line}\n`));
  announce(`Sandbox Redis: ${redis}`);
  announce(`Sandbox audit trail: ${auditCommand}  (${privateRedis ? "while it runs; " : ""}${afterExit})`);

  let closing: Promise<void> | undefined;
  return {
    consoleUrl: consoleServer.url,
    appUrl,
    redisPrefix,
    redisUrl,
    auditCommand,
    ...(auditFile ? { auditFile } : {}),
    ...(privateRedis && {
      privateRedis: { pid: privateRedis.pid, port: privateRedis.port, dir: privateRedis.dir },
    }),
    close() {
      closing ??= (async () => {
        try {
          await consoleServer.close();
          await bot.close();
          await slack.close();
          await sim.close();
          // The sandbox leaves nothing behind in Redis but its audit trail: its private one goes
          // (the trail written to a file first), or only its own prefix (the stream stays).
          if (auditFile)
            await exportAuditTrail(redisUrl, redisPrefix, auditFile).catch((err: unknown) =>
              logger.warn({ err, auditFile }, "could not write the sandbox's audit trail"),
            );
          if (!privateRedis)
            await deleteKeysWithPrefix(redisUrl, redisPrefix, {
              keep: keepAudit ? [auditStreamKey(redisPrefix)] : [],
            }).catch((err: unknown) =>
              logger.warn({ err, redisPrefix }, "could not delete the sandbox's Redis keys"),
            );
        } finally {
          await privateRedis?.stop();
        }
      })();
      return closing;
    },
  };
}

/** The audit stream as the JSON lines `npm run audit` prints, oldest first. */
async function exportAuditTrail(redisUrl: string, prefix: string, file: string): Promise<void> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, connectTimeout: 2000 });
  redis.on("error", () => {});
  try {
    const entries = await new RedisAuditTrail(redis, prefix).read();
    mkdirSync(join(file, ".."), { recursive: true });
    writeFileSync(file, entries.map((entry) => `${JSON.stringify(entry)}\n`).join(""));
  } finally {
    redis.disconnect();
  }
}

function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return url;
  }
}

function isAddressInUse(err: unknown): boolean {
  return typeof err === "object" && err !== null && (err as { code?: unknown }).code === "EADDRINUSE";
}
