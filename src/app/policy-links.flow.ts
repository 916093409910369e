import type { DestinationReader } from "../core/ports/cloud-api.port.js";
import { CloudError } from "../core/ports/cloud-api.port.js";
import type { AutoSnapshotPolicy } from "../core/ports/policy-cloud.port.js";
import { pairCopies } from "../core/replication/pair-copies.js";
import type { Snapshot } from "../core/snapshot.js";
import type { FlowDeps } from "./flow-deps.js";
import { recoveryPointObjectiveOf } from "./recovery-point.js";

/** The ports `/snapshot auto list` uses: everything is read from the cloud, nothing from the store. */
export type PolicyLinksDeps = Pick<FlowDeps, "config" | "cloud" | "clock" | "logger">;

/** The newest copy in the destination paired with a snapshot of the policy (docs/decisions/015). */
export interface ConfirmedCopy {
  snapshotId: string;
  /** The cloud's own text of the time; `createdAtMs` is what a message shows. */
  createdAt: string;
  createdAtMs?: number;
  /** The source snapshot it copies: the recovery point it restores to. */
  sourceSnapshotId: string;
  sourceCreatedAt: string;
  sourceCreatedAtMs?: number;
  confidence: "exact" | "best_guess";
}

export type LastCopy =
  | { kind: "confirmed"; copy: ConfirmedCopy }
  | { kind: "none" }
  | { kind: "no-read-role" }
  | { kind: "unreadable"; message: string };

export type RecoveryPoint =
  | { kind: "met"; ageMs: number; objectiveMs: number }
  | { kind: "missed"; ageMs: number; objectiveMs: number }
  | { kind: "no-copy"; objectiveMs: number }
  | { kind: "not-verifiable"; objectiveMs: number };

/** What the destination itself lists (its "Replicate to my account" page), through its read role. */
export type DestinationView =
  | { kind: "listed"; copyFromAccountUin: string }
  | { kind: "not-listed" }
  | { kind: "unreadable"; message: string };

export interface PolicyLinkRow {
  policy: AutoSnapshotPolicy;
  accountUin: string;
  /** The configured alias of the linked account; undefined: not in the configuration (linked by hand). */
  alias?: string;
  hasReadRole: boolean;
  lastSourceSnapshot?: Pick<Snapshot, "snapshotId" | "name" | "createdAt" | "createdAtMs">;
  lastSourceError?: string;
  lastCopy: LastCopy;
  recoveryPoint: RecoveryPoint;
  /** Only with a read role. */
  destinationView?: DestinationView;
}

export interface PolicyLinksReport {
  regions: readonly string[];
  rows: PolicyLinkRow[];
  /** Policies of the source account that replicate nowhere. */
  unlinked: number;
  /** Regions whose policies could not be read. */
  errors: { region: string; message: string }[];
  checkedAt: string;
}

const messageOf = (err: unknown) => {
  if (err instanceof CloudError) return err.message;
  throw err;
};

/**
 * `/snapshot auto list`: every policy of the source account, in every configured region, that
 * replicates to another account — read from the cloud, so a link made by hand shows too — with what
 * can be verified of it: the last snapshot the policy took, the newest copy of it in the destination
 * (with a read role), and whether that copy is within the recovery-point objective.
 */
