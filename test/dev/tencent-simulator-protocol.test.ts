import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  buildSignedHeaders,
  CAM_VERSION,
  CBS_VERSION,
  startTencentSimulator,
  type TencentSimulator,
} from "../../dev/tencent-simulator/index.js";

const ACCOUNT = {
  uin: "100000000001",
  secretId: "AKIDsource000000000000000000000001",
  secretKey: "source-key",
};
const REGION = "ap-guangzhou";

interface Envelope {
  Response: Record<string, unknown> & { RequestId: string; Error?: { Code: string; Message: string } };
}

interface RawCall {
  action?: string;
  version?: string;
  region?: string;
  body?: string;
  timestamp?: number;
  secretKey?: string;
  method?: string;
  tamper?: (headers: Record<string, string>) => void;
}

let sim: TencentSimulator;

beforeEach(async () => {
  sim = await startTencentSimulator();
  sim.state.addAccount(ACCOUNT);
});

afterEach(async () => {
  await sim.close();
});

/** A hand-signed request, to reach the corners the SDK never produces. */
async function send(call: RawCall = {}): Promise<Envelope> {
  const body = call.body ?? "{}";
  const { Host: _host, ...headers } = buildSignedHeaders({
    secretId: ACCOUNT.secretId,
    secretKey: call.secretKey ?? ACCOUNT.secretKey,
    service: "cbs",
    host: sim.endpoint,
    action: call.action ?? "DescribeSnapshots",
    version: call.version ?? CBS_VERSION,
    body,
    ...(call.region === "" ? {} : { region: call.region ?? REGION }),
    ...(call.timestamp === undefined ? {} : { timestamp: call.timestamp }),
  });
  call.tamper?.(headers);
  const method = call.method ?? "POST";
  const response = await fetch(`${sim.url}/`, { method, headers, ...(method === "POST" ? { body } : {}) });
  return (await response.json()) as Envelope;
}

function codeOf(envelope: Envelope): string | undefined {
  return envelope.Response.Error?.Code;
}

describe("protocol", () => {
  it("answers a correctly signed request in the Response envelope", async () => {
    const answer = await send();

    expect(answer.Response).toEqual({ TotalCount: 0, SnapshotSet: [], RequestId: expect.any(String) });
  });

  it.each([
    ["an old timestamp", { timestamp: Math.floor(Date.now() / 1000) - 301 }, "AuthFailure.SignatureExpire"],
    ["a wrong secret key", { secretKey: "other" }, "AuthFailure.SignatureFailure"],
    [
      "a garbled Authorization",
      { tamper: (h: Record<string, string>) => Object.assign(h, { Authorization: "Bearer x" }) },
      "AuthFailure.InvalidAuthorization",
    ],
    ["no region for CBS", { region: "" }, "MissingParameter"],
    ["a malformed region", { region: "Guangzhou" }, "UnsupportedRegion"],
    ["an unknown action", { action: "DescribeDisks" }, "InvalidAction"],
    ["an unknown version", { version: "2099-01-01" }, "NoSuchVersion"],
    ["an unknown parameter", { body: '{"SnapshotID":["snap-aaaa0001"]}' }, "UnknownParameter"],
    ["a parameter of the wrong type", { body: '{"Limit":"20"}' }, "InvalidParameter"],
    ["a body that is not an object", { body: "[1]" }, "InvalidParameter"],
    ["a GET", { method: "GET" }, "UnsupportedProtocol"],
  ])("refuses %s", async (_label, call, code) => {
    expect(codeOf(await send(call))).toBe(code);
  });

  it("refuses a body changed after signing", async () => {
    const body = '{"Limit":1}';
    const { Host: _host, ...headers } = buildSignedHeaders({
      ...ACCOUNT,
      service: "cbs",
      host: sim.endpoint,
      action: "DescribeSnapshots",
      version: CBS_VERSION,
      region: REGION,
      body,
    });

    const response = await fetch(`${sim.url}/`, { method: "POST", headers, body: '{"Limit":2}' });

    expect(codeOf((await response.json()) as Envelope)).toBe("AuthFailure.SignatureFailure");
  });

  it("reports a missing required parameter by name", async () => {
    const answer = await send({ version: CAM_VERSION, action: "GetPolicy", region: "" });

    expect(answer.Response.Error).toEqual({
      Code: "MissingParameter",
      Message: "The request is missing a required parameter `PolicyId`.",
    });
  });
});

describe("admin view", () => {
  it("shows state without secrets", async () => {
    await send();

    const response = await fetch(`${sim.url}/__sim/state`);
    const text = await response.text();

    expect(response.status).toBe(200);
    expect(text).not.toContain(ACCOUNT.secretKey);
    expect(text).not.toContain(ACCOUNT.secretId);
    expect(JSON.parse(text)).toMatchObject({
      accounts: [
        { uin: ACCOUNT.uin, policies: [{ name: "AdministratorAccess" }, { name: "QcloudCVMFullAccess" }] },
      ],
      totalCalls: 1,
    });
  });
});
