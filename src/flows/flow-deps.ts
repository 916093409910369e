import type { BotConfig } from "../config/load-config.js";
import type { Clock } from "../domain/ports/clock.port.js";
import type { CloudApi } from "../domain/ports/cloud-api.port.js";
import type { Directory } from "../domain/ports/directory.port.js";
import type { JobQueue } from "../domain/ports/job-queue.port.js";
import type { Logger } from "../domain/ports/logger.port.js";
import type { Notifier } from "../domain/ports/notifier.port.js";
import type { RequestStore } from "../domain/ports/request-store.port.js";

/** Everything a use case may touch, wired once by the composition root. */
export interface FlowDeps {
  config: Readonly<BotConfig>;
  cloud: CloudApi;
  store: RequestStore;
  queue: JobQueue;
  notifier: Notifier;
  directory: Directory;
  clock: Clock;
  logger: Logger;
}
