import http from "node:http";
import https from "node:https";
import { CommonClient } from "tencentcloud-sdk-nodejs/tencentcloud/common/common_client.js";
import { CloudError } from "../../core/ports/cloud-api.port.js";
import type { CallPermit, CallRateLimiter } from "./cloud-rate-limiter.js";
import type { TencentAction, TencentService } from "./tencent-actions.js";
import { toCloudError } from "./tencent-errors.js";

export interface TencentCredentials {
  secretId: string;
  secretKey: string;
  token?: string;
  /**
   * The account these credentials act as (the source, or a destination through its read role).
   * Tencent's rate limits count per account, so this is the limiter's key; unset → the secret id.
   */
  accountUin?: string;
}

export type { TencentAction, TencentService } from "./tencent-actions.js";

const VERSIONS: Record<TencentService, string> = { cbs: "2017-03-12", cam: "2019-01-16", sts: "2018-08-13" };

export interface TencentCallerOptions {
  /** One base URL for every service (the simulator); unset means the public endpoints. */
  apiEndpoint?: string;
  timeoutSeconds?: number;
  /** Shared pacing of calls per action per account (docs/decisions/008). Unset: no pacing. */
  rateLimiter?: CallRateLimiter;
  /** How long every caller of an action holds back after `RequestLimitExceeded`. @defaultValue 1000 */
  rateLimitBackOffMs?: number;
  /** In-place retries of a call refused with `RequestLimitExceeded` (it had no effect). @defaultValue 3 */
  rateLimitRetries?: number;
  /** Told after every call that reached the network: metrics. */
  onCallFinished?: (call: { action: string; code?: string; durationMs: number }) => void;
  /** Told after the rate limiter gave a call its slot, with how long that took: metrics. */
  onSlotAcquired?: (wait: { action: string; waitedMs: number }) => void;
}

/**
 * One way to call any Tencent Cloud API action through the SDK's generic client: every call goes
 * through here, so error mapping (and later rate limiting and metrics) live in one place.
 */
export class TencentCaller {
  private readonly clients = new Map<string, CommonClient>();
  private readonly endpoint?: { host: string; protocol: string; agent: http.Agent };

  constructor(private readonly options: TencentCallerOptions = {}) {
    if (options.apiEndpoint) {
      const url = new URL(options.apiEndpoint);
      // An explicit agent: with http_proxy set the SDK would otherwise send loopback calls to the proxy.
      const agent =
        url.protocol === "https:"
          ? new https.Agent({ keepAlive: true })
          : new http.Agent({ keepAlive: true });
      this.endpoint = { host: url.host, protocol: `${url.protocol}//`, agent };
    }
  }

  async call(
    service: TencentService,
    /** Only actions listed in TENCENT_ACTIONS_CALLED (tencent-actions.ts), which the policies grant. */
    action: TencentAction,
    params: Record<string, unknown>,
    credentials: TencentCredentials,
    region?: string,
    options: { notAfter?: number } = {},
  ): Promise<Record<string, unknown>> {
    const client = this.client(service, credentials, region);
    const account = credentials.accountUin ?? credentials.secretId;
    const limiter = this.options.rateLimiter;
    for (let refused = 0; ; refused++) {
      let permit: CallPermit | undefined;
      if (limiter) {
        const askedAt = Date.now();
        permit = await limiter.acquire(account, action);
        this.options.onSlotAcquired?.({ action, waitedMs: Date.now() - askedAt });
      }
      if (options.notAfter !== undefined && Date.now() > options.notAfter) {
        // Waited too long for a slot: whoever looks for this call later must be able to rely on
        // it never having been sent.
        void permit?.finished();
        throw new CloudError({
          code: "cloud.deadline_passed",
          message: `${action} was not sent: its deadline passed while it waited for a rate-limit slot`,
          category: "throttled",
          reason: "other",
        });
      }
      const startedAt = Date.now();
      try {
        const response = (await client.request(action, params).finally(() => {
          // The call counts from its answer on (not awaited: it only lets the next call go sooner).
          void permit?.finished();
        })) as unknown;
        this.options.onCallFinished?.({ action, durationMs: Date.now() - startedAt });
        return response && typeof response === "object" ? (response as Record<string, unknown>) : {};
      } catch (err) {
        const cloudError = toCloudError(err, action);
        this.options.onCallFinished?.({ action, code: cloudError.code, durationMs: Date.now() - startedAt });
        if (!limiter || cloudError.category !== "throttled") throw cloudError;
        // Refused before it ran: slow every worker's calls of this action down, then try again.
        await limiter.backOff(account, action, this.options.rateLimitBackOffMs ?? 1000);
        if (refused >= (this.options.rateLimitRetries ?? 3)) throw cloudError;
      }
    }
  }

  private client(service: TencentService, credentials: TencentCredentials, region?: string): CommonClient {
    const key = [service, region ?? "", credentials.secretId, credentials.token ?? ""].join("|");
    let client = this.clients.get(key);
    if (!client) {
      const httpProfile = {
        reqMethod: "POST" as const,
        reqTimeout: this.options.timeoutSeconds ?? 30,
        ...(this.endpoint
          ? { endpoint: this.endpoint.host, protocol: this.endpoint.protocol, agent: this.endpoint.agent }
          : {}),
      };
      client = new CommonClient(`${service}.tencentcloudapi.com`, VERSIONS[service], {
        credential: {
          secretId: credentials.secretId,
          secretKey: credentials.secretKey,
          token: credentials.token,
        },
        region: region ?? "",
        profile: { httpProfile },
      });
      // Temporary credentials rotate; keep the cache from growing without bound.
      if (this.clients.size > 200) this.clients.clear();
      this.clients.set(key, client);
    }
    return client;
  }
}
