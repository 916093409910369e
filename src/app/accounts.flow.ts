import { createCamReader } from "../core/cam/cam-cache.js";
import {
  type CamReader,
  COPY_AUTO_POLICY_ACTION,
  COPY_SNAPSHOT_ACTION,
  checkDestinationAccess,
  type PrerequisiteResult,
} from "../core/cam/prerequisites.js";
import type { Destination } from "../core/request/request.js";
import type { FlowDeps } from "./flow-deps.js";
import { resolveDestination } from "./resolve-destination.js";

export interface DestinationReadiness {
  destination: Destination;
  /** Collaborator, then the manual-copy permission, then the automatic-replication permission. */
  results: PrerequisiteResult[];
}

export interface AccountsReport {
  sourceUin: string;
  checkedAt: string;
  destinations: DestinationReadiness[];
}

/** The ports `/snapshot accounts` uses. */
export type AccountsDeps = Pick<FlowDeps, "config" | "cloud" | "camCache" | "clock">;

/**
 * `/snapshot accounts`: every configured destination with its collaborator and permission status.
 * It is what people run right after changing CAM, so it reads fresh answers (which then refresh the
 * cache for requests). Destinations are checked one after the other: CAM allows only 5
 * ListAttachedUserAllPolicies calls a second.
 */
export async function listDestinationReadiness(deps: AccountsDeps): Promise<AccountsReport> {
  const now = deps.clock.now();
  const cam = createCamReader(deps.cloud, deps.camCache, { notBefore: now.getTime() });
  const destinations = await checkEveryDestination(deps.config, cam);
  return { sourceUin: deps.config.source.accountUin, checkedAt: now.toISOString(), destinations };
}

/**
 * Each configured destination's collaborator and both permissions, read through `cam` (fresh for
 * `/snapshot accounts`, cached for the App Home), one destination after the other.
 */
export async function checkEveryDestination(
  config: FlowDeps["config"],
  cam: CamReader,
): Promise<DestinationReadiness[]> {
  const destinations: DestinationReadiness[] = [];
  for (const alias of Object.keys(config.destinations)) {
    const lookup = resolveDestination(config, alias);
    if (!lookup.ok) continue;
    const results = await checkDestinationAccess(
      { sourceUin: config.source.accountUin, destination: lookup.destination },
      cam,
      [COPY_SNAPSHOT_ACTION, COPY_AUTO_POLICY_ACTION],
    );
    destinations.push({ destination: lookup.destination, results });
  }
  return destinations;
}
