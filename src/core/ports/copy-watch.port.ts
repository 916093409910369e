import type { CloudErrorClass } from "./cloud-api.port.js";

/** A copy in flight that the poller follows in its destination account (docs/decisions/009). */
export interface WatchedCopy {
  requestId: string;
  accountUin: string;
  readRoleArn: string;
  region: string;
  /** The new snapshot's id in the destination account. */
  snapshotId: string;
}

/** What the last poll round saw of one watched copy. `at` is an ISO time. */
export type CopyObservation =
  | { kind: "seen"; at: string; state: string; percent: number; diskSizeGiB: number }
  | { kind: "absent"; at: string }
  | {
      kind: "error";
      at: string;
      /** The provider's code, for people; `cloud` is what to decide by (absent on older records). */
      code: string;
      cloud?: CloudErrorClass;
      message: string;
      retryable: boolean;
      cloudRequestId?: string;
    };

/**
 * The fence around the copy call (docs/decisions/008): whoever swaps it may call
 * CopySnapshotCrossAccount; `at` is when that call was claimed, `ended` says the call came back
 * (with a transient error), so it can no longer be in flight.
 */
export interface CopyClaim {
  at: string;
  ended: boolean;
}

/**
 * Copies in flight and what was last seen of them. One poller looks at all of them in batches
 * (DescribeSnapshots takes 100 ids) instead of one call per job; verify steps read from here.
 */
export interface CopyWatch {
  /** Adds or refreshes a watched copy (idempotent). */
  watch(copy: WatchedCopy): Promise<void>;
  /** Stops watching and forgets the last observation (idempotent). */
  unwatch(requestId: string): Promise<void>;
  list(): Promise<WatchedCopy[]>;
  /** Stores observations by request id. */
  record(observations: ReadonlyMap<string, CopyObservation>): Promise<void>;
  observation(requestId: string): Promise<CopyObservation | undefined>;
  /** The current claim on a request's copy call, if any. */
  readCopyClaim(requestId: string): Promise<CopyClaim | undefined>;
  /**
   * Atomically replaces the claim if it still equals `expected` (undefined: no claim); `next`
   * undefined removes it. False when another run changed it first: that run owns the call.
   */
  swapCopyClaim(
    requestId: string,
    expected: CopyClaim | undefined,
    next: CopyClaim | undefined,
  ): Promise<boolean>;
}
