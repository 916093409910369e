import { beforeAll, describe, expect, it } from "vitest";
import { type CloudApi, CloudError, type DestinationReader } from "../../../src/core/ports/cloud-api.port.js";
import { pairCopies } from "../../../src/core/replication/pair-copies.js";

/**
 * The behaviour every CloudApi adapter promises (src/core/ports/cloud-api.port.ts), stated once.
 * Nothing here knows the provider: the fixtures (ids, UINs, the read role) come from `setup`, so the
 * same suite runs against the simulator in the normal tests and against a real account
 * (scripts/contract-tencent.ts).
 */
export interface CloudApiContractFixture {
  api: CloudApi;
  /** Regions to search, in order; `sourceSnapshot` is in a later one than the first. */
  regions: readonly string[];
  /** A NORMAL snapshot of the source account. */
  sourceSnapshot: { snapshotId: string; region: string };
  /** An id (well-formed) that is in none of `regions`. */
  missingSnapshotId: string;
  /** A collaborator of the source account allowed to receive copies; required when `copies: true`. */
  copy?: { targetAccountUin: string; newName: string };
  /** A destination account with a read role the source account may assume. */
  destination: DestinationReader & { region: string };
  /** Snapshots that exist in the destination (in `destination.region`), with the name of the first. */
  destinationSnapshotIds: readonly string[];
  destinationSnapshotName: string;
  /** At least these are collaborators of the source account; `collaboratorCount` all of them (if known). */
  collaboratorUins: readonly string[];
  collaboratorCount?: number;
  /** A collaborator and (some of) the names of the policies reaching it. */
  policyHolder: {
    uin: string;
    policyNames: readonly string[];
    groupPolicy?: { name: string; group: string };
  };
  /** A policy that reaches some user and whose document says this. */
  policy: { policyId: string; documentContains: string };
  /** A policy id that does not exist (any more). */
  deletedPolicyId: string;
  /** Scheduled policies and automatic copies (PolicyCloudApi). */
  autoReplication: {
    /** A policy of the source account in a later region than the first of `regions`. */
    policy: { policyId: string; region: string; diskIds: readonly string[] };
    /** A well-formed policy id in none of `regions`. */
    missingPolicyId: string;
    /** How many policies the source has in `policy.region`, if known (more than a page tests paging). */
    policyCountInRegion?: number;
    /** How many snapshots `destination` has in its region, if known. */
    destinationSnapshotCount?: number;
    /**
     * A policy (in `policy.region`) that may be linked to `destination`, and one already linked to
     * another account; required when `links: true` (linking is a write).
     */
    link?: { policyId: string; linkedElsewherePolicyId: string };
    /**
     * Makes `policy` take its snapshots now and lets their automatic copies reach `destination`
     * (only a simulator can); the copies must follow docs/decisions/015.
     */
    fireNow?: () => Promise<void>;
  };
  /** Fault injection, when the environment has it (the simulator); required when `faults: true`. */
  faults?: CloudApiFaults;
}

/** Makes the next call of an action fail in a chosen way. */
export interface CloudApiFaults {
  throttleNext(action: string): void | Promise<void>;
  internalErrorNext(action: string): void | Promise<void>;
  /** The next answer of the action is a success whose fields have shapes the API does not document. */
  malformedNext(action: string): void | Promise<void>;
  clear(): void | Promise<void>;
}

export interface CloudApiContractOptions {
  /** Register the error cases that need injected faults (no real account can be made to fail so). */
  faults: boolean;
  /** Register the test that makes a real copy (a real account is charged for it). */
  copies: boolean;
  /** Register the tests that link policies to the destination (a write). @defaultValue false */
  links?: boolean;
}

