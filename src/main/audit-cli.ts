import { existsSync } from "node:fs";
import { Redis } from "ioredis";
import { auditStreamKey, RedisAuditTrail } from "../adapters/store-redis/audit.store.js";
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

/** Where the prefix read came from, for the explanation when nothing is found. */
type PrefixSource = "flag" | "config" | "default";

/** At most this many other audit streams are named when the one read is empty. */
const MAX_OTHER_STREAMS = 10;
/** SCAN rounds when looking for other audit streams: a big Redis is not walked end to end. */
const MAX_SCAN_ROUNDS = 200;

/**
 * `npm run audit -- --since 24h`: prints the audit trail as JSON lines (one entry each, oldest
 * first). The Redis key prefix comes from `--prefix`, else the configuration file, else `cbs-bot`.
 * When nothing matches, `explain` (stderr; stdout stays JSON lines) says which prefix and window
 * were read, what the stream holds, and which other prefixes have an audit stream in this Redis.
 */
export async function runAudit(
  argv: readonly string[],
  env: Pick<Environment, "REDIS_URL" | "BOT_CONFIG">,
  write: (line: string) => void,
  explain: (line: string) => void = () => undefined,
): Promise<number> {
  const args = parseAuditArgs(argv, new Date());
  const configured = existsSync(env.BOT_CONFIG);
  const source: PrefixSource = args.prefix ? "flag" : configured ? "config" : "default";
  const prefix = args.prefix ?? (configured ? loadBotConfigFile(env.BOT_CONFIG).redisPrefix : "cbs-bot");
  const redis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: 1, lazyConnect: true });
  try {
    await redis.connect();
    const entries = await new RedisAuditTrail(redis, prefix).read(args.query);
    for (const entry of entries) write(JSON.stringify(entry));
    if (entries.length === 0) {
      for (const line of await explainNothing(redis, { prefix, source, args, configFile: env.BOT_CONFIG }))
        explain(line);
    }
    return entries.length;
  } finally {
    redis.disconnect();
  }
}

/** Why an audit read found nothing, in lines for an operator: what was read, and what to try. */
async function explainNothing(
  redis: Redis,
  input: { prefix: string; source: PrefixSource; args: AuditArgs; configFile: string },
): Promise<string[]> {
  const { prefix, source, args } = input;
  const key = auditStreamKey(prefix);
  const from =
    source === "flag"
      ? "from --prefix"
      : source === "config"
        ? `redisPrefix in ${input.configFile}`
        : `the default: no configuration file at ${input.configFile}`;
  const { since, until, requestId } = args.query;
  const window =
    since || until
      ? `between ${since ? since.toISOString() : "the beginning"} and ${until ? until.toISOString() : "now"}`
      : "at any time";
  const lines = [
    `audit: no entries under prefix "${prefix}" (${from}; Redis stream ${key}) ${window}${requestId ? ` for ${requestId}` : ""}.`,
  ];
  const length = await redis.xlen(key).catch(() => 0);
  if (length > 0) {
    const [first] = (await redis.xrange(key, "-", "+", "COUNT", 1)) as Array<[string, string[]]>;
    const [last] = (await redis.xrevrange(key, "+", "-", "COUNT", 1)) as Array<[string, string[]]>;
    const at = (entry: [string, string[]] | undefined) =>
      entry ? new Date(Number(entry[0].split("-")[0])).toISOString() : "?";
    lines.push(
      `  That stream holds ${length} entries, from ${at(first)} to ${at(last)}: widen --since/--until${requestId ? " or check the request id" : ""}.`,
    );
    return lines;
  }
  const others = (await findAuditStreams(redis)).filter((s) => s.prefix !== prefix);
  if (others.length === 0) {
    lines.push(
      "  No audit stream is in this Redis at all: is REDIS_URL the bot's Redis, and has the bot handled a request yet?",
    );
  } else {
    lines.push("  Audit streams in this Redis:");
    for (const other of others.slice(0, MAX_OTHER_STREAMS))
      lines.push(`    --prefix ${other.prefix}  (${other.length} entries)`);
    if (others.length > MAX_OTHER_STREAMS) lines.push(`    …and ${others.length - MAX_OTHER_STREAMS} more`);
    const example = others[0]?.prefix ?? prefix;
    lines.push(`  Read one with: npm run audit -- --prefix ${example}${since ? " --since 24h" : ""}`);
  }
  return lines;
}

/** The audit streams (`<prefix>:audit`) in this Redis, with their lengths, largest first. */
async function findAuditStreams(redis: Redis): Promise<{ prefix: string; length: number }[]> {
  const found: { prefix: string; length: number }[] = [];
  let cursor = "0";
  for (let round = 0; round < MAX_SCAN_ROUNDS; round++) {
    const [next, keys] = await redis.scan(cursor, "MATCH", "*:audit", "COUNT", 1000, "TYPE", "stream");
    for (const key of keys)
      found.push({ prefix: key.slice(0, -":audit".length), length: await redis.xlen(key) });
    cursor = next;
    if (cursor === "0") break;
  }
  return found.sort((a, b) => b.length - a.length || a.prefix.localeCompare(b.prefix));
}
