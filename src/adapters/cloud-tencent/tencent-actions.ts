/**
 * Every Tencent Cloud API action the adapter calls, by service: `TencentCaller.call` accepts no
 * other, so this list is complete by construction. The least-privilege CAM policies are checked
 * against `CAM_ACTIONS_CALLED` (CBS actions are authorised under the `cvm` service).
 */
export const TENCENT_ACTIONS = {
  cbs: [
    "DescribeSnapshots",
    "CopySnapshotCrossAccount",
    "DescribeAutoSnapshotPolicies",
    "CopyAutoSnapshotPolicyCrossAccount",
  ],
  cam: ["ListCollaborators", "ListAttachedUserAllPolicies", "GetPolicy"],
  sts: ["AssumeRole"],
} as const;

export type TencentService = keyof typeof TENCENT_ACTIONS;
export type TencentAction<S extends TencentService = TencentService> = (typeof TENCENT_ACTIONS)[S][number];

/** The CAM name of an action: CBS actions are authorised as `cvm:<Action>`. */
export function camActionName(service: TencentService, action: TencentAction): string {
  return `${service === "cbs" ? "cvm" : service}:${action}`;
}

/**
 * Who calls what, in CAM names: the source account's key, and a destination's read role (assumed
 * through STS; it only reads). A test checks the calls the simulator records against this.
 */
export const CAM_ACTIONS_CALLED = {
  source: [
    "cvm:DescribeSnapshots",
    "cvm:CopySnapshotCrossAccount",
    "cvm:DescribeAutoSnapshotPolicies",
    "cvm:CopyAutoSnapshotPolicyCrossAccount",
    "cam:ListCollaborators",
    "cam:ListAttachedUserAllPolicies",
    "cam:GetPolicy",
    "sts:AssumeRole",
  ],
  destinationReadRole: ["cvm:DescribeSnapshots", "cvm:DescribeAutoSnapshotPolicies"],
} as const;
