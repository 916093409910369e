import { z } from "zod";
import type { FlowDeps } from "../../app/flow-deps.js";
import type { CardContent, RequestKind, StepResult } from "../../app/request-kind.js";
import { advance } from "../../app/request-steps.js";
import { suggestFix } from "../../core/failure-fixes.js";
import { code, type Message, strong, text } from "../../core/messages/message.js";
import { describeDiskUsage } from "../../core/snapshot.js";
import {
  type CopyProgress,
  methodOf,
  SNAPSHOT_COPY,
  SNAPSHOT_COPY_STEPS,
  type SnapshotCopyRequest,
  type SnapshotCopySpec,
  shareMeaning,
} from "./snapshot-copy.request.js";
import { check } from "./steps/check.step.js";
import { copy } from "./steps/copy.step.js";
import { share, verifyShare } from "./steps/share.step.js";
import { verify } from "./steps/verify.step.js";
import { fingerprintNewPlan } from "./verify-plan.js";

const specSchema = z.object({
  snapshot: z
    .object({
      snapshotId: z.string(),
      name: z.string(),
      region: z.string(),
      diskId: z.string(),
      diskSizeGiB: z.number(),
    })
    .passthrough(),
  newName: z.string().min(1),
});

const STEP_WORDS: Record<string, string> = {
  checking: "checking the prerequisites",
  copying: "copying",
  sharing: "sharing",
  verifying: "copy in progress",
};

const SHARE_STEP_WORDS: Record<string, string> = { ...STEP_WORDS, verifying: "verifying the share" };

async function runStep(deps: FlowDeps, request: SnapshotCopyRequest): Promise<StepResult> {
  if (request.state === "approved") {
    return advance(
      deps,
      request,
      { to: "running", step: "checking" },
      {},
      methodOf(request) === "share"
        ? text`Checking the prerequisites again before sharing: the snapshot and who it is shared with…`
        : text`Checking the prerequisites again before copying: the snapshot, the collaborator and its permission…`,
    );
  }
  switch (request.step) {
    case "checking":
      return check(deps, request);
    case "copying":
      return copy(deps, request);
    case "sharing":
      return share(deps, request);
    case "verifying":
      return methodOf(request) === "share" ? verifyShare(deps, request) : verify(deps, request);
    default:
      return { kind: "done", state: request.state };
  }
}

function describeShareCard(request: SnapshotCopyRequest): CardContent {
  const { destination } = request;
  const { snapshot } = request.spec;
  const meaning = shareMeaning(snapshot.snapshotId, destination.accountUin);
  return {
    title: `Share ${snapshot.snapshotId} with ${destination.alias}`,
    summary: text`${snapshot.snapshotId} shared with ${destination.alias} (${destination.accountUin}) — share, not a copy`,
    fields: [
      { label: "Snapshot", value: text`${code(snapshot.snapshotId)} ${snapshot.name}` },
      { label: "Region", value: text`${snapshot.region} (the share is visible there only)` },
      { label: "Disk", value: text`${code(snapshot.diskId)} (${describeDiskUsage(snapshot.diskUsage)})` },
      { label: "Size", value: text`${snapshot.diskSizeGiB} GiB` },
      { label: "Encryption", value: [snapshot.encrypted ? "encrypted" : "not encrypted"] },
      { label: "Created", value: [snapshot.createdAt || "unknown"] },
      { label: "Destination", value: text`${destination.alias} (${destination.accountUin})` },
      { label: "Method", value: text`Share (ModifySnapshotsSharePermission): ${meaning}` },
    ],
    facts: request.progress.sharedAt
      ? [text`Shared with ${destination.accountUin} — share, not a copy`]
      : [text`Share, not a copy: no independent copy is made.`],
    confirmTitle: "Approve this share?",
    confirm: text`Share ${code(snapshot.snapshotId)} (${snapshot.diskSizeGiB} GiB) with account ${destination.accountUin}. This is a ${meaning}`,
  };
}

