import { CloudError } from "../ports/cloud-api.port.js";
import type { AutoSnapshotPolicy } from "../ports/policy-cloud.port.js";
import { describeRetention, describeSchedules } from "../replication/describe-schedule.js";
import type { Destination } from "../request/request.js";
import {
  type CamReader,
  COPY_AUTO_POLICY_ACTION,
  checkDestinationAccess,
  type PrerequisiteResult,
} from "./prerequisites.js";

/**
 * The checks before linking a scheduled snapshot policy to a destination
 * (`CopyAutoSnapshotPolicyCrossAccount`): the policy exists, is NORMAL and activated, and is not
 * linked to another account; the destination is a collaborator granted
 * `cvm:CopyAutoSnapshotPolicyCrossAccount` (the same CAM evaluator as for copies). A policy without
 * disks passes (the card warns): it replicates nothing until disks are bound.
 */

/** The console page where a destination sees (and may delete) the links made to it. */
export const REPLICATE_TO_MY_ACCOUNT_PAGE =
  "https://console.cloud.tencent.com/cvm/snapshot/asp/inter-account?rid=19&tab=LOCAL";
/** The source account's page of its links ("Replicate to other account"). */
export const REPLICATE_TO_OTHER_ACCOUNT_PAGE =
  "https://console.cloud.tencent.com/cvm/snapshot/asp/inter-account?rid=19&tab=REMOTE";

export interface PolicyLinkInput {
  policyId: string;
  /** Where to look for the policy, in order (the command's region, or the configured ones). */
  regions: readonly string[];
  sourceUin: string;
  destination: Destination;
  /** The configured alias of an account, to name a link to it (undefined: not in the configuration). */
  aliasOf?: (accountUin: string) => string | undefined;
}

export interface PolicyLinkSources {
  findPolicy(policyId: string, regions: readonly string[]): Promise<AutoSnapshotPolicy | undefined>;
  cam: CamReader;
}

/** Where the policy replicates today: nowhere, to this destination already, or to another account. */
export type PolicyLinkState = "none" | "this" | "other";

export interface PolicyLinkReport {
  /** Set when the policy was found (whatever its state). */
  policy?: AutoSnapshotPolicy;
  link: PolicyLinkState;
  results: PrerequisiteResult[];
}

export function linkStateOf(policy: AutoSnapshotPolicy, destinationUin: string): PolicyLinkState {
  if (!policy.copyToAccountUin) return "none";
  return policy.copyToAccountUin === destinationUin ? "this" : "other";
}

/** "daily at 03:00 (Beijing time), 2 disks, kept 7 days" */
export function describePolicyFacts(policy: AutoSnapshotPolicy): string {
  const disks = policy.diskIds.length;
  return [
    `${describeSchedules(policy.schedules)} (Beijing time)`,
    disks === 0 ? "no disks bound" : `${disks} disk${disks === 1 ? "" : "s"}`,
    describeRetention(policy.retention),
    policy.region,
  ].join(", ");
}

/** An account as people know it: "200000000002 (dr-prod)" or "… (not in the bot's configuration)". */
export function describeAccount(accountUin: string, alias: string | undefined): string {
  return `${accountUin} (${alias ?? "not in the bot's configuration"})`;
}

/** How a link to another account is removed; the bot itself never removes or overwrites one. */
export function unlinkFix(policyId: string, linkedUin: string, sourceUin: string): string {
  return `The bot never overwrites or deletes a link. To replicate \`${policyId}\` elsewhere, the link to account ${linkedUin} must be removed first: account ${linkedUin} deletes it on its "Replicate to my account" page (CVM console → Snapshots → Cross-account auto-replication, ${REPLICATE_TO_MY_ACCOUNT_PAGE}); in source account ${sourceUin} the link ends only with the policy. Then ask again.`;
}

