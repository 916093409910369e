import type { PrerequisiteResult } from "../core/cam/prerequisites.js";
import { generateRequestId } from "../core/ids.js";
import {
  asText,
  conversation,
  joinText,
  type Text,
  text,
  toPlainText,
  tr,
} from "../core/messages/message.js";
import type { Destination, Request } from "../core/request/request.js";
import { type ApprovalTermsDeps, decideApprovalTerms, scheduleRequestExpiry } from "./approval-terms.js";
import { type AuditDeps, checkRequester, type LookupDeps, recordAuditEntry } from "./approver-lookup.js";
import type { FlowDeps } from "./flow-deps.js";
import { resolveDestination } from "./resolve-destination.js";

/**
 * Why a request was refused when it was asked for, as the audit trail records it (`refused`
 * entries, issue 13). A failed prerequisite check is recorded under its own code instead
 * (`cam.not_collaborator`, `snapshot.not_found`, …).
 */
export type RefusalReason =
  | "request.wrong_channel"
  | "request.unknown_destination"
  | "request.not_a_requester"
  | "request.rate_limited"
  | "request.name_taken"
  | "request.name_with_share"
  | "request.checks_failed"
  | (string & {});

export type Admission =
  | { kind: "admitted"; destination: Destination }
  | { kind: "refused"; message: Text; reason: RefusalReason };

/** The ports admitting a request uses. */
export type AdmitDeps = LookupDeps & Pick<FlowDeps, "config">;

/**
 * Before a kind looks anything up: is this the place to ask, is the destination configured, and
 * may this person ask for it? The same rules for every kind of request.
 */
export async function admitRequest(
  deps: AdmitDeps,
  input: { destination: string; userId: string; channelId: string },
): Promise<Admission> {
  const { requestChannels } = deps.config.slack;
  if (requestChannels.length > 0 && !requestChannels.includes(input.channelId)) {
    const where = joinText(
      requestChannels.map((c) => [conversation(c)]),
      ", ",
    );
    return {
      kind: "refused",
      reason: "request.wrong_channel",
      message: [
        tr(
          text`Replication requests are taken in ${where}, not here.`,
          text`复制申请请在 ${where} 提出，不能在这里提出。`,
        ),
      ],
    };
  }
  const lookup = resolveDestination(deps.config, input.destination);
  if (!lookup.ok)
    return { kind: "refused", reason: "request.unknown_destination", message: [lookup.message] };
  const requester = await checkRequester(deps, input.userId, lookup.destination.alias);
  if (requester.kind === "refused")
    return { kind: "refused", reason: "request.not_a_requester", message: requester.reason };
  return { kind: "admitted", destination: lookup.destination };
}

/** A request as its kind prepared it, before the approval terms are added. */
export type NewRequest = Omit<
  Request,
  | "state"
  | "step"
  | "approvals"
  | "createdAt"
  | "updatedAt"
  | "requiredApprovals"
  | "expiresAt"
  | "planFingerprint"
>;

export type SubmitOutcome =
  | { kind: "posted"; request: Request; cardChannel: string }
  | { kind: "refused"; message: Text };

/** The ports submitting a request uses. */
export type SubmitDeps = ApprovalTermsDeps &
  Pick<FlowDeps, "store" | "notifier" | "clock" | "logger" | "expiry">;

/**
 * Stores a prepared request of any kind as pending approval, bound to its approval terms, and
 * posts its card. A request nobody can see never lingers: if the card cannot be posted, the
 * request is cancelled and the requester told why.
 */
export async function submitRequest(deps: SubmitDeps, prepared: NewRequest): Promise<SubmitOutcome> {
  const now = deps.clock.now();
  const draft: Request = {
    ...prepared,
    state: "pending_approval",
    approvals: [],
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
  const request: Request = { ...draft, ...(await decideApprovalTerms(deps, draft, now)) };
  await deps.store.create(request);
  const log = deps.logger.child({ flow: "submit-request", requestId: request.id, kind: request.kind });
  log.info({ destination: request.destination.alias }, "request made");

  const cardChannel = deps.config.slack.approvalChannel ?? request.origin;
  let card: Awaited<ReturnType<typeof deps.notifier.postCard>>;
  try {
    card = await deps.notifier.postCard(request, cardChannel);
  } catch (err) {
    log.error({ err }, "approval card could not be posted");
    await deps.store.transition(request.id, { to: "cancelled", from: { state: "pending_approval" } });
    const where = conversation(cardChannel);
    return {
      kind: "refused",
      message: [
        tr(
          text`I could not post the approval card in ${where} (is the app invited there?). Request ${request.id} was cancelled.`,
          text`无法在 ${where} 发布审批卡片（应用是否已被邀请到该频道？）。申请 ${request.id} 已取消。`,
        ),
      ],
    };
  }
  const stored = (await deps.store.update(request.id, { card })) ?? { ...request, card };
  await scheduleRequestExpiry(deps, stored);
  return { kind: "posted", request: stored, cardChannel };
}

/** A request refused when it was asked for, as the trail records it. */
export interface Refusal {
  /** The id the request would have had; a fresh one when it was refused before it had one. */
  requestId?: string;
  userId: string;
  /** The kind asked for (`snapshot-copy`), or the command (`replicate`) when refused before a kind was chosen. */
  what: string;
  /** What was asked, in a few words: `snap-abc12345 → dr-prod as "db-copy"`. */
  asked?: string;
  reason: RefusalReason;
  /** What the person was told (the audit keeps it in English, decision 022). */
  message: Text;
}

const MAX_REFUSAL_DETAIL = 500;

/**
 * A request flow's way to refuse one attempt: record it in the audit trail (under the id it would
 * have had), then answer. `audited` is what the trail keeps when it differs from what the person reads.
 */
export function refuserFor(deps: AuditDeps, attempt: Omit<Refusal, "reason" | "message">) {
  return async (reason: RefusalReason, message: Text, audited: Text = message) => {
    await recordRefusal(deps, { ...attempt, reason, message: audited });
    return { kind: "refused" as const, message };
  };
}

/**
 * Records a refused attempt (issue 13: the trail has every attempt, not only the requests that
 * were made). Recording never fails the answer to the person.
 */
export async function recordRefusal(deps: AuditDeps, refusal: Refusal): Promise<void> {
  const said = toPlainText(refusal.message).replace(/\s+/g, " ").trim();
  const detail = `${refusal.what}${refusal.asked ? ` ${refusal.asked}` : ""}: ${said}`;
  await recordAuditEntry(deps, {
    event: "refused",
    requestId: refusal.requestId ?? generateRequestId(),
    userId: refusal.userId,
    reason: refusal.reason,
    detail: detail.length > MAX_REFUSAL_DETAIL ? `${detail.slice(0, MAX_REFUSAL_DETAIL - 1)}…` : detail,
  });
}

/** The code a refusal by the checks is recorded under: the first check that failed, as it names itself. */
export function checksRefusalReason(results: readonly PrerequisiteResult[]): RefusalReason {
  const failed = results.find((r) => r.status === "failed") ?? results.find((r) => r.status !== "passed");
  return failed?.code ?? "request.checks_failed";
}

/** What the checks found wrong, in a line for the audit trail (the person gets every check). */
export function describeFailedChecks(results: readonly PrerequisiteResult[]): Text {
  return [
    results
      .filter((r) => r.status !== "passed")
      .map((r) => toPlainText(asText(r.reason)))
      .join(" "),
  ];
}
