/**
 * In-memory ports for unit tests of the use cases and steps. The request store enforces the same
 * lifecycle as the Redis one (test/support/request-store.contract.ts runs against both); the rest
 * record what happened so a test can assert what a person would notice.
 */

import type { FlowDeps } from "../../src/app/flow-deps.js";
import { type BotConfigInput, buildBotConfig } from "../../src/config/load-config.js";
import { type Message, type Text, toPlainText } from "../../src/core/messages/message.js";
import type {
  AuditEntry,
  AuditQuery,
  AuditTrail,
  StoredAuditEntry,
} from "../../src/core/ports/audit.port.js";
import type { Clock } from "../../src/core/ports/clock.port.js";
import type {
  AttachedPolicy,
  AutoSnapshotPolicy,
  CloudApi,
  Collaborator,
  CopyAccepted,
  CopyRequest,
  DestinationReader,
  LinkPolicyAccepted,
  LinkPolicyRequest,
  ShareAccepted,
  ShareRequest,
  SnapshotListOptions,
} from "../../src/core/ports/cloud-api.port.js";
import { CloudError } from "../../src/core/ports/cloud-api.port.js";
import type {
  CopyClaim,
  CopyObservation,
  CopyWatch,
  WatchedCopy,
} from "../../src/core/ports/copy-watch.port.js";
import type { Directory } from "../../src/core/ports/directory.port.js";
import type { ExpiryScheduler } from "../../src/core/ports/expiry.port.js";
import type { JobQueue } from "../../src/core/ports/job-queue.port.js";
import { silentLogger } from "../../src/core/ports/logger.port.js";
import type { Notifier } from "../../src/core/ports/notifier.port.js";
import type {
  AnnouncementClaim,
  IncidentState,
  KnownLink,
  LedgerEntry,
  PendingAnnouncement,
  ReplicationLedger,
} from "../../src/core/ports/replication-ledger.port.js";
import type {
  ApprovalResult,
  NameReservation,
  RequestStore,
  Transition,
  TransitionResult,
} from "../../src/core/ports/request-store.port.js";
import {
  auditEventFor,
  OPEN_STATES,
  type RequestState,
  statesLeadingTo,
} from "../../src/core/request/lifecycle.js";
import type { Decision, MessageRef, Request, RequestPatch } from "../../src/core/request/request.js";
import type { Snapshot } from "../../src/core/snapshot.js";
import { createKindRegistry } from "../../src/kinds/registry.js";

export { silentLogger };

