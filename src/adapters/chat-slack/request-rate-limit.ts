import type { AuditDeps } from "../../app/approver-lookup.js";
import { recordRefusal } from "../../app/submit-request.flow.js";
import type { SnapshotCommand } from "../../core/command.grammar.js";
import type { Locale } from "../../core/messages/message.js";
import type { RequestRateLimiter } from "../../core/ports/request-rate-limit.port.js";
import { currentLocale } from "./reader-locale.js";

/** The commands that look snapshots up and create cards: each one counts against the person's limit. */
export const RATE_LIMITED_COMMANDS: ReadonlySet<SnapshotCommand["kind"]> = new Set([
  "replicate",
  "check",
  "auto",
]);

/**
 * Takes one of `userId`'s requests from the limiter: undefined when allowed, else the private
 * answer (nothing is created; the audit trail records the refused attempt, as `what`). Without a
 * limiter, or with its store down, the request goes on.
 */
export async function refuseOverRateLimit(
  limiter: RequestRateLimiter | undefined,
  userId: string,
  deps: AuditDeps,
  what: string,
): Promise<string | undefined> {
  if (!limiter) return undefined;
  const answer = await limiter.take(userId).catch((err: unknown) => {
    deps.logger.warn({ err, userId }, "request rate limit unavailable; letting the request through");
    return { allowed: true as const };
  });
  if (answer.allowed) return undefined;
  deps.logger.info({ userId, count: answer.count }, "request refused: over the per-user rate limit");
  await recordRefusal(deps, {
    userId,
    what,
    reason: "request.rate_limited",
    message: [renderRateLimited(answer.count, answer.windowMs, "en")],
  });
  return renderRateLimited(answer.count, answer.windowMs);
}

/** The private answer, in the reader's language (the audit trail's copy is English). */
export function renderRateLimited(count: number, windowMs: number, locale: Locale = currentLocale()): string {
  if (locale === "zh-CN")
    return `你在${describeWindowZh(windowMs)}内已提出 ${count} 个申请；请稍候再试。未创建任何内容。`;
  return `You have made ${count} request${count === 1 ? "" : "s"} in the last ${describeWindow(windowMs)}; wait a moment and try again. Nothing was created.`;
}

function describeWindow(ms: number): string {
  if (ms === 60_000) return "minute";
  if (ms === 3_600_000) return "hour";
  if (ms % 60_000 === 0) return `${ms / 60_000} minutes`;
  const seconds = Math.max(1, Math.round(ms / 1000));
  return seconds === 1 ? "second" : `${seconds} seconds`;
}

function describeWindowZh(ms: number): string {
  if (ms === 3_600_000) return "过去一小时";
  if (ms % 60_000 === 0) return `过去 ${ms / 60_000} 分钟`;
  return `过去 ${Math.max(1, Math.round(ms / 1000))} 秒`;
}
