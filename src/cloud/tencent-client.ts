import http from "node:http";
import https from "node:https";
import { CommonClient } from "tencentcloud-sdk-nodejs/tencentcloud/common/common_client.js";
import { toCloudError } from "./tencent-errors.js";

export interface TencentCredentials {
  secretId: string;
  secretKey: string;
  token?: string;
}

export type TencentService = "cbs" | "cam" | "sts";

const VERSIONS: Record<TencentService, string> = { cbs: "2017-03-12", cam: "2019-01-16", sts: "2018-08-13" };

export interface TencentCallerOptions {
  /** One base URL for every service (the simulator); unset means the public endpoints. */
  apiEndpoint?: string;
  timeoutSeconds?: number;
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
    action: string,
    params: Record<string, unknown>,
    credentials: TencentCredentials,
    region?: string,
  ): Promise<Record<string, unknown>> {
    const client = this.client(service, credentials, region);
    try {
      const response = (await client.request(action, params)) as unknown;
      return response && typeof response === "object" ? (response as Record<string, unknown>) : {};
    } catch (err) {
      throw toCloudError(err, action);
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
