import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTencentSimulator, type TencentSimulator } from "../../dev/tencent-simulator/index.js";
import { TencentCaller } from "../../src/adapters/cloud-tencent/tencent-client.js";
import { TencentCloudAdapter } from "../../src/adapters/cloud-tencent/tencent-cloud.adapter.js";
import { CamCache, createCamReader } from "../../src/core/cam/cam-cache.js";

const SOURCE = "100000000001";
const DEST = "200000000002";
const MANY = "200000000009";

/** The real adapter and SDK against the simulator; CAM calls are counted where they arrive. */
describe("CAM cache", () => {
  let sim: TencentSimulator;
  let adapter: TencentCloudAdapter;
  let nowMs = Date.parse("2026-11-25T10:00:00Z");
  const clock = { now: () => new Date(nowMs) };
  const camCalls = () =>
    sim.calls.filter((c) =>
      ["ListCollaborators", "ListAttachedUserAllPolicies", "GetPolicy"].includes(c.action),
    ).length;

  beforeAll(async () => {
    // These tests are about the cache, not pacing: lift CAM's limits (5/s and 20/s) out of the way.
    sim = await startTencentSimulator({
      rateLimitOverrides: { GetPolicy: 10_000, ListAttachedUserAllPolicies: 10_000 },
    });
    sim.state.addAccount({ uin: SOURCE, secretId: "AKIDsrc", secretKey: "src-key" });
    sim.state.addCollaborator(SOURCE, DEST);
    sim.state.addCollaborator(SOURCE, MANY);
    sim.state.addPolicy(SOURCE, {
      policyId: 501,
      name: "Direct",
      type: "custom",
      document:
        '{"version":"2.0","statement":{"effect":"allow","action":"cvm:CopySnapshotCrossAccount","resource":"*"}}',
    });
    sim.state.addPolicy(SOURCE, {
      policyId: 502,
      name: "ViaGroup",
      type: "custom",
      document: '{"version":"2.0","statement":{"effect":"deny","action":"cvm:Describe*","resource":"*"}}',
    });
    sim.state.attachUserPolicy(SOURCE, DEST, 501);
    sim.state.attachUserPolicy(SOURCE, DEST, 2);
    sim.state.addGroup(SOURCE, { groupId: 9, name: "dr-operators", members: [DEST] });
    sim.state.attachGroupPolicy(SOURCE, 9, 502);
    for (let i = 0; i < 210; i++) sim.state.addCollaborator(SOURCE, String(300000000000 + i));
    for (let i = 0; i < 205; i++) {
      sim.state.addPolicy(SOURCE, {
        policyId: 1000 + i,
        name: `P${i}`,
        type: "custom",
        document: '{"version":"2.0","statement":[]}',
      });
      sim.state.attachUserPolicy(SOURCE, MANY, 1000 + i);
    }
    adapter = new TencentCloudAdapter({
      caller: new TencentCaller({ apiEndpoint: sim.url }),
      sourceCredentials: { secretId: "AKIDsrc", secretKey: "src-key" },
    });
  });
  afterAll(async () => {
    await sim?.close();
  });

  it("reads direct, preset and group policies with their documents, every page", async () => {
    const reader = createCamReader(adapter, undefined);
    const collaborators = await reader.listCollaboratorUins();
    expect(collaborators).toHaveLength(212);
    expect(collaborators).toEqual(expect.arrayContaining([DEST, MANY, "300000000209"]));
    expect(sim.callsOf("ListCollaborators").map((c) => c.params.Offset)).toEqual([0, 200]);
    const policies = await reader.readAttachedPolicies(DEST);
    expect(policies.map((p) => [p.name, p.preset, p.groups])).toEqual(
      expect.arrayContaining([
        ["Direct", false, []],
        ["QcloudCVMFullAccess", true, []],
        ["ViaGroup", false, ["dr-operators"]],
      ]),
    );
    expect(policies.find((p) => p.name === "QcloudCVMFullAccess")?.document).toContain("cvm:*");
    const listCall = sim.callsOf("ListAttachedUserAllPolicies").at(-1);
    expect(listCall?.params).toMatchObject({ TargetUin: Number(DEST), AttachType: 0, Rp: 200, Page: 1 });

    const before = sim.callsOf("ListAttachedUserAllPolicies").length;
    expect(await reader.readAttachedPolicies(MANY)).toHaveLength(205);
    const pages = sim.callsOf("ListAttachedUserAllPolicies").slice(before);
    expect(pages.map((c) => c.params.Page)).toEqual([1, 2]);
  });

  it("a burst shares one look-up; within the TTL nothing is asked again; after it, once more", async () => {
    const cache = new CamCache({ ttlMs: 30_000, clock });
    const reader = createCamReader(adapter, cache);
    const start = camCalls();
    await Promise.all(
      Array.from({ length: 30 }, () =>
        Promise.all([reader.listCollaboratorUins(), reader.readAttachedPolicies(DEST)]),
      ),
    );
    // 2 ListCollaborators pages + 1 ListAttachedUserAllPolicies + 3 GetPolicy, not 30 times that.
    expect(camCalls() - start).toBe(6);
    nowMs += 29_000;
    await createCamReader(adapter, cache).readAttachedPolicies(DEST);
    expect(camCalls() - start).toBe(6);
    nowMs += 2_000;
    await createCamReader(adapter, cache).readAttachedPolicies(DEST);
    expect(camCalls() - start).toBe(10);
  });

  it("an answer older than notBefore is not used, and the fresh one serves everyone after", async () => {
    const cache = new CamCache({ ttlMs: 60_000, clock });
    await createCamReader(adapter, cache).readAttachedPolicies(DEST);
    sim.state.detachUserPolicy(SOURCE, DEST, 501);
    nowMs += 1_000;
    const stale = await createCamReader(adapter, cache).readAttachedPolicies(DEST);
    expect(stale.map((p) => p.name)).toContain("Direct");
    const fresh = await createCamReader(adapter, cache, { notBefore: nowMs }).readAttachedPolicies(DEST);
    expect(fresh.map((p) => p.name)).not.toContain("Direct");
    const after = await createCamReader(adapter, cache).readAttachedPolicies(DEST);
    expect(after.map((p) => p.name)).not.toContain("Direct");
    sim.state.attachUserPolicy(SOURCE, DEST, 501);
  });

  it("never keeps a failure: the next reader asks again", async () => {
    const cache = new CamCache({ ttlMs: 60_000, clock });
    sim.state.injectFault({ action: "ListAttachedUserAllPolicies", code: "RequestLimitExceeded", times: 1 });
    const reader = createCamReader(adapter, cache);
    await expect(reader.readAttachedPolicies(DEST)).rejects.toMatchObject({
      code: "RequestLimitExceeded",
      category: "throttled",
    });
    expect((await reader.readAttachedPolicies(DEST)).length).toBeGreaterThan(0);
    sim.state.clearFaults();
  });
});
