import { conversation, joinText, type Text, text } from "../core/messages/message.js";
import type { Destination, Request } from "../core/request/request.js";
import { type ApprovalTermsDeps, decideApprovalTerms, scheduleRequestExpiry } from "./approval-terms.js";
import { checkRequester, type LookupDeps } from "./approver-lookup.js";
import type { FlowDeps } from "./flow-deps.js";
import { resolveDestination } from "./resolve-destination.js";

export type Admission = { kind: "admitted"; destination: Destination } | { kind: "refused"; message: Text };

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
    return { kind: "refused", message: text`Replication requests are taken in ${where}, not here.` };
  }
  const lookup = resolveDestination(deps.config, input.destination);
  if (!lookup.ok) return { kind: "refused", message: [lookup.message] };
  const requester = await checkRequester(deps, input.userId, lookup.destination.alias);
  if (requester.kind === "refused") return { kind: "refused", message: requester.reason };
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
    return {
      kind: "refused",
      message: text`I could not post the approval card in ${conversation(cardChannel)} (is the app invited there?). Request ${request.id} was cancelled.`,
    };
  }
  const stored = (await deps.store.update(request.id, { card })) ?? { ...request, card };
  await scheduleRequestExpiry(deps, stored);
  return { kind: "posted", request: stored, cardChannel };
}
