import { z } from "zod";
import { DESTINATION_ALIAS, REGION, UIN } from "../domain/ids.js";
import { parseDuration } from "./duration.js";

const uin = z
  .union([z.string(), z.number().int()])
  .transform((v) => String(v))
  .pipe(z.string().regex(UIN, "must be an account UIN of 5–20 digits (quote it in YAML)"));

const duration = (fallback: string) =>
  z
    .union([z.string(), z.number()])
    .default(fallback)
    .transform((v, ctx) => {
      const ms = parseDuration(v);
      if (ms === undefined) {
        ctx.addIssue({ code: "custom", message: `"${v}" is not a duration (use e.g. 90s, 15m, 24h, 2d)` });
        return z.NEVER;
      }
      return ms;
    });

const slackId = (what: string) =>
  z.string().regex(/^[A-Z0-9]{2,}$/, `must be a Slack ${what} id like C0123ABCD`);

const ROLE_ARN = /^qcs::cam::uin\/\d{5,20}:roleName\/[\w+=,.@-]{1,128}$/;

export const destinationSchema = z
  .object({
    accountUin: uin,
    readRoleArn: z.string().regex(ROLE_ARN, "must look like qcs::cam::uin/<uin>:roleName/<name>").optional(),
  })
  .strict();

/** The YAML file (DESIGN §7). Secrets never live here; they come from the environment. */
export const botConfigSchema = z
  .object({
    source: z
      .object({
        accountUin: uin,
        regions: z.array(z.string().regex(REGION, "must be a region name like ap-guangzhou")).min(1),
      })
      .strict(),
    destinations: z
      .record(
        z.string().regex(DESTINATION_ALIAS, "aliases are lowercase letters, digits and dashes"),
        destinationSchema,
      )
      .refine((d) => Object.keys(d).length > 0, "configure at least one destination"),
    replication: z
      .object({
        // `share` (ModifySnapshotsSharePermission) is designed but not built yet: refuse it at start-up
        // rather than accept a setting the worker would ignore.
        method: z
          .literal("copy", { error: 'only "copy" is supported in this version ("share" is planned)' })
          .default("copy"),
        /** How often the worker looks at a copy in flight. */
        pollInterval: duration("15s"),
        /** A copy still unfinished after this long is reported as stuck, not waited on forever. */
        maxCopyDuration: duration("12h"),
        attempts: z.number().int().min(1).max(50).default(8),
        concurrency: z.number().int().min(1).max(500).default(20),
      })
      .strict()
      .prefault({}),
    slack: z
      .object({
        requestChannels: z.array(slackId("channel")).default([]),
        approvalChannel: slackId("channel").optional(),
        notifyChannel: slackId("channel").optional(),
      })
      .strict()
      .prefault({}),
    approvers: z
      .object({
        users: z.array(slackId("user")).default([]),
        usergroups: z.array(slackId("user group")).default([]),
        required: z.number().int().min(1).max(10).default(1),
        allowSelfApproval: z.boolean().default(false),
      })
      .strict()
      .refine(
        (a) => a.users.length + a.usergroups.length > 0,
        "list at least one approver (users or usergroups)",
      ),
    requestTtl: duration("24h"),
    /** Prefix of every Redis key the bot writes (BullMQ prefix too); wrap it in {braces} for Redis Cluster. */
    redisPrefix: z
      .string()
      .regex(/^[\w{}-]{1,64}$/, "letters, digits, -, _ and {} only")
      .default("cbs-bot"),
  })
  .strict()
  .superRefine((config, ctx) => {
    const seen = new Map<string, string>();
    for (const [alias, destination] of Object.entries(config.destinations)) {
      if (destination.accountUin === config.source.accountUin) {
        ctx.addIssue({
          code: "custom",
          path: ["destinations", alias, "accountUin"],
          message: "is the source account itself; cross-account replication needs another account",
        });
      }
      const other = seen.get(destination.accountUin);
      if (other) {
        ctx.addIssue({
          code: "custom",
          path: ["destinations", alias, "accountUin"],
          message: `is already used by destination "${other}"`,
        });
      }
      seen.set(destination.accountUin, alias);
    }
  });

export type BotConfig = z.output<typeof botConfigSchema>;
export type BotConfigInput = z.input<typeof botConfigSchema>;
