/** The job backoff type whose delays the worker computes (`settings.backoffStrategy`). */
export const RETRY_BACKOFF_TYPE = "capped-exponential";

export interface RetryBackoff {
  /** Delay before the first retry. */
  baseMs: number;
  /** No single delay is longer than this. */
  maxMs: number;
  /** Share of the delay that is random (0..1): retries of many jobs do not come back together. @defaultValue 0.5 */
  jitter?: number;
}

/**
 * Exponential backoff with "equal jitter": after the n-th failure, wait between (1 - jitter) and
 * 1 times min(maxMs, baseMs · 2^(n-1)).
 */
export function computeRetryDelay(attemptsMade: number, backoff: RetryBackoff, random = Math.random): number {
  const exponent = Math.max(0, attemptsMade - 1);
  const ceiling = Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.min(exponent, 30));
  const jitter = backoff.jitter ?? 0.5;
  return Math.round(ceiling * (1 - jitter * random()));
}
