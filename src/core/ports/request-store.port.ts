import type { Decision, ReplicationRequest, RequestState } from "../request/request.js";
import type { AuditNote } from "./audit.port.js";

export type TransitionResult =
  | { ok: true; request: ReplicationRequest }
  | { ok: false; reason: "not_found" }
  | { ok: false; reason: "wrong_state"; request: ReplicationRequest };

/** The outcome of one approval, decided atomically with every other click on the same request. */
export type ApprovalResult =
  /** Enough approvals: the request is now `approved` (only one caller ever sees this). */
  | { kind: "approved"; request: ReplicationRequest }
  /** Counted; more approvals are needed. */
  | { kind: "recorded"; request: ReplicationRequest; count: number; required: number }
  | { kind: "duplicate"; request: ReplicationRequest }
  /** Its `expiresAt` has passed, even if the expiry job has not run yet. */
  | { kind: "expired"; request: ReplicationRequest }
  | { kind: "wrong_state"; request: ReplicationRequest }
  | { kind: "not_found" };

/** Requests live here. Every state change is a compare-and-set: two callers cannot both win. */
export interface RequestStore {
  create(request: ReplicationRequest): Promise<void>;
  get(id: string): Promise<ReplicationRequest | undefined>;
  /**
   * Atomically applies `patch` if the request is in one of `from`; `to` becomes the new state.
   * A change of state is recorded in the audit trail in the same step (with `note`, if given).
   */
  transition(
    id: string,
    from: readonly RequestState[],
    to: RequestState,
    patch?: Partial<ReplicationRequest>,
    note?: AuditNote,
  ): Promise<TransitionResult>;
  /** Atomically merges `patch` into the request without changing its state (progress facts). */
  update(
    id: string,
    patch: Partial<Omit<ReplicationRequest, "state">>,
  ): Promise<ReplicationRequest | undefined>;
  /**
   * Adds one person's approval to a pending request, atomically: at most one vote per person, and
   * the vote that reaches `required` moves the request to `approved`. Refused when expired.
   */
  recordApproval(id: string, approval: Decision, required: number): Promise<ApprovalResult>;
  /** The most recent requests, newest first (for `/snapshot list`). */
  listRecent(limit: number): Promise<ReplicationRequest[]>;
  /**
   * Reserves a copy name in one destination account and region for one request, atomically;
   * false when another request holds it. A lost copy id is found again by its name, so two of the
   * bot's copies must never share one (docs/decisions/011).
   */
  reserveCopyName(
    accountUin: string,
    region: string,
    name: string,
    requestId: string,
  ): Promise<{ ok: true } | { ok: false; holder: string }>;
  /** Moves a reservation from `fromId` to `toId`, only if `fromId` still holds it. */
  takeOverCopyName(
    accountUin: string,
    region: string,
    name: string,
    fromId: string,
    toId: string,
  ): Promise<boolean>;
}
