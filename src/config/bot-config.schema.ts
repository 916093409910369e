import { z } from "zod";
import { DESTINATION_ALIAS, REGION, UIN } from "../core/ids.js";
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
/** Member ids start with U, or W on Enterprise Grid. */
const slackUserId = z
  .string()
  .regex(/^[UW][A-Z0-9]{2,}$/, "must be a Slack user id like U0123ABCD (W… on Enterprise Grid)");
const slackUsergroupId = z.string().regex(/^S[A-Z0-9]{2,}$/, "must be a Slack user group id like S0123ABCD");

/**
 * How a snapshot reaches a destination: `copy` (CopySnapshotCrossAccount: an independent copy in the
 * destination; beta, allow-listed accounts only) or `share` (ModifySnapshotsSharePermission: the
 * destination receives a share of the source snapshot, not a copy; docs/decisions/017).
 */
export const REPLICATION_METHODS = ["copy", "share"] as const;
const replicationMethod = z.enum(REPLICATION_METHODS, {
  error: (issue) => `must be "copy" or "share", not ${JSON.stringify(issue.input)}`,
});

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const ROLE_ARN = /^qcs::cam::uin\/\d{5,20}:roleName\/[\w+=,.@-]{1,128}$/;

/** Slack users and user groups; used for per-destination approvers and requesters. */
const peopleSchema = z
  .object({
    users: z.array(slackUserId).default([]),
    usergroups: z.array(slackUsergroupId).default([]),
  })
  .strict();

export const destinationSchema = z
  .object({
    accountUin: uin,
    readRoleArn: z.string().regex(ROLE_ARN, "must look like qcs::cam::uin/<uin>:roleName/<name>").optional(),
    /** Replaces `replication.method` for this destination. */
    method: replicationMethod.optional(),
    /** Replaces the global approvers for this destination (`required` defaults to the global one). */
    approvers: peopleSchema
      .extend({ required: z.number().int().min(1).max(10).optional() })
      .strict()
      .refine(
        (a) => a.users.length + a.usergroups.length > 0,
        "list at least one approver (users or usergroups)",
      )
      .optional(),
    /**
     * Automatic replication: the newest confirmed copy of a policy linked here may be this old
     * before the notify channel is told (src/app/recovery-point.ts).
     */
    recoveryPointObjective: duration("26h"),
    /** Who may ask to copy into this destination; unset: anyone. */
    requesters: peopleSchema
      .refine(
        (r) => r.users.length + r.usergroups.length > 0,
        "list at least one requester (users or usergroups)",
      )
      .optional(),
  })
  .strict();

