import type { BotConfig } from "../config/load-config.js";
import { CloudError } from "../core/ports/cloud-api.port.js";
import type { AutoSnapshotPolicy } from "../core/ports/policy-cloud.port.js";
import type {
  KnownLink,
  LedgerEntry,
  LinkGoneReason,
  PendingAnnouncement,
  ReplicationLedger,
} from "../core/ports/replication-ledger.port.js";
import { pairCopies } from "../core/replication/pair-copies.js";
import { assessRecoveryPoint, nextIncidentMove } from "../core/replication/recovery-watchdog.js";
import type { Snapshot } from "../core/snapshot.js";
import { buildAnnouncementMessage } from "./automatic-messages.js";
import type { FlowDeps } from "./flow-deps.js";
import { recoveryPointObjectiveOf } from "./recovery-point.js";

/** What the watcher uses: the cloud (through the shared rate limiter), the ledger, the notifier. */
export type WatchDeps = Pick<FlowDeps, "config" | "cloud" | "clock" | "logger" | "notifier"> & {
  ledger: ReplicationLedger;
};

export interface WatchRound {
  run: number;
  links: number;
  gone: number;
  sources: number;
  confirmed: number;
  incidentsOpened: number;
  incidentsClosed: number;
  announced: number;
}

/** Where automatic replication speaks: the notify channel (else the approval channel). */
export function automaticConversation(config: Readonly<BotConfig>): string {
  return config.slack.notifyChannel ?? config.slack.approvalChannel ?? "";
}

/**
 * One watcher run (docs/decisions/020), whichever worker takes the scheduled job: follows every
 * policy of the source account linked to another account (every configured region, not only links
 * the bot made), records each new snapshot it took and, through a destination's read role, the copy
 * that arrived for it (src/core/replication/pair-copies.ts), notices links that disappeared, runs the
 * recovery-point watchdog, then posts what is pending. Cloud calls, all through the shared limiter:
 * one `DescribeAutoSnapshotPolicies` per region, `DescribeSnapshots` by disk (10 disks a call) per
 * region, and one destination listing per destination and region that has a read role.
 */
export async function watchLinkedPolicies(deps: WatchDeps): Promise<WatchRound> {
  const { config, ledger } = deps;
  const now = deps.clock.now().getTime();
  const run = await ledger.countRun(now);
  const conversation = automaticConversation(config);
  const round: WatchRound = {
    run,
    links: 0,
    gone: 0,
    sources: 0,
    confirmed: 0,
    incidentsOpened: 0,
    incidentsClosed: 0,
    announced: 0,
  };
  const pending = (id: string, announcement: PendingAnnouncement["announcement"]): PendingAnnouncement => ({
    id,
    conversation,
    createdAt: now,
    announcement,
  });

  try {
    await followLinks(deps, now, pending, round);
  } finally {
    // What this or an earlier run queued is posted even when this run could not finish.
    round.announced = await postPendingAnnouncements(deps);
  }
  return round;
}

