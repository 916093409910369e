/** The Tencent Cloud services the adapter talks to (CBS actions are authorised under `cvm`). */
export type TencentService = "cbs" | "cam" | "sts";

/**
 * Who makes a call: the bot's own key in the source account, or the temporary credentials of a
 * destination's read role (STS `AssumeRole`).
 */
export type TencentPrincipal = "source" | "read-role";

/**
 * Every Tencent Cloud API action the adapter calls, and as whom: the one list the shipped CAM
 * policies are checked against (`policies/bot-source-account.json`,
 * `policies/destination-read-role.json`; test/adapters/cloud-tencent/tencent-actions.test.ts).
 * `TencentCaller.call` accepts only these names, so a new call does not compile until it is listed
 * here, and the test then fails until the policy grants it.
 */
export const TENCENT_ACTIONS_CALLED = [
  { service: "cbs", action: "DescribeSnapshots", as: ["source", "read-role"] },
  { service: "cbs", action: "CopySnapshotCrossAccount", as: ["source"] },
  { service: "cbs", action: "DescribeAutoSnapshotPolicies", as: ["source", "read-role"] },
  { service: "cbs", action: "CopyAutoSnapshotPolicyCrossAccount", as: ["source"] },
  { service: "cbs", action: "ModifySnapshotsSharePermission", as: ["source"] },
  { service: "cbs", action: "DescribeSnapshotSharePermission", as: ["source"] },
  { service: "cam", action: "ListCollaborators", as: ["source"] },
  { service: "cam", action: "ListAttachedUserAllPolicies", as: ["source"] },
  { service: "cam", action: "GetPolicy", as: ["source"] },
  { service: "sts", action: "AssumeRole", as: ["source"] },
] as const satisfies ReadonlyArray<{
  service: TencentService;
  action: string;
  as: readonly TencentPrincipal[];
}>;

export type TencentAction = (typeof TENCENT_ACTIONS_CALLED)[number]["action"];

/** The CAM action name of an API action: CBS actions are authorised under the `cvm` service. */
export function camActionOf(service: TencentService, action: string): string {
  return `${service === "cbs" ? "cvm" : service}:${action}`;
}
