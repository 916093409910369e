import type { Request } from "../request/request.js";

/**
 * Messages to people, written when the change they report is made and delivered later by the
 * worker (docs/decisions/021): at least once, and never twice. A scope is one ordered queue: a
 * request's thread and card (`request:<id>`), or a conversation's held outcomes (`digest:<id>`).
 */
export interface OutboxEntry {
  /** Unique within the scope for one event: writing the same event again writes the same key. */
  key: string;
  /** What the deliverer does with it (the chat adapter's own words: "thread", "card", "outcome"). */
  kind: string;
  /** When it was written (epoch ms). */
  at: number;
  /** What to deliver, as the adapter rendered it (plain JSON). */
  body: unknown;
}

/** "A message for these entries is being posted": recorded before the post, cleared after. */
export interface PostingMark {
  /** The key the posted message carries, by which it is found again after a crash. */
  postKey: string;
  /** The entries that message delivers. */
  keys: string[];
  conversation: string;
  /** The thread it is posted in (none: a top-level message). */
  threadId?: string;
  at: number;
}

/**
 * A request's state change as the store marked it, with the request right after it: its messages
 * may not have been written (docs/decisions/029).
 */
export interface UnsentChange {
  /** Settles this marker. */
  marker: string;
  /** The audit event of the change: the state (or step) entered, or `approval_recorded`. */
  event: string;
  request: Request;
}

export interface Outbox {
  /** Adds an entry unless the scope holds or delivered one with its key; true when added. */
  append(scope: string, entry: OutboxEntry): Promise<boolean>;
  /** Scopes with entries waiting, longest waiting first. */
  pendingScopes(limit: number): Promise<string[]>;
  /** The scope's entries, in the order written. */
  entries(scope: string): Promise<OutboxEntry[]>;
  /** One deliverer per scope at a time: a token, or undefined when another holds the scope. */
  lease(scope: string, ms: number): Promise<string | undefined>;
  release(scope: string, token: string): Promise<void>;
  markPosting(scope: string, mark: PostingMark): Promise<void>;
  posting(scope: string): Promise<PostingMark | undefined>;
  /** These entries were delivered: removed (their keys remembered) and the posting mark cleared. */
  complete(scope: string, keys: readonly string[]): Promise<void>;
  /** A small value kept with the scope (the digest's window), with an expiry. */
  getValue(scope: string, name: string): Promise<string | undefined>;
  setValue(scope: string, name: string, value: string, ttlMs: number): Promise<void>;
  /** State changes marked at least `olderThanMs` ago and not settled yet (stores that mark them). */
  dueChanges?(olderThanMs: number, limit: number): Promise<UnsentChange[]>;
  settleChange?(marker: string): Promise<void>;
  /** The keys a scope holds or delivered (the delivered ones for as long as they are remembered). */
  knownKeys?(scope: string): Promise<string[]>;
}

/**
 * Paces calls to a limited resource (a chat channel's posts) across every process: a token bucket
 * of `burst` calls refilled at `perSecond`.
 */
export interface CallPacer {
  /**
   * Reserves the next call of `scope`: the delay (ms) until it may go out, or undefined (nothing
   * reserved) when that is further away than `maxWaitMs`.
   */
  reserve(
    scope: string,
    rate: { perSecond: number; burst: number },
    maxWaitMs: number,
  ): Promise<number | undefined>;
  /** The service asked to wait (HTTP 429 `Retry-After`): no call of `scope` for `ms`. */
  hold(scope: string, rate: { perSecond: number; burst: number }, ms: number): Promise<void>;
}
