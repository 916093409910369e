import { WebClient } from "@slack/web-api";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { AppHomePublisher, type AppHomePublisherOptions } from "../adapters/chat-slack/app-home.publisher.js";
import { setDefaultLocale } from "../adapters/chat-slack/reader-locale.js";
import { readerLocale } from "../adapters/chat-slack/reader-locale.middleware.js";
import { SlackDirectory } from "../adapters/chat-slack/slack.directory.js";
import { SlackNotifier } from "../adapters/chat-slack/slack.notifier.js";
import type { SlackDeliveryOptions } from "../adapters/chat-slack/slack-outbox.js";
import { RedisCallRateLimiter } from "../adapters/cloud-tencent/cloud-rate-limiter.js";
import { TencentCaller } from "../adapters/cloud-tencent/tencent-client.js";
import { TencentCloudAdapter } from "../adapters/cloud-tencent/tencent-cloud.adapter.js";
import { BullmqJobQueue } from "../adapters/queue-bullmq/bullmq-job.queue.js";
import { RedisCopyWatch } from "../adapters/queue-bullmq/copy-watch.store.js";
import { BullmqExpiryScheduler } from "../adapters/queue-bullmq/expiry.queue.js";
import { type RunningJobWorkers, startJobWorkers } from "../adapters/queue-bullmq/job-processor.js";
import {
  botJobTypes,
  copyPollJob,
  defaultJobFlows,
  type JobEnv,
} from "../adapters/queue-bullmq/job-types.js";
import { RedisAuditTrail } from "../adapters/store-redis/audit.store.js";
import { RedisDeliveryGuard } from "../adapters/store-redis/delivery-guard.store.js";
import { RedisHomeViewers } from "../adapters/store-redis/home-viewers.store.js";
import { RedisReplicationLedger } from "../adapters/store-redis/ledger.store.js";
import { RedisCallPacer, RedisOutbox } from "../adapters/store-redis/outbox.store.js";
import { RedisRequestStore } from "../adapters/store-redis/redis-request.store.js";
import { RedisRequestRateLimiter } from "../adapters/store-redis/request-rate-limit.store.js";
import type { FlowDeps } from "../app/flow-deps.js";
import type { RequestKind } from "../app/request-kind.js";
import type { BotConfig, Environment } from "../config/load-config.js";
import { ConfigError } from "../config/load-config.js";
import { CamCache } from "../core/cam/cam-cache.js";
import { type Clock, systemClock } from "../core/ports/clock.port.js";
import type { CloudApi } from "../core/ports/cloud-api.port.js";
import { createKindRegistry } from "../kinds/registry.js";
import { MainError } from "./errors.js";
import { type AppLogger, secretsOf, toSlackLogger } from "./logger.js";
import { MeteredRequestStore } from "./metered-request-store.js";
import { BotMetrics, instrumentSlackFetch, scrapeMetrics } from "./metrics.js";
import { ObservedRequestStore } from "./observed-request-store.js";
import { type RunningOpsServer, startOpsServer, within } from "./ops-server.js";
import { createSlackApp, type SlackApp } from "./slack-app.js";

export type Role = "all" | "app" | "worker";

export interface BotOptions {
  env: Readonly<Environment>;
  config: Readonly<BotConfig>;
  role: Role;
  logger: AppLogger;
  /** Overrides for tests and the sandbox. */
  cloud?: CloudApi;
  clock?: Clock;
  port?: number;
  slackRetries?: number;
  /** Socket Mode: the client's pong timeout, also its first reconnect delay (tests). @defaultValue 5000 */
  socketPingTimeoutMs?: number;
  /** Kinds of request besides the built-in ones (tests). */
  extraKinds?: readonly RequestKind[];
  /** How long CAM answers are reused by the prerequisite checks. @defaultValue 60 s */
  camCacheTtlMs?: number;
  /** Slack outbox pacing and coalescing (tests). @defaultValue SLACK_DELIVERY_DEFAULTS */
  slackDelivery?: Partial<
    Pick<SlackDeliveryOptions, "coalesceMs" | "postRate" | "tier3Rate" | "joinReplies" | "unsentGraceMs">
  >;
  /** How Home refreshes are coalesced (tests). @defaultValue the publisher's (docs/decisions/023) */
  appHome?: Pick<AppHomePublisherOptions, "perUserIntervalMs" | "gapMs" | "settleMs">;
}

