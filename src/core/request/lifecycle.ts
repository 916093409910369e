/**
 * A request's life as data (docs/decisions/014). Every kind shares it; a kind's own steps are
 * sub-states of `running` (the snapshot copy's are checking → copying → verifying). The store
 * derives from this table which states may lead to a new one and refuses anything else, and the
 * audit trail names each entry after the state (or the step) it enters: no other file lists states.
 */
export const LIFECYCLE = {
  pending_approval: { phase: "waiting", next: ["approved", "rejected", "cancelled", "expired"] },
  /** Approved and queued; nothing has been sent to the cloud yet. */
  approved: { phase: "active", next: ["running", "cancelled", "failed"] },
  /** One of the kind's steps; `running → running` moves to the next step. */
  running: { phase: "active", next: ["running", "completed", "submitted", "failed", "outcome_unknown"] },
  completed: { phase: "final", next: [] },
  /** Accepted by the cloud, but completion cannot be verified (no read role in the destination). */
  submitted: { phase: "final", next: [] },
  failed: { phase: "final", next: [] },
  /**
   * The copy call may or may not have been carried out (a crash or a fault during it) and nothing can
   * look (no read role): a copy may exist. Not `failed` — the failure record says where to look.
   */
  outcome_unknown: { phase: "final", next: [] },
  rejected: { phase: "final", next: [] },
  cancelled: { phase: "final", next: [] },
  expired: { phase: "final", next: [] },
} as const satisfies Record<string, { phase: "waiting" | "active" | "final"; next: readonly string[] }>;

export type RequestState = keyof typeof LIFECYCLE;
export type Phase = (typeof LIFECYCLE)[RequestState]["phase"];

export const REQUEST_STATES = Object.keys(LIFECYCLE) as RequestState[];

export function phaseOf(state: RequestState): Phase {
  return LIFECYCLE[state].phase;
}

export function isFinal(state: RequestState): boolean {
  return phaseOf(state) === "final";
}

/** Approved or running: the bot is working on it. */
export function isInProgress(state: RequestState): boolean {
  return phaseOf(state) === "active";
}

export function canTransition(from: RequestState, to: RequestState): boolean {
  return (LIFECYCLE[from].next as readonly RequestState[]).includes(to);
}

/** The states from which `to` may be reached: what an atomic compare-and-set must check. */
export function statesLeadingTo(to: RequestState): RequestState[] {
  return REQUEST_STATES.filter((from) => canTransition(from, to));
}

/** The states whose requests may still change (progress facts, a card reference). */
export const OPEN_STATES: readonly RequestState[] = REQUEST_STATES.filter((s) => !isFinal(s));

/** The audit trail's name for entering a state: the step's own name while running. */
export function auditEventFor(state: RequestState, step?: string): string {
  return state === "running" && step ? step : state;
}
