/**
 * The replication ledger of automatic replication (docs/decisions/020): the policies the watcher
 * knows to be linked, every source snapshot they took matched to its copy in the destination, the
 * recovery-point incidents, and the announcements still to post. Every fact is written together with
 * its "to announce" marker in one atomic step, so a run that dies after writing loses nothing: the
 * next run posts what is pending.
 */

/** A scheduled policy of the source account linked to a destination, as the watcher last saw it. */
export interface KnownLink {
  policyId: string;
  policyName: string;
  region: string;
  destinationUin: string;
  /** The configured destination's alias; absent when the UIN is not configured (no read role). */
  alias?: string;
  diskIds: string[];
  /** Epoch ms: when the watcher first saw the link. */
  firstSeenAt: number;
  /** Epoch ms: source snapshots created after this are in the ledger. */
  watchFrom: number;
}

/** One source snapshot a linked policy took, and its copy once the watcher matched one. */
export interface LedgerEntry {
  policyId: string;
  sourceSnapshotId: string;
  sourceName: string;
  diskId: string;
  diskSizeGiB: number;
  /** Epoch ms. */
  sourceCreatedAt: number;
  copySnapshotId?: string;
  /** Epoch ms. */
  copyCreatedAt?: number;
  /** Copy time − source time. */
  delayMs?: number;
  /** How sure the pairing is (src/core/replication/pair-copies.ts, docs/decisions/015). */
  confidence?: "exact" | "best_guess";
  /** Epoch ms: when the watcher matched it. */
  confirmedAt?: number;
}

export type LinkGoneReason =
  /** The policy no longer exists: the link died with it. */
  | "policy_deleted"
  /** The policy is there but copies nowhere now: the destination removed the link. */
  | "link_removed"
  /** The policy copies to another account now. */
  | "relinked";

export type IncidentReason =
  /** The newest confirmed copy is older than the destination's recovery-point objective. */
  | "stale"
  /** A source snapshot has had no copy for longer than the grace period. */
  | "missing";

/** What the notify channel is told; rendered into words by the app, into markup by the chat adapter. */
export type Announcement =
  | {
      kind: "copies";
      link: KnownLink;
      /** Filled by the ledger: the pairs this run confirmed (never one confirmed earlier). */
      pairs: LedgerEntry[];
    }
  | { kind: "link-gone"; link: KnownLink; reason: LinkGoneReason; newDestinationUin?: string }
  | {
      kind: "incident-opened";
      link: KnownLink;
      reasons: IncidentReason[];
      /** Epoch ms: the source time of the newest confirmed copy; absent when none yet. */
      recoveryPointAt?: number;
      objectiveMs: number;
      missing: string[];
      /** A user group to mention (approvers.mention). */
      mention?: string;
    }
  | { kind: "incident-closed"; link: KnownLink; openedAt: number; recoveryPointAt?: number }
  | { kind: "summary"; day: string; lines: SummaryLine[] };

export interface SummaryLine {
  link: KnownLink;
  created: number;
  confirmed: number;
  missing: number;
  /** False: no read role, copies cannot be seen. */
  verifiable: boolean;
  recoveryPointAt?: number;
}

export interface PendingAnnouncement {
  /** Stable: the same fact always gets the same id (the key of its post). */
  id: string;
  conversation: string;
  /** Epoch ms. */
  createdAt: number;
  announcement: Announcement;
}

export interface IncidentState {
  policyId: string;
  open: boolean;
  /** Epoch ms. */
  openedAt?: number;
  closedAt?: number;
  reasons?: IncidentReason[];
}

/** What `claimAnnouncement` answers: post it, look in the conversation first, or leave it. */
export type AnnouncementClaim =
  | "post"
  /** An earlier claim lapsed (its run died or hangs): the post may have been made. */
  | "verify"
  /** Another run is posting it now. */
  | "busy"
  /** Already announced (or never queued). */
  | "gone";

export interface ReplicationLedger {
  links(): Promise<KnownLink[]>;
  /** Adds the links not known yet, keeps the others as they are; returns those added. */
  addLinks(links: readonly KnownLink[]): Promise<KnownLink[]>;
  /** Refreshes what a known link looks like (its disks, its name); never adds one. */
  updateLinks(links: readonly KnownLink[]): Promise<void>;
  /**
   * Forgets a known link and queues its announcement, atomically. False (nothing queued) when it
   * was already forgotten: a second run never announces it again.
   */
  dropLink(policyId: string, announcement: PendingAnnouncement): Promise<boolean>;
  entries(policyId: string): Promise<LedgerEntry[]>;
  /**
   * Records source snapshots not in the ledger yet and the pairs not confirmed yet; the pairs this
   * call confirms go into `announcement.pairs` (kind `copies`), queued in the same step. Returns them.
   */
  record(
    policyId: string,
    sources: readonly LedgerEntry[],
    pairs: readonly LedgerEntry[],
    announcement: PendingAnnouncement,
  ): Promise<LedgerEntry[]>;
  incident(policyId: string): Promise<IncidentState | undefined>;
  /** Opens or closes an incident and queues its announcement; false when it already was so. */
  setIncident(state: IncidentState, announcement: PendingAnnouncement): Promise<boolean>;
  /** Queues an announcement unless one with its id is queued or was made; false then. */
  queueAnnouncement(announcement: PendingAnnouncement): Promise<boolean>;
  pendingAnnouncements(): Promise<PendingAnnouncement[]>;
  /** Claims a queued announcement for posting (`now`, epoch ms; a claim older than `leaseMs` lapses). */
  claimAnnouncement(id: string, now: number, leaseMs: number): Promise<AnnouncementClaim>;
  /** The post was made (`messageId` is the chat's reference): never posted again. */
  markAnnounced(id: string, messageId: string): Promise<void>;
  /** Counts a watcher run (and keeps its time): operators and tests read it. */
  countRun(at: number): Promise<number>;
  runs(): Promise<{ count: number; lastAt?: number }>;
}