export async function checkPolicyLinkPrerequisites(
  input: PolicyLinkInput,
  sources: PolicyLinkSources,
): Promise<PolicyLinkReport> {
  const lookup = lookUpPolicy(sources, input);
  const access = checkDestinationAccess(
    { sourceUin: input.sourceUin, destination: input.destination },
    sources.cam,
    [COPY_AUTO_POLICY_ACTION],
    async () => {
      const found = await lookup;
      const region = "policy" in found ? found.policy?.region : undefined;
      return {
        service: "cvm",
        ownerUin: input.sourceUin,
        resourceType: "autoSnapshotPolicy",
        resourceId: input.policyId,
        ...(region ? { region } : {}),
      };
    },
  );
  const [found, accessResults] = await Promise.all([lookup, access]);
  const policy = "policy" in found ? found.policy : undefined;
  return {
    ...(policy ? { policy } : {}),
    link: policy ? linkStateOf(policy, input.destination.accountUin) : "none",
    results: [judgePolicy(found, input), ...accessResults],
  };
}

type PolicyLookup = { policy: AutoSnapshotPolicy | undefined } | { error: CloudError };

async function lookUpPolicy(sources: PolicyLinkSources, input: PolicyLinkInput): Promise<PolicyLookup> {
  try {
    return { policy: await sources.findPolicy(input.policyId, input.regions) };
  } catch (err) {
    if (err instanceof CloudError) return { error: err };
    throw err;
  }
}

function judgePolicy(lookup: PolicyLookup, input: PolicyLinkInput): PrerequisiteResult {
  const subject = `Scheduled snapshot policy ${input.policyId}`;
  const base = { check: "policy" as const, subject };
  if ("error" in lookup) {
    return {
      ...base,
      status: "cannot-verify",
      code: lookup.error.code,
      cloud: lookup.error.classification,
      reason: `I could not look up \`${input.policyId}\` in Tencent Cloud (DescribeAutoSnapshotPolicies: ${lookup.error.message}).`,
      fix: lookup.error.retryable
        ? "Tencent Cloud was busy; Re-check in a few seconds."
        : `Allow the bot's CAM user in account ${input.sourceUin} cvm:DescribeAutoSnapshotPolicies.`,
      ...(lookup.error.retryable ? { transient: true } : {}),
    };
  }
  const { policy } = lookup;
  if (!policy) {
    return {
      ...base,
      status: "failed",
      code: "policy.not_found",
      reason: `Scheduled snapshot policy \`${input.policyId}\` was not found in source account ${input.sourceUin} (regions searched: ${input.regions.join(", ")}).`,
      fix: "Check the id (CVM console → Snapshots → Scheduled snapshot policies), or add `in <region>`.",
    };
  }
  const name = `\`${policy.policyId}\` "${policy.name}"`;
  if (policy.state !== "NORMAL") {
    return {
      ...base,
      status: "failed",
      code: "policy.not_normal",
      reason: `${name} is ${policy.state}${policy.state === "ISOLATED" ? " (isolated: it takes no snapshots, usually an unpaid or deleted policy)" : ""}; only a NORMAL policy can be linked.`,
      fix: `Restore the policy in account ${input.sourceUin} (CVM console → Snapshots → Scheduled snapshot policies; an isolated policy comes back once the account's balance is settled), or pick another one, then Re-check.`,
    };
  }
  if (!policy.activated) {
    return {
      ...base,
      status: "failed",
      code: "policy.not_activated",
      reason: `${name} is not activated: it takes no snapshots, so nothing would be replicated.`,
      fix: `Activate it in account ${input.sourceUin} (CVM console → Snapshots → Scheduled snapshot policies → the policy → enable), then Re-check.`,
    };
  }
  const linked = policy.copyToAccountUin;
  if (linked && linked !== input.destination.accountUin) {
    return {
      ...base,
      status: "failed",
      code: "policy.linked_elsewhere",
      reason: `${name} already replicates to account ${describeAccount(linked, input.aliasOf?.(linked))}; a policy replicates to one account only.`,
      fix: unlinkFix(policy.policyId, linked, input.sourceUin),
    };
  }
  return {
    ...base,
    status: "passed",
    reason: `${name} is NORMAL and activated: ${describePolicyFacts(policy)}${linked ? `; already replicates to ${describeAccount(linked, input.destination.alias)}` : ""}.`,
  };
}

/** The private answer when the checks refuse a link. */
export function describeLinkRefusal(results: readonly PrerequisiteResult[]): string {
  const failed = results.filter((r) => r.status !== "passed").length;
  return `I cannot ask for this link: ${failed} of ${results.length} checks did not pass. Nothing was created.`;
}