async function followLinks(
  deps: WatchDeps,
  now: number,
  pending: (id: string, announcement: PendingAnnouncement["announcement"]) => PendingAnnouncement,
  round: WatchRound,
): Promise<void> {
  const { config, ledger } = deps;
  const { run } = round;
  // A failure to list (any region) fails the run: a link is never declared gone from an error.
  const policies = await deps.cloud.listAutoSnapshotPolicies(config.source.regions);
  const byId = new Map(policies.map((p) => [p.policyId, p]));

  for (const link of await ledger.links()) {
    const policy = byId.get(link.policyId);
    if (policy?.copyToAccountUin === link.destinationUin) continue;
    const reason: LinkGoneReason = !policy
      ? "policy_deleted"
      : policy.copyToAccountUin
        ? "relinked"
        : "link_removed";
    const dropped = await ledger.dropLink(
      link.policyId,
      pending(`link-gone:${link.policyId}:${link.destinationUin}:${link.firstSeenAt}`, {
        kind: "link-gone",
        link,
        reason,
        ...(reason === "relinked" && policy?.copyToAccountUin
          ? { newDestinationUin: policy.copyToAccountUin }
          : {}),
      }),
    );
    if (dropped) {
      round.gone++;
      deps.logger.warn({ policyId: link.policyId, reason }, "automatic replication: a link disappeared");
    }
  }

  const current = policies
    .filter((p): p is AutoSnapshotPolicy & { copyToAccountUin: string } => Boolean(p.copyToAccountUin))
    .map((p) => toLink(config, p, now));
  const added = await ledger.addLinks(current);
  for (const link of added)
    deps.logger.info({ policyId: link.policyId }, "automatic replication: following a link");
  // A known link keeps when it was first seen (and what the ledger covers); its disks and name follow the cloud.
  const stored = new Map((await ledger.links()).map((l) => [l.policyId, l]));
  const links = current.flatMap((c) => {
    const known = stored.get(c.policyId);
    return known ? [{ ...c, firstSeenAt: known.firstSeenAt, watchFrom: known.watchFrom }] : [];
  });
  const changed = links.filter((l) => JSON.stringify(l) !== JSON.stringify(stored.get(l.policyId)));
  if (changed.length > 0) await ledger.updateLinks(changed);
  round.links = links.length;

  // Entries of every link, and the copies already matched per destination (never matched twice).
  const entries = new Map<string, Map<string, LedgerEntry>>();
  for (const link of links) {
    entries.set(
      link.policyId,
      new Map((await ledger.entries(link.policyId)).map((e) => [e.sourceSnapshotId, e])),
    );
  }
  const newSources = new Map<string, LedgerEntry[]>();
  const newPairs = new Map<string, LedgerEntry[]>();
  /** Links whose snapshots or copies could not be read this run. */
  const unread = new Set<string>();

  for (const region of new Set(links.map((l) => l.region))) {
    const inRegion = links.filter((l) => l.region === region);
    const since = Math.min(...inRegion.map((l) => l.watchFrom));
    let snapshots: Snapshot[];
    try {
      snapshots = await deps.cloud.listSnapshotsOfDisks(
        region,
        [...new Set(inRegion.flatMap((l) => l.diskIds))],
        { createdAfter: since },
      );
    } catch (err) {
      if (!(err instanceof CloudError)) throw err;
      // This region waits for the next run; the watchdog does not judge what it could not see.
      deps.logger.warn({ code: err.code, region }, "automatic replication: source snapshots unreadable");
      for (const link of inRegion) unread.add(link.policyId);
      continue;
    }
    for (const link of inRegion) {
      const known = entries.get(link.policyId) ?? new Map<string, LedgerEntry>();
      const fresh = snapshots
        .filter(
          (s) =>
            s.autoSnapshotPolicyId === link.policyId &&
            s.state === "NORMAL" &&
            s.createdAtMs !== undefined &&
            s.createdAtMs > link.watchFrom &&
            !known.has(s.snapshotId),
        )
        .map((s) => toEntry(link.policyId, s));
      for (const entry of fresh) known.set(entry.sourceSnapshotId, entry);
      newSources.set(link.policyId, fresh);
      round.sources += fresh.length;
    }

    // Copies, per destination with a read role: every unmatched source of its links in this region.
    const byDestination = new Map<string, KnownLink[]>();
    for (const link of inRegion) {
      const list = byDestination.get(link.destinationUin) ?? [];
      list.push(link);
      byDestination.set(link.destinationUin, list);
    }
    for (const [destinationUin, destinationLinks] of byDestination) {
      const alias = destinationLinks[0]?.alias;
      const readRoleArn = alias ? config.destinations[alias]?.readRoleArn : undefined;
      if (!alias || !readRoleArn) continue;
      const window = now - 2 * Math.max(config.automatic.copyGrace, recoveryPointObjectiveOf(config, alias));
      const unmatched = destinationLinks.flatMap((link) =>
        [...(entries.get(link.policyId)?.values() ?? [])].filter(
          (e) => !e.copySnapshotId && e.sourceCreatedAt > window,
        ),
      );
      if (unmatched.length === 0) continue;
      const used = new Set(
        links
          .filter((l) => l.destinationUin === destinationUin)
          .flatMap((l) => [...(entries.get(l.policyId)?.values() ?? [])])
          .flatMap((e) => (e.copySnapshotId ? [e.copySnapshotId] : [])),
      );
      let listed: Snapshot[];
      try {
        listed = await deps.cloud.listDestinationSnapshots(
          { accountUin: destinationUin, readRoleArn },
          region,
          {
            createdAfter: Math.min(...unmatched.map((e) => e.sourceCreatedAt)) - 1000,
          },
        );
      } catch (err) {
        if (!(err instanceof CloudError)) throw err;
        deps.logger.warn(
          { code: err.code, accountUin: destinationUin, region },
          "automatic replication: destination copies unreadable",
        );
        for (const link of destinationLinks) unread.add(link.policyId);
        continue;
      }
      const copies = listed.filter((c) => c.state === "NORMAL" && !used.has(c.snapshotId));
      const pairings = pairCopies(
        unmatched.map((e) => ({
          snapshotId: e.sourceSnapshotId,
          name: e.sourceName,
          diskSizeGiB: e.diskSizeGiB,
          createdAtMs: e.sourceCreatedAt,
          entry: e,
        })),
        copies,
      );
      for (const pairing of pairings) {
        if (!pairing.copy) continue;
        const entry: LedgerEntry = {
          ...pairing.source.entry,
          copySnapshotId: pairing.copy.snapshotId,
          ...(pairing.copy.createdAtMs !== undefined ? { copyCreatedAt: pairing.copy.createdAtMs } : {}),
          ...(pairing.delayMs !== undefined ? { delayMs: pairing.delayMs } : {}),
          confidence: pairing.confidence,
          confirmedAt: now,
        };
        entries.get(entry.policyId)?.set(entry.sourceSnapshotId, entry);
        const list = newPairs.get(entry.policyId) ?? [];
        list.push(entry);
        newPairs.set(entry.policyId, list);
      }
    }
  }

  for (const link of links) {
    const confirmed = await ledger.record(
      link.policyId,
      newSources.get(link.policyId) ?? [],
      newPairs.get(link.policyId) ?? [],
      pending(`copies:${link.policyId}:${run}`, { kind: "copies", link, pairs: [] }),
    );
    round.confirmed += confirmed.length;
  }

  // The recovery-point watchdog, for links whose copies can be seen.
  for (const link of links) {
    if (!link.alias || !config.destinations[link.alias]?.readRoleArn || unread.has(link.policyId)) continue;
    const objectiveMs = recoveryPointObjectiveOf(config, link.alias);
    const verdict = assessRecoveryPoint({
      now,
      objectiveMs,
      graceMs: config.automatic.copyGrace,
      watchFrom: link.watchFrom,
      entries: [...(entries.get(link.policyId)?.values() ?? [])],
    });
    const incident = await ledger.incident(link.policyId);
    const move = nextIncidentMove(incident, verdict);
    if (move === "open") {
      const opened = await ledger.setIncident(
        { policyId: link.policyId, open: true, openedAt: now, reasons: verdict.reasons },
        pending(`incident-opened:${link.policyId}:${now}`, {
          kind: "incident-opened",
          link,
          reasons: verdict.reasons,
          ...(verdict.recoveryPointAt === undefined ? {} : { recoveryPointAt: verdict.recoveryPointAt }),
          objectiveMs,
          missing: verdict.missing.map((e) => e.sourceSnapshotId),
          ...(config.approvers.mention ? { mention: config.approvers.mention } : {}),
        }),
      );
      if (opened) round.incidentsOpened++;
    } else if (move === "close") {
      const openedAt = incident?.openedAt ?? now;
      const closed = await ledger.setIncident(
        { policyId: link.policyId, open: false, openedAt, closedAt: now },
        pending(`incident-closed:${link.policyId}:${openedAt}`, {
          kind: "incident-closed",
          link,
          openedAt,
          ...(verdict.recoveryPointAt === undefined ? {} : { recoveryPointAt: verdict.recoveryPointAt }),
        }),
      );
      if (closed) round.incidentsClosed++;
    }
  }
}

