import { WebClient } from "@slack/web-api";
import type { Worker } from "bullmq";
import { Redis } from "ioredis";
import { TencentCaller } from "../cloud/tencent-client.js";
import { TencentCloudAdapter } from "../cloud/tencent-cloud.adapter.js";
import type { BotConfig, Environment } from "../config/load-config.js";
import { ConfigError } from "../config/load-config.js";
import { type Clock, systemClock } from "../domain/ports/clock.port.js";
import type { CloudApi } from "../domain/ports/cloud-api.port.js";
import type { FlowDeps } from "../flows/flow-deps.js";
import { BullmqJobQueue } from "../queue/bullmq-job.queue.js";
import { startReplicationWorker } from "../queue/replication.worker.js";
import { SlackDirectory } from "../slack/slack.directory.js";
import { SlackNotifier } from "../slack/slack.notifier.js";
import { RedisRequestStore } from "../store/redis-request.store.js";
import { type AppLogger, toSlackLogger } from "./logger.js";
import { type RunningSlackApp, startSlackApp } from "./slack-app.js";

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
}

export interface RunningBot {
  slack?: RunningSlackApp;
  worker?: Worker;
  deps: FlowDeps;
  /** Stops taking work, lets the current step finish (bounded), and closes every connection. */
  close(): Promise<void>;
}

const SHUTDOWN_GRACE_MS = 20_000;

/** The composition root: adapters are built and wired to the ports here, and nowhere else. */
export async function startBot(options: BotOptions): Promise<RunningBot> {
  const { env, config, logger } = options;
  const token = env.SLACK_BOT_TOKEN;
  if (!token)
    throw new ConfigError(
      "environment: SLACK_BOT_TOKEN is required to talk to Slack (unset it to run the sandbox)",
    );
  const needsApp = options.role !== "worker";
  if (needsApp && !env.SLACK_SIGNING_SECRET) {
    throw new ConfigError(
      "environment: SLACK_SIGNING_SECRET is required for the app role (Slack signs every request with it)",
    );
  }

  const redis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: 3, lazyConnect: false });
  redis.on("error", (err) => logger.warn({ err: err.message }, "redis connection error"));
  const workerRedis =
    options.role === "app" ? undefined : new Redis(env.REDIS_URL, { maxRetriesPerRequest: null });
  workerRedis?.on("error", (err) => logger.warn({ err: err.message }, "redis (worker) connection error"));

  const cloud = options.cloud ?? buildTencentAdapter(env);
  const slackClient = new WebClient(token, {
    slackApiUrl: env.SLACK_API_URL,
    logger: toSlackLogger(logger),
    retryConfig: { retries: options.slackRetries ?? 5 },
  });
  const queue = new BullmqJobQueue({
    connection: redis,
    prefix: config.redisPrefix,
    attempts: config.replication.attempts,
  });
  const deps: FlowDeps = {
    config,
    cloud,
    store: new RedisRequestStore(redis, config.redisPrefix),
    queue,
    notifier: new SlackNotifier(slackClient, config.approvers.required, logger),
    directory: new SlackDirectory(slackClient),
    clock: options.clock ?? systemClock,
    logger,
  };

  const worker = workerRedis
    ? startReplicationWorker({
        connection: workerRedis,
        prefix: config.redisPrefix,
        concurrency: config.replication.concurrency,
        deps,
        logger,
      })
    : undefined;

  const slack = needsApp
    ? await startSlackApp({
        botToken: token,
        signingSecret: env.SLACK_SIGNING_SECRET ?? "",
        apiUrl: env.SLACK_API_URL,
        port: options.port ?? env.PORT,
        deps,
        slackLogger: toSlackLogger(logger),
        isReady: () =>
          redis.ping().then(
            (r) => r === "PONG",
            () => false,
          ),
        ...(options.slackRetries !== undefined ? { retries: options.slackRetries } : {}),
      })
    : undefined;

  let closed = false;
  return {
    ...(slack ? { slack } : {}),
    ...(worker ? { worker } : {}),
    deps,
    async close() {
      if (closed) return;
      closed = true;
      await slack?.stop().catch((err) => logger.warn({ err }, "slack app did not stop cleanly"));
      if (worker) {
        // worker.close() waits for active jobs without a bound; a step left behind is picked up again.
        await Promise.race([worker.close(), new Promise((r) => setTimeout(r, SHUTDOWN_GRACE_MS).unref())]);
        if (worker.isRunning()) await worker.close(true);
      }
      await queue.close();
      redis.disconnect();
      workerRedis?.disconnect();
    },
  };
}

function buildTencentAdapter(env: Readonly<Environment>): CloudApi {
  if (!env.TENCENTCLOUD_SECRET_ID || !env.TENCENTCLOUD_SECRET_KEY) {
    throw new ConfigError(
      "environment: TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY are required (the source account's API key)",
    );
  }
  return new TencentCloudAdapter({
    caller: new TencentCaller(
      env.TENCENTCLOUD_API_ENDPOINT ? { apiEndpoint: env.TENCENTCLOUD_API_ENDPOINT } : {},
    ),
    sourceCredentials: {
      secretId: env.TENCENTCLOUD_SECRET_ID,
      secretKey: env.TENCENTCLOUD_SECRET_KEY,
      ...(env.TENCENTCLOUD_SESSION_TOKEN ? { token: env.TENCENTCLOUD_SESSION_TOKEN } : {}),
    },
  });
}
