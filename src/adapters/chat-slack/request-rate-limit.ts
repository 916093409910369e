import type { AuditDeps } from "../../app/approver-lookup.js";
import { recordRefusal } from "../../app/submit-request.flow.js";
import type { SnapshotCommand } from "../../core/command.grammar.js";
import type { RequestRateLimiter } from "../../core/ports/request-rate-limit.port.js";
import { say, withLocale } from "./reader-locale.js";

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
    message: [withLocale("en", () => renderRateLimited(answer.count, answer.windowMs))],
  });
  return renderRateLimited(answer.count, answer.windowMs);
}

export function renderRateLimited(count: number, windowMs: number): string {
  const window = describeWindow(windowMs);
  return say(
    `You have made ${count} request${count === 1 ? "" : "s"} in the last ${window.en}; wait a moment and try again. Nothing was created.`,
    `你在过去${window.zh}内已提交 ${count} 个申请，请稍等片刻再试。未创建任何内容。`,
  );
}

function describeWindow(ms: number): { en: string; zh: string } {
  if (ms === 60_000) return { en: "minute", zh: "一分钟" };
  if (ms === 3_600_000) return { en: "hour", zh: "一小时" };
  if (ms % 60_000 === 0) return { en: `${ms / 60_000} minutes`, zh: ` ${ms / 60_000} 分钟` };
  const seconds = Math.max(1, Math.round(ms / 1000));
  return seconds === 1 ? { en: "second", zh: "一秒" } : { en: `${seconds} seconds`, zh: ` ${seconds} 秒` };
}
