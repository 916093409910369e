import { TencentCaller } from "../../src/adapters/cloud-tencent/tencent-client.js";
import { TencentCloudAdapter } from "../../src/adapters/cloud-tencent/tencent-cloud.adapter.js";
import { describeCloudApiContract } from "../adapters/cloud-tencent/cloud-api.contract.js";

/**
 * The CloudApi contract against real Tencent Cloud (`npm run contract:tencent`). Read-only unless
 * CONTRACT_COPY_TARGET_UIN is set (a copy is charged). Every fixture comes from the environment:
 *
 *   TENCENTCLOUD_SECRET_ID, TENCENTCLOUD_SECRET_KEY   the source account's API key (CAM read, CBS read)
 *   CONTRACT_SOURCE_UIN                               the source account
 *   CONTRACT_REGIONS                                  regions to search, comma-separated; the snapshot in a later one
 *   CONTRACT_SOURCE_SNAPSHOT_ID, CONTRACT_SOURCE_REGION   a NORMAL snapshot of the source account
 *   CONTRACT_MISSING_SNAPSHOT_ID                      a well-formed id that exists nowhere (default snap-00000000)
 *   CONTRACT_DEST_UIN, CONTRACT_DEST_READ_ROLE_ARN, CONTRACT_DEST_REGION   a destination with a read role
 *   CONTRACT_DEST_SNAPSHOT_IDS (comma-separated), CONTRACT_DEST_SNAPSHOT_NAME (the first one's name)
 *   CONTRACT_COLLABORATOR_UINS                        some collaborators of the source (comma-separated)
 *   CONTRACT_POLICY_HOLDER_UIN, CONTRACT_POLICY_NAMES  a collaborator and policies reaching it
 *   CONTRACT_POLICY_ID, CONTRACT_POLICY_CONTAINS      a policy and a word of its document
 *   CONTRACT_DELETED_POLICY_ID                        a policy id that no longer exists
 *   CONTRACT_COPY_TARGET_UIN                          optional: also make one real copy to this account
 *   CONTRACT_ASP_ID, CONTRACT_ASP_REGION              a scheduled snapshot policy of the source (a later region)
 *   CONTRACT_ASP_DISK_IDS                             disks bound to it, with snapshots (comma-separated)
 *   CONTRACT_MISSING_ASP_ID                           a well-formed policy id that exists nowhere (default asp-00000000)
 */
function env(name: string, fallback?: string): string {
  const value = process.env[name] ?? fallback;
  if (!value)
    throw new Error(`npm run contract:tencent needs ${name} (see test/contract/tencent-real.contract.ts)`);
  return value;
}
const list = (name: string) =>
  env(name)
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

const copyTarget = process.env.CONTRACT_COPY_TARGET_UIN;

// Read when the file loads: a missing variable fails the run before any test is collected.
const credentials = {
  secretId: env("TENCENTCLOUD_SECRET_ID"),
  secretKey: env("TENCENTCLOUD_SECRET_KEY"),
  accountUin: env("CONTRACT_SOURCE_UIN"),
};
const fixture = {
  regions: list("CONTRACT_REGIONS"),
  sourceSnapshot: {
    snapshotId: env("CONTRACT_SOURCE_SNAPSHOT_ID"),
    region: env("CONTRACT_SOURCE_REGION"),
  },
  missingSnapshotId: env("CONTRACT_MISSING_SNAPSHOT_ID", "snap-00000000"),
  ...(copyTarget
    ? {
        copy: {
          targetAccountUin: copyTarget,
          newName: `contract-${new Date().toISOString().slice(0, 10)}`,
        },
      }
    : {}),
  destination: {
    accountUin: env("CONTRACT_DEST_UIN"),
    readRoleArn: env("CONTRACT_DEST_READ_ROLE_ARN"),
    region: env("CONTRACT_DEST_REGION"),
  },
  destinationSnapshotIds: list("CONTRACT_DEST_SNAPSHOT_IDS"),
  destinationSnapshotName: env("CONTRACT_DEST_SNAPSHOT_NAME"),
  collaboratorUins: list("CONTRACT_COLLABORATOR_UINS"),
  policyHolder: { uin: env("CONTRACT_POLICY_HOLDER_UIN"), policyNames: list("CONTRACT_POLICY_NAMES") },
  policy: { policyId: env("CONTRACT_POLICY_ID"), documentContains: env("CONTRACT_POLICY_CONTAINS") },
  deletedPolicyId: env("CONTRACT_DELETED_POLICY_ID"),
  // Read-only: linking a policy (a write) is left to the simulator's run.
  autoReplication: {
    policy: {
      policyId: env("CONTRACT_ASP_ID"),
      region: env("CONTRACT_ASP_REGION"),
      diskIds: list("CONTRACT_ASP_DISK_IDS"),
    },
    missingPolicyId: env("CONTRACT_MISSING_ASP_ID", "asp-00000000"),
  },
};

describeCloudApiContract(
  "Tencent adapter against real Tencent Cloud",
  async () => ({
    api: new TencentCloudAdapter({
      caller: new TencentCaller({ timeoutSeconds: 30 }),
      sourceCredentials: credentials,
    }),
    ...fixture,
  }),
  // A real account cannot be made to answer InternalError or a malformed body on demand.
  { faults: false, copies: copyTarget !== undefined },
);
