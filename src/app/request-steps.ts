import type { Action, Block, Message, Text } from "../core/messages/message.js";
import { asText, plain, text, toPlainText, tr } from "../core/messages/message.js";
import type { CloudError } from "../core/ports/cloud-api.port.js";
import type { RequestState } from "../core/request/lifecycle.js";
import type { Request, RequestFailure, RequestPatch } from "../core/request/request.js";
import type { FlowDeps } from "./flow-deps.js";
import type { KindReleaseDeps, StepOutcome } from "./request-kind.js";

/** The ports moving a request to its next step uses. */
export type AdvanceDeps = Pick<FlowDeps, "store" | "notifier">;
/** The ports announcing a request's end uses. */
export type FinishDeps = Pick<FlowDeps, "notifier" | "config">;
/**
 * The ports a step's bookkeeping uses (advance, fail, finish): failing also asks the kind for the
 * fix (from the configuration) and lets it release what it holds (KindReleaseDeps).
 */
export type StepDeps = AdvanceDeps & FinishDeps & KindReleaseDeps & Pick<FlowDeps, "logger" | "kinds">;

/**
 * Moves a running request to its next step (or an approved one to its first), refreshes the card
 * and says so in the thread. Only the run that still sees the request at its current step moves it.
 */
export async function advance(
  deps: AdvanceDeps,
  request: Request,
  next: { to: RequestState; step?: string },
  patch: RequestPatch,
  threadText?: Text | Message,
): Promise<{ kind: "continue" }> {
  const result = await deps.store.transition(request.id, {
    to: next.to,
    ...(next.step ? { step: next.step } : {}),
    from: { state: request.state, ...(request.step ? { step: request.step } : {}) },
    patch,
  });
  if (result.ok) {
    await deps.notifier.updateCard(result.request);
    if (threadText) await deps.notifier.postThreadReply(result.request, threadText);
  }
  return { kind: "continue" };
}

export function failFromCloud(deps: StepDeps, request: Request, err: CloudError): Promise<StepOutcome> {
  return fail(deps, request, {
    code: err.code,
    message: describeCloudRefusal(err.message),
    cloud: err.classification,
    ...(err.requestId ? { cloudRequestId: err.requestId } : {}),
  });
}

/** Tencent's own words (English or Chinese, as Tencent wrote them), quoted as they came. */
export function describeCloudRefusal(message: string): Text {
  return [tr(text`Tencent Cloud refused the call: "${message}"`, text`腾讯云拒绝了调用：“${message}”`)];
}

/** What a step says went wrong: bilingual Text, or English (kinds not yet translated). */
export type FailureInput = Omit<RequestFailure, "fix" | "said" | "message"> & { message: Text | string };

/** An audit entry's detail stays one line an operator can grep: the code, then why, in English. */
const MAX_AUDIT_REASON = 400;

export function auditReason(code: string, message: string): string {
  const oneLine = message.replace(/\s+/g, " ").trim();
  return `${code}: ${oneLine.length > MAX_AUDIT_REASON ? `${oneLine.slice(0, MAX_AUDIT_REASON - 1)}…` : oneLine}`;
}

/**
 * Ends a request as failed — or, with `end: "outcome_unknown"`, as a request whose effect may or may
 * not have happened — says why and how to fix it in the thread, on the card and in the channel.
 */
