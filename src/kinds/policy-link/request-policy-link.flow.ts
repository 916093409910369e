import type { CheckDeps } from "../../app/check-prerequisites.flow.js";
import {
  type AdmitDeps,
  admitRequest,
  type SubmitDeps,
  submitRequest,
} from "../../app/submit-request.flow.js";
import { describeLinkRefusal } from "../../core/cam/policy-link-prerequisites.js";
import { hardFailures } from "../../core/cam/prerequisites.js";
import { generateRequestId } from "../../core/ids.js";
import { code, type Text, text } from "../../core/messages/message.js";
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

export type PolicyLinkDeps = AdmitDeps & CheckDeps & SubmitDeps;

/** `/snapshot auto <asp-id> to <destination> [in <region>]`: look the policy up, check, submit. */
export async function requestPolicyLink(
  deps: PolicyLinkDeps,
  input: PolicyLinkInput,
): Promise<PolicyLinkOutcome> {
  const log = deps.logger.child({ flow: "request-policy-link", policyId: input.policyId });
  const admission = await admitRequest(deps, input);
  if (admission.kind === "refused") return admission;
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
      message: text`${code(policy.policyId)} "${policy.name}" already replicates to ${destination.alias} (${destination.accountUin}): Tencent Cloud lists that account as its CopyToAccountUin. Nothing was created and no approval is needed.`,
    };
  }
  if (!policy || hardFailures(results).length > 0) {
    log.info({ destination: destination.alias }, "refused by the link checks");
    return {
      kind: "refused",
      message: [describeLinkRefusal(results)],
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
    id: generateRequestId(),
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
