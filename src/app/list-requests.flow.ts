import type { ListScope } from "../core/command.grammar.js";
import { isInProgress } from "../core/request/lifecycle.js";
import type { Request } from "../core/request/request.js";
import type { FlowDeps } from "./flow-deps.js";

export interface ListedRequest {
  request: Request;
  link?: string;
}

export interface RequestList {
  scope: ListScope;
  items: ListedRequest[];
  /** More matched than are shown. */
  more: number;
}

/** How far back `/snapshot list` looks, and how many it shows. */
const SCAN_LIMIT = 500;
export const SHOWN_LIMIT = 15;

function matches(scope: ListScope, request: Request, userId: string): boolean {
  switch (scope) {
    case "mine":
      return request.requestedBy === userId;
    case "pending":
      return request.state === "pending_approval";
    case "active":
      return isInProgress(request.state);
    case "all":
      return true;
  }
}

/** The ports `/snapshot list` uses. */
export type ListDeps = Pick<FlowDeps, "store" | "notifier">;

/** `/snapshot list [mine|pending|active|all]`: the most recent matching requests, with card links. */
export async function listRequests(
  deps: ListDeps,
  input: { scope: ListScope; userId: string },
): Promise<RequestList> {
  const recent = await deps.store.listRecent(SCAN_LIMIT);
  const matching = recent.filter((r) => matches(input.scope, r, input.userId));
  const shown = matching.slice(0, SHOWN_LIMIT);
  const items = await Promise.all(
    shown.map(async (request) => {
      const link = await deps.notifier.cardLink?.(request);
      return link ? { request, link } : { request };
    }),
  );
  return { scope: input.scope, items, more: matching.length - shown.length };
}