/** The YAML file (docs/operator-guide.md, section 3). Secrets never live here; they come from the environment. */
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
        /** `copy` or `share`, for every destination without a `method` of its own. */
        method: replicationMethod.default("copy"),
        /** How often the worker looks at a copy in flight. */
        pollInterval: duration("15s"),
        /** A copy still unfinished after this long is reported as stuck, not waited on forever. */
        maxCopyDuration: duration("12h"),
        attempts: z.number().int().min(1).max(50).default(8),
        concurrency: z.number().int().min(1).max(500).default(20),
        /** First retry delay after a transient cloud error; doubles each time, with jitter. */
        retryDelay: duration("2s"),
        /** Upper bound of one retry delay. */
        retryMaxDelay: duration("5m"),
      })
      .strict()
      .prefault({}),
    /** Automatic replication: the watcher of linked policies (docs/decisions/020). */
    automatic: z
      .object({
        /** How often the watcher looks (one run per interval per deployment, however many workers). */
        watchInterval: duration("5m"),
        /** A source snapshot with no copy after this counts as missing. */
        copyGrace: duration("2h"),
        /** A post claimed by a run that vanished is looked for in the channel, then retried, after this. */
        postLease: duration("2m"),
        /** The daily summary in the notify channel, or `false` for none. */
        dailySummary: z
          .union([
            z.literal(false),
            z
              .object({
                at: z
                  .string()
                  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time of day like "09:00"')
                  .default("09:00"),
                timeZone: z
                  .string()
                  .refine(isTimeZone, "must be an IANA time zone like Asia/Shanghai")
                  .default("Asia/Shanghai"),
                /** Where it is posted; default: slack.notifyChannel. */
                channel: slackId("channel").optional(),
              })
              .strict(),
          ])
          .default({ at: "09:00", timeZone: "Asia/Shanghai" }),
      })
      .strict()
      .prefault({}),
    /** Worker process settings (docs/decisions/008); the defaults suit production. */
    worker: z
      .object({
        /** Calls per second per Tencent API action per account, across all workers (Tencent allows 20). */
        cloudCallsPerSecond: z.number().int().min(1).max(1000).default(20),
        /** Per-action limits that replace `cloudCallsPerSecond` (CAM ListAttachedUserAllPolicies allows 5/s). */
        cloudCallsPerSecondByAction: z
          .record(z.string().regex(/^[A-Za-z]+$/), z.number().int().min(1).max(1000))
          .default({ ListAttachedUserAllPolicies: 5 }),
        /** A job whose worker died is taken over after this lock expires (BullMQ `lockDuration`). */
        lockDuration: duration("30s"),
        /** How often workers look for such jobs (BullMQ `stalledInterval`). */
        stalledInterval: duration("30s"),
        /** Crashes one job may survive before it fails (BullMQ `maxStalledCount`). */
        maxStalledCount: z.number().int().min(1).max(1000).default(10),
        /** A Tencent call without an answer after this is abandoned (and may still have run). */
        cloudCallTimeout: duration("30s"),
        /** SIGTERM: how long the current steps may take to finish before they are released. */
        shutdownGrace: duration("20s"),
        /** Outcomes finishing within this window are grouped; more than `digestThreshold` → one digest. */
        digestWindow: duration("3s"),
        digestThreshold: z.number().int().min(1).max(100).default(3),
      })
      .strict()
      .prefault({}),
    slack: z
      .object({
        requestChannels: z.array(slackId("channel")).default([]),
        approvalChannel: slackId("channel").optional(),
        notifyChannel: slackId("channel").optional(),
        /**
         * Requests one person may make per window (replicate, check, auto, the shortcut's
         * submission), shared by every app process; `perUser: 0` turns the limit off.
         */
        requestRateLimit: z
          .object({
            perUser: z.number().int().min(0).max(10_000).default(10),
            window: duration("1m").pipe(z.number().min(1000, "must be at least 1s")),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    approvers: z
      .object({
        users: z.array(slackUserId).default([]),
        usergroups: z.array(slackUsergroupId).default([]),
        required: z.number().int().min(1).max(10).default(1),
        allowSelfApproval: z.boolean().default(false),
        /** A user group @-mentioned on each new card (approvers are never mentioned one by one). */
        mention: slackUsergroupId.optional(),
      })
      .strict()
      .refine(
        (a) => a.users.length + a.usergroups.length > 0,
        "list at least one approver (users or usergroups)",
      ),
    requestTtl: duration("24h"),
    /**
     * What the channel reads (cards, threads, notices) and a person whose Slack locale is neither
     * English nor Chinese. Private answers, modals and the App Home follow each reader's own locale.
     */
    language: z.enum(["en", "zh-CN"]).default("en"),
    /** How long CAM answers (collaborators, attached policies) are shared between checks of one destination. */
    camCacheTtl: duration("60s"),
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
    checkApprovalsReachable(config, ctx);
  });

/**
 * Refuses a `required` that no request could ever reach, so that nothing waits for approvals that
 * cannot come. Only user ids can be counted: a user group's members are looked up when someone
 * votes and may be any number, so with a group listed the count is unbounded and not checked.
 * Without groups, the most approvals a request can get is the number of distinct users; one fewer
 * when self-approval is off and every allowed requester of the destination is one of them.
 */
function checkApprovalsReachable(
  config: {
    approvers: { users: string[]; usergroups: string[]; required: number; allowSelfApproval: boolean };
    destinations: Record<
      string,
      {
        approvers?: { users: string[]; usergroups: string[]; required?: number | undefined } | undefined;
        requesters?: { users: string[]; usergroups: string[] } | undefined;
      }
    >;
  },
  ctx: z.RefinementCtx,
): void {
  const global = config.approvers;
  const GROUPS = "a user group counts as any number: its members are looked up when they vote";
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  /** The most approvals a request can get, or undefined when a group makes it unbounded. */
  const reachable = (
    people: { users: string[]; usergroups: string[] },
    requesters?: { users: string[]; usergroups: string[] },
  ) => {
    if (people.usergroups.length > 0) return undefined;
    const users = new Set(people.users);
    const requestersApprove =
      !global.allowSelfApproval &&
      requesters !== undefined &&
      requesters.usergroups.length === 0 &&
      requesters.users.length > 0 &&
      requesters.users.every((u) => users.has(u));
    return { users: users.size, most: requestersApprove ? users.size - 1 : users.size, requestersApprove };
  };
  const refuse = (path: (string | number)[], message: string) =>
    ctx.addIssue({
      code: "custom",
      path,
      message: `${message}: no request could ever be approved. Lower required or add approvers (${GROUPS})`,
    });

  const top = reachable(global);
  if (top && global.required > top.users) {
    refuse(
      ["approvers", "required"],
      `is ${global.required} but approvers lists ${plural(top.users, "distinct user")} and no user group`,
    );
  }
  for (const [alias, destination] of Object.entries(config.destinations)) {
    const own = destination.approvers;
    const usesOwn = own !== undefined && own.users.length + own.usergroups.length > 0;
    const people = usesOwn ? own : global;
    const required = (usesOwn ? own.required : undefined) ?? global.required;
    const count = reachable(people, destination.requesters);
    if (!count || required <= count.most) continue;
    const where = usesOwn ? `destinations.${alias}.approvers` : "approvers";
    if (required > count.users) {
      if (!usesOwn) continue; // reported once, at approvers.required
      refuse(
        own.required === undefined
          ? ["destinations", alias, "approvers"]
          : ["destinations", alias, "approvers", "required"],
        own.required === undefined
          ? `lists ${plural(count.users, "distinct user")} and no user group but inherits approvers.required = ${required}`
          : `is ${required} but ${where} lists ${plural(count.users, "distinct user")} and no user group`,
      );
    } else {
      refuse(
        ["destinations", alias, "requesters"],
        `are all among the ${plural(count.users, "user")} of ${where} and approvers.allowSelfApproval is false, so a request here gets at most ${plural(count.most, "approval")} but needs ${required}`,
      );
    }
  }
}

export type BotConfig = z.output<typeof botConfigSchema>;
export type BotConfigInput = z.input<typeof botConfigSchema>;