function describeCard(request: SnapshotCopyRequest): CardContent {
  if (methodOf(request) === "share") return describeShareCard(request);
  const { destination } = request;
  const { snapshot, newName } = request.spec;
  return {
    title: `Copy ${snapshot.snapshotId} to ${destination.alias}`,
    summary: text`${snapshot.snapshotId} → ${destination.alias} (${destination.accountUin}) as "${newName}"`,
    fields: [
      { label: "Snapshot", value: text`${code(snapshot.snapshotId)} ${snapshot.name}` },
      { label: "Region", value: [snapshot.region] },
      { label: "Disk", value: text`${code(snapshot.diskId)} (${describeDiskUsage(snapshot.diskUsage)})` },
      { label: "Size", value: text`${snapshot.diskSizeGiB} GiB` },
      { label: "Encryption", value: [snapshot.encrypted ? "encrypted" : "not encrypted"] },
      { label: "Created", value: [snapshot.createdAt || "unknown"] },
      { label: "Destination", value: text`${destination.alias} (${destination.accountUin})` },
      { label: "New name", value: [newName] },
    ],
    facts: [
      ...(request.progress.newSnapshotId ? [text`Copy: ${code(request.progress.newSnapshotId)}`] : []),
      ...(destination.readRoleArn
        ? []
        : [
            text`⚠️ No read role for ${destination.alias}: the bot cannot follow this copy to the end, and if the copy call is interrupted (a crash, a fault) it cannot tell whether the copy was made. Add ${code("readRoleArn")} to the destination.`,
          ]),
    ],
    confirmTitle: "Approve this copy?",
    confirm: text`Copy ${code(snapshot.snapshotId)} (${snapshot.diskSizeGiB} GiB) into account ${destination.accountUin}. The copy cannot be undone by the bot.`,
  };
}

function describeOutcome(request: SnapshotCopyRequest): Message {
  const { destination } = request;
  const headline =
    request.state === "completed"
      ? `🟢 Replication ${request.id} completed`
      : request.state === "submitted"
        ? `📤 Replication ${request.id} submitted (completion not verifiable)`
        : request.state === "outcome_unknown"
          ? `❔ Replication ${request.id}: outcome unknown, a copy may exist`
          : `🔴 Replication ${request.id} failed`;
  const { snapshotId } = request.spec.snapshot;
  const detail =
    methodOf(request) === "share"
      ? `${snapshotId} ${request.state === "completed" ? "shared with" : "→"} account ${destination.accountUin} (${destination.alias}): ${shareMeaning(snapshotId, destination.accountUin)}`
      : `${snapshotId} → account ${destination.accountUin} (${destination.alias}) as ${request.progress.newSnapshotId ?? "no copy"}`;
  const reason = request.failure
    ? ` — ${request.failure.message}${request.failure.fix ? ` ${request.failure.fix}` : ""}`
    : "";
  return {
    text: text`${headline}: ${detail}${reason}`,
    blocks: [{ type: "section", text: text`${strong(headline)}\n${detail}${reason}` }],
  };
}

/** The manual copy of one snapshot into another account (`/snapshot replicate`). */
export const snapshotCopyKind: RequestKind<SnapshotCopySpec, CopyProgress> = {
  id: SNAPSHOT_COPY,
  steps: SNAPSHOT_COPY_STEPS,
  parseSpec: (spec) => specSchema.parse(spec) as unknown as SnapshotCopySpec,
  fingerprintPlan: (request) =>
    fingerprintNewPlan(request.spec.snapshot, request.destination, request.spec.newName),
  runStep,
  describeCard,
  describeStep: (step, request) =>
    (request?.destination?.method === "share" ? SHARE_STEP_WORDS : STEP_WORDS)[step] ?? step,
  describeOutcome,
  fixFor: (failure, request, deps) =>
    suggestFix(failure, {
      sourceUin: deps.config.source.accountUin,
      destinationUin: request.destination.accountUin,
      destinationAlias: request.destination.alias,
      method: methodOf(request),
    }),
  release: (deps, request) => deps.copyWatch.unwatch(request.id),
};
