import { createCamReader } from "../core/cam/cam-cache.js";
import {
  checkPrerequisites,
  checkSharePrerequisites,
  type PrerequisiteReport,
  type PrerequisiteResult,
} from "../core/cam/prerequisites.js";
import type { Destination } from "../core/request/request.js";
import type { FlowDeps } from "./flow-deps.js";
import { resolveDestination } from "./resolve-destination.js";

/** The ports the prerequisite checks use. */
export type CheckDeps = Pick<FlowDeps, "config" | "cloud" | "camCache" | "clock" | "logger">;

/** A refusal based on CAM answers older than this asks CAM again first (a fix may have landed). */
const REFUSAL_FRESHNESS_MS = 5_000;

export interface CheckRequestInput {
  snapshotId: string;
  /** A configured alias or UIN, as typed. */
  destination: string;
  region?: string;
}

export interface CheckOptions {
  /** Only CAM answers looked up at or after this time (ms); `fresh` means now. */
  notBefore?: number;
  fresh?: boolean;
}

/** What a Re-check needs to ask again, and what it compares with. */
export interface CheckedRequest {
  snapshotId: string;
  /** the destination's alias */
  destination: string;
  region?: string;
  /** The new name the requester typed (`as "<name>"`), kept in what Re-check suggests. */
  newName?: string;
  results: PrerequisiteResult[];
}

export type CheckOutcome =
  | { kind: "refused"; message: string }
  | {
      kind: "checked";
      destination: Destination;
      regions: readonly string[];
      report: PrerequisiteReport;
      checkedAt: string;
    };

/**
 * The prerequisite checks for one snapshot and destination (`/snapshot check`, `/snapshot
 * replicate`, Re-check). CAM answers come through the cache; a failed CAM check is confirmed with
 * an answer at most a few seconds old before anyone is told "no".
 */
export async function runPrerequisiteChecks(
  deps: CheckDeps,
  input: CheckRequestInput,
  options: CheckOptions = {},
): Promise<CheckOutcome> {
  const lookup = resolveDestination(deps.config, input.destination);
  if (!lookup.ok) return { kind: "refused", message: lookup.message };
  const checked = await checkDestination(deps, lookup.destination, input, options);
  return { kind: "checked", destination: lookup.destination, ...checked };
}

/** The same, for a destination already resolved (the worker's run-time check). */
export async function checkDestination(
  deps: CheckDeps,
  destination: Destination,
  input: { snapshotId: string; region?: string },
  options: CheckOptions = {},
): Promise<{ regions: readonly string[]; report: PrerequisiteReport; checkedAt: string }> {
  const now = deps.clock.now();
  const regions = input.region ? [input.region] : deps.config.source.regions;
  const notBefore = options.fresh ? now.getTime() : options.notBefore;
  // One snapshot look-up even when the CAM part is asked twice.
  let snapshotLookup: ReturnType<FlowDeps["cloud"]["findSourceSnapshot"]> | undefined;
  const findSnapshot = (id: string, where: readonly string[]) => {
    snapshotLookup ??= deps.cloud.findSourceSnapshot(id, where);
    return snapshotLookup;
  };
  const checkInput = {
    snapshotId: input.snapshotId,
    regions,
    sourceUin: deps.config.source.accountUin,
    destination,
  };
  if (destination.method === "share") {
    // A share needs no collaborator or grant (docs/decisions/017): no CAM answers to confirm.
    const report = await checkSharePrerequisites(checkInput, {
      findSnapshot,
      listShares: (id, region) => deps.cloud.listSnapshotShares(id, region),
    });
    return { regions, report, checkedAt: now.toISOString() };
  }
  const run = async (since: number | undefined) => {
    // The oldest CAM answer this run took from the cache: a refusal on it says how old it is.
    let oldestCached: number | undefined;
    const onAnswer = (answer: { startedAt: number; cached: boolean }) => {
      if (answer.cached) oldestCached = Math.min(oldestCached ?? answer.startedAt, answer.startedAt);
    };
    const report = await checkPrerequisites(checkInput, {
      findSnapshot,
      cam: createCamReader(deps.cloud, deps.camCache, {
        ...(since === undefined ? {} : { notBefore: since }),
        onAnswer,
      }),
      // STS is global; the region only picks the endpoint.
      checkReadRole: (readRoleArn) =>
        deps.cloud.checkReadRole({ accountUin: destination.accountUin, readRoleArn }, regions[0] ?? ""),
    });
    return oldestCached === undefined ? report : markCachedAnswers(report, oldestCached);
  };
  let report = await run(notBefore);
  const confirmSince = now.getTime() - REFUSAL_FRESHNESS_MS;
  if (hasCamFailure(report.results) && (notBefore === undefined || notBefore < confirmSince)) {
    deps.logger.debug(
      { destination: destination.alias },
      "CAM check failed on a cached answer; asking again",
    );
    report = await run(confirmSince);
  }
  // A quick bad answer (a 5xx, InternalError) is asked again while the person still waits only
  // a moment, before anyone is told "cannot verify, try again"; a throttled cloud, which the
  // adapter already waited out, is not asked again here.
  const started = Date.now();
  for (
    let retry = 1;
    retry <= TRANSIENT_RETRIES &&
    hasTransientResult(report.results) &&
    Date.now() - started < TRANSIENT_BUDGET_MS;
    retry++
  ) {
    await new Promise((r) => setTimeout(r, 150 * retry));
    snapshotLookup = undefined;
    report = await run(confirmSince);
  }
  return { regions, report, checkedAt: now.toISOString() };
}

/** Marks the CAM checks that did not pass with when their (cached) answer was looked up. */
function markCachedAnswers(report: PrerequisiteReport, startedAt: number): PrerequisiteReport {
  const answeredAt = new Date(startedAt).toISOString();
  return {
    ...report,
    results: report.results.map((r) =>
      (r.check === "collaborator" || r.check === "permission") && r.status !== "passed"
        ? { ...r, answeredAt }
        : r,
    ),
  };
}

/** Checks the cloud could not answer (transient) are asked again at most this often, within this long. */
const TRANSIENT_RETRIES = 2;
const TRANSIENT_BUDGET_MS = 1_500;

function hasTransientResult(results: readonly PrerequisiteResult[]): boolean {
  return results.some((r) => r.status === "cannot-verify" && r.transient === true);
}

export function hasCamFailure(results: readonly PrerequisiteResult[]): boolean {
  return results.some(
    (r) => (r.check === "collaborator" || r.check === "permission") && r.status === "failed",
  );
}
