import { LogLevel, type Logger as SlackLogger } from "@slack/logger";
import { pino } from "pino";
import type { Environment } from "../config/environment.schema.js";
import type { Logger } from "../core/ports/logger.port.js";

/** Paths that may carry secrets; pino replaces them wherever they appear in a log line. */
const REDACT = [
  "token",
  "*.token",
  "secretKey",
  "*.secretKey",
  "secretId",
  "*.secretId",
  "credential",
  "*.credential",
  "credentials",
  "*.credentials",
  "authorization",
  "*.authorization",
  "headers.authorization",
  "*.headers.authorization",
  "signingSecret",
  "*.signingSecret",
  "headers.cookie",
  "*.headers.cookie",
  'headers["x-slack-signature"]',
  '*.headers["x-slack-signature"]',
  "SLACK_BOT_TOKEN",
  "SLACK_APP_TOKEN",
  "SLACK_SIGNING_SECRET",
  "TENCENTCLOUD_SECRET_KEY",
  "TENCENTCLOUD_SESSION_TOKEN",
  "*.TENCENTCLOUD_SECRET_KEY",
  "*.TENCENTCLOUD_SESSION_TOKEN",
];

/** Slack tokens and request signatures: redacted wherever they appear, whatever the field. */
const SECRET_PATTERNS = [/xox[abprs]-[A-Za-z0-9-]+/g, /xapp-[A-Za-z0-9-]+/g, /v0=[0-9a-f]{16,}/g];
const CENSOR = "[redacted]";
/** Shorter configured values are not looked for: they would redact ordinary words. */
const MIN_SECRET_LENGTH = 6;

function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Replaces tokens, signatures and the configured secrets in a serialized log line: after pino
 * wrote it, so messages, nested fields and error stacks are all covered. A secret is looked for
 * both as it is and as JSON escapes it inside a string.
 */
export class LogScrubber {
  private patterns: RegExp[] = [...SECRET_PATTERNS];

  addSecrets(values: readonly (string | undefined)[]): void {
    for (const value of values) {
      if (!value || value.length < MIN_SECRET_LENGTH) continue;
      for (const form of new Set([value, JSON.stringify(value).slice(1, -1)]))
        this.patterns.push(new RegExp(escapeRegExp(form), "g"));
    }
  }

  scrub(line: string): string {
    let out = line;
    for (const pattern of this.patterns) out = out.replace(pattern, CENSOR);
    return out;
  }
}

/** The secret values of the environment, for `AppLogger.redactValues`. */
export function secretsOf(env: Readonly<Partial<Environment>>): string[] {
  return [
    env.SLACK_BOT_TOKEN,
    env.SLACK_APP_TOKEN,
    env.SLACK_SIGNING_SECRET,
    env.TENCENTCLOUD_SECRET_ID,
    env.TENCENTCLOUD_SECRET_KEY,
    env.TENCENTCLOUD_SESSION_TOKEN,
  ].filter((v): v is string => typeof v === "string");
}

export type AppLogger = Logger & {
  level: string;
  /** Adds values (the configured secrets) that no line of this logger or its children may show. */
  redactValues?(values: readonly string[]): void;
};

export interface LoggerOptions {
  /** Where the JSON lines go. @defaultValue stdout, synchronously */
  destination?: { write(line: string): unknown };
  /** Values no line may show, known at creation (more through `redactValues`). */
  secrets?: readonly string[];
}

/** One JSON object per line; errors under `err` (or `error`) carry their stack as one string field. */
export function createLogger(level: string, options: LoggerOptions = {}): AppLogger {
  const scrubber = new LogScrubber();
  scrubber.addSecrets(options.secrets ?? []);
  const destination = options.destination ?? pino.destination({ dest: 1, sync: true });
  const logger = pino(
    {
      level,
      redact: { paths: REDACT, censor: CENSOR },
      base: { app: "cbs-snapshot-bot" },
      serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err },
    },
    { write: (line: string) => destination.write(scrubber.scrub(line)) },
  ) as unknown as AppLogger;
  logger.redactValues = (values) => scrubber.addSecrets(values);
  return logger;
}

/**
 * The last words of a process that could not start: one JSON line on stderr (tokens and
 * signatures redacted), not a raw multi-line stack.
 */
export function writeFatal(message: string, err: unknown): void {
  const scrubber = new LogScrubber();
  const fields = err instanceof Error ? pino.stdSerializers.err(err) : { message: String(err) };
  process.stderr.write(
    `${scrubber.scrub(JSON.stringify({ level: 60, time: Date.now(), app: "cbs-snapshot-bot", msg: message, err: fields }))}\n`,
  );
}

const SLACK_LEVELS: Record<string, LogLevel> = {
  trace: LogLevel.DEBUG,
  debug: LogLevel.DEBUG,
  info: LogLevel.INFO,
  warn: LogLevel.WARN,
  error: LogLevel.ERROR,
  fatal: LogLevel.ERROR,
  silent: LogLevel.ERROR,
};

/** Bolt and the Web API client log through ours, so every line is structured JSON. */
export function toSlackLogger(logger: AppLogger): SlackLogger {
  let level = SLACK_LEVELS[logger.level] ?? LogLevel.INFO;
  const log =
    (fn: (fields: object, message: string) => void) =>
    (...msg: unknown[]) =>
      fn({ source: "slack" }, msg.map((m) => (typeof m === "string" ? m : JSON.stringify(m))).join(" "));
  return {
    debug: log(logger.debug.bind(logger)),
    info: log(logger.info.bind(logger)),
    warn: log(logger.warn.bind(logger)),
    error: log(logger.error.bind(logger)),
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => {},
  };
}
