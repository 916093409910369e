import type { AuditDeps } from "../../app/approver-lookup.js";
import type { CheckDeps } from "../../app/check-prerequisites.flow.js";
import {
  type AdmitDeps,
  admitRequest,
  checksRefusalReason,
  describeFailedChecks,
  refuserFor,
  type SubmitDeps,
  submitRequest,
} from "../../app/submit-request.flow.js";
import { describeLinkRefusal } from "../../core/cam/policy-link-prerequisites.js";
import { hardFailures } from "../../core/cam/prerequisites.js";
import { generateRequestId } from "../../core/ids.js";
import { code, type Text, text, tr } from "../../core/messages/message.js";
import type { AutoSnapshotPolicy } from "../../core/ports/policy-cloud.port.js";
import type { Destination } from "../../core/request/request.js";
import { type CheckedLink, checkPolicyLink } from "./check-policy-link.js";
import { POLICY_LINK, type PolicyLinkRequest, type PolicyLinkSpec } from "./policy-link.request.js";

export interface PolicyLinkInput {
  policyId: string;
  destination: string;
  region?: string;
  userId: string;
  channelId: string;
}

export type PolicyLinkOutcome =
  | { kind: "posted"; request: PolicyLinkRequest; cardChannel: string }
  /** The policy already replicates to that destination: said so, nothing created. */
  | { kind: "already"; message: Text; policy: AutoSnapshotPolicy; destination: Destination }
  | { kind: "refused"; message: Text; checks?: CheckedLink };

export type PolicyLinkDeps = AdmitDeps & CheckDeps & SubmitDeps & AuditDeps;

/** `/snapshot auto <asp-id> to <destination> [in <region>]`: look the policy up, check, submit. */
export async function requestPolicyLink(
  deps: PolicyLinkDeps,
  input: PolicyLinkInput,
): Promise<PolicyLinkOutcome> {
  const log = deps.logger.child({ flow: "request-policy-link", policyId: input.policyId });
  // The id is taken first: a refused attempt is recorded under the id it would have had.
  const id = generateRequestId();
  const refuse = refuserFor(deps, {
    requestId: id,
    userId: input.userId,
    what: POLICY_LINK,
    asked: `${input.policyId} → ${input.destination}`,
  });
  const admission = await admitRequest(deps, input);
  if (admission.kind === "refused") return refuse(admission.reason, admission.message);
  const { destination } = admission;

  const report = await checkPolicyLink(deps, destination, {
    policyId: input.policyId,
    ...(input.region ? { region: input.region } : {}),
  });
  const { policy, results } = report;
  if (policy && report.link === "this") {
    return {
      kind: "already",
      policy,
      destination,
      message: [
        tr(
          text`${code(policy.policyId)} ${code(policy.name)} already replicates to ${destination.alias} (${destination.accountUin}): Tencent Cloud lists that account as its CopyToAccountUin. Nothing was created and no approval is needed.`,
          text`${code(policy.policyId)} ${code(policy.name)} 已在复制到 ${destination.alias}（${destination.accountUin}）：腾讯云已将该账号列为它的 CopyToAccountUin。未创建任何内容，也无需审批。`,
        ),
      ],
    };
  }
  if (!policy || hardFailures(results).length > 0) {
    log.info({ destination: destination.alias }, "refused by the link checks");
    const refused = await refuse(
      checksRefusalReason(results),
      [describeLinkRefusal(results)],
      describeFailedChecks(results),
    );
    return {
      ...refused,
      checks: {
        policyId: input.policyId,
        destination: destination.alias,
        ...(input.region ? { region: input.region } : {}),
        results,
      },
    };
  }
  const spec: PolicyLinkSpec = { policy };
  log.info({ destination: destination.alias, disks: policy.diskIds.length }, "policy link requested");
  const outcome = await submitRequest(deps, {
    id,
    kind: POLICY_LINK,
    requestedBy: input.userId,
    origin: input.channelId,
    destination,
    checks: results,
    spec,
    progress: {},
  });
  return outcome.kind === "posted"
    ? { kind: "posted", request: outcome.request as PolicyLinkRequest, cardChannel: outcome.cardChannel }
    : outcome;
}
