import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { startTencentSimulator, type TencentSimulator } from "../../../dev/tencent-simulator/index.js";
import {
  camActionOf,
  TENCENT_ACTIONS_CALLED,
  type TencentPrincipal,
} from "../../../src/adapters/cloud-tencent/tencent-actions.js";
import {
  TencentCaller,
  type TencentCredentials,
  type TencentService,
} from "../../../src/adapters/cloud-tencent/tencent-client.js";
import { TencentCloudAdapter } from "../../../src/adapters/cloud-tencent/tencent-cloud.adapter.js";
import {
  evaluatePolicy,
  parsePolicyDocument,
  type ResourceTarget,
} from "../../../src/core/cam/cam-policy.evaluator.js";

/**
 * Least privilege, checked three ways against the one list of actions the adapter calls
 * (`TENCENT_ACTIONS_CALLED`): the source code names exactly those actions; driving every method of
 * the adapter calls exactly those actions as the listed principal; and the shipped policies grant
 * exactly them, per principal, as the project's own CAM evaluator reads them.
 */

const root = new URL("../../../", import.meta.url);
const readText = (path: string) => readFileSync(new URL(path, root), "utf8");
const example = parseYaml(readText("bot.config.example.yml")) as {
  source: { accountUin: string };
  destinations: Record<string, { accountUin: string; readRoleArn?: string }>;
};
const SOURCE_UIN = example.source.accountUin;

const POLICY_OF: Record<TencentPrincipal, string> = {
  source: "policies/bot-source-account.json",
  "read-role": "policies/destination-read-role.json",
};

const key = (service: string, action: string, as?: string) => [service, action, as ?? ""].join(" ");
const listed = (principal?: TencentPrincipal) =>
  TENCENT_ACTIONS_CALLED.filter(
    (a) => principal === undefined || (a.as as readonly string[]).includes(principal),
  );

