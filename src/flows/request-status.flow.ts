import type { ReplicationRequest } from "../domain/request.js";
import type { FlowDeps } from "./flow-deps.js";

/** `/snapshot status <id>`. */
export async function getRequestStatus(
  deps: FlowDeps,
  requestId: string,
): Promise<ReplicationRequest | undefined> {
  return deps.store.get(requestId);
}
