import { LogLevel, type Logger as SlackLogger } from "@slack/logger";
import { pino } from "pino";
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
];

export type AppLogger = Logger & { level: string };

export function createLogger(level: string): AppLogger {
  return pino({
    level,
    redact: { paths: REDACT, censor: "[redacted]" },
    base: { app: "cbs-snapshot-bot" },
  }) as unknown as AppLogger;
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
