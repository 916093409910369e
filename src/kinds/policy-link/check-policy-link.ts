import { type CheckDeps, type CheckOptions, hasCamFailure } from "../../app/check-prerequisites.flow.js";
import { resolveDestination } from "../../app/resolve-destination.js";
import { createCamReader } from "../../core/cam/cam-cache.js";
import {
  checkPolicyLinkPrerequisites,
  type PolicyLinkReport,
} from "../../core/cam/policy-link-prerequisites.js";
import type { Destination } from "../../core/request/request.js";

/** A refusal based on CAM answers older than this asks CAM again first (a fix may have landed). */
const REFUSAL_FRESHNESS_MS = 5_000;

export interface PolicyLinkCheckInput {
  policyId: string;
  region?: string;
}

/** What a Re-check of a refused link needs to ask again. */
export interface CheckedLink {
  policyId: string;
  /** the destination's alias */
  destination: string;
  region?: string;
  results: PolicyLinkReport["results"];
}

/**
 * The checks before linking a policy to a destination (`/snapshot auto`, Re-check, the worker's run-
 * time check): through the CAM cache, with a failed CAM check confirmed on an answer at most a few
 * seconds old before anyone is told "no" (as for copies).
 */
export async function checkPolicyLink(
  deps: CheckDeps,
  destination: Destination,
  input: PolicyLinkCheckInput,
  options: CheckOptions = {},
): Promise<PolicyLinkReport & { checkedAt: string }> {
  const now = deps.clock.now();
  const regions = input.region ? [input.region] : deps.config.source.regions;
  const notBefore = options.fresh ? now.getTime() : options.notBefore;
  let policyLookup: ReturnType<CheckDeps["cloud"]["findAutoSnapshotPolicy"]> | undefined;
  const findPolicy = (id: string, where: readonly string[]) => {
    policyLookup ??= deps.cloud.findAutoSnapshotPolicy(id, where);
    return policyLookup;
  };
  const aliasOf = (uin: string) =>
    Object.entries(deps.config.destinations).find(([, d]) => d.accountUin === uin)?.[0];
  const run = (since: number | undefined) =>
    checkPolicyLinkPrerequisites(
      { policyId: input.policyId, regions, sourceUin: deps.config.source.accountUin, destination, aliasOf },
      {
        findPolicy,
        cam: createCamReader(deps.cloud, deps.camCache, since === undefined ? {} : { notBefore: since }),
      },
    );
  let report = await run(notBefore);
  const confirmSince = now.getTime() - REFUSAL_FRESHNESS_MS;
  if (hasCamFailure(report.results) && (notBefore === undefined || notBefore < confirmSince)) {
    report = await run(confirmSince);
  }
  return { ...report, checkedAt: now.toISOString() };
}

export type PolicyLinkCheckOutcome =
  | { kind: "refused"; message: string }
  | ({ kind: "checked"; destination: Destination } & PolicyLinkReport & { checkedAt: string });

/** The same from what a person typed (a Re-check): the destination resolved from the configuration. */
export async function runPolicyLinkChecks(
  deps: CheckDeps,
  input: PolicyLinkCheckInput & { destination: string },
  options: CheckOptions = {},
): Promise<PolicyLinkCheckOutcome> {
  const lookup = resolveDestination(deps.config, input.destination);
  if (!lookup.ok) return { kind: "refused", message: lookup.message };
  const report = await checkPolicyLink(deps, lookup.destination, input, options);
  return { kind: "checked", destination: lookup.destination, ...report };
}
