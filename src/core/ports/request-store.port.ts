import type { RequestState } from "../request/lifecycle.js";
import type { Decision, Request, RequestPatch } from "../request/request.js";
import type { AuditNote } from "./audit.port.js";

export type TransitionResult =
  | { ok: true; request: Request }
  | { ok: false; reason: "not_found" }
  | { ok: false; reason: "wrong_state"; request: Request };

/** One move along the lifecycle (src/core/request/lifecycle.ts). */
export interface Transition {
  to: RequestState;
  /** The kind's step, when `to` is `running`. */
  step?: string;
  /**
   * Narrows the states the lifecycle allows before `to` to this one (and this step): a step hands
   * over only from itself, so two runs of one job cannot both advance it.
   */
  from?: { state: RequestState; step?: string };
  patch?: RequestPatch;
  /** Recorded with the audit entry of the change. */
  note?: AuditNote;
}

/**
 * A name reservation: made, or held by another request — with how long ago it was made, since a
 * holder whose record does not exist yet may still be on its way to being stored.
 */
export type NameReservation = { ok: true } | { ok: false; holder: string; ageMs: number };

/** The outcome of one approval, decided atomically with every other click on the same request. */
export type ApprovalResult =
  /** Enough approvals: the request is now `approved` (only one caller ever sees this). */
  | { kind: "approved"; request: Request }
  /** Counted; more approvals are needed. */
  | { kind: "recorded"; request: Request; count: number; required: number }
  | { kind: "duplicate"; request: Request }
  /** Its `expiresAt` has passed, even if the expiry job has not run yet. */
  | { kind: "expired"; request: Request }
  | { kind: "wrong_state"; request: Request }
  | { kind: "not_found" };

/**
 * Requests live here. Every change is a compare-and-set that the store checks against the
 * lifecycle table: a move the table does not allow, or any change to a final request, is refused.
 */
export interface RequestStore {
  create(request: Request): Promise<void>;
  get(id: string): Promise<Request | undefined>;
  /** Atomically moves the request if the lifecycle allows it; the audit trail records it in the same step. */
  transition(id: string, change: Transition): Promise<TransitionResult>;
  /**
   * Atomically merges progress facts into a request that is not final (and, with `expect`, only
   * while it is in that state and step); undefined when it is missing, final or elsewhere.
   */
  update(
    id: string,
    patch: RequestPatch,
    expect?: { state: RequestState; step?: string },
  ): Promise<Request | undefined>;
  /**
   * Adds one person's approval to a pending request, atomically: at most one vote per person, and
   * the vote that reaches `required` moves the request to `approved`. Refused when expired.
   */
  recordApproval(id: string, approval: Decision, required: number): Promise<ApprovalResult>;
  /** The most recent requests, newest first (for `/snapshot list`). */
  listRecent(limit: number): Promise<Request[]>;
  /**
   * Reserves a name within a scope (a destination account and region) for one request,
   * atomically; refused when another request holds it (docs/decisions/011).
   */
  reserveName(scope: string, name: string, requestId: string): Promise<NameReservation>;
  /**
   * The next number of a numbered name within a scope (1, 2, 3, …), atomically: a counter per
   * (scope, base name), so the k-th default name of a day is found in one step (decision 011).
   */
  nextNameNumber(scope: string, name: string): Promise<number>;
  /** Moves a reservation from `fromId` to `toId`, only if `fromId` still holds it. */
  takeOverName(scope: string, name: string, fromId: string, toId: string): Promise<boolean>;
  /** Gives a reservation up, only if `holder` still holds it (its request was never stored). */
  releaseName(scope: string, name: string, holder: string): Promise<boolean>;
}