/**
 * Slack's limits with a margin (docs/decisions/021): chat.postMessage about 1/s per channel with
 * short bursts (the bot: 0.95/s, 3 at once), Tier 3 methods 50+/min (the bot: 45/min, 4 at once);
 * a request's replies wait 2 s for the ones that follow.
 */
export const SLACK_DELIVERY_DEFAULTS = {
  coalesceMs: 2000,
  postRate: { perSecond: 0.95, burst: 3 },
  tier3Rate: { perSecond: 45 / 60, burst: 4 },
};

export interface RunningBot {
  /** The port of the process's one HTTP server (ops endpoints, and Slack's in HTTP mode). */
  port: number;
  ops: RunningOpsServer;
  /**
   * The app and all roles: the Bolt app, mounted on the ops server at POST /slack/events (HTTP
   * mode), or connected to Slack over its `socket` (Socket Mode, SLACK_APP_TOKEN).
   */
  slack?: SlackApp & { port: number };
  /** The worker and all roles: one BullMQ worker per job type (job-types.ts). */
  jobs?: RunningJobWorkers;
  deps: FlowDeps;
  /** Publishes people's Home tabs (app_home_opened, clicks there, their requests' changes). */
  home: AppHomePublisher;
  /** Stops taking work, lets the current step finish (bounded), and closes every connection. */
  close(): Promise<void>;
}

/** The connections and adapters every role shares. */
interface Shared {
  options: BotOptions;
  metrics: BotMetrics;
  /** Counts every Slack Web API request (ours and Bolt's clients). */
  slackFetch: typeof fetch;
  /** The copy-watch queue, read by the metrics only (the worker has its own handle). */
  watchQueue: Queue;
  redis: Redis;
  /** Worker roles: a connection that waits out a Redis restart instead of failing commands. */
  workerRedis?: Redis;
  queue: BullmqJobQueue;
  expiry: BullmqExpiryScheduler;
  deps: FlowDeps;
  home: AppHomePublisher;
}

/** The composition root: adapters are built and wired to the ports here, and nowhere else. */
export async function startBot(options: BotOptions): Promise<RunningBot> {
  const shared = assembleShared(options);
  const { role, logger } = options;
  const jobs = role === "app" ? undefined : assembleWorker(shared);
  const slack = role === "worker" ? undefined : assembleApp(shared);
  const socket = slack?.socket;
  let ops: RunningOpsServer;
  try {
    ops = await startOpsServer({
      port: options.port ?? options.env.PORT,
      logger,
      // In Socket Mode nothing reaches the app while its connection is down: not ready then.
      isReady: async () =>
        (socket === undefined || socket.isConnected()) && (await shared.redis.ping()) === "PONG",
      metrics: scrapeMetrics(shared.metrics, [shared.queue.queue, shared.expiry.queue, shared.watchQueue]),
      ...(slack?.requestListener ? { slackEvents: slack.requestListener } : {}),
    });
  } catch (err) {
    await closeShared(shared, jobs);
    throw err;
  }
  // Socket Mode connects in the background (retrying, then reconnecting by itself); /readyz says
  // when it is up. Only an answer that retrying cannot change (a revoked token) ends up here.
  socket
    ?.start()
    .catch((err: unknown) =>
      logger.error({ err }, "socket mode: cannot connect to Slack (check SLACK_APP_TOKEN and SLACK_API_URL)"),
    );

  let closed = false;
  return {
    port: ops.port,
    ops,
    ...(slack ? { slack: { ...slack, port: ops.port } } : {}),
    ...(jobs ? { jobs } : {}),
    deps: shared.deps,
    home: shared.home,
    async close() {
      if (closed) return;
      closed = true;
      // Socket Mode: no more deliveries; an envelope not acked yet is Slack's to send again.
      if (socket) await within(socket.stop(), 2000, undefined);
      await within(ops.close(), 2000, undefined);
      await closeShared(shared, jobs);
    },
  };
}

