import { code, type Text, text, toPlainText, tr } from "../messages/message.js";
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

/** The same in both languages. */
export function describeAccountText(accountUin: string, alias: string | undefined): Text {
  return alias
    ? [tr(`${accountUin} (${alias})`, `${accountUin}（${alias}）`)]
    : [tr(`${accountUin} (not in the bot's configuration)`, `${accountUin}（不在机器人配置中）`)];
}

/** How a link to another account is removed; the bot itself never removes or overwrites one. */
export function unlinkFixText(policyId: string, linkedUin: string, sourceUin: string): Text {
  return [
    tr(
      text`The bot never overwrites or deletes a link. To replicate ${code(policyId)} elsewhere, the link to account ${linkedUin} must be removed first: account ${linkedUin} deletes it on its "Replicate to my account" page (CVM console → Snapshots → Cross-account auto-replication, ${REPLICATE_TO_MY_ACCOUNT_PAGE}); in source account ${sourceUin} the link ends only with the policy. Then ask again.`,
      text`机器人从不覆盖或删除关联。要把 ${code(policyId)} 复制到别处，须先解除它与账号 ${linkedUin} 的关联：由账号 ${linkedUin} 在其“复制到本账号”页面删除（云服务器控制台 → 快照 → 跨账号自动复制，${REPLICATE_TO_MY_ACCOUNT_PAGE}）；在源账号 ${sourceUin} 中，关联只会随策略删除而结束。然后再申请一次。`,
    ),
  ];
}

/** The same in English, for callers that build plain strings. */
export function unlinkFix(policyId: string, linkedUin: string, sourceUin: string): string {
  return toPlainText(unlinkFixText(policyId, linkedUin, sourceUin));
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
  const subject = text`${tr("Scheduled snapshot policy", "定期快照策略")} ${input.policyId}`;
  const base = { check: "policy" as const, subject };
  if ("error" in lookup) {
    return {
      ...base,
      status: "cannot-verify",
      code: lookup.error.code,
      cloud: lookup.error.classification,
      reason: [
        tr(
          text`I could not look up ${code(input.policyId)} in Tencent Cloud (DescribeAutoSnapshotPolicies: ${code(lookup.error.message)}).`,
          text`无法在腾讯云中查询 ${code(input.policyId)}（DescribeAutoSnapshotPolicies：${code(lookup.error.message)}）。`,
        ),
      ],
      fix: lookup.error.retryable
        ? [tr("Tencent Cloud was busy; Re-check in a few seconds.", "腾讯云繁忙；请过几秒后点击“重新检查”。")]
        : [
            tr(
              text`Allow the bot's CAM user in account ${input.sourceUin} ${code("cvm:DescribeAutoSnapshotPolicies")}.`,
              text`请在账号 ${input.sourceUin} 中为机器人的 CAM 用户授予 ${code("cvm:DescribeAutoSnapshotPolicies")} 权限。`,
            ),
          ],
      ...(lookup.error.retryable ? { transient: true } : {}),
    };
  }
  const { policy } = lookup;
  if (!policy) {
    return {
      ...base,
      status: "failed",
      code: "policy.not_found",
      reason: [
        tr(
          text`Scheduled snapshot policy ${code(input.policyId)} was not found in source account ${input.sourceUin} (regions searched: ${input.regions.join(", ")}).`,
          text`在源账号 ${input.sourceUin} 中未找到定期快照策略 ${code(input.policyId)}（已查找的地域：${input.regions.join("、")}）。`,
        ),
      ],
      fix: [
        tr(
          text`Check the id (CVM console → Snapshots → Scheduled snapshot policies), or add ${code("in <region>")}.`,
          text`请检查策略 ID（云服务器控制台 → 快照 → 定期快照策略），或加上 ${code("in <region>")}。`,
        ),
      ],
    };
  }
  const name = text`${code(policy.policyId)} "${policy.name}"`;
  const nameZh = text`${code(policy.policyId)}“${policy.name}”`;
  if (policy.state !== "NORMAL") {
    return {
      ...base,
      status: "failed",
      code: "policy.not_normal",
      reason: [
        tr(
          text`${name} is ${policy.state}${policy.state === "ISOLATED" ? " (isolated: it takes no snapshots, usually an unpaid or deleted policy)" : ""}; only a NORMAL policy can be linked.`,
          text`${nameZh} 的状态为 ${policy.state}${policy.state === "ISOLATED" ? "（已隔离：不再创建快照，通常是欠费或已删除的策略）" : ""}；只有 NORMAL 状态的策略可以关联。`,
        ),
      ],
      fix: [
        tr(
          text`Restore the policy in account ${input.sourceUin} (CVM console → Snapshots → Scheduled snapshot policies; an isolated policy comes back once the account's balance is settled), or pick another one, then Re-check.`,
          text`请在账号 ${input.sourceUin} 中恢复该策略（云服务器控制台 → 快照 → 定期快照策略；结清账户欠费后，已隔离的策略会恢复），或另选一个策略，然后点击“重新检查”。`,
        ),
      ],
    };
  }
  if (!policy.activated) {
    return {
      ...base,
      status: "failed",
      code: "policy.not_activated",
      reason: [
        tr(
          text`${name} is not activated: it takes no snapshots, so nothing would be replicated.`,
          text`${nameZh} 未启用：它不会创建快照，因此不会复制任何内容。`,
        ),
      ],
      fix: [
        tr(
          text`Activate it in account ${input.sourceUin} (CVM console → Snapshots → Scheduled snapshot policies → the policy → enable), then Re-check.`,
          text`请在账号 ${input.sourceUin} 中启用它（云服务器控制台 → 快照 → 定期快照策略 → 该策略 → 启用），然后点击“重新检查”。`,
        ),
      ],
    };
  }
  const linked = policy.copyToAccountUin;
  if (linked && linked !== input.destination.accountUin) {
    return {
      ...base,
      status: "failed",
      code: "policy.linked_elsewhere",
      reason: [
        tr(
          text`${name} already replicates to account ${describeAccountText(linked, input.aliasOf?.(linked))}; a policy replicates to one account only.`,
          text`${nameZh} 已复制到账号 ${describeAccountText(linked, input.aliasOf?.(linked))}；一个策略只能复制到一个账号。`,
        ),
      ],
      fix: unlinkFixText(policy.policyId, linked, input.sourceUin),
    };
  }
  return {
    ...base,
    status: "passed",
    reason: [
      tr(
        text`${name} is NORMAL and activated: ${describePolicyFacts(policy)}${linked ? `; already replicates to ${describeAccount(linked, input.destination.alias)}` : ""}.`,
        text`${nameZh} 状态为 NORMAL 且已启用：${code(describePolicyFacts(policy))}${linked ? text`；已复制到 ${describeAccountText(linked, input.destination.alias)}` : undefined}。`,
      ),
    ],
  };
}

/** The private answer when the checks refuse a link. */
export function describeLinkRefusalText(results: readonly PrerequisiteResult[]): Text {
  const failed = results.filter((r) => r.status !== "passed").length;
  return [
    tr(
      `I cannot ask for this link: ${failed} of ${results.length} checks did not pass. Nothing was created.`,
      `无法申请此关联：${results.length} 项检查中有 ${failed} 项未通过。未创建任何内容。`,
    ),
  ];
}

/** The same in English, for callers that build plain strings. */
export function describeLinkRefusal(results: readonly PrerequisiteResult[]): string {
  return toPlainText(describeLinkRefusalText(results));
}
