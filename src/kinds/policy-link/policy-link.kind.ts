import { z } from "zod";
import type { FlowDeps } from "../../app/flow-deps.js";
import type { CardContent, RequestKind, StepResult } from "../../app/request-kind.js";
import { advance } from "../../app/request-steps.js";
import { describeAccount, unlinkFix } from "../../core/cam/policy-link-prerequisites.js";
import { collaboratorFix, explicitDenyFix, permissionFix } from "../../core/cam/prerequisites.js";
import { code, type Message, strong, type Text, text } from "../../core/messages/message.js";
import type { AutoSnapshotPolicy } from "../../core/ports/policy-cloud.port.js";
import { describeRetention, describeSchedules } from "../../core/replication/describe-schedule.js";
import { buildLinkPlan, fingerprintLinkPlan } from "./plan-fingerprint.js";
import {
  POLICY_LINK,
  POLICY_LINK_STEPS,
  type PolicyLinkProgress,
  type PolicyLinkRequest,
  type PolicyLinkSpec,
} from "./policy-link.request.js";
import { check } from "./steps/check.step.js";
import { confirm } from "./steps/confirm.step.js";
import { link } from "./steps/link.step.js";

const scheduleSchema = z
  .object({
    hours: z.array(z.number()),
    daysOfWeek: z.array(z.number()),
    daysOfMonth: z.array(z.number()).optional(),
    intervalDays: z.number().optional(),
  })
  .passthrough();

const specSchema = z.object({
  policy: z
    .object({
      policyId: z.string().regex(/^asp-[a-z0-9]+$/),
      name: z.string(),
      region: z.string(),
      state: z.string(),
      activated: z.boolean(),
      schedules: z.array(scheduleSchema),
      diskIds: z.array(z.string()),
      retention: z.object({ kind: z.string() }).passthrough(),
      nextTriggerTime: z.string(),
    })
    .passthrough(),
});

const STEP_WORDS: Record<string, string> = {
  checking: "checking the prerequisites",
  linking: "linking the policy",
  confirming: "confirming the link",
};

async function runStep(deps: FlowDeps, request: PolicyLinkRequest): Promise<StepResult> {
  if (request.state === "approved") {
    return advance(
      deps,
      request,
      { to: "running", step: "checking" },
      {},
      text`Checking the prerequisites again before linking: the policy, the collaborator and its permission…`,
    );
  }
  switch (request.step) {
    case "checking":
      return check(deps, request);
    case "linking":
      return link(deps, request);
    case "confirming":
      return confirm(deps, request);
    default:
      return { kind: "done", state: request.state };
  }
}

function describeDisks(policy: AutoSnapshotPolicy): Text {
  if (policy.diskIds.length === 0)
    return text`⚠ none bound: the policy takes no snapshots, so nothing is replicated until disks are bound to it`;
  const shown = policy.diskIds.slice(0, 10).map((id) => code(id));
  const parts: Text[] = shown.map((c) => [c]);
  const more = policy.diskIds.length - shown.length;
  return [
    ...parts.flatMap((p, i) => (i === 0 ? p : [", ", ...p])),
    ...(more > 0 ? [` and ${more} more`] : []),
  ];
}

function describeCard(request: PolicyLinkRequest): CardContent {
  const { destination } = request;
  const { policy } = request.spec;
  const linked = request.progress.confirmedAt;
  return {
    title: `Replicate ${policy.policyId} to ${destination.alias}`,
    summary: text`${policy.policyId} "${policy.name}" → ${destination.alias} (${destination.accountUin}): automatic replication`,
    fields: [
      { label: "Scheduled policy", value: text`${code(policy.policyId)} ${policy.name}` },
      { label: "Region", value: [policy.region] },
      { label: "Schedule", value: text`${describeSchedules(policy.schedules)} (Beijing time)` },
      { label: "Disks", value: describeDisks(policy) },
      {
        label: "State",
        value: text`${policy.state}, ${policy.activated ? "activated" : "not activated"}`,
      },
      { label: "Retention", value: [describeRetention(policy.retention)] },
      {
        label: "Next snapshot",
        value: [policy.nextTriggerTime ? `${policy.nextTriggerTime} (Beijing time)` : "none scheduled"],
      },
      {
        label: "Replicates to now",
        value: [
          policy.copyToAccountUin
            ? describeAccount(
                policy.copyToAccountUin,
                policy.copyToAccountUin === destination.accountUin ? destination.alias : undefined,
              )
            : "no account",
        ],
      },
      { label: "Destination", value: text`${destination.alias} (${destination.accountUin})` },
    ],
    facts: [
      ...(policy.diskIds.length === 0
        ? [
            text`⚠ No disks are bound to ${policy.policyId}: linking works, but nothing is replicated until disks are bound.`,
          ]
        : []),
      ...(linked ? [text`Linked: CopyToAccountUin ${destination.accountUin} confirmed`] : []),
    ],
    confirmTitle: "Approve this automatic replication?",
    confirm: text`Link ${code(policy.policyId)} to account ${destination.accountUin}: every snapshot the policy takes from now on (full and incremental) is copied there by Tencent Cloud, until the policy is deleted or account ${destination.accountUin} removes the link. The bot cannot undo it.`,
  };
}

