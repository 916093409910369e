/**
 * Tencent Cloud API 3.0 simulator: an HTTP server (node:http) that speaks the real wire protocol,
 * so the real `tencentcloud-sdk-nodejs` clients run against it unchanged
 * (`profile.httpProfile = { endpoint: sim.endpoint, protocol: "http://", reqMethod: "POST" }`).
 *
 * Modelled on the Tencent Cloud API reference (docs/architecture.md, "Cloud calls"):
 * - Protocol: `POST /` with a JSON body, routed by `X-TC-Version` (CBS 2017-03-12, CAM 2019-01-16,
 *   STS 2018-08-13) and `X-TC-Action`; TC3-HMAC-SHA256 verified with the service named in the
 *   credential scope and the host without port; ±5 min timestamp window (wall clock) →
 *   `AuthFailure.SignatureExpire`; unknown key → `AuthFailure.SecretIdNotFound`; bad signature →
 *   `AuthFailure.SignatureFailure`; malformed/missing Authorization → `AuthFailure.InvalidAuthorization`;
 *   temporary credentials without their `X-TC-Token`, or expired (cloud clock) →
 *   `AuthFailure.TokenFailure`. Envelopes `{"Response": {..., "RequestId"}}`, errors with HTTP 200.
 *   Unknown version → `NoSuchVersion`, unknown action → `InvalidAction`, unknown parameter →
 *   `UnknownParameter`, absent → `MissingParameter`, wrong type → `InvalidParameter`, bad value →
 *   `InvalidParameterValue`. CBS and STS need `X-TC-Region` (absent → `MissingParameter`, malformed →
 *   `UnsupportedRegion`); CAM ignores it.
 * - Several accounts, each with permanent keys; STS AssumeRole issues temporary keys that act as
 *   the role's owner account (any known account may assume any role: trust policies are not
 *   modelled). Calls are not authorised by CAM policies: any valid key may call any action.
 * - CBS DescribeSnapshots / CopySnapshotCrossAccount / DescribeAutoSnapshotPolicies /
 *   CopyAutoSnapshotPolicyCrossAccount / ModifySnapshotsSharePermission /
 *   DescribeSnapshotSharePermission; CAM ListCollaborators / ListAttachedUserAllPolicies / GetPolicy;
 *   STS AssumeRole. Only the calling account's data (and snapshots shared with it) is visible.
 * - Cross-account copies: the copy appears in the target account as COPYING_FROM_REMOTE, Percent
 *   rising linearly with the cloud clock, NORMAL at 100 after `copyDurationMs` (computed on read).
 *   `setNextCopyOutcome("fail")`: the copy rises like a normal one, then disappears when it would
 *   have finished (DescribeSnapshots no longer lists it). `"stuck"`: it stops at Percent 42, forever.
 *   A NORMAL snapshot seeded with the id of an auto snapshot policy linked to another account is
 *   copied there automatically (trigger "auto-policy"), as the real service would: same name and
 *   disk size, created after it (the pairing assumed in docs/decisions/015), `copyDelayMs` later, or
 *   never (`dropNextCopies`, `dropRate`): see `AutoCopyBehaviour`. `state.firePolicy` takes a
 *   policy's snapshots now (one per bound disk); with `firePoliciesOnSchedule` they are also taken
 *   by schedule as the cloud clock passes. Deleting a policy ends its link; the destination may
 *   remove it too (`state.unlinkByDestination`). `DescribeSnapshots`' `disk-id` takes ≤ 10 values.
 * - Rate limit: more than N accepted calls of one action by one account in a sliding second →
 *   `RequestLimitExceeded` (N = 20; ListAttachedUserAllPolicies 5; AssumeRole 600). Wall clock.
 * - Faults: error codes by rate or for the next N calls, optionally after the action took effect
 *   (a lost answer) or as a bare HTTP status; latency per action (the action still takes effect
 *   after the delay, even if the client gave up).
 * - `GET /__sim/state`: a JSON view of everything but secrets, for a web console.
 *
 * Assumed (not published): the shape of `CopySnapshotCrossAccount` (one function in
 * `cbs.actions.ts`), its beta allow-list code `UnsupportedOperation.NotInWhitelist`, and that the
 * service checks the collaborator's grant of `cvm:CopySnapshotCrossAccount` /
 * `cvm:CopyAutoSnapshotPolicyCrossAccount` (a small evaluator, `policy-grants.ts`). Times are
 * rendered as Beijing time `YYYY-MM-DD HH:mm:ss`. Every account is seeded with the preset policies
 * AdministratorAccess (id 1) and QcloudCVMFullAccess (id 2), unattached.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { SlidingWindowRateLimiter } from "./rate-limiter.js";
import { createRequestListener } from "./simulator.server.js";
import type { RecordedCall, SimulatorOptions, TencentSimulator } from "./simulator.types.js";
import { SimulatorWorld } from "./simulator.world.js";

export { CAM_VERSION } from "./cam.actions.js";
export { PRESET_POLICIES } from "./cam.world.js";
export { CBS_VERSION } from "./cbs.actions.js";
export type * from "./simulator.types.js";
export { STUCK_COPY_PERCENT } from "./snapshots.world.js";
export { STS_VERSION } from "./sts.actions.js";
export { buildSignedHeaders, computeTc3Signature, type SignedRequestInput } from "./tc3-signature.js";

const DEFAULT_RATE_LIMIT_OVERRIDES: Readonly<Record<string, number>> = {
  ListAttachedUserAllPolicies: 5,
  AssumeRole: 600,
};

export async function startTencentSimulator(options: SimulatorOptions = {}): Promise<TencentSimulator> {
  const host = options.host ?? "127.0.0.1";
  const world = new SimulatorWorld({
    now: options.now ?? Date.now,
    copyDurationMs: options.copyDurationMs ?? 2000,
    random: options.random ?? Math.random,
    firePoliciesOnSchedule: options.firePoliciesOnSchedule ?? false,
  });
  const limits = { ...DEFAULT_RATE_LIMIT_OVERRIDES, ...options.rateLimitOverrides };
  const defaultLimit = options.rateLimitPerSecond ?? 20;
  const limiter = new SlidingWindowRateLimiter((action) => limits[action] ?? defaultLimit, Date.now);
  const calls: RecordedCall[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const server = createServer(createRequestListener({ world, calls, limiter, timers }));

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `${connectableHost(host)}:${port}`;

  return {
    url: `http://${endpoint}`,
    endpoint,
    state: world,
    calls,
    callsOf: (action) => calls.filter((call) => call.action === action),
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const timer of timers) {
          clearTimeout(timer);
        }
        timers.clear();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function connectableHost(host: string): string {
  if (host === "0.0.0.0") {
    return "127.0.0.1";
  }
  if (host === "::") {
    return "[::1]";
  }
  return host.includes(":") ? `[${host}]` : host;
}