function sourceFiles(dir: string): string[] {
  return readdirSync(new URL(dir, root), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

describe("TENCENT_ACTIONS_CALLED", () => {
  it("lists each action once", () => {
    const names = TENCENT_ACTIONS_CALLED.map((a) => key(a.service, a.action));
    expect(new Set(names).size).toBe(names.length);
  });

  it("is exactly what the source code calls (every call names its service and action literally)", () => {
    const called = new Set<string>();
    const unnamed: string[] = [];
    for (const file of sourceFiles("src")) {
      const text = readText(file);
      if (file.startsWith(join("src", "adapters", "cloud-tencent"))) {
        for (const m of text.matchAll(/\bcaller\s*\.\s*call\(\s*([^,)]*),\s*([^,)]*)/g)) {
          const [service, action] = [m[1]?.trim() ?? "", m[2]?.trim() ?? ""];
          if (!/^"\w+"$/.test(service) || !/^"\w+"$/.test(action))
            unnamed.push(`${file}: .call(${service}, ${action}`);
        }
      } else if (/tencentcloud-sdk-nodejs/.test(text)) {
        unnamed.push(`${file} uses the Tencent SDK outside src/adapters/cloud-tencent`);
      }
      for (const m of text.matchAll(/\.call\(\s*"(cbs|cam|sts)"\s*,\s*"(\w+)"/g))
        called.add(key(m[1] ?? "", m[2] ?? ""));
    }
    expect(unnamed).toEqual([]);
    expect([...called].sort()).toEqual(TENCENT_ACTIONS_CALLED.map((a) => key(a.service, a.action)).sort());
  });
});

describe("the adapter, driven through every method against the simulator", () => {
  const DEST = Object.values(example.destinations)[0]?.accountUin ?? "";
  let sim: TencentSimulator;
  let readRoleArn = "";
  const calls = new Set<string>();

  /** The real caller, noting who makes each call (a read role's credentials carry a token). */
  class RecordingCaller extends TencentCaller {
    override call(
      service: TencentService,
      action: Parameters<TencentCaller["call"]>[1],
      params: Record<string, unknown>,
      credentials: TencentCredentials,
      ...rest: [string?, { notAfter?: number }?]
    ): Promise<Record<string, unknown>> {
      calls.add(key(service, action, credentials.token ? "read-role" : "source"));
      return super.call(service, action, params, credentials, ...rest);
    }
  }

  beforeAll(async () => {
    sim = await startTencentSimulator({ copyDurationMs: 60_000 });
    const { state } = sim;
    state.addAccount({ uin: SOURCE_UIN, secretId: "AKIDsrc", secretKey: "src-key" });
    state.addAccount({ uin: DEST, secretId: "AKIDdst", secretKey: "dst-key" });
    const seed = (uin: string, snapshotId: string, name: string) =>
      state.addSnapshot(uin, {
        snapshotId,
        region: "ap-shanghai",
        name,
        diskId: "disk-aaaa1111",
        diskSize: 50,
        diskUsage: "DATA_DISK",
        encrypt: false,
      });
    seed(SOURCE_UIN, "snap-src00001", "nightly");
    seed(DEST, "snap-dst00001", "dr-copy-1");
    readRoleArn = state.addRole(DEST, "snapshot-bot-reader");
    state.addCollaborator(SOURCE_UIN, DEST);
    state.addPolicy(SOURCE_UIN, {
      policyId: 501,
      name: "CopyOnly",
      type: "custom",
      document: readText("policies/minimal-cross-account-copy.json"),
    });
    state.attachUserPolicy(SOURCE_UIN, DEST, 501);
    state.addAutoSnapshotPolicy(SOURCE_UIN, {
      id: "asp-least001",
      name: "nightly",
      region: "ap-shanghai",
      diskIds: ["disk-aaaa1111"],
      hours: [3],
      daysOfWeek: [],
      retentionDays: 7,
    });
  });
  afterAll(async () => {
    await sim?.close();
  });

  /**
   * One call of every method. A method added to the adapter fails the test below until it is
   * added here, so the calls it makes are recorded too.
   */
  const METHODS: Record<string, (api: TencentCloudAdapter) => Promise<unknown>> = {
    findSourceSnapshot: (api) => api.findSourceSnapshot("snap-src00001", ["ap-shanghai"]),
    copySnapshotCrossAccount: (api) =>
      api.copySnapshotCrossAccount({
        snapshotId: "snap-src00001",
        region: "ap-shanghai",
        targetAccountUin: DEST,
        newName: "least-privilege-copy",
      }),
    describeDestinationSnapshots: (api) =>
      api.describeDestinationSnapshots({ accountUin: DEST, readRoleArn }, "ap-shanghai", ["snap-dst00001"]),
    checkReadRole: (api) => api.checkReadRole({ accountUin: DEST, readRoleArn }, "ap-shanghai"),
    findDestinationSnapshotsByName: (api) =>
      api.findDestinationSnapshotsByName({ accountUin: DEST, readRoleArn }, "ap-shanghai", "dr-copy-1"),
    listCollaborators: (api) => api.listCollaborators(),
    listAttachedPolicies: (api) => api.listAttachedPolicies(DEST),
    getPolicyDocument: (api) => api.getPolicyDocument("501"),
    shareSnapshot: (api) =>
      api.shareSnapshot({ snapshotId: "snap-src00001", region: "ap-shanghai", accountUin: DEST }),
    listSnapshotShares: (api) => api.listSnapshotShares("snap-src00001", "ap-shanghai"),
    findAutoSnapshotPolicy: (api) => api.findAutoSnapshotPolicy("asp-least001", ["ap-shanghai"]),
    listAutoSnapshotPolicies: (api) => api.listAutoSnapshotPolicies(["ap-shanghai"]),
    copyAutoSnapshotPolicyCrossAccount: (api) =>
      api.copyAutoSnapshotPolicyCrossAccount({
        policyId: "asp-least001",
        region: "ap-shanghai",
        targetAccountUin: DEST,
      }),
    listSnapshotsOfDisks: (api) => api.listSnapshotsOfDisks("ap-shanghai", ["disk-aaaa1111"]),
    listDestinationAutoSnapshotPolicies: (api) =>
      api.listDestinationAutoSnapshotPolicies({ accountUin: DEST, readRoleArn }, "ap-shanghai"),
    listDestinationSnapshots: (api) =>
      api.listDestinationSnapshots({ accountUin: DEST, readRoleArn }, "ap-shanghai"),
  };
  /** Private helpers, reached through the methods above. */
  const HELPERS = [
    "constructor",
    "describeSnapshots",
    "describeSnapshotPages",
    "describeAutoSnapshotPolicies",
    "assumeReadRole",
  ];

  it("has a case here for every method of TencentCloudAdapter", () => {
    const methods = Object.getOwnPropertyNames(TencentCloudAdapter.prototype).filter(
      (m) => !HELPERS.includes(m),
    );
    expect(methods.sort()).toEqual(Object.keys(METHODS).sort());
  });

  it("calls exactly the listed actions, each as the listed principal", async () => {
    const api = new TencentCloudAdapter({
      caller: new RecordingCaller({ apiEndpoint: sim.url }),
      sourceCredentials: { secretId: "AKIDsrc", secretKey: "src-key", accountUin: SOURCE_UIN },
    });
    for (const run of Object.values(METHODS)) await run(api);
    const expected = TENCENT_ACTIONS_CALLED.flatMap((a) => a.as.map((as) => key(a.service, a.action, as)));
    expect([...calls].sort()).toEqual(expected.sort());
  });
});

/** What the evaluator is asked for each action: resources in the account the principal acts in. */
function targetsOf(service: TencentService, action: string, principal: TencentPrincipal): ResourceTarget[] {
  if (service === "sts" && action === "AssumeRole") {
    // The read role of every destination in the example configuration.
    return Object.values(example.destinations).flatMap((d) => {
      const name = d.readRoleArn?.split("roleName/")[1];
      return name
        ? [{ service: "cam", ownerUin: d.accountUin, resourceType: "roleName", resourceId: name }]
        : [];
    });
  }
  const owner =
    principal === "source" ? SOURCE_UIN : (Object.values(example.destinations)[0]?.accountUin ?? "");
  return [
    {
      service: service === "cbs" ? "cvm" : service,
      ownerUin: owner,
      resourceType: service === "cbs" ? "snapshot" : "*",
      region: "ap-shanghai",
    },
  ];
}

describe.each(["source", "read-role"] as const)("the shipped policy for the %s", (principal) => {
  const path = POLICY_OF[principal];
  const document = readText(path);

  it("allows every action called with these credentials (the project's CAM evaluator)", () => {
    for (const { service, action } of listed(principal)) {
      const targets = targetsOf(service, action, principal);
      expect(targets.length, `${action}: no target to evaluate`).toBeGreaterThan(0);
      for (const target of targets) {
        expect(
          evaluatePolicy(document, camActionOf(service, action), target, path),
          `${path}: ${action}`,
        ).toMatchObject({
          kind: "allow",
        });
      }
    }
  });

  it("allows nothing else: no wildcard action, no deny, every action named is called", () => {
    const parsed = parsePolicyDocument(document);
    if (!parsed.ok) throw new Error(`${path}: ${parsed.problem}`);
    const wanted = new Set(listed(principal).map((a) => camActionOf(a.service, a.action).toLowerCase()));
    const named = parsed.statements.flatMap((s) => {
      expect(s.effect).toBe("allow");
      expect(s.condition).toBeUndefined();
      return s.actions.map((a) => a.replace(/^name\//i, ""));
    });
    for (const action of named) expect(action, `${path}: wildcard`).not.toMatch(/[*?]/);
    expect(named.map((a) => a.toLowerCase()).sort()).toEqual([...wanted].sort());
  });
});

describe("the source policy's AssumeRole", () => {
  const document = readText(POLICY_OF.source);
  it("reaches only the read roles, not any role of the destination", () => {
    const [first] = Object.values(example.destinations);
    const other = {
      service: "cam",
      ownerUin: first?.accountUin ?? "",
      resourceType: "roleName",
      resourceId: "admin",
    };
    expect(evaluatePolicy(document, "sts:AssumeRole", other).kind).toBe("deny");
    const stranger = { ...other, ownerUin: "999999999999", resourceId: "snapshot-bot-reader" };
    expect(evaluatePolicy(document, "sts:AssumeRole", stranger).kind).toBe("deny");
  });
});

describe("the destination read role's trust policy", () => {
  it("lets the source account, and only it, assume the role", () => {
    const trust = JSON.parse(readText("policies/destination-read-role.trust.json")) as {
      version: string;
      statement: Array<{ effect: string; action: string | string[]; principal: { qcs: string[] } }>;
    };
    expect(trust.version).toBe("2.0");
    expect(trust.statement).toHaveLength(1);
    const [statement] = trust.statement;
    expect(statement?.effect).toBe("allow");
    expect([statement?.action].flat().map((a) => a?.replace(/^name\//, ""))).toEqual(["sts:AssumeRole"]);
    expect(statement?.principal.qcs).toEqual([`qcs::cam::uin/${SOURCE_UIN}:root`]);
  });
});

describe("the collaborator's grant (policies/minimal-cross-account-copy.json)", () => {
  it("is the two actions Tencent's guide requires, nothing more", () => {
    const parsed = parsePolicyDocument(readText("policies/minimal-cross-account-copy.json"));
    if (!parsed.ok) throw new Error(parsed.problem);
    expect(parsed.statements.flatMap((s) => s.actions).sort()).toEqual([
      "cvm:CopyAutoSnapshotPolicyCrossAccount",
      "cvm:CopySnapshotCrossAccount",
    ]);
  });
});
