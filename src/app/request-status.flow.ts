import type { Request } from "../core/request/request.js";
import type { FlowDeps } from "./flow-deps.js";

export interface RequestStatus {
  request: Request;
  /** Permalink of the approval card, when Slack gives one. */
  link?: string;
}

/** The ports `/snapshot status` uses. */
export type StatusDeps = Pick<FlowDeps, "store" | "notifier">;

/** `/snapshot status <id>`. */
export async function getRequestStatus(
  deps: StatusDeps,
  requestId: string,
): Promise<RequestStatus | undefined> {
  const request = await deps.store.get(requestId);
  if (!request) return undefined;
  const link = await deps.notifier.cardLink?.(request);
  return link ? { request, link } : { request };
}
