const WINDOW_MS = 1000;

/**
 * Sliding one-second window per (account, action): a call is refused when `limit` calls were
 * already accepted in the last second. Refused calls do not count, so a caller that backs off
 * recovers as soon as the window slides.
 */
export class SlidingWindowRateLimiter {
  private readonly accepted = new Map<string, number[]>();

  constructor(
    private readonly limitFor: (action: string) => number,
    private readonly clock: () => number,
  ) {}

  tryAcquire(accountUin: string, action: string): boolean {
    const now = this.clock();
    const key = `${accountUin}\u0000${action}`;
    const recent = (this.accepted.get(key) ?? []).filter((at) => at > now - WINDOW_MS);
    if (recent.length >= this.limitFor(action)) {
      this.accepted.set(key, recent);
      return false;
    }
    recent.push(now);
    this.accepted.set(key, recent);
    return true;
  }
}