export function describeCloudApiContract(
  name: string,
  setup: () => Promise<CloudApiContractFixture>,
  options: CloudApiContractOptions,
): void {
  describe(`CloudApi contract: ${name}`, () => {
    let f: CloudApiContractFixture;
    beforeAll(async () => {
      f = await setup();
    });

    const faults = (): CloudApiFaults => {
      if (!f.faults) throw new Error("the setup promised faults but gave none");
      return f.faults;
    };

    const failureOf = async (call: () => Promise<unknown>): Promise<CloudError> => {
      try {
        await call();
      } catch (err) {
        if (err instanceof CloudError) return err;
        throw err;
      }
      throw new Error("the call succeeded; a CloudError was expected");
    };

    it("findSourceSnapshot searches the regions in order and finds the snapshot in a later one", async () => {
      const found = await f.api.findSourceSnapshot(f.sourceSnapshot.snapshotId, f.regions);
      expect(found).toMatchObject({
        snapshotId: f.sourceSnapshot.snapshotId,
        region: f.sourceSnapshot.region,
        state: "NORMAL",
      });
    });

    it("findSourceSnapshot answers undefined for a snapshot in none of the regions", async () => {
      expect(await f.api.findSourceSnapshot(f.missingSnapshotId, f.regions)).toBeUndefined();
    });

    it("describeDestinationSnapshots reads through the read role and leaves missing ids out", async () => {
      const found = await f.api.describeDestinationSnapshots(f.destination, f.destination.region, [
        ...f.destinationSnapshotIds,
        f.missingSnapshotId,
      ]);
      expect(found.map((s) => s.snapshotId).sort()).toEqual([...f.destinationSnapshotIds].sort());
      expect(await f.api.describeDestinationSnapshots(f.destination, f.destination.region, [])).toEqual([]);
    });

    it("describeDestinationSnapshots takes more than 100 ids (in batches)", async () => {
      const missing = Array.from({ length: 150 }, (_, i) => `snap-zz${String(i).padStart(6, "0")}`);
      const ids = [...missing.slice(0, 120), ...f.destinationSnapshotIds, ...missing.slice(120)];
      const found = await f.api.describeDestinationSnapshots(f.destination, f.destination.region, ids);
      expect(found.map((s) => s.snapshotId).sort()).toEqual([...f.destinationSnapshotIds].sort());
    });

    it("findDestinationSnapshotsByName finds by exact name, and nothing for an unknown name", async () => {
      const found = await f.api.findDestinationSnapshotsByName(
        f.destination,
        f.destination.region,
        f.destinationSnapshotName,
      );
      expect(found.map((s) => s.name)).toContain(f.destinationSnapshotName);
      expect(found.every((s) => s.name === f.destinationSnapshotName)).toBe(true);
      expect(
        await f.api.findDestinationSnapshotsByName(
          f.destination,
          f.destination.region,
          `${f.destinationSnapshotName}-no-such-copy-${Date.now()}`,
        ),
      ).toEqual([]);
    });

    it("listCollaborators returns every page", async () => {
      const collaborators = await f.api.listCollaborators();
      expect(collaborators.map((c) => c.uin)).toEqual(expect.arrayContaining([...f.collaboratorUins]));
      if (f.collaboratorCount !== undefined) expect(collaborators).toHaveLength(f.collaboratorCount);
      expect(new Set(collaborators.map((c) => c.uin)).size).toBe(collaborators.length);
    });

    it("listAttachedPolicies returns direct and group policies", async () => {
      const policies = await f.api.listAttachedPolicies(f.policyHolder.uin);
      expect(policies.map((p) => p.name)).toEqual(expect.arrayContaining([...f.policyHolder.policyNames]));
      const viaGroup = f.policyHolder.groupPolicy;
      if (viaGroup) {
        expect(policies.find((p) => p.name === viaGroup.name)?.groups).toContain(viaGroup.group);
      }
      for (const p of policies) expect(["custom", "preset"]).toContain(p.type);
    });

    it("getPolicyDocument returns the document, and undefined for a deleted policy", async () => {
      expect(await f.api.getPolicyDocument(f.policy.policyId)).toContain(f.policy.documentContains);
      expect(await f.api.getPolicyDocument(f.deletedPolicyId)).toBeUndefined();
    });

    describe("scheduled policies and automatic copies", () => {
      const ar = () => f.autoReplication;

      it("findAutoSnapshotPolicy searches the regions in order; undefined for one in none", async () => {
        const found = await f.api.findAutoSnapshotPolicy(ar().policy.policyId, f.regions);
        expect(found).toMatchObject({ policyId: ar().policy.policyId, region: ar().policy.region });
        expect(found?.diskIds).toEqual(expect.arrayContaining([...ar().policy.diskIds]));
        expect(["NORMAL", "ISOLATED"]).toContain(found?.state);
        expect(found?.schedules.length).toBeGreaterThan(0);
        expect(["days", "months", "count", "permanent", "advanced"]).toContain(found?.retention.kind);
        expect(found?.copyFromAccountUin).toBeUndefined();
        expect(await f.api.findAutoSnapshotPolicy(ar().missingPolicyId, f.regions)).toBeUndefined();
      });

      it("listAutoSnapshotPolicies returns every policy of the source, every page", async () => {
        const policies = await f.api.listAutoSnapshotPolicies(f.regions);
        expect(policies.map((p) => p.policyId)).toContain(ar().policy.policyId);
        const inRegion = policies.filter((p) => p.region === ar().policy.region);
        if (ar().policyCountInRegion !== undefined)
          expect(inRegion).toHaveLength(ar().policyCountInRegion ?? 0);
        expect(new Set(policies.map((p) => `${p.region}/${p.policyId}`)).size).toBe(policies.length);
        expect(policies.every((p) => p.copyFromAccountUin === undefined)).toBe(true);
      });

      it("listSnapshotsOfDisks returns the disks' snapshots only, newest first, in batches; [] for none", async () => {
        const disks = [...ar().policy.diskIds];
        const many = [
          ...Array.from({ length: 12 }, (_, i) => `disk-zz${String(i).padStart(6, "0")}`),
          ...disks,
        ];
        const found = await f.api.listSnapshotsOfDisks(ar().policy.region, many);
        expect(found.length).toBeGreaterThan(0);
        expect(found.every((s) => disks.includes(s.diskId))).toBe(true);
        const times = found.map((s) => s.createdAtMs ?? 0);
        expect(times).toEqual([...times].sort((a, b) => b - a));
        expect(await f.api.listSnapshotsOfDisks(ar().policy.region, [])).toEqual([]);
        const newest = times[0] ?? 0;
        expect(await f.api.listSnapshotsOfDisks(ar().policy.region, many, { createdAfter: newest })).toEqual(
          [],
        );
      });

      it("listDestinationSnapshots reads every page through the read role, newer than asked", async () => {
        const all = await f.api.listDestinationSnapshots(f.destination, f.destination.region);
        expect(all.map((s) => s.snapshotId)).toEqual(expect.arrayContaining([...f.destinationSnapshotIds]));
        if (ar().destinationSnapshotCount !== undefined)
          expect(all).toHaveLength(ar().destinationSnapshotCount ?? 0);
        expect(new Set(all.map((s) => s.snapshotId)).size).toBe(all.length);
        const newest = Math.max(...all.map((s) => s.createdAtMs ?? 0));
        const after = await f.api.listDestinationSnapshots(f.destination, f.destination.region, {
          createdAfter: newest - 1,
        });
        expect(after.length).toBeGreaterThan(0);
        expect(after.every((s) => (s.createdAtMs ?? 0) > newest - 1)).toBe(true);
      });

      if (options.links) {
        it("copyAutoSnapshotPolicyCrossAccount links; the destination then sees the policy as copied from the source", async () => {
          const link = ar().link;
          if (!link) throw new Error("the setup promised links but gave no policy to link");
          const request = {
            policyId: link.policyId,
            region: ar().policy.region,
            targetAccountUin: f.destination.accountUin,
          };
          const accepted = await f.api.copyAutoSnapshotPolicyCrossAccount(request);
          expect(accepted.requestId).not.toBe("");
          // Linking again to the same account is not an error.
          await f.api.copyAutoSnapshotPolicyCrossAccount(request);
          const seen = await f.api.listDestinationAutoSnapshotPolicies(f.destination, ar().policy.region);
          expect(seen.find((p) => p.policyId === link.policyId)).toMatchObject({
            copyFromAccountUin: expect.any(String),
          });
          const source = await f.api.findAutoSnapshotPolicy(link.policyId, [ar().policy.region]);
          expect(source?.copyToAccountUin).toBe(f.destination.accountUin);
        });

        it("a policy linked to another account is refused for good: permanent, invalid_state", async () => {
          const link = ar().link;
          if (!link) throw new Error("the setup promised links but gave no policy to link");
          const err = await failureOf(() =>
            f.api.copyAutoSnapshotPolicyCrossAccount({
              policyId: link.linkedElsewherePolicyId,
              region: ar().policy.region,
              targetAccountUin: f.destination.accountUin,
            }),
          );
          expect(err).toMatchObject({ category: "permanent", reason: "invalid_state" });
        });

        it("an unknown policy is not_found", async () => {
          const err = await failureOf(() =>
            f.api.copyAutoSnapshotPolicyCrossAccount({
              policyId: ar().missingPolicyId,
              region: ar().policy.region,
              targetAccountUin: f.destination.accountUin,
            }),
          );
          expect(err).toMatchObject({ category: "permanent", reason: "not_found" });
        });
      }

      if (options.links) {
        it("a fired policy's snapshots carry its id, and their copies pair with them (decision 015)", async () => {
          const fire = ar().fireNow;
          const link = ar().link;
          if (!fire || !link || link.policyId !== ar().policy.policyId) return;
          const since = Date.now() - 1000;
          await fire();
          const ofDisks = await f.api.listSnapshotsOfDisks(ar().policy.region, ar().policy.diskIds, {
            createdAfter: since,
          });
          // Manual snapshots of the same disks may be there too: the policy's carry its id.
          const taken = ofDisks.filter((s) => s.autoSnapshotPolicyId === ar().policy.policyId);
          expect(taken.map((s) => s.diskId).sort()).toEqual([...ar().policy.diskIds].sort());
          const copies = await f.api.listDestinationSnapshots(f.destination, ar().policy.region, {
            createdAfter: since,
          });
          const pairs = pairCopies(taken, copies);
          expect(pairs.map((p) => p.copy !== undefined && p.confidence)).toEqual(taken.map(() => "exact"));
        });
      }
    });

    if (options.copies) {
      it("copySnapshotCrossAccount returns the new snapshot's id and the request id", async () => {
        const copy = f.copy;
        if (!copy) throw new Error("the setup promised copies but gave no copy target");
        const accepted = await f.api.copySnapshotCrossAccount({
          snapshotId: f.sourceSnapshot.snapshotId,
          region: f.sourceSnapshot.region,
          targetAccountUin: copy.targetAccountUin,
          newName: copy.newName,
        });
        expect(accepted.newSnapshotId).toMatch(/^snap-[a-z0-9]+$/);
        expect(accepted.newSnapshotId).not.toBe(f.sourceSnapshot.snapshotId);
        expect(accepted.requestId).toEqual(expect.any(String));
        expect(accepted.requestId).not.toBe("");
      });
    }

    it("a copy of an unknown snapshot fails for good: permanent, not_found, with the request id", async () => {
      const err = await failureOf(() =>
        f.api.copySnapshotCrossAccount({
          snapshotId: f.missingSnapshotId,
          region: f.sourceSnapshot.region,
          targetAccountUin: f.copy?.targetAccountUin ?? f.destination.accountUin,
          newName: "contract-never-made",
        }),
      );
      expect(err).toMatchObject({ category: "permanent", reason: "not_found", retryable: false });
      expect(err.code).not.toBe("");
      expect(err.requestId).toEqual(expect.any(String));
    });

    if (options.faults) {
      describe("classified failures", () => {
        it("a throttled answer is category throttled", async () => {
          await faults().throttleNext("DescribeSnapshots");
          const err = await failureOf(() =>
            f.api.findSourceSnapshot(f.sourceSnapshot.snapshotId, [f.sourceSnapshot.region]),
          );
          expect(err).toMatchObject({ category: "throttled", retryable: true });
        });

        it("an internal error is maybe_sent: the call may have run", async () => {
          await faults().internalErrorNext("ListCollaborators");
          const err = await failureOf(() => f.api.listCollaborators());
          expect(err).toMatchObject({ category: "maybe_sent", retryable: true });
        });

        it("a malformed answer is permanent unexpected_response", async () => {
          await faults().malformedNext("ListAttachedUserAllPolicies");
          const err = await failureOf(() => f.api.listAttachedPolicies(f.policyHolder.uin));
          expect(err).toMatchObject({ category: "permanent", reason: "unexpected_response" });
          await faults().clear();
          // The next, well-formed answer is read again (nothing stuck in the adapter).
          expect((await f.api.listAttachedPolicies(f.policyHolder.uin)).length).toBeGreaterThan(0);
        });
      });
    }
  });
}