function assembleShared(options: BotOptions): Shared {
  const { env, config, logger } = options;
  const token = env.SLACK_BOT_TOKEN;
  if (!token)
    throw new ConfigError(
      "environment: SLACK_BOT_TOKEN is required to talk to Slack (unset it to run the sandbox)",
    );
  const needsApp = options.role !== "worker";
  // Socket Mode (SLACK_APP_TOKEN) needs no signing secret: nothing reaches the app over HTTP.
  if (needsApp && !env.SLACK_APP_TOKEN && !env.SLACK_SIGNING_SECRET) {
    throw new ConfigError(
      "environment: SLACK_SIGNING_SECRET is required for the app role in HTTP mode (Slack signs every request with it); or set SLACK_APP_TOKEN for Socket Mode",
    );
  }

  // Secrets never reach a log line, even inside a message or an error's stack.
  logger.redactValues?.(secretsOf(env));
  const metrics = new BotMetrics();
  for (const [alias, destination] of Object.entries(config.destinations)) {
    if (!destination.readRoleArn)
      logger.warn(
        { destination: alias, accountUin: destination.accountUin },
        `destination ${alias} has no read role (readRoleArn): its copies cannot be followed to the end, and a copy call interrupted by a crash or a fault ends as outcome_unknown ("a copy may exist")`,
      );
  }
  // Checked before any connection is opened, so a missing key stops start-up cleanly.
  const sourceKey = options.cloud ? undefined : readSourceKey(env);

  const redis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: 3, lazyConnect: false });
  redis.on("error", (err) => logger.warn({ err: err.message }, "redis connection error"));
  const workerRedis =
    options.role === "app" ? undefined : new Redis(env.REDIS_URL, { maxRetriesPerRequest: null });
  workerRedis?.on("error", (err) => logger.warn({ err: err.message }, "redis (worker) connection error"));

  // Cloud calls are paced across every worker through Redis (docs/decisions/008); a worker's
  // connection waits out a Redis restart instead of failing the call.
  const rateLimiter = new RedisCallRateLimiter({
    redis: workerRedis ?? redis,
    prefix: config.redisPrefix,
    perSecond: config.worker.cloudCallsPerSecond,
    perSecondByAction: config.worker.cloudCallsPerSecondByAction,
  });
  const cloud =
    options.cloud ?? buildTencentAdapter(env, config, rateLimiter, sourceKey ?? readSourceKey(env), metrics);
  const slackFetch = instrumentSlackFetch(metrics, env.SLACK_API_URL);
  const slackClient = new WebClient(token, {
    slackApiUrl: env.SLACK_API_URL,
    fetch: slackFetch,
    logger: toSlackLogger(logger),
    retryConfig: { retries: options.slackRetries ?? 5 },
  });
  // The outbox's client: a 429 comes back to the deliverer, which holds the channel back for
  // every process and tries again in a later round (docs/decisions/021).
  const outboxClient = new WebClient(token, {
    slackApiUrl: env.SLACK_API_URL,
    fetch: slackFetch,
    logger: toSlackLogger(logger),
    retryConfig: { retries: options.slackRetries ?? 5 },
    rejectRateLimitedCalls: true,
  });
  const slackDelivery: SlackDeliveryOptions = {
    ...SLACK_DELIVERY_DEFAULTS,
    ...options.slackDelivery,
    outbox: new RedisOutbox(workerRedis ?? redis, config.redisPrefix),
    pacer: new RedisCallPacer(workerRedis ?? redis, config.redisPrefix),
    ...(config.slack.notifyChannel ? { notifyChannel: config.slack.notifyChannel } : {}),
    digest: { windowMs: config.worker.digestWindow, threshold: config.worker.digestThreshold },
  };
  const queue = new BullmqJobQueue({
    connection: redis,
    prefix: config.redisPrefix,
    config,
    onError: (err) => logger.warn({ err: err.message }, "queue: redis error"),
  });
  const expiry = new BullmqExpiryScheduler({
    connection: redis,
    prefix: config.redisPrefix,
    config,
    onError: (err) => logger.warn({ err: err.message }, "expiry queue: redis error"),
  });
  const kinds = createKindRegistry(options.extraKinds);
  const directory = new SlackDirectory(slackClient);
  setDefaultLocale(config.language);
  // Built right after deps (it reads them); told of every change the store makes (decision 023).
  let home: AppHomePublisher | undefined;
  const onRequestChange = (request: Parameters<AppHomePublisher["requestChanged"]>[0]) =>
    home?.requestChanged(request);
  const deps: FlowDeps = {
    config,
    kinds,
    cloud,
    copyWatch: new RedisCopyWatch(workerRedis ?? redis, config.redisPrefix),
    store: new ObservedRequestStore(
      meteredStore(new RedisRequestStore(redis, config.redisPrefix), metrics, redis, config.redisPrefix),
      onRequestChange,
    ),
    queue,
    notifier: new SlackNotifier(
      outboxClient,
      kinds,
      config.approvers.required,
      logger,
      {
        ...(config.approvers.mention ? { approverMention: config.approvers.mention } : {}),
        localeOf: (userId) => readerLocale(directory, userId),
      },
      { windowMs: config.worker.digestWindow, threshold: config.worker.digestThreshold },
      slackDelivery,
    ),
    directory,
    clock: options.clock ?? systemClock,
    logger,
    audit: new RedisAuditTrail(redis, config.redisPrefix),
    ledger: new RedisReplicationLedger(workerRedis ?? redis, config.redisPrefix),
    expiry,
    camCache: new CamCache({
      clock: options.clock ?? systemClock,
      ttlMs: options.camCacheTtlMs ?? config.camCacheTtl,
    }),
  };
  home = new AppHomePublisher({
    client: slackClient,
    deps,
    viewers: new RedisHomeViewers(redis, config.redisPrefix),
    ...options.appHome,
  });
  const watchQueue = new Queue(copyPollJob.queue, { connection: redis, prefix: config.redisPrefix });
  watchQueue.on("error", () => undefined);
  return {
    options,
    metrics,
    slackFetch,
    watchQueue,
    redis,
    ...(workerRedis ? { workerRedis } : {}),
    queue,
    expiry,
    deps,
    home,
  };
}

