import type { PrerequisiteResult } from "../cam/prerequisites.js";
import type { Text } from "../messages/message.js";
import type { CloudErrorClass } from "../ports/cloud-api.port.js";
import type { RequestState } from "./lifecycle.js";

export type { RequestState } from "./lifecycle.js";
export { canTransition, isFinal, isInProgress, REQUEST_STATES, statesLeadingTo } from "./lifecycle.js";

export interface Destination {
  alias: string;
  accountUin: string;
  readRoleArn?: string;
  /**
   * How snapshots reach it, as configured when the request was made (`destinations.<alias>.method`
   * or `replication.method`); absent on requests made before there was a choice: `copy`.
   */
  method?: "copy" | "share";
}

/**
 * A message the bot posted, as the chat adapter identifies it. Opaque to the core: the Slack
 * adapter reads `conversation` as a channel id and `id` as the message ts.
 */
export interface MessageRef {
  conversation: string;
  id: string;
}

export interface Decision {
  userId: string;
  at: string;
  reason?: string;
}

export interface RequestFailure {
  /** The bot's code (`copy.stuck`, `cam.not_collaborator`) or, for a cloud failure, the provider's: for people. */
  code: string;
  /** What happened, in English: logs, the audit trail and records written before `said` (decision 024). */
  message: string;
  fix?: string;
  /** The same for people, in both languages (issue 13); absent on records written before. */
  said?: { message: Text; fix?: Text };
  cloudRequestId?: string;
  /** Set when the cloud reported the failure: what the fix is chosen by. */
  cloud?: CloudErrorClass;
}

/**
 * A request of any kind (docs/decisions/014): the envelope every kind shares — who asked, where,
 * its approvals and its place in the lifecycle — and the kind's own `spec` (what was asked) and
 * `progress` (what the steps have done so far).
 */
export interface Request<Spec = unknown, Progress = unknown> {
  id: string;
  /** The kind's id in the registry (`snapshot-copy`). */
  kind: string;
  state: RequestState;
  /** The kind's step while `running` (`copying`); absent in every other state. */
  step?: string;
  requestedBy: string;
  /** The conversation the request was made in (a channel id for Slack). */
  origin: string;
  createdAt: string;
  updatedAt: string;
  destination: Destination;
  /** The approval card; its thread carries every step. */
  card?: MessageRef;
  approvals: Decision[];
  rejection?: Decision;
  /** Who cancelled it (`/snapshot cancel`), and when. */
  cancellation?: Decision;
  /** Approvals this request needs (the policy when it was made: global or per destination). */
  requiredApprovals?: number;
  /** When a pending request expires (`requestTtl` after it was made). */
  expiresAt?: string;
  /** The plan an approver saw: the worker stops if it no longer holds. */
  planFingerprint?: string;
  /** Approvers who left the workspace, user groups that no longer exist: shown on the card. */
  approverProblems?: Text[];
  failure?: RequestFailure;
  /** The latest prerequisite results (at request time, then at run time), shown on the card. */
  checks?: PrerequisiteResult[];
  spec: Spec;
  progress: Progress;
}

/** What a change may set besides the state: everything but the identity and the lifecycle fields. */
export type RequestPatch<Spec = unknown, Progress = unknown> = Partial<
  Omit<Request<Spec, Progress>, "id" | "kind" | "state" | "step" | "createdAt" | "updatedAt">
>;
