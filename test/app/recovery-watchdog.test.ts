import { beforeEach, describe, expect, it } from "vitest";
import { watchLinkedPolicies } from "../../src/app/watch-policies.flow.js";
import { CloudError } from "../../src/core/ports/cloud-api.port.js";
import type { AutoSnapshotPolicy } from "../../src/core/ports/policy-cloud.port.js";
import { assessRecoveryPoint, nextIncidentMove } from "../../src/core/replication/recovery-watchdog.js";
import type { Snapshot } from "../../src/core/snapshot.js";
import { DR_PROD_UIN, type MemoryPorts, memoryPorts } from "../support/memory-ports.js";

const H = 3_600_000;
const POLICY = "asp-unit0001";

function snapshot(id: string, at: number, name = `daily-${id}`): Snapshot {
  return {
    snapshotId: id,
    name,
    region: "ap-guangzhou",
    state: "NORMAL",
    diskId: "disk-unit0001",
    diskSizeGiB: 50,
    diskUsage: "DATA_DISK",
    encrypted: false,
    percent: 100,
    createdAt: new Date(at).toISOString(),
    createdAtMs: at,
  };
}

describe("assessRecoveryPoint (pure)", () => {
  const base = { objectiveMs: 26 * H, graceMs: 2 * H, watchFrom: 0 };
  const entry = (id: string, at: number, copy?: string) => ({
    policyId: POLICY,
    sourceSnapshotId: id,
    sourceName: id,
    diskId: "d",
    diskSizeGiB: 1,
    sourceCreatedAt: at,
    ...(copy ? { copySnapshotId: copy } : {}),
  });

  it("is healthy within the objective and the grace; stale past the objective; missing past the grace", () => {
    expect(assessRecoveryPoint({ ...base, now: 10 * H, entries: [entry("a", 9 * H, "c")] })).toMatchObject({
      healthy: true,
      recoveryPointAt: 9 * H,
    });
    expect(assessRecoveryPoint({ ...base, now: 27 * H, entries: [] }).reasons).toEqual(["stale"]);
    const missing = assessRecoveryPoint({
      ...base,
      now: 12 * H,
      entries: [entry("a", 1 * H, "c"), entry("b", 9 * H)],
    });
    expect(missing.reasons).toEqual(["missing"]);
    expect(missing.missing.map((e) => e.sourceSnapshotId)).toEqual(["b"]);
  });

  it("forgets an older missing copy once a later one arrived", () => {
    const verdict = assessRecoveryPoint({
      ...base,
      now: 30 * H,
      entries: [entry("a", 1 * H), entry("b", 25 * H, "c")],
    });
    expect(verdict).toMatchObject({ healthy: true, recoveryPointAt: 25 * H, missing: [] });
    expect(nextIncidentMove({ policyId: POLICY, open: true }, verdict)).toBe("close");
    expect(nextIncidentMove(undefined, verdict)).toBe("none");
  });
});