export async function fail(
  deps: StepDeps,
  request: Request,
  input: FailureInput,
  end: "failed" | "outcome_unknown" = "failed",
): Promise<StepOutcome> {
  const kind = deps.kinds.of(request);
  const words = typeof input.message === "string" ? plain(input.message) : input.message;
  const failure = { ...input, message: toPlainText(words) };
  const given = kind.fixFor(failure, request, deps);
  const fix = typeof given === "string" ? plain(given) : given;
  const full: RequestFailure = {
    ...failure,
    ...(fix ? { fix: toPlainText(fix) } : {}),
    said: { message: words, ...(fix ? { fix } : {}) },
  };
  const result = await deps.store.transition(request.id, {
    to: end,
    patch: { failure: full },
    // Why it failed, in the trail itself: `npm run audit` shows it without the request record.
    note: { detail: auditReason(failure.code, failure.message) },
  });
  await kind.release?.(deps, request);
  if (!result.ok)
    return { kind: "done", state: result.reason === "wrong_state" ? result.request.state : end };
  deps.logger.warn(
    { requestId: request.id, code: failure.code },
    end === "failed" ? "request failed" : "request ended, outcome unknown",
  );
  await deps.notifier.postThreadReply(result.request, describeFailureReply(result.request, full, end));
  await finish(deps, result.request);
  return { kind: "done", state: end };
}

/** The id of the thread's "ask again" button row (the chat adapter reads only the action ids). */
export const ASK_AGAIN_BLOCK = "failure_next_step";

/**
 * The thread's failure reply: what happened, the Tencent request id when there is one, how to fix
 * it, and the next step — ask again with one click (the same inputs, a fresh card), except when a
 * copy may already exist, where asking again could make a second one.
 */
export function describeFailureReply(
  request: Request,
  failure: RequestFailure,
  end: "failed" | "outcome_unknown",
): Message {
  const words = failure.said?.message ?? asText(failure.message);
  const fix = failure.said?.fix ?? (failure.fix ? plain(failure.fix) : undefined);
  const lines: Text[] = [
    end === "failed"
      ? text`${tr("Failed: ", "失败：")}${words}`
      : text`${tr("Outcome unknown: ", "结果未知：")}${words}`,
  ];
  if (failure.cloudRequestId)
    lines.push(
      text`\n${tr(
        text`Tencent request id: ${failure.cloudRequestId}${failure.cloud ? ` (error ${failure.code})` : undefined}`,
        text`腾讯云请求 ID：${failure.cloudRequestId}${failure.cloud ? `（错误码 ${failure.code}）` : undefined}`,
      )}`,
    );
  if (fix) lines.push(text`\n${tr("How to fix: ", "解决方法：")}${fix}`);
  const checksFailed = (request.checks ?? []).some((r) => r.status === "failed");
  const again = end === "failed";
  if (again)
    lines.push(
      text`\n${
        checksFailed
          ? tr(
              "Next: fix it, press Re-check to see that the checks pass, then Ask again — a new request with the same snapshot, destination, region and name.",
              "下一步：修复后点击“重新检查”确认检查通过，再点击“再次申请”——用相同的快照、目标、地域和名称发起新的申请。",
            )
          : tr(
              "Next: once it is fixed, Ask again — a new request with the same snapshot, destination, region and name.",
              "下一步：修复后点击“再次申请”——用相同的快照、目标、地域和名称发起新的申请。",
            )
      }`,
    );
  else
    lines.push(
      text`\n${tr(
        "Next: look for the copy first; ask again only if it is not there.",
        "下一步：先查找该副本；只有在找不到时才重新申请。",
      )}`,
    );
  const body = lines.flat();
  const blocks: Block[] = [{ type: "section", text: body }];
  if (again) {
    const action: Action = { id: "again", label: [tr("Ask again", "再次申请")], value: request.id };
    blocks.push({ type: "actions", id: ASK_AGAIN_BLOCK, actions: [action] });
  }
  return { text: body, blocks };
}

/** A request reached its end: refresh the card and tell the notify channel. */
export async function finish(deps: FinishDeps, request: Request): Promise<void> {
  await deps.notifier.updateCard(request);
  const conversation = deps.config.slack.notifyChannel ?? request.card?.conversation ?? request.origin;
  await deps.notifier.announceOutcome(request, conversation);
}

export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${seconds % 60}s`;
  return `${Math.floor(minutes / 60)}h ${minutes % 60}m`;
}