export async function listPolicyLinks(deps: PolicyLinksDeps): Promise<PolicyLinksReport> {
  const regions = deps.config.source.regions;
  const now = deps.clock.now();
  const policies: AutoSnapshotPolicy[] = [];
  const errors: PolicyLinksReport["errors"] = [];
  for (const region of regions) {
    try {
      policies.push(...(await deps.cloud.listAutoSnapshotPolicies([region])));
    } catch (err) {
      errors.push({ region, message: messageOf(err) });
    }
  }
  const linked = policies.filter((p) => p.copyToAccountUin);
  const destinationReads = new Map<
    string,
    Promise<{ snapshots: Snapshot[]; policies: AutoSnapshotPolicy[] }>
  >();
  const readDestination = (reader: DestinationReader, region: string) => {
    const key = `${reader.accountUin}/${region}`;
    let read = destinationReads.get(key);
    if (!read) {
      read = Promise.all([
        deps.cloud.listDestinationSnapshots(reader, region),
        deps.cloud.listDestinationAutoSnapshotPolicies(reader, region),
      ]).then(([snapshots, seen]) => ({ snapshots, policies: seen }));
      destinationReads.set(key, read);
    }
    return read;
  };
  const rows: PolicyLinkRow[] = [];
  for (const policy of linked) {
    const accountUin = policy.copyToAccountUin ?? "";
    const entry = Object.entries(deps.config.destinations).find(([, d]) => d.accountUin === accountUin);
    const alias = entry?.[0];
    const readRoleArn = entry?.[1].readRoleArn;
    const objectiveMs = recoveryPointObjectiveOf(deps.config, alias ?? "");
    let sources: Snapshot[] = [];
    let lastSourceError: string | undefined;
    try {
      sources = (await deps.cloud.listSnapshotsOfDisks(policy.region, policy.diskIds)).filter(
        (s) => s.autoSnapshotPolicyId === policy.policyId,
      );
    } catch (err) {
      lastSourceError = messageOf(err);
    }
    const newestSource = sources[0];
    const row: PolicyLinkRow = {
      policy,
      accountUin,
      ...(alias ? { alias } : {}),
      hasReadRole: readRoleArn !== undefined,
      ...(newestSource
        ? {
            lastSourceSnapshot: {
              snapshotId: newestSource.snapshotId,
              name: newestSource.name,
              createdAt: newestSource.createdAt,
              ...(newestSource.createdAtMs === undefined ? {} : { createdAtMs: newestSource.createdAtMs }),
            },
          }
        : {}),
      ...(lastSourceError ? { lastSourceError } : {}),
      lastCopy: { kind: "no-read-role" },
      recoveryPoint: { kind: "not-verifiable", objectiveMs },
    };
    if (readRoleArn) {
      try {
        const seen = await readDestination({ accountUin, readRoleArn }, policy.region);
        const copies = seen.snapshots.filter((s) => s.state === "NORMAL");
        const pairs = pairCopies(
          sources.filter((s) => s.state === "NORMAL"),
          copies,
        ).flatMap((p) => (p.copy ? [{ ...p, copy: p.copy }] : []));
        const newest = pairs.sort((a, b) => (b.source.createdAtMs ?? 0) - (a.source.createdAtMs ?? 0))[0];
        if (newest) {
          row.lastCopy = {
            kind: "confirmed",
            copy: {
              snapshotId: newest.copy.snapshotId,
              createdAt: newest.copy.createdAt,
              ...(newest.copy.createdAtMs === undefined ? {} : { createdAtMs: newest.copy.createdAtMs }),
              sourceSnapshotId: newest.source.snapshotId,
              sourceCreatedAt: newest.source.createdAt,
              ...(newest.source.createdAtMs === undefined
                ? {}
                : { sourceCreatedAtMs: newest.source.createdAtMs }),
              confidence: newest.confidence,
            },
          };
          // The copy restores the data as of its source snapshot: that is the recovery point's age.
          const at = newest.source.createdAtMs ?? newest.copy.createdAtMs;
          const ageMs = at === undefined ? Number.POSITIVE_INFINITY : Math.max(0, now.getTime() - at);
          row.recoveryPoint = { kind: ageMs <= objectiveMs ? "met" : "missed", ageMs, objectiveMs };
        } else {
          row.lastCopy = { kind: "none" };
          row.recoveryPoint = { kind: "no-copy", objectiveMs };
        }
        const mine = seen.policies.find(
          (p) => p.policyId === policy.policyId && p.copyFromAccountUin === deps.config.source.accountUin,
        );
        row.destinationView = mine?.copyFromAccountUin
          ? { kind: "listed", copyFromAccountUin: mine.copyFromAccountUin }
          : { kind: "not-listed" };
      } catch (err) {
        const message = messageOf(err);
        row.lastCopy = { kind: "unreadable", message };
        row.destinationView = { kind: "unreadable", message };
      }
    }
    rows.push(row);
  }
  deps.logger.debug({ linked: rows.length, policies: policies.length }, "policy links listed");
  return {
    regions,
    rows,
    unlinked: policies.length - linked.length,
    errors,
    checkedAt: now.toISOString(),
  };
}