function describeOutcome(request: PolicyLinkRequest): Message {
  const { destination } = request;
  const { policyId, name } = request.spec.policy;
  const headline =
    request.state === "completed"
      ? `🟢 Automatic replication ${request.id} linked`
      : `🔴 Automatic replication ${request.id} failed`;
  const detail =
    request.state === "completed"
      ? `${policyId} "${name}" → account ${destination.accountUin} (${destination.alias}), confirmed by reading CopyToAccountUin back${request.progress.alreadyLinked ? " (it was already linked; nothing was called)" : ""}`
      : `${policyId} "${name}" → account ${destination.accountUin} (${destination.alias})`;
  // The failure's words may be Text in two languages: spliced in as parts, never stringified.
  const reason = request.failure
    ? text` — ${request.failure.message}${request.failure.fix ? ` ${request.failure.fix}` : ""}`
    : undefined;
  return {
    text: text`${headline}: ${detail}${reason}`,
    blocks: [{ type: "section", text: text`${strong(headline)}\n${detail}${reason}` }],
  };
}

function fixFor(
  failure: { code: string; cloud?: { category: string; reason: string } },
  request: PolicyLinkRequest,
  deps: Pick<FlowDeps, "config">,
): string | undefined {
  const sourceUin = deps.config.source.accountUin;
  const destinationUin = request.destination.accountUin;
  const { policyId } = request.spec.policy;
  if (failure.cloud) {
    if (failure.cloud.category !== "permanent")
      return "Tencent Cloud was unavailable or busy; ask for the link again later.";
    switch (failure.cloud.reason) {
      case "access_denied":
        return `Make account ${destinationUin} a collaborator of ${sourceUin} and grant it cvm:CopyAutoSnapshotPolicyCrossAccount (see policies/minimal-cross-account-copy.json).`;
      case "not_allow_listed":
        return `Account ${sourceUin} is not enrolled in Tencent Cloud's cross-account snapshot replication beta: submit a ticket to enable it.`;
      case "invalid_state":
        return `${policyId} may already replicate to another account: see \`/snapshot auto list\`. ${unlinkFix(policyId, "(the linked account)", sourceUin)}`;
      case "not_found":
        return "The scheduled snapshot policy no longer exists. Pick another one with `/snapshot auto`.";
      default:
        return undefined;
    }
  }
  switch (failure.code) {
    case "cam.not_collaborator":
      return collaboratorFix(sourceUin, destinationUin);
    case "cam.permission_missing":
      return permissionFix(sourceUin, destinationUin);
    case "cam.explicit_deny":
      return explicitDenyFix(sourceUin, destinationUin);
    case "policy.not_found":
      return "The scheduled snapshot policy no longer exists. Pick another one with `/snapshot auto`.";
    case "policy.not_normal":
    case "policy.not_activated":
      return `Restore or activate ${policyId} in account ${sourceUin} (CVM console → Snapshots → Scheduled snapshot policies), then ask again.`;
    case "link.not_confirmed":
      return `Look at source account ${sourceUin}'s "Replicate to other account" page for ${policyId}; ask again if it is not listed.`;
    default:
      return undefined;
  }
}

/** Automatic replication: a scheduled snapshot policy linked to a destination (`/snapshot auto`). */
export const policyLinkKind: RequestKind<PolicyLinkSpec, PolicyLinkProgress> = {
  id: POLICY_LINK,
  steps: POLICY_LINK_STEPS,
  parseSpec: (spec) => specSchema.parse(spec) as unknown as PolicyLinkSpec,
  fingerprintPlan: (request) =>
    fingerprintLinkPlan(buildLinkPlan(request.spec.policy, request.destination.accountUin)),
  runStep,
  describeCard,
  describeStep: (step) => STEP_WORDS[step] ?? step,
  describeOutcome,
  fixFor,
  release: async (deps, request) => {
    // The call's claim, if any: a link that ended early has nothing in flight to follow.
    const claim = await deps.copyWatch.readCopyClaim(request.id);
    if (claim?.ended) await deps.copyWatch.swapCopyClaim(request.id, claim, undefined);
  },
};