function meteredStore(store: RedisRequestStore, metrics: BotMetrics, redis: Redis, prefix: string) {
  return new MeteredRequestStore(store, metrics, redis, prefix);
}

/** The app role: Slack's commands, buttons and views, answered through the Bolt app. */
function assembleApp({ options, deps, redis, slackFetch, home }: Shared): SlackApp {
  const { env, config } = options;
  const limit = config.slack.requestRateLimit;
  return createSlackApp({
    botToken: env.SLACK_BOT_TOKEN ?? "",
    apiUrl: env.SLACK_API_URL,
    deps,
    home,
    slackLogger: toSlackLogger(options.logger),
    fetch: slackFetch,
    // Both transports: Slack re-sends (Socket Mode) and retries (HTTP), and a signed body can be
    // replayed within its window; one user action acts once (docs/decisions/016, 018).
    deliveryGuard: new RedisDeliveryGuard(redis, config.redisPrefix),
    ...(limit.perUser > 0
      ? {
          requestRateLimiter: new RedisRequestRateLimiter(redis, config.redisPrefix, {
            perUser: limit.perUser,
            windowMs: limit.window,
            clock: deps.clock,
          }),
        }
      : {}),
    ...(options.slackRetries !== undefined ? { retries: options.slackRetries } : {}),
    ...(env.SLACK_APP_TOKEN
      ? {
          appToken: env.SLACK_APP_TOKEN,
          ...(options.socketPingTimeoutMs !== undefined
            ? { socketPingTimeoutMs: options.socketPingTimeoutMs }
            : {}),
        }
      : { signingSecret: env.SLACK_SIGNING_SECRET ?? "" }),
  });
}

