/**
 * One contract for every ReplicationLedger: the Redis ledger and the in-memory one the unit tests
 * use both run it, so the two cannot drift. Each case uses its own policy ids.
 */
import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import type {
  KnownLink,
  LedgerEntry,
  PendingAnnouncement,
  ReplicationLedger,
} from "../../src/core/ports/replication-ledger.port.js";

export function describeLedgerContract(name: string, makeLedger: () => ReplicationLedger): void {
  describe(`${name} (the ReplicationLedger contract)`, () => {
    let ledger: ReplicationLedger;
    const run = randomUUID().replace(/-/g, "").slice(0, 4);
    let seq = 0;
    beforeAll(() => {
      ledger = makeLedger();
    });
    const policyId = () => `asp-${run}${String(++seq).padStart(4, "0")}`;
    const link = (id: string): KnownLink => ({
      policyId: id,
      policyName: 'a "quoted" name, with "pairs":[] in it',
      region: "ap-guangzhou",
      destinationUin: "200000000002",
      alias: "dr-prod",
      diskIds: ["disk-1"],
      firstSeenAt: 1_764_576_000_123,
      watchFrom: 1_764_576_000_000,
    });
    const entry = (id: string, source: string, copy?: string): LedgerEntry => ({
      policyId: id,
      sourceSnapshotId: source,
      sourceName: "n",
      diskId: "disk-1",
      diskSizeGiB: 50,
      sourceCreatedAt: 1_764_576_001_000,
      ...(copy ? { copySnapshotId: copy, copyCreatedAt: 1_764_576_061_000, delayMs: 60_000 } : {}),
    });
    const announcement = (id: string, a: PendingAnnouncement["announcement"]): PendingAnnouncement => ({
      id,
      conversation: "C0NOTIFY",
      createdAt: 1_764_576_100_000,
      announcement: a,
    });

    it("adds a link once, updates only known ones, drops it once with its announcement", async () => {
      const id = policyId();
      expect(await ledger.addLinks([link(id)])).toHaveLength(1);
      expect(await ledger.addLinks([{ ...link(id), firstSeenAt: 1 }])).toEqual([]);
      await ledger.updateLinks([{ ...link(id), diskIds: ["disk-1", "disk-2"] }, link(`${id}x`)]);
      const known = (await ledger.links()).filter((l) => l.policyId.startsWith(id));
      expect(known).toEqual([{ ...link(id), diskIds: ["disk-1", "disk-2"] }]);
      const gone = announcement(`link-gone:${id}`, {
        kind: "link-gone",
        link: link(id),
        reason: "policy_deleted",
      });
      expect(await ledger.dropLink(id, gone)).toBe(true);
      expect(await ledger.dropLink(id, gone)).toBe(false);
      expect((await ledger.pendingAnnouncements()).filter((p) => p.id === gone.id)).toEqual([gone]);
    });

    it("records sources once and confirms each pair once, queueing exactly the pairs it confirmed", async () => {
      const id = policyId();
      const copies = (n: number) =>
        announcement(`copies:${id}:${n}`, { kind: "copies", link: link(id), pairs: [] });
      expect(await ledger.record(id, [entry(id, "snap-s1"), entry(id, "snap-s2")], [], copies(1))).toEqual(
        [],
      );
      expect((await ledger.pendingAnnouncements()).some((p) => p.id === `copies:${id}:1`)).toBe(false);
      const confirmed = await ledger.record(
        id,
        [entry(id, "snap-s1")],
        [entry(id, "snap-s1", "snap-c1")],
        copies(2),
      );
      expect(confirmed).toEqual([entry(id, "snap-s1", "snap-c1")]);
      expect(await ledger.record(id, [], [entry(id, "snap-s1", "snap-c9")], copies(3))).toEqual([]);
      const queued = (await ledger.pendingAnnouncements()).filter((p) => p.id.startsWith(`copies:${id}:`));
      expect(queued).toEqual([
        { ...copies(2), announcement: { kind: "copies", link: link(id), pairs: confirmed } },
      ]);
      const entries = (await ledger.entries(id)).sort((a, b) =>
        a.sourceSnapshotId.localeCompare(b.sourceSnapshotId),
      );
      expect(entries).toEqual([entry(id, "snap-s1", "snap-c1"), entry(id, "snap-s2")]);
    });

    it("opens and closes an incident only on a change; a claim is posted once, lapses, and ends when announced", async () => {
      const id = policyId();
      const opened = announcement(`incident-opened:${id}`, {
        kind: "incident-opened",
        link: link(id),
        reasons: ["missing"],
        objectiveMs: 1,
        missing: ["snap-s1"],
      });
      expect(await ledger.setIncident({ policyId: id, open: false }, opened)).toBe(false);
      expect(await ledger.setIncident({ policyId: id, open: true, openedAt: 5 }, opened)).toBe(true);
      expect(await ledger.setIncident({ policyId: id, open: true, openedAt: 6 }, opened)).toBe(false);
      expect(await ledger.incident(id)).toEqual({ policyId: id, open: true, openedAt: 5 });
      expect(await ledger.claimAnnouncement(opened.id, 1000, 500)).toBe("post");
      expect(await ledger.claimAnnouncement(opened.id, 1200, 500)).toBe("busy");
      expect(await ledger.claimAnnouncement(opened.id, 1500, 500)).toBe("verify");
      await ledger.markAnnounced(opened.id, "1700000000.000100");
      expect(await ledger.claimAnnouncement(opened.id, 9000, 500)).toBe("gone");
      expect(await ledger.queueAnnouncement(opened)).toBe(false);
      const summary = announcement(`summary:${id}`, { kind: "summary", day: "2026-12-01", lines: [] });
      expect(await ledger.queueAnnouncement(summary)).toBe(true);
      expect(await ledger.queueAnnouncement(summary)).toBe(false);
    });
  });
}
