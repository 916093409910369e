/** Pending requests expire after `requestTtl`: one delayed job per request, not a polling loop. */
export interface ExpiryScheduler {
  scheduleExpiry(requestId: string, at: Date): Promise<void>;
}
