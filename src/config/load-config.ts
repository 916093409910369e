import { existsSync, readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { type BotConfig, type BotConfigInput, botConfigSchema } from "./bot-config.schema.js";
import { ConfigError, describeIssues } from "./config-error.js";
import { type Environment, environmentSchema } from "./environment.schema.js";

export type { BotConfig, BotConfigInput } from "./bot-config.schema.js";
export { ConfigError } from "./config-error.js";
export type { Environment } from "./environment.schema.js";

/** Parses an environment (a plain record, so tests never touch process.env). */
export function parseEnvironment(env: Record<string, string | undefined>): Readonly<Environment> {
  const result = environmentSchema.safeParse(env);
  if (!result.success) throw new ConfigError(describeIssues("environment", result.error));
  return Object.freeze({ ...result.data, redisUrlSet: Boolean(env.REDIS_URL?.trim()) });
}

export function parseBotConfig(input: unknown, where = "configuration"): Readonly<BotConfig> {
  const result = botConfigSchema.safeParse(input);
  if (!result.success) throw new ConfigError(describeIssues(where, result.error));
  return deepFreeze(result.data);
}

export function loadBotConfigFile(path: string): Readonly<BotConfig> {
  if (!existsSync(path)) {
    throw new ConfigError(
      `${path}: configuration file not found (set BOT_CONFIG, or copy bot.config.example.yml to ${path})`,
    );
  }
  let document: unknown;
  try {
    document = parseYaml(readFileSync(path, "utf8"));
  } catch (err) {
    const reason = err instanceof Error ? err.message.split("\n")[0] : String(err);
    throw new ConfigError(`${path}: not valid YAML: ${reason}`);
  }
  if (document === null || document === undefined) {
    throw new ConfigError(`${path}: the file is empty (copy bot.config.example.yml to start)`);
  }
  if (typeof document !== "object" || Array.isArray(document)) {
    throw new ConfigError(
      `${path}: expected a YAML mapping of settings (source:, destinations:, approvers: …), not ${Array.isArray(document) ? "a list" : `a ${typeof document}`}`,
    );
  }
  return parseBotConfig(document, path);
}

/** The only place the process environment is read. */
export function readProcessEnvironment(): Readonly<Environment> {
  return parseEnvironment(process.env);
}

/** Validates a typed config object (tests, sandbox) through the same schema as the file. */
export function buildBotConfig(input: BotConfigInput): Readonly<BotConfig> {
  return parseBotConfig(input);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object") {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
