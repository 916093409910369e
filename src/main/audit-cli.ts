import { existsSync } from "node:fs";
import { Redis } from "ioredis";
import { RedisAuditTrail } from "../adapters/store-redis/audit.store.js";
import { parseDuration } from "../config/duration.js";
import { ConfigError, type Environment, loadBotConfigFile } from "../config/load-config.js";
import { REQUEST_ID } from "../core/ids.js";
import type { AuditQuery } from "../core/ports/audit.port.js";

export const AUDIT_USAGE =
  "usage: npm run audit -- [--since <ISO time | 24h | 7d>] [--until <ISO time | duration ago>] [--request rq-xxxxxx] [--prefix <redisPrefix>]";

export interface AuditArgs {
  query: AuditQuery;
  prefix?: string;
}

/** `--since 2026-11-24T00:00:00Z` or `--since 24h` (that long ago). */
function parseTime(value: string, now: Date): Date | undefined {
  const ms = parseDuration(value);
  if (ms !== undefined && /[a-z]$/i.test(value.trim())) return new Date(now.getTime() - ms);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : new Date(at);
}

export function parseAuditArgs(argv: readonly string[], now: Date): AuditArgs {
  const query: AuditQuery = {};
  let prefix: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i] ?? "";
    const [name, inline] = flag.includes("=") ? flag.split("=", 2) : [flag, undefined];
    const value = inline ?? argv[++i];
    if (value === undefined) throw new ConfigError(`${name} needs a value. ${AUDIT_USAGE}`);
    switch (name) {
      case "--since":
      case "--until": {
        const at = parseTime(value, now);
        if (!at)
          throw new ConfigError(
            `${name} "${value}" is neither an ISO time nor a duration like 24h. ${AUDIT_USAGE}`,
          );
        if (name === "--since") query.since = at;
        else query.until = at;
        break;
      }
      case "--request":
        if (!REQUEST_ID.test(value))
          throw new ConfigError(`--request "${value}" is not a request id (rq-xxxxxx)`);
        query.requestId = value;
        break;
      case "--prefix":
        prefix = value;
        break;
      default:
        throw new ConfigError(`unknown option "${name}". ${AUDIT_USAGE}`);
    }
  }
  return { query, ...(prefix ? { prefix } : {}) };
}

/**
 * `npm run audit -- --since 24h`: prints the audit trail as JSON lines (one entry each, oldest
 * first). The Redis key prefix comes from `--prefix`, else the configuration file, else `cbs-bot`.
 */
export async function runAudit(
  argv: readonly string[],
  env: Pick<Environment, "REDIS_URL" | "BOT_CONFIG">,
  write: (line: string) => void,
): Promise<number> {
  const args = parseAuditArgs(argv, new Date());
  const prefix =
    args.prefix ?? (existsSync(env.BOT_CONFIG) ? loadBotConfigFile(env.BOT_CONFIG).redisPrefix : "cbs-bot");
  const redis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: 1, lazyConnect: true });
  try {
    await redis.connect();
    const entries = await new RedisAuditTrail(redis, prefix).read(args.query);
    for (const entry of entries) write(JSON.stringify(entry));
    return entries.length;
  } finally {
    redis.disconnect();
  }
}
