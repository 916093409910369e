import type { PrerequisiteResult } from "../cam/prerequisites.js";
import type { CloudErrorClass } from "../ports/cloud-api.port.js";
import type { Snapshot } from "../snapshot.js";

/**
 * A replication request and its life (DESIGN §4). `submitted` is the final state of a copy that
 * was accepted by Tencent Cloud but whose completion cannot be verified (no destination read role).
 */
export const REQUEST_STATES = [
  "pending_approval",
  "approved",
  "checking",
  "copying",
  "verifying",
  "completed",
  "submitted",
  "failed",
  "rejected",
  "cancelled",
  "expired",
] as const;
export type RequestState = (typeof REQUEST_STATES)[number];

export const FINAL_STATES: ReadonlySet<RequestState> = new Set([
  "completed",
  "submitted",
  "failed",
  "rejected",
  "cancelled",
  "expired",
]);

const TRANSITIONS: Record<RequestState, readonly RequestState[]> = {
  pending_approval: ["approved", "rejected", "cancelled", "expired"],
  approved: ["checking", "cancelled", "failed"],
  checking: ["copying", "failed"],
  copying: ["verifying", "submitted", "failed"],
  verifying: ["completed", "failed"],
  completed: [],
  submitted: [],
  failed: [],
  rejected: [],
  cancelled: [],
  expired: [],
};

export function canTransition(from: RequestState, to: RequestState): boolean {
  return TRANSITIONS[from].includes(to);
}

/** The states from which `to` may be reached: what an atomic compare-and-set must check. */
export function statesLeadingTo(to: RequestState): RequestState[] {
  return REQUEST_STATES.filter((from) => canTransition(from, to));
}

export interface Destination {
  alias: string;
  accountUin: string;
  readRoleArn?: string;
}

export interface SlackLocation {
  channel: string;
  ts: string;
}

export interface Decision {
  userId: string;
  at: string;
  reason?: string;
}

export interface CopyProgress {
  /**
   * Set just before the copy call, cleared when Tencent answers with an error (no copy was made):
   * a run that finds it without `newSnapshotId` must look for the copy before calling again.
   */
  copyRequestedAt?: string;
  newSnapshotId?: string;
  cloudRequestId?: string;
  /** Highest progress quarter already reported in the thread (0–4). */
  reportedQuarter?: number;
  startedAt?: string;
  finishedAt?: string;
}

export interface RequestFailure {
  /** The bot's code (`copy.stuck`, `cam.not_collaborator`) or, for a cloud failure, the provider's: for people. */
  code: string;
  message: string;
  fix?: string;
  cloudRequestId?: string;
  /** Set when the cloud reported the failure: what the fix is chosen by. */
  cloud?: CloudErrorClass;
}

export interface ReplicationRequest {
  id: string;
  kind: "replicate";
  state: RequestState;
  requestedBy: string;
  requestChannel: string;
  createdAt: string;
  updatedAt: string;
  snapshot: Snapshot;
  destination: Destination;
  newName: string;
  card?: SlackLocation;
  approvals: Decision[];
  rejection?: Decision;
  /** Who cancelled it (`/snapshot cancel`), and when. */
  cancellation?: Decision;
  /** Approvals this request needs (the policy when it was made: global or per destination). */
  requiredApprovals?: number;
  /** When a pending request expires (`requestTtl` after it was made). */
  expiresAt?: string;
  /** The plan an approver saw (DESIGN §4): the worker stops if it no longer holds. */
  planFingerprint?: string;
  /** Approvers who left the workspace, user groups that no longer exist: shown on the card. */
  approverProblems?: string[];
  copy: CopyProgress;
  failure?: RequestFailure;
  /** The latest prerequisite results (at request time, then at run time), shown on the card. */
  checks?: PrerequisiteResult[];
}

export function isFinal(state: RequestState): boolean {
  return FINAL_STATES.has(state);
}
