import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { startTencentSimulator, type TencentSimulator } from "../../../dev/tencent-simulator/index.js";
import {
  camActionOf,
  TENCENT_ACTIONS_CALLED,
  type TencentPrincipal,
} from "../../../src/adapters/cloud-tencent/tencent-actions.js";
import { TencentCaller } from "../../../src/adapters/cloud-tencent/tencent-client.js";
import { TencentCloudAdapter } from "../../../src/adapters/cloud-tencent/tencent-cloud.adapter.js";
import { type CloudApiContractFixture, describeCloudApiContract } from "./cloud-api.contract.js";

const SOURCE = "100000000001";
const DEST = "200000000002";

/**
 * The real adapter and the real SDK against the simulator. A small proxy sits between them so an
 * answer can be made malformed (the simulator itself always answers in the documented shape).
 */
let sim: TencentSimulator | undefined;
let proxy: http.Server | undefined;
const malformed = new Set<string>();

afterAll(async () => {
  await new Promise<void>((resolve) => (proxy ? proxy.close(() => resolve()) : resolve()));
  await sim?.close();
});

async function startProxy(target: URL): Promise<string> {
  proxy = http.createServer((req, res) => {
    const action = String(req.headers["x-tc-action"] ?? "");
    const forwarded = http.request(
      { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
      (answer) => {
        if (!malformed.has(action)) {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
          return;
        }
        malformed.delete(action);
        const chunks: Buffer[] = [];
        answer.on("data", (chunk: Buffer) => chunks.push(chunk));
        answer.on("end", () => {
          // The same answer with every list turned into text: a shape the API does not document.
          const parsed = JSON.parse(Buffer.concat(chunks).toString("utf8")) as {
            Response: Record<string, unknown>;
          };
          const broken = Object.fromEntries(
            Object.entries(parsed.Response).map(([k, v]) => [k, Array.isArray(v) ? "not a list" : v]),
          );
          const body = JSON.stringify({ Response: broken });
          res.writeHead(200, {
            "Content-Type": "application/json",
            "Content-Length": Buffer.byteLength(body),
          });
          res.end(body);
        });
      },
    );
    forwarded.on("error", () => res.destroy());
    req.pipe(forwarded);
  });
  await new Promise<void>((resolve) => proxy?.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
}

async function setup(): Promise<CloudApiContractFixture> {
  const s = await startTencentSimulator({ copyDurationMs: 60_000 });
  sim = s;
  const { state } = s;
  state.addAccount({ uin: SOURCE, secretId: "AKIDsrc", secretKey: "src-key" });
  state.addAccount({ uin: DEST, secretId: "AKIDdst", secretKey: "dst-key" });
  const seed = (uin: string, snapshotId: string, region: string, name: string) =>
    state.addSnapshot(uin, {
      snapshotId,
      region,
      name,
      diskId: "disk-aaaa1111",
      diskSize: 50,
      diskUsage: "DATA_DISK",
      encrypt: false,
    });
  seed(SOURCE, "snap-src00001", "ap-shanghai", "nightly");
  seed(SOURCE, "snap-other001", "ap-guangzhou", "elsewhere");
  seed(DEST, "snap-dst00001", "ap-shanghai", "dr-copy-1");
  seed(DEST, "snap-dst00002", "ap-shanghai", "dr-copy-2");
  const readRoleArn = state.addRole(DEST, "snapshot-bot-reader");

  state.addCollaborator(SOURCE, DEST);
  const others = Array.from({ length: 230 }, (_, i) => String(300000000000 + i));
  for (const uin of others) state.addCollaborator(SOURCE, uin);
  state.addPolicy(SOURCE, {
    policyId: 501,
    name: "CopyOnly",
    type: "custom",
    document:
      '{"version":"2.0","statement":{"effect":"allow","action":["cvm:CopySnapshotCrossAccount","cvm:CopyAutoSnapshotPolicyCrossAccount"],"resource":"*"}}',
  });
  state.addPolicy(SOURCE, {
    policyId: 502,
    name: "ViaGroup",
    type: "custom",
    document:
      '{"version":"2.0","statement":{"effect":"allow","action":"cvm:DescribeSnapshots","resource":"*"}}',
  });
  state.attachUserPolicy(SOURCE, DEST, 501);
  state.addGroup(SOURCE, { groupId: 9, name: "dr-operators", members: [DEST] });
  state.attachGroupPolicy(SOURCE, 9, 502);

  // Scheduled policies: one to find, link and fire (two disks), a page and more of others, one
  // linked elsewhere, one in another region, and one of the destination's linked to the source
  // (which the source sees, but does not own).
  const policy = (id: string, region: string, diskIds: string[]) => ({
    id,
    name: `policy-${id}`,
    region,
    diskIds,
    hours: [3],
    daysOfWeek: [],
    retentionDays: 7,
  });
  const POLICY_DISKS = ["disk-aaaa1111", "disk-bbbb2222"];
  state.addAutoSnapshotPolicy(SOURCE, policy("asp-contr001", "ap-shanghai", POLICY_DISKS));
  for (let i = 0; i < 104; i++)
    state.addAutoSnapshotPolicy(SOURCE, policy(`asp-f${String(i).padStart(7, "0")}`, "ap-shanghai", []));
  state.addAutoSnapshotPolicy(SOURCE, policy("asp-elsew001", "ap-shanghai", []));
  state.setAutoSnapshotPolicyCopyTarget(SOURCE, "asp-elsew001", others[0] ?? "");
  state.addAutoSnapshotPolicy(SOURCE, policy("asp-guang001", "ap-guangzhou", ["disk-other001"]));
  state.addAutoSnapshotPolicy(DEST, policy("asp-dstp0001", "ap-shanghai", []));
  state.setAutoSnapshotPolicyCopyTarget(DEST, "asp-dstp0001", SOURCE);
  // Earlier snapshots of the policy's disks (before it was linked: no copies).
  for (let hoursAgo = 1; hoursAgo <= 3; hoursAgo++)
    state.firePolicy(SOURCE, "asp-contr001", Date.now() - hoursAgo * 3_600_000);
  // More than a page of destination snapshots, older than the rest.
  for (let i = 0; i < 110; i++)
    state.addSnapshot(DEST, {
      snapshotId: `snap-d${String(i).padStart(7, "0")}`,
      region: "ap-shanghai",
      name: `older-${i}`,
      diskId: "disk-dddd0000",
      diskSize: 20,
      diskUsage: "DATA_DISK",
      encrypt: false,
      createTime: "2024-01-01 00:00:00",
    });

  const endpoint = await startProxy(new URL(s.url));
  const api = new TencentCloudAdapter({
    caller: new TencentCaller({ apiEndpoint: endpoint }),
    sourceCredentials: { secretId: "AKIDsrc", secretKey: "src-key", accountUin: SOURCE },
  });
  return {
    api,
    regions: ["ap-guangzhou", "ap-beijing", "ap-shanghai"],
    sourceSnapshot: { snapshotId: "snap-src00001", region: "ap-shanghai" },
    missingSnapshotId: "snap-nothere1",
    copy: { targetAccountUin: DEST, newName: "contract-copy" },
    destination: { accountUin: DEST, readRoleArn, region: "ap-shanghai" },
    destinationSnapshotIds: ["snap-dst00001", "snap-dst00002"],
    destinationSnapshotName: "dr-copy-1",
    collaboratorUins: [DEST, others[0] ?? "", others[229] ?? ""],
    collaboratorCount: 231,
    policyHolder: {
      uin: DEST,
      policyNames: ["CopyOnly", "ViaGroup"],
      groupPolicy: { name: "ViaGroup", group: "dr-operators" },
    },
    policy: { policyId: "501", documentContains: "cvm:CopySnapshotCrossAccount" },
    deletedPolicyId: "503",
    autoReplication: {
      policy: { policyId: "asp-contr001", region: "ap-shanghai", diskIds: POLICY_DISKS },
      missingPolicyId: "asp-nothere1",
      policyCountInRegion: 106,
      destinationSnapshotCount: 112,
      link: { policyId: "asp-contr001", linkedElsewherePolicyId: "asp-elsew001" },
      fireNow: async () => {
        state.firePolicy(SOURCE, "asp-contr001");
      },
    },
    faults: {
      throttleNext: (action) => state.injectFault({ action, code: "RequestLimitExceeded", times: 1 }),
      internalErrorNext: (action) => state.injectFault({ action, code: "InternalError", times: 1 }),
      malformedNext: (action) => {
        malformed.add(action);
      },
      clear: () => {
        malformed.clear();
        state.clearFaults();
      },
    },
  };
}

describeCloudApiContract("Tencent adapter (real SDK) against the simulator", setup, {
  faults: true,
  copies: true,
  links: true,
});

// Runs after the contract (same file, in order): what it called is what the CAM lists say.
describe("the actions the adapter calls", () => {
  it("are the listed ones, by identity: the source's key and the destination's read role", () => {
    const calls = sim?.calls ?? [];
    expect(calls.length).toBeGreaterThan(0);
    const allowedAs = (principal: TencentPrincipal) =>
      TENCENT_ACTIONS_CALLED.filter((a) => (a.as as readonly string[]).includes(principal)).map((a) =>
        camActionOf(a.service, a.action),
      );
    for (const call of calls) {
      const name = camActionOf(
        call.service === "cam" || call.service === "sts" ? call.service : "cbs",
        call.action,
      );
      if (call.roleArn) expect(allowedAs("read-role")).toContain(name);
      else if (call.accountUin === SOURCE) expect(allowedAs("source")).toContain(name);
    }
    // That every listed action is called at all is tencent-actions.test.ts's job.
  });
});
