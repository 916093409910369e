/**
 * How many requests one person may make in a window (the ones that create cards or run checks:
 * replicate, check, auto, the shortcut's submission), counted across every app process.
 */
export interface RequestRateLimiter {
  /**
   * Counts one request by `userId` when under the limit. Refused, nothing is counted and `count`
   * is how many the user made in the last `windowMs`.
   */
  take(userId: string): Promise<RateLimitAnswer>;
}

export type RateLimitAnswer = { allowed: true } | { allowed: false; count: number; windowMs: number };
