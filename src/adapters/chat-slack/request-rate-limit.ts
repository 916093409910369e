import type { SnapshotCommand } from "../../core/command.grammar.js";
import type { Logger } from "../../core/ports/logger.port.js";
import type { RequestRateLimiter } from "../../core/ports/request-rate-limit.port.js";

/** The commands that look snapshots up and create cards: each one counts against the person's limit. */
export const RATE_LIMITED_COMMANDS: ReadonlySet<SnapshotCommand["kind"]> = new Set([
  "replicate",
  "check",
  "auto",
]);

/**
 * Takes one of `userId`'s requests from the limiter: undefined when allowed, else the private
 * answer (nothing is created). Without a limiter, or with its store down, the request goes on.
 */
export async function refuseOverRateLimit(
  limiter: RequestRateLimiter | undefined,
  userId: string,
  logger: Logger,
): Promise<string | undefined> {
  if (!limiter) return undefined;
  const answer = await limiter.take(userId).catch((err: unknown) => {
    logger.warn({ err, userId }, "request rate limit unavailable; letting the request through");
    return { allowed: true as const };
  });
  if (answer.allowed) return undefined;
  logger.info({ userId, count: answer.count }, "request refused: over the per-user rate limit");
  return renderRateLimited(answer.count, answer.windowMs);
}

export function renderRateLimited(count: number, windowMs: number): string {
  return `You have made ${count} request${count === 1 ? "" : "s"} in the last ${describeWindow(windowMs)}; wait a moment and try again. Nothing was created.`;
}

function describeWindow(ms: number): string {
  if (ms === 60_000) return "minute";
  if (ms === 3_600_000) return "hour";
  if (ms % 60_000 === 0) return `${ms / 60_000} minutes`;
  const seconds = Math.max(1, Math.round(ms / 1000));
  return seconds === 1 ? "second" : `${seconds} seconds`;
}
