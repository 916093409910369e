import type { BotConfig } from "../config/load-config.js";
import type { AuditTrail } from "../domain/ports/audit.port.js";
import type { Clock } from "../domain/ports/clock.port.js";
import type { CloudApi } from "../domain/ports/cloud-api.port.js";
import type { CopyWatch } from "../domain/ports/copy-watch.port.js";
import type { Directory } from "../domain/ports/directory.port.js";
import type { ExpiryScheduler } from "../domain/ports/expiry.port.js";
import type { JobQueue } from "../domain/ports/job-queue.port.js";
import type { Logger } from "../domain/ports/logger.port.js";
import type { Notifier } from "../domain/ports/notifier.port.js";
import type { RequestStore } from "../domain/ports/request-store.port.js";
import type { CamCache } from "./cam-cache.js";

/** Everything a use case may touch, wired once by the composition root. */
export interface FlowDeps {
  config: Readonly<BotConfig>;
  cloud: CloudApi;
  /** Copies in flight, followed in batches by one poller (src/flows/copy-watch.flow.ts). */
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
  /** Schedules a pending request's expiry. Absent: requests do not expire. */
  expiry?: ExpiryScheduler;
}
