/**
 * The append-only audit trail (docs/decisions/007): who did what to which request, and when. State changes
 * are recorded by the request store in the same atomic step as the change itself; flows record the
 * rest (refused clicks, refused cancels) through `record`.
 */
import type { REQUEST_STATES } from "../request/lifecycle.js";

/**
 * What flows record besides state changes: a request made, a vote counted, a refused click, and a
 * request refused when it was asked for (`refused`: never stored as a request, so only the trail has it).
 */
export const FLOW_AUDIT_EVENTS = [
  "requested",
  "refused",
  "approval_recorded",
  "approval_refused",
  "reject_refused",
  "cancel_refused",
  "plan_changed",
] as const;

/**
 * An audit event: one of the flows' own, or the lifecycle state a request entered (the kind's step
 * name while running: `checking`, `copying`), as the store derives it from the lifecycle table.
 */
export type AuditEvent = (typeof FLOW_AUDIT_EVENTS)[number] | (typeof REQUEST_STATES)[number] | (string & {});

/** Every name the trail can hold is a short lower-case word: what readers of the stream rely on. */
export const AUDIT_EVENT_NAME = /^[a-z][a-z_]{1,40}$/;

export interface AuditEntry {
  event: AuditEvent;
  requestId: string;
  /** The Slack user who acted; absent for the bot's own steps (worker, expiry). */
  userId?: string;
  /** ISO time, from the bot's clock. */
  at: string;
  /** The state the request was in, for state changes. */
  from?: string;
  /** A reason, a count (`1/2`), a failure code. */
  detail?: string;
  /**
   * Why a request was refused when it was asked for (`refused` entries): a stable code such as
   * `cam.not_collaborator`, `snapshot.not_found`, `request.rate_limited` (docs/operator-guide.md).
   */
  reason?: string;
}

/** An entry as read back: with the stream id, whose first part is Redis' time in milliseconds. */
export interface StoredAuditEntry extends AuditEntry {
  id: string;
}

export interface AuditQuery {
  /** Entries recorded at or after this time. */
  since?: Date;
  /** Entries recorded at or before this time. */
  until?: Date;
  requestId?: string;
}

/** What a state change records about itself (the store adds the request id, time and states). */
export interface AuditNote {
  userId?: string;
  detail?: string;
}

export interface AuditTrail {
  record(entry: AuditEntry): Promise<void>;
  read(query?: AuditQuery): Promise<StoredAuditEntry[]>;
}