describe("the recovery-point watchdog on in-memory ports", () => {
  let ports: MemoryPorts;
  const run = () => watchLinkedPolicies({ ...ports.deps, ledger: ports.ledger });
  const lines = () => ports.notifier.announcements.map((a) => a.text);

  beforeEach(async () => {
    ports = memoryPorts({
      config: {
        automatic: { copyGrace: "1h", postLease: "1m" },
        approvers: { users: ["U0BOB"], mention: "S0APPROVERS" },
      },
    });
    ports.cloud.autoPolicies.push({
      policyId: POLICY,
      name: "daily",
      region: "ap-guangzhou",
      state: "NORMAL",
      activated: true,
      schedules: [{ hours: [3], daysOfWeek: [] }],
      diskIds: ["disk-unit0001"],
      retention: { kind: "days", days: 7 },
      nextTriggerTime: "",
      copyToAccountUin: DR_PROD_UIN,
    });
    await run();
    expect(await ports.ledger.links()).toHaveLength(1);
  });

  const takeSource = (id: string) => {
    const s = { ...snapshot(id, ports.clock.now().getTime()), autoSnapshotPolicyId: POLICY };
    ports.cloud.sourceSnapshots.push(s);
    return s;
  };
  const arriveCopy = (source: Snapshot, id: string) => {
    const list = ports.cloud.destinationSnapshots.get(DR_PROD_UIN) ?? [];
    list.push({ ...source, snapshotId: id, createdAtMs: ports.clock.now().getTime() });
    ports.cloud.destinationSnapshots.set(DR_PROD_UIN, list);
  };

  it("a copy that never arrives: one alert (approvers mentioned); a later copy: one recovery notice", async () => {
    const first = takeSource("snap-src00001");
    ports.clock.advance(30 * 60_000);
    await run();
    expect(lines()).toEqual([]);
    ports.clock.advance(31 * 60_000);
    await run();
    await run();
    expect(lines()).toHaveLength(1);
    expect(lines()[0]).toContain("Recovery point at risk");
    expect(lines()[0]).toContain("snap-src00001");
    expect(lines()[0]).toContain("@S0APPROVERS");
    expect((await ports.ledger.incident(POLICY))?.open).toBe(true);

    ports.clock.advance(H);
    const second = takeSource("snap-src00002");
    ports.clock.advance(5 * 60_000);
    arriveCopy(second, "snap-cpy00002");
    await run();
    await run();
    expect(lines()).toHaveLength(3);
    expect(lines()[1]).toMatch(/Automatic copies confirmed .*: 1\nsnap-src00002 → snap-cpy00002 after 5 min/);
    expect(lines()[2]).toContain("Recovered");
    expect((await ports.ledger.incident(POLICY))?.open).toBe(false);
    // The first source stays in the ledger without a copy.
    const entries = await ports.ledger.entries(POLICY);
    expect(entries.find((e) => e.sourceSnapshotId === first.snapshotId)?.copySnapshotId).toBeUndefined();
  });

  it("no copy for longer than the objective: one stale alert, and none again while it lasts", async () => {
    const source = takeSource("snap-src00003");
    ports.clock.advance(10 * 60_000);
    arriveCopy(source, "snap-cpy00003");
    await run();
    expect(lines()).toHaveLength(1);
    ports.clock.advance(26 * H);
    await run();
    ports.clock.advance(H);
    await run();
    expect(lines()).toHaveLength(2);
    expect(lines()[1]).toContain("older than the objective of 26 h");
  });

  it("an answer lost after the post: the claim waits out the lease, the post is found, nothing doubles", async () => {
    const source = takeSource("snap-src00004");
    arriveCopy(source, "snap-cpy00004");
    ports.notifier.loseNextAnnounceAnswers = 1;
    await run();
    expect(ports.notifier.announcements).toHaveLength(1);
    expect(ports.ledger.outbox.size).toBe(1);
    await run(); // within the lease: another run leaves it
    ports.clock.advance(61_000);
    await run(); // the lease lapsed: the post is looked for, found, and marked
    expect(ports.notifier.announcements).toHaveLength(1);
    expect(ports.ledger.outbox.size).toBe(0);
  });

  it("a destination that cannot be read this run: the watchdog judges nothing, the run still posts", async () => {
    const source = takeSource("snap-src00005");
    arriveCopy(source, "snap-cpy00005");
    ports.clock.advance(27 * H);
    const original = ports.cloud.listDestinationSnapshots.bind(ports.cloud);
    ports.cloud.listDestinationSnapshots = async () => {
      throw new CloudError({
        code: "AuthFailure.UnauthorizedOperation",
        message: "the role may not be assumed",
        category: "permanent",
        reason: "other",
      });
    };
    await ports.ledger.queueAnnouncement({
      id: "summary:earlier",
      conversation: "C0NOTIFY",
      createdAt: 0,
      announcement: { kind: "summary", day: "2026-11-25", lines: [] },
    });
    await run();
    expect(lines()).toHaveLength(1);
    expect(lines()[0]).toContain("daily summary");
    expect(await ports.ledger.incident(POLICY)).toBeUndefined();
    ports.cloud.listDestinationSnapshots = original;
    await run();
    expect(lines(), JSON.stringify(await ports.ledger.entries(POLICY))).toHaveLength(3);
    expect(lines()[1]).toContain("snap-src00005 → snap-cpy00005");
  });

  it("the policy deleted, then another policy whose link is removed: one notice each", async () => {
    const first = ports.cloud.autoPolicies[0] as AutoSnapshotPolicy;
    ports.cloud.autoPolicies.push({ ...first, policyId: "asp-unit0002" });
    await run();
    ports.cloud.autoPolicies.splice(0, 1);
    await run();
    await run();
    expect(lines()).toHaveLength(1);
    expect(lines()[0]).toContain("the policy was deleted");
    const other = ports.cloud.autoPolicies[0];
    if (other) delete other.copyToAccountUin;
    await run();
    await run();
    expect(lines()).toHaveLength(2);
    expect(lines()[1]).toContain("the destination account removed the link");
  });
});
