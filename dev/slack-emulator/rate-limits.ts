/**
 * Slack's published Web API rate limits (api.slack.com/apis/rate-limits), per app and workspace:
 * each method has a tier — Tier 1: 1+ per minute, Tier 2: 20+, Tier 3: 50+, Tier 4: 100+ — with
 * occasional bursts allowed, and `chat.postMessage` has its own: about 1 message per second per
 * channel, short bursts allowed. Modelled as token buckets (a tier's bucket holds `burst` calls
 * and refills at its per-minute rate); an empty bucket answers HTTP 429 `ratelimited` with
 * `Retry-After` in whole seconds, as Slack does.
 */
export type RateTier = 1 | 2 | 3 | 4;

export interface RateLimitOptions {
  /** Calls per minute per tier. @defaultValue Slack's floors: 1, 20, 50, 100 */
  perMinute?: Partial<Record<RateTier, number>>;
  /** How many calls a tier's bucket holds. @defaultValue a tenth of its per-minute rate, at least 1 */
  burst?: Partial<Record<RateTier, number>>;
  /** chat.postMessage (and chat.postEphemeral is not counted here) per channel. @defaultValue 1 */
  postsPerSecondPerChannel?: number;
  /** Posts one channel may take at once after a quiet while. @defaultValue 4 */
  postBurstPerChannel?: number;
}

/** The tier of each method the emulator serves (Slack's documentation, 2024). */
export const METHOD_TIERS: Readonly<Record<string, RateTier>> = {
  "auth.test": 4,
  "chat.update": 3,
  "chat.postEphemeral": 4,
  "chat.getPermalink": 4,
  "users.info": 4,
  "usergroups.users.list": 2,
  "conversations.info": 3,
  "conversations.replies": 3,
  "conversations.history": 3,
  "views.open": 4,
  "views.push": 4,
  "views.update": 4,
  "views.publish": 4,
};

const DEFAULT_PER_MINUTE: Record<RateTier, number> = { 1: 1, 2: 20, 3: 50, 4: 100 };

interface Bucket {
  tokens: number;
  at: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMinute: Record<RateTier, number>;
  private readonly burst: Record<RateTier, number>;
  private readonly postRate: number;
  private readonly postBurst: number;
  /** Answers refused with 429, per method. */
  readonly refused = new Map<string, number>();

  constructor(
    options: RateLimitOptions = {},
    private readonly now: () => number = Date.now,
  ) {
    this.perMinute = { ...DEFAULT_PER_MINUTE, ...options.perMinute };
    const burstOf = (tier: RateTier) =>
      options.burst?.[tier] ?? Math.max(1, Math.floor(this.perMinute[tier] / 10));
    this.burst = { 1: burstOf(1), 2: burstOf(2), 3: burstOf(3), 4: burstOf(4) };
    this.postRate = options.postsPerSecondPerChannel ?? 1;
    this.postBurst = options.postBurstPerChannel ?? 4;
  }

  /** Takes one call's token; undefined when allowed, else the seconds to wait (`Retry-After`). */
  take(method: string, args: Record<string, unknown>): number | undefined {
    if (method === "chat.postMessage") {
      const channel = typeof args.channel === "string" ? args.channel : "";
      return this.takeFrom(method, `post:${channel}`, this.postRate, this.postBurst);
    }
    const tier = METHOD_TIERS[method];
    if (tier === undefined) return undefined;
    return this.takeFrom(method, `tier:${method}`, this.perMinute[tier] / 60, this.burst[tier]);
  }

  private takeFrom(method: string, key: string, perSecond: number, capacity: number): number | undefined {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: capacity, at: now };
    bucket.tokens = Math.min(capacity, bucket.tokens + ((now - bucket.at) / 1000) * perSecond);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return undefined;
    }
    this.refused.set(method, (this.refused.get(method) ?? 0) + 1);
    return Math.max(1, Math.ceil((1 - bucket.tokens) / perSecond));
  }
}