/**
 * The worker role: every job type of job-types.ts (replication steps, expiries, the copy poller),
 * under one processor. Pending requests expire through delayed jobs (docs/decisions/006).
 */
function assembleWorker({ options, workerRedis, deps, metrics, home }: Shared): RunningJobWorkers {
  const { config, logger } = options;
  if (!workerRedis)
    throw new MainError("main.no_worker_connection", "the worker role needs its own Redis connection");
  const env: JobEnv = {
    flows: {
      ...defaultJobFlows,
      pollCopiesInFlight: metrics.timePollRound(defaultJobFlows.pollCopiesInFlight),
    },
    // The jobs use the worker connection, which waits out a Redis restart.
    deps: {
      ...deps,
      store: new ObservedRequestStore(
        meteredStore(
          new RedisRequestStore(workerRedis, config.redisPrefix),
          metrics,
          workerRedis,
          config.redisPrefix,
        ),
        (request) => home.requestChanged(request),
      ),
    },
  };
  return startJobWorkers(botJobTypes, env, {
    connection: workerRedis,
    prefix: config.redisPrefix,
    config,
    logger,
    lockDuration: config.worker.lockDuration,
    stalledInterval: config.worker.stalledInterval,
    maxStalledCount: config.worker.maxStalledCount,
  });
}

async function closeShared(shared: Shared, jobs: RunningJobWorkers | undefined): Promise<void> {
  const { deps, options } = shared;
  shared.home.close();
  // Stops taking jobs; steps still running after the grace are released to another worker.
  await jobs?.close(options.config.worker.shutdownGrace);
  if (deps.notifier instanceof SlackNotifier) await deps.notifier.flushOutcomes();
  await shared.expiry.close();
  await shared.queue.close();
  await shared.watchQueue.close();
  shared.redis.disconnect();
  shared.workerRedis?.disconnect();
}

interface SourceKey {
  secretId: string;
  secretKey: string;
  token?: string;
}

function readSourceKey(env: Readonly<Environment>): SourceKey {
  if (!env.TENCENTCLOUD_SECRET_ID || !env.TENCENTCLOUD_SECRET_KEY) {
    throw new ConfigError(
      "environment: TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY are required (the source account's API key)",
    );
  }
  return {
    secretId: env.TENCENTCLOUD_SECRET_ID,
    secretKey: env.TENCENTCLOUD_SECRET_KEY,
    ...(env.TENCENTCLOUD_SESSION_TOKEN ? { token: env.TENCENTCLOUD_SESSION_TOKEN } : {}),
  };
}

function buildTencentAdapter(
  env: Readonly<Environment>,
  config: Readonly<BotConfig>,
  rateLimiter: RedisCallRateLimiter,
  sourceKey: SourceKey,
  metrics: BotMetrics,
): CloudApi {
  return new TencentCloudAdapter({
    caller: new TencentCaller({
      rateLimiter,
      onCallFinished: (call) => metrics.recordCloudCall(call),
      onSlotAcquired: (wait) => metrics.recordRateLimitWait(wait),
      timeoutSeconds: Math.max(1, Math.ceil(config.worker.cloudCallTimeout / 1000)),
      ...(env.TENCENTCLOUD_API_ENDPOINT ? { apiEndpoint: env.TENCENTCLOUD_API_ENDPOINT } : {}),
    }),
    sourceCredentials: {
      accountUin: config.source.accountUin,
      ...sourceKey,
    },
  });
}
