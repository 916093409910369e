import type { BotConfig } from "../config/load-config.js";
import type { CamCache } from "../core/cam/cam-cache.js";
import type { AuditTrail } from "../core/ports/audit.port.js";
import type { Clock } from "../core/ports/clock.port.js";
import type { CloudApi } from "../core/ports/cloud-api.port.js";
import type { CopyWatch } from "../core/ports/copy-watch.port.js";
import type { Directory } from "../core/ports/directory.port.js";
import type { ExpiryScheduler } from "../core/ports/expiry.port.js";
import type { JobQueue } from "../core/ports/job-queue.port.js";
import type { Logger } from "../core/ports/logger.port.js";
import type { Notifier } from "../core/ports/notifier.port.js";
import type { ReplicationLedger } from "../core/ports/replication-ledger.port.js";
import type { RequestStore } from "../core/ports/request-store.port.js";
import type { KindRegistry } from "./request-kind.js";

/** Everything a use case may touch, wired once by the composition root. */
export interface FlowDeps {
  config: Readonly<BotConfig>;
  /** The kinds of request this deployment knows (src/kinds/registry.ts). */
  kinds: KindRegistry;
  cloud: CloudApi;
  /** Copies in flight, followed in batches by one poller (src/kinds/snapshot-copy/copy-watch.flow.ts). */
  copyWatch: CopyWatch;
  store: RequestStore;
  queue: JobQueue;
  notifier: Notifier;
  directory: Directory;
  clock: Clock;
  logger: Logger;
  /** CAM answers for the prerequisite checks, shared for a short TTL. Absent: every check asks CAM. */
  camCache?: CamCache;
  /** Refused clicks and cancels (state changes are recorded by the store). Absent: not recorded. */
  audit?: AuditTrail;
  /** Automatic replication's ledger (docs/decisions/020). Absent: no watcher, no ledger command. */
  ledger?: ReplicationLedger;
  /** Schedules a pending request's expiry. Absent: requests do not expire. */
  expiry?: ExpiryScheduler;
}
