import type { ReplicationRequest } from "../../domain/request.js";
import type { FlowDeps } from "../flow-deps.js";
import { advance, fail, type StepResult } from "./step-outcome.js";

export async function check(deps: FlowDeps, request: ReplicationRequest): Promise<StepResult> {
  const snapshot = await deps.cloud.findSourceSnapshot(request.snapshot.snapshotId, [
    request.snapshot.region,
  ]);
  if (!snapshot) {
    return fail(deps, request, {
      code: "snapshot.not_found",
      message: `Snapshot ${request.snapshot.snapshotId} no longer exists in ${request.snapshot.region}.`,
    });
  }
  if (snapshot.state !== "NORMAL") {
    return fail(deps, request, {
      code: "snapshot.not_normal",
      message: `Snapshot ${snapshot.snapshotId} is ${snapshot.state}, not NORMAL.`,
    });
  }
  return advance(
    deps,
    request,
    "copying",
    {},
    `Checks passed: ${snapshot.snapshotId} is NORMAL (${snapshot.diskSizeGiB} GiB). Starting the copy to account ${request.destination.accountUin}…`,
  );
}
