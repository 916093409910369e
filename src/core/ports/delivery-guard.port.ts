/**
 * Slack sends a Socket Mode envelope again when its ack was not seen (a dropped connection). The
 * guard lets only the first delivery of one user action through, across every app process.
 */
export interface DeliveryGuard {
  /** True for the first delivery of `key` (a trigger id) within the guard's window, false after. */
  claimFirstDelivery(key: string): Promise<boolean>;
}
