import { z } from "zod";

const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === "" ? undefined : v.trim()));

const url = (what: string) =>
  optionalText.pipe(z.string().url(`${what} must be a URL like http://127.0.0.1:9000`).optional());

/** The environment contract (docs/operator-guide.md, section 3: the environment). */
export const environmentSchema = z.object({
  SLACK_BOT_TOKEN: optionalText,
  SLACK_SIGNING_SECRET: optionalText,
  /** Socket Mode's app-level token (with connections:write); set, the app connects out to Slack. */
  SLACK_APP_TOKEN: optionalText.pipe(
    z
      .string()
      .regex(/^xapp-\S+$/, "SLACK_APP_TOKEN must be an app-level token (xapp-…), not a bot or user token")
      .optional(),
  ),
  SLACK_API_URL: url("SLACK_API_URL").transform((v) => v ?? "https://slack.com/api/"),
  PORT: optionalText.pipe(
    z
      .string()
      .regex(/^\d{1,5}$/, "PORT must be a port number")
      .optional()
      .transform((v) => (v === undefined ? 3000 : Number(v))),
  ),
  REDIS_URL: optionalText.pipe(
    z
      .string()
      .regex(/^rediss?:\/\//, "REDIS_URL must start with redis:// or rediss://")
      .optional()
      .transform((v) => v ?? "redis://127.0.0.1:6379"),
  ),
  TENCENTCLOUD_SECRET_ID: optionalText,
  TENCENTCLOUD_SECRET_KEY: optionalText,
  TENCENTCLOUD_SESSION_TOKEN: optionalText,
  TENCENTCLOUD_API_ENDPOINT: url("TENCENTCLOUD_API_ENDPOINT"),
  BOT_CONFIG: optionalText.transform((v) => v ?? "./bot.config.yml"),
  LOG_LEVEL: optionalText.pipe(
    z
      .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"])
      .optional()
      .transform((v) => v ?? "info"),
  ),
});

export type Environment = z.output<typeof environmentSchema> & {
  /** Whether REDIS_URL was set (not empty): without it the sandbox runs a private Redis instead of the default. */
  readonly redisUrlSet: boolean;
};