/** What a stored record goes through in Redis (JSON): no shared objects, no `undefined` fields. */
const copyOf = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** A clock that stands still until the test moves it. */
export class FixedClock implements Clock {
  private current: Date;
  constructor(at: Date | string = "2026-11-25T10:00:00.000Z") {
    this.current = new Date(at);
  }
  now(): Date {
    return new Date(this.current);
  }
  set(at: Date | string): void {
    this.current = new Date(at);
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

/** The audit trail as a list; ids are `<ms>-<seq>` like a stream's, by real time as Redis' are. */
export class MemoryAuditTrail implements AuditTrail {
  readonly entries: StoredAuditEntry[] = [];
  private seq = 0;

  async record(entry: AuditEntry): Promise<void> {
    this.append(entry);
  }

  /** Synchronous, so the store's change and its entry happen in one step. */
  append(entry: AuditEntry): void {
    const clean = copyOf(entry);
    for (const field of ["userId", "from", "detail"] as const) if (!clean[field]) delete clean[field];
    this.entries.push({ id: `${Date.now()}-${this.seq++}`, ...clean });
  }

  async read(query: AuditQuery = {}): Promise<StoredAuditEntry[]> {
    return this.entries.filter((e) => {
      const ms = Number(e.id.split("-")[0]);
      if (query.since && ms < query.since.getTime()) return false;
      if (query.until && ms > query.until.getTime()) return false;
      return !query.requestId || e.requestId === query.requestId;
    });
  }

  /** `event` for each entry of one request, in order (`detail` after a colon when given). */
  eventsOf(requestId: string, withDetail = false): string[] {
    return this.entries
      .filter((e) => e.requestId === requestId)
      .map((e) => (withDetail && e.detail ? `${e.event}:${e.detail}` : e.event));
  }
}

/**
 * The request store in memory, with the Redis store's rules: every change is a compare-and-set
 * against the lifecycle table (statesLeadingTo), narrowed by `from` (state and step); final
 * requests take no patch; state changes are audited in the same step, named after the state
 * entered (the step while running). No method awaits between its check and its write, so
 * concurrent calls are decided one at a time, as Lua scripts are.
 */
export class MemoryRequestStore implements RequestStore {
  readonly audit: MemoryAuditTrail;
  private readonly clock: Clock;
  private readonly requests = new Map<string, Request>();
  private readonly names = new Map<string, string>();
  private readonly nameNumbers = new Map<string, number>();

  constructor(options: { audit?: MemoryAuditTrail; clock?: Clock } = {}) {
    this.audit = options.audit ?? new MemoryAuditTrail();
    this.clock = options.clock ?? { now: () => new Date() };
  }

  async create(request: Request): Promise<void> {
    if (this.requests.has(request.id))
      throw new Error(`store.duplicate_id: request ${request.id} already exists`);
    this.requests.set(request.id, copyOf(request));
    this.audit.append({
      event: "requested",
      requestId: request.id,
      at: request.createdAt,
      userId: request.requestedBy,
    });
  }

  async get(id: string): Promise<Request | undefined> {
    const request = this.requests.get(id);
    return request ? copyOf(request) : undefined;
  }

  async listRecent(limit: number): Promise<Request[]> {
    const score = (r: Request) => Date.parse(r.createdAt) || 0;
    return [...this.requests.values()]
      .sort((a, b) => score(b) - score(a) || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
      .slice(0, Math.max(0, limit))
      .map(copyOf);
  }

  async transition(id: string, change: Transition): Promise<TransitionResult> {
    const allowed = statesLeadingTo(change.to);
    if (change.from && !allowed.includes(change.from.state)) {
      throw new Error(
        `store.invalid_transition: the lifecycle has no move from ${change.from.state} to ${change.to}`,
      );
    }
    if (change.to === "running" && !change.step) {
      throw new Error("store.invalid_transition: a running request needs its step");
    }
    return this.compareAndSet(
      id,
      change.from ? [change.from.state] : allowed,
      change.from?.step,
      { state: change.to, ...(change.step ? { step: change.step } : {}) },
      change.patch ?? {},
      change.note ?? {},
    );
  }

  async update(
    id: string,
    patch: RequestPatch,
    expect?: { state: RequestState; step?: string },
  ): Promise<Request | undefined> {
    const from = expect ? OPEN_STATES.filter((s) => s === expect.state) : OPEN_STATES;
    const result = this.compareAndSet(id, from, expect?.step, undefined, patch, {});
    return result.ok ? result.request : undefined;
  }

  async recordApproval(id: string, approval: Decision, required: number): Promise<ApprovalResult> {
    const request = this.requests.get(id);
    if (!request) return { kind: "not_found" };
    if (request.state !== "pending_approval") return { kind: "wrong_state", request: copyOf(request) };
    // As the Lua script: ISO strings compare in time order; the click's time is "now".
    if (typeof request.expiresAt === "string" && request.expiresAt <= approval.at)
      return { kind: "expired", request: copyOf(request) };
    if (request.approvals.some((a) => a.userId === approval.userId))
      return { kind: "duplicate", request: copyOf(request) };
    request.approvals.push({ userId: approval.userId, at: approval.at });
    request.updatedAt = approval.at;
    const count = request.approvals.length;
    const detail = `${count}/${required}`;
    if (count >= required) {
      request.state = "approved";
      this.audit.append({
        event: "approved",
        requestId: id,
        at: approval.at,
        from: "pending_approval",
        userId: approval.userId,
        detail,
      });
      return { kind: "approved", request: copyOf(request) };
    }
    this.audit.append({
      event: "approval_recorded",
      requestId: id,
      at: approval.at,
      userId: approval.userId,
      detail,
    });
    return { kind: "recorded", request: copyOf(request), count, required };
  }

  async reserveName(scope: string, name: string, requestId: string): Promise<NameReservation> {
    const key = `${scope}\u0000${name}`;
    const holder = this.names.get(key);
    if (holder === undefined) {
      this.names.set(key, requestId);
      this.reservedAt.set(key, Date.now());
      return { ok: true };
    }
    return holder === requestId
      ? { ok: true }
      : { ok: false, holder, ageMs: Date.now() - (this.reservedAt.get(key) ?? 0) };
  }

  private readonly reservedAt = new Map<string, number>();

  async nextNameNumber(scope: string, name: string): Promise<number> {
    const key = `${scope}\u0000${name}`;
    const n = (this.nameNumbers.get(key) ?? 0) + 1;
    this.nameNumbers.set(key, n);
    return n;
  }

  async releaseName(scope: string, name: string, holder: string): Promise<boolean> {
    const key = `${scope}\u0000${name}`;
    if (this.names.get(key) !== holder) return false;
    this.names.delete(key);
    this.reservedAt.delete(key);
    return true;
  }

  async takeOverName(scope: string, name: string, fromId: string, toId: string): Promise<boolean> {
    const key = `${scope}\u0000${name}`;
    if (this.names.get(key) !== fromId) return false;
    this.names.set(key, toId);
    return true;
  }

  private compareAndSet(
    id: string,
    from: readonly RequestState[],
    fromStep: string | undefined,
    to: { state: RequestState; step?: string } | undefined,
    patch: RequestPatch,
    note: { userId?: string; detail?: string },
  ): TransitionResult {
    const request = this.requests.get(id);
    if (!request) return { ok: false, reason: "not_found" };
    if (!from.includes(request.state) || (fromStep && request.step !== fromStep))
      return { ok: false, reason: "wrong_state", request: copyOf(request) };
    const at = this.clock.now().toISOString();
    const before = { state: request.state, step: request.step };
    const next: Request = { ...request, ...copyOf(patch), updatedAt: at };
    if (to) {
      next.state = to.state;
      if (to.state === "running" && to.step) next.step = to.step;
      else delete next.step;
    }
    this.requests.set(id, next);
    if (next.state !== before.state || next.step !== before.step) {
      this.audit.append({
        event: auditEventFor(next.state, next.step),
        requestId: id,
        at,
        from: auditEventFor(before.state, before.step),
        ...(note.userId ? { userId: note.userId } : {}),
        ...(note.detail ? { detail: note.detail } : {}),
      });
    }
    return { ok: true, request: copyOf(next) };
  }
}

/** A line in a request's thread, or a card as last posted or updated. */
export interface CardView {
  conversation: string;
  state: RequestState;
  step?: string;
}

/** Records what people would see: cards, thread replies (plain text), outcomes, private messages. */
export class MemoryNotifier implements Notifier {
  readonly cards = new Map<string, CardView>();
  readonly cardUpdates: Array<{ requestId: string; state: RequestState; step?: string }> = [];
  readonly replies: Array<{ requestId: string; text: string }> = [];
  readonly outcomes: Array<{ requestId: string; state: RequestState; conversation: string }> = [];
  readonly told: Array<{ conversation: string; userId: string; text: string }> = [];
  /** Set to make the next postCard calls fail (the app is not in the channel). */
  failPostCard = false;
  private seq = 0;

  async postCard(request: Request, conversation: string): Promise<MessageRef> {
    if (this.failPostCard) throw new Error("not_in_channel");
    this.cards.set(request.id, { conversation, state: request.state });
    return { conversation, id: `card-${++this.seq}` };
  }

  async updateCard(request: Request): Promise<void> {
    this.cardUpdates.push({
      requestId: request.id,
      state: request.state,
      ...(request.step ? { step: request.step } : {}),
    });
    const card = this.cards.get(request.id);
    const conversation = card?.conversation ?? request.card?.conversation ?? request.origin;
    this.cards.set(request.id, {
      conversation,
      state: request.state,
      ...(request.step ? { step: request.step } : {}),
    });
  }

  async postThreadReply(request: Request, message: Text | Message): Promise<void> {
    const text = toPlainText(isMessage(message) ? message.text : message);
    this.replies.push({ requestId: request.id, text });
  }

  async announceOutcome(request: Request, conversation: string): Promise<void> {
    this.outcomes.push({ requestId: request.id, state: request.state, conversation });
  }

  async tellUser(conversation: string, userId: string, message: Text): Promise<void> {
    this.told.push({ conversation, userId, text: toPlainText(message) });
  }

  /** Automatic replication's announcements, with their keys. */
  readonly announcements: Array<{ conversation: string; key: string; text: string; id: string }> = [];
  /** Set to make the next announce calls fail after posting (the answer is lost). */
  loseNextAnnounceAnswers = 0;

  async announce(conversation: string, message: Message, key: string): Promise<MessageRef> {
    const id = `ann-${++this.seq}`;
    this.announcements.push({ conversation, key, text: toPlainText(message.text), id });
    if (this.loseNextAnnounceAnswers > 0) {
      this.loseNextAnnounceAnswers--;
      throw new Error("timeout");
    }
    return { conversation, id };
  }

  async findAnnouncement(conversation: string, key: string): Promise<MessageRef | undefined> {
    const found = this.announcements.find((a) => a.conversation === conversation && a.key === key);
    return found ? { conversation, id: found.id } : undefined;
  }

  async cardLink(request: Request): Promise<string | undefined> {
    return this.cards.has(request.id) ? `https://slack.test/cards/${request.id}` : undefined;
  }

  /** The thread of one request, as plain text lines. */
  thread(requestId: string): string[] {
    return this.replies.filter((r) => r.requestId === requestId).map((r) => r.text);
  }
}

function isMessage(value: Text | Message): value is Message {
  return !Array.isArray(value);
}

/** Approved requests as jobs: one per request however often it is enqueued (the job id is the request id). */
export class MemoryJobQueue implements JobQueue {
  readonly calls: string[] = [];
  readonly jobs = new Set<string>();
  async enqueueRequest(requestId: string): Promise<void> {
    this.calls.push(requestId);
    this.jobs.add(requestId);
  }
}

export class MemoryExpiryScheduler implements ExpiryScheduler {
  readonly scheduled = new Map<string, Date>();
  async scheduleExpiry(requestId: string, at: Date): Promise<void> {
    this.scheduled.set(requestId, at);
  }
}

/** Slack user groups by id (an unknown group cannot be read) and, optionally, users' states. */
export class MemoryDirectory implements Directory {
  constructor(
    readonly groups: Record<string, string[]> = {},
    readonly users: Record<string, "active" | "deleted" | "not_found"> = {},
  ) {}
  async usergroupMembers(usergroupId: string): Promise<string[]> {
    const members = this.groups[usergroupId];
    if (!members) throw new Error(`usergroup_not_found: ${usergroupId}`);
    return [...members];
  }
  async userState(userId: string): Promise<"active" | "deleted" | "not_found"> {
    return this.users[userId] ?? "active";
  }
}

/** Copies in flight, observations and copy-call claims, as the Redis copy watch keeps them. */
export class MemoryCopyWatch implements CopyWatch {
  readonly watched = new Map<string, WatchedCopy>();
  readonly seen = new Map<string, CopyObservation>();
  readonly claims = new Map<string, CopyClaim>();

  async watch(copy: WatchedCopy): Promise<void> {
    this.watched.set(copy.requestId, copyOf(copy));
  }
  async unwatch(requestId: string): Promise<void> {
    this.watched.delete(requestId);
    this.seen.delete(requestId);
  }
  async list(): Promise<WatchedCopy[]> {
    return [...this.watched.values()].map(copyOf);
  }
  /** Only for copies still watched, so a late poll round cannot bring a finished one back. */
  async record(observations: ReadonlyMap<string, CopyObservation>): Promise<void> {
    for (const [requestId, observation] of observations)
      if (this.watched.has(requestId)) this.seen.set(requestId, copyOf(observation));
  }
  async observation(requestId: string): Promise<CopyObservation | undefined> {
    const seen = this.seen.get(requestId);
    return seen ? copyOf(seen) : undefined;
  }
  async readCopyClaim(requestId: string): Promise<CopyClaim | undefined> {
    const claim = this.claims.get(requestId);
    return claim ? { ...claim } : undefined;
  }
  async swapCopyClaim(
    requestId: string,
    expected: CopyClaim | undefined,
    next: CopyClaim | undefined,
  ): Promise<boolean> {
    if (encodeClaim(this.claims.get(requestId)) !== encodeClaim(expected)) return false;
    if (next) this.claims.set(requestId, { at: next.at, ended: next.ended });
    else this.claims.delete(requestId);
    return true;
  }
}

const encodeClaim = (claim: CopyClaim | undefined) => (claim ? `${claim.at}|${claim.ended}` : "");

/** The policy that lets a collaborator copy snapshots (as policies/minimal-cross-account-copy.json). */
export const COPY_POLICY_DOCUMENT = JSON.stringify({
  version: "2.0",
  statement: [{ effect: "allow", action: ["cvm:CopySnapshotCrossAccount"], resource: "*" }],
});

/**
 * A scripted Tencent Cloud: source snapshots, collaborators with policies, and destination
 * snapshots by account; every copy call is recorded. `onCopy` decides a copy call's answer
 * (default: a new snapshot appears in the destination, COPYING_FROM_REMOTE).
 */
export class ScriptedCloud implements CloudApi {
  readonly sourceSnapshots: Snapshot[] = [];
  readonly collaborators: Collaborator[] = [];
  readonly policies = new Map<string, AttachedPolicy[]>();
  readonly documents = new Map<string, string>();
  readonly destinationSnapshots = new Map<string, Snapshot[]>();
  readonly copyCalls: CopyRequest[] = [];
  readonly nameLookups: Array<{ accountUin: string; name: string }> = [];
  onCopy?: (request: CopyRequest) => CopyAccepted | Error;
  /** Read roles whose AssumeRole is refused (the role's trust policy does not name the source). */
  readonly refusedReadRoles = new Set<string>();
  readonly readRoleChecks: string[] = [];
  private seq = 0;

  /** A collaborator allowed to copy (the copy policy attached directly). */
  allowCollaborator(uin: string, name = `dr-${uin}`): this {
    this.collaborators.push({ uin, name });
    this.policies.set(uin, [
      { policyId: "70001", name: "SnapshotCrossAccountCopy", type: "custom", groups: [] },
    ]);
    this.documents.set("70001", COPY_POLICY_DOCUMENT);
    return this;
  }

  async findSourceSnapshot(snapshotId: string, regions: readonly string[]): Promise<Snapshot | undefined> {
    for (const region of regions) {
      const found = this.sourceSnapshots.find((s) => s.snapshotId === snapshotId && s.region === region);
      if (found) return { ...found };
    }
    return undefined;
  }

  async checkReadRole(reader: DestinationReader): Promise<void> {
    this.readRoleChecks.push(reader.readRoleArn);
    if (this.refusedReadRoles.has(reader.readRoleArn))
      throw new CloudError({
        code: "AuthFailure.UnauthorizedOperation",
        message: `The role ${reader.readRoleArn} does not trust the caller.`,
        category: "permanent",
        reason: "role_not_assumable",
      });
  }

  async copySnapshotCrossAccount(request: CopyRequest): Promise<CopyAccepted> {
    this.copyCalls.push({ ...request });
    const scripted = this.onCopy?.(request);
    if (scripted instanceof Error) throw scripted;
    if (scripted) return scripted;
    const source = this.sourceSnapshots.find((s) => s.snapshotId === request.snapshotId);
    const newSnapshotId = `snap-copy${String(++this.seq).padStart(4, "0")}`;
    const copies = this.destinationSnapshots.get(request.targetAccountUin) ?? [];
    copies.push({
      ...(source ?? {
        diskId: "disk-0",
        diskSizeGiB: 0,
        diskUsage: "DATA_DISK",
        encrypted: false,
        createdAt: "",
      }),
      snapshotId: newSnapshotId,
      name: request.newName,
      region: request.region,
      state: "COPYING_FROM_REMOTE",
      percent: 0,
    });
    this.destinationSnapshots.set(request.targetAccountUin, copies);
    return { newSnapshotId, requestId: `req-${this.seq}` };
  }

  async describeDestinationSnapshots(
    reader: DestinationReader,
    region: string,
    snapshotIds: readonly string[],
  ): Promise<Snapshot[]> {
    return (this.destinationSnapshots.get(reader.accountUin) ?? []).filter(
      (s) => s.region === region && snapshotIds.includes(s.snapshotId),
    );
  }

  async findDestinationSnapshotsByName(
    reader: DestinationReader,
    region: string,
    name: string,
  ): Promise<Snapshot[]> {
    this.nameLookups.push({ accountUin: reader.accountUin, name });
    return (this.destinationSnapshots.get(reader.accountUin) ?? []).filter(
      (s) => s.region === region && s.name === name,
    );
  }

  async listCollaborators(): Promise<Collaborator[]> {
    return this.collaborators.map((c) => ({ ...c }));
  }

  async listAttachedPolicies(targetUin: string): Promise<AttachedPolicy[]> {
    return (this.policies.get(targetUin) ?? []).map((p) => ({ ...p }));
  }

  async getPolicyDocument(policyId: string): Promise<string | undefined> {
    return this.documents.get(policyId);
  }

  /** Source snapshot id → accounts it is shared with (the share method). */
  readonly shares = new Map<string, string[]>();

  async shareSnapshot(request: ShareRequest): Promise<ShareAccepted> {
    const accounts = this.shares.get(request.snapshotId) ?? [];
    if (!accounts.includes(request.accountUin)) accounts.push(request.accountUin);
    this.shares.set(request.snapshotId, accounts);
    return { requestId: `req-share-${accounts.length}` };
  }

  async listSnapshotShares(snapshotId: string): Promise<string[]> {
    return [...(this.shares.get(snapshotId) ?? [])];
  }

  // Scheduled snapshot policies (automatic replication): a plain list per account.
  readonly autoPolicies: AutoSnapshotPolicy[] = [];
  readonly destinationPolicies = new Map<string, AutoSnapshotPolicy[]>();
  readonly linkCalls: LinkPolicyRequest[] = [];

  async findAutoSnapshotPolicy(
    policyId: string,
    regions: readonly string[],
  ): Promise<AutoSnapshotPolicy | undefined> {
    const found = this.autoPolicies.find((p) => p.policyId === policyId && regions.includes(p.region));
    return found ? { ...found } : undefined;
  }

  async listAutoSnapshotPolicies(regions: readonly string[]): Promise<AutoSnapshotPolicy[]> {
    return this.autoPolicies.filter((p) => regions.includes(p.region)).map((p) => ({ ...p }));
  }

  async copyAutoSnapshotPolicyCrossAccount(request: LinkPolicyRequest): Promise<LinkPolicyAccepted> {
    this.linkCalls.push({ ...request });
    const policy = this.autoPolicies.find((p) => p.policyId === request.policyId);
    if (policy) policy.copyToAccountUin = request.targetAccountUin;
    return { requestId: `req-link-${this.linkCalls.length}` };
  }

  async listSnapshotsOfDisks(
    region: string,
    diskIds: readonly string[],
    options: SnapshotListOptions = {},
  ): Promise<Snapshot[]> {
    return this.sourceSnapshots.filter(
      (s) =>
        s.region === region &&
        diskIds.includes(s.diskId) &&
        (options.createdAfter === undefined || (s.createdAtMs ?? 0) > options.createdAfter),
    );
  }

  async listDestinationAutoSnapshotPolicies(reader: DestinationReader): Promise<AutoSnapshotPolicy[]> {
    return [...(this.destinationPolicies.get(reader.accountUin) ?? [])];
  }

  async listDestinationSnapshots(
    reader: DestinationReader,
    region: string,
    options: SnapshotListOptions = {},
  ): Promise<Snapshot[]> {
    return (this.destinationSnapshots.get(reader.accountUin) ?? []).filter(
      (s) =>
        s.region === region &&
        (options.createdAfter === undefined || (s.createdAtMs ?? 0) > options.createdAfter),
    );
  }
}

/** The replication ledger in memory, with the Redis one's rules (each fact queued with its announcement). */
export class MemoryLedger implements ReplicationLedger {
  readonly knownLinks = new Map<string, KnownLink>();
  readonly entriesOf = new Map<string, Map<string, LedgerEntry>>();
  readonly incidents = new Map<string, IncidentState>();
  readonly outbox = new Map<string, PendingAnnouncement>();
  readonly posting = new Map<string, number>();
  readonly announced = new Map<string, string>();
  private runCount = 0;
  private lastRunAt: number | undefined;

  async links(): Promise<KnownLink[]> {
    return [...this.knownLinks.values()].map(copyOf);
  }
  async addLinks(links: readonly KnownLink[]): Promise<KnownLink[]> {
    const added = links.filter((l) => !this.knownLinks.has(l.policyId));
    for (const link of added) this.knownLinks.set(link.policyId, copyOf(link));
    return added;
  }
  async updateLinks(links: readonly KnownLink[]): Promise<void> {
    for (const link of links)
      if (this.knownLinks.has(link.policyId)) this.knownLinks.set(link.policyId, copyOf(link));
  }
  private queue(announcement: PendingAnnouncement): void {
    if (!this.announced.has(announcement.id) && !this.outbox.has(announcement.id))
      this.outbox.set(announcement.id, copyOf(announcement));
  }
  async dropLink(policyId: string, announcement: PendingAnnouncement): Promise<boolean> {
    if (!this.knownLinks.delete(policyId)) return false;
    this.incidents.delete(policyId);
    this.queue(announcement);
    return true;
  }
  async entries(policyId: string): Promise<LedgerEntry[]> {
    return [...(this.entriesOf.get(policyId)?.values() ?? [])].map(copyOf);
  }
  async record(
    policyId: string,
    sources: readonly LedgerEntry[],
    pairs: readonly LedgerEntry[],
    announcement: PendingAnnouncement,
  ): Promise<LedgerEntry[]> {
    const entries = this.entriesOf.get(policyId) ?? new Map<string, LedgerEntry>();
    this.entriesOf.set(policyId, entries);
    for (const e of sources) if (!entries.has(e.sourceSnapshotId)) entries.set(e.sourceSnapshotId, copyOf(e));
    const done = pairs.filter((e) => !entries.get(e.sourceSnapshotId)?.copySnapshotId);
    for (const e of done) entries.set(e.sourceSnapshotId, copyOf(e));
    if (done.length > 0 && announcement.announcement.kind === "copies") {
      this.queue({
        ...announcement,
        announcement: { ...announcement.announcement, pairs: done.map(copyOf) },
      });
    }
    return done.map(copyOf);
  }
  async incident(policyId: string): Promise<IncidentState | undefined> {
    const found = this.incidents.get(policyId);
    return found ? copyOf(found) : undefined;
  }
  async setIncident(state: IncidentState, announcement: PendingAnnouncement): Promise<boolean> {
    if ((this.incidents.get(state.policyId)?.open === true) === state.open) return false;
    this.incidents.set(state.policyId, copyOf(state));
    this.queue(announcement);
    return true;
  }
  async queueAnnouncement(announcement: PendingAnnouncement): Promise<boolean> {
    if (this.announced.has(announcement.id) || this.outbox.has(announcement.id)) return false;
    this.queue(announcement);
    return true;
  }
  async pendingAnnouncements(): Promise<PendingAnnouncement[]> {
    return [...this.outbox.values()]
      .map(copyOf)
      .sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
  }
  async claimAnnouncement(id: string, now: number, leaseMs: number): Promise<AnnouncementClaim> {
    if (!this.outbox.has(id)) return "gone";
    const claimed = this.posting.get(id);
    this.posting.set(id, claimed === undefined || claimed + leaseMs <= now ? now : claimed);
    if (claimed === undefined) return "post";
    return claimed + leaseMs <= now ? "verify" : "busy";
  }
  async markAnnounced(id: string, messageId: string): Promise<void> {
    this.announced.set(id, messageId);
    this.outbox.delete(id);
    this.posting.delete(id);
  }
  async countRun(at: number): Promise<number> {
    this.lastRunAt = at;
    return ++this.runCount;
  }
  async runs(): Promise<{ count: number; lastAt?: number }> {
    return { count: this.runCount, ...(this.lastRunAt === undefined ? {} : { lastAt: this.lastRunAt }) };
  }
}

export const SOURCE_UIN = "100000000001";
export const DR_PROD_UIN = "200000000002";
export const DR_BLIND_UIN = "200000000003";
export const READ_ROLE = `qcs::cam::uin/${DR_PROD_UIN}:roleName/snapshot-bot-reader`;

/** The in-memory ports together, each reachable by its own type for assertions. */
export interface MemoryPorts {
  deps: FlowDeps;
  store: MemoryRequestStore;
  audit: MemoryAuditTrail;
  notifier: MemoryNotifier;
  queue: MemoryJobQueue;
  expiry: MemoryExpiryScheduler;
  directory: MemoryDirectory;
  copyWatch: MemoryCopyWatch;
  cloud: ScriptedCloud;
  clock: FixedClock;
  ledger: MemoryLedger;
}

/**
 * Every port in memory, with a configuration like the e2e harness's: approvers bob and carol,
 * dr-prod (with a read role) and dr-blind (without), a notify channel.
 */
export function memoryPorts(
  options: { config?: Partial<BotConfigInput>; groups?: Record<string, string[]> } = {},
): MemoryPorts {
  const clock = new FixedClock();
  const audit = new MemoryAuditTrail();
  const store = new MemoryRequestStore({ audit, clock });
  const notifier = new MemoryNotifier();
  const queue = new MemoryJobQueue();
  const expiry = new MemoryExpiryScheduler();
  const directory = new MemoryDirectory(options.groups);
  const copyWatch = new MemoryCopyWatch();
  const cloud = new ScriptedCloud();
  const ledger = new MemoryLedger();
  const config = buildBotConfig({
    source: { accountUin: SOURCE_UIN, regions: ["ap-guangzhou", "ap-shanghai"] },
    destinations: {
      "dr-prod": { accountUin: DR_PROD_UIN, readRoleArn: READ_ROLE },
      "dr-blind": { accountUin: DR_BLIND_UIN },
    },
    replication: { pollInterval: "1s" },
    slack: { notifyChannel: "C0NOTIFY" },
    approvers: { users: ["U0BOB", "U0CAROL"] },
    redisPrefix: "unit",
    ...options.config,
  });
  const deps: FlowDeps = {
    config,
    kinds: createKindRegistry(),
    cloud,
    copyWatch,
    store,
    queue,
    notifier,
    directory,
    clock,
    logger: silentLogger,
    audit,
    expiry,
    ledger,
  };
  return { deps, store, audit, notifier, queue, expiry, directory, copyWatch, cloud, clock, ledger };
}