/**
 * Posts every queued announcement: claim, post (keyed), mark announced. A claim whose run vanished
 * lapses after `automatic.postLease`; the next run then looks for the keyed post in the conversation
 * before posting, so a crash between the post and the mark doubles nothing.
 */
export async function postPendingAnnouncements(
  deps: Pick<WatchDeps, "config" | "clock" | "logger" | "notifier" | "ledger">,
): Promise<number> {
  const { ledger, notifier } = deps;
  let posted = 0;
  for (const item of await ledger.pendingAnnouncements()) {
    const now = deps.clock.now().getTime();
    const claim = await ledger.claimAnnouncement(item.id, now, deps.config.automatic.postLease);
    if (claim === "busy" || claim === "gone") continue;
    if (!item.conversation) {
      deps.logger.warn({ id: item.id }, "automatic replication: no notify channel configured; not announced");
      await ledger.markAnnounced(item.id, "");
      continue;
    }
    try {
      if (claim === "verify") {
        const found = await notifier.findAnnouncement(item.conversation, item.id, item.createdAt - 60_000);
        if (found) {
          await ledger.markAnnounced(item.id, found.id);
          continue;
        }
      }
      const ref = await notifier.announce(
        item.conversation,
        buildAnnouncementMessage(item.announcement, now),
        item.id,
      );
      await ledger.markAnnounced(item.id, ref.id);
      posted++;
    } catch (err) {
      // The claim stays: after the lease a run looks in the channel, then posts if it is not there.
      deps.logger.warn({ err, id: item.id }, "automatic replication: announcement not posted yet");
    }
  }
  return posted;
}

function toLink(
  config: Readonly<BotConfig>,
  policy: AutoSnapshotPolicy & { copyToAccountUin: string },
  now: number,
): KnownLink {
  const alias = Object.entries(config.destinations).find(
    ([, d]) => d.accountUin === policy.copyToAccountUin,
  )?.[0];
  return {
    policyId: policy.policyId,
    policyName: policy.name,
    region: policy.region,
    destinationUin: policy.copyToAccountUin,
    ...(alias ? { alias } : {}),
    diskIds: [...policy.diskIds],
    firstSeenAt: now,
    // A link first seen now also takes in the snapshots of the last grace period.
    watchFrom: now - config.automatic.copyGrace,
  };
}

function toEntry(policyId: string, s: Snapshot): LedgerEntry {
  return {
    policyId,
    sourceSnapshotId: s.snapshotId,
    sourceName: s.name,
    diskId: s.diskId,
    diskSizeGiB: s.diskSizeGiB,
    sourceCreatedAt: s.createdAtMs ?? 0,
  };
}
