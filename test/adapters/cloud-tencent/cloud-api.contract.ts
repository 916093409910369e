import { beforeAll, describe, expect, it } from "vitest";
import { type CloudApi, CloudError, type DestinationReader } from "../../../src/core/ports/cloud-api.port.js";

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
