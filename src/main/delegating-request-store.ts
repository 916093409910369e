import type {
  ApprovalResult,
  RequestStore,
  Transition,
  TransitionResult,
} from "../core/ports/request-store.port.js";
import type { Request } from "../core/request/request.js";

/**
 * A request store that hands every call to `inner` unchanged: the base of the wrappers that
 * watch the store (the Home's refresh, the metrics), which override only the calls they watch.
 */
export class DelegatingRequestStore implements RequestStore {
  constructor(protected readonly inner: RequestStore) {}

  create(request: Request): Promise<void> {
    return this.inner.create(request);
  }

  get(id: string): Promise<Request | undefined> {
    return this.inner.get(id);
  }

  transition(id: string, change: Transition): Promise<TransitionResult> {
    return this.inner.transition(id, change);
  }

  update(...args: Parameters<RequestStore["update"]>): ReturnType<RequestStore["update"]> {
    return this.inner.update(...args);
  }

  recordApproval(...args: Parameters<RequestStore["recordApproval"]>): Promise<ApprovalResult> {
    return this.inner.recordApproval(...args);
  }

  listRecent(limit: number): Promise<Request[]> {
    return this.inner.listRecent(limit);
  }

  reserveName(...args: Parameters<RequestStore["reserveName"]>): ReturnType<RequestStore["reserveName"]> {
    return this.inner.reserveName(...args);
  }

  nextNameNumber(
    ...args: Parameters<RequestStore["nextNameNumber"]>
  ): ReturnType<RequestStore["nextNameNumber"]> {
    return this.inner.nextNameNumber(...args);
  }

  takeOverName(...args: Parameters<RequestStore["takeOverName"]>): ReturnType<RequestStore["takeOverName"]> {
    return this.inner.takeOverName(...args);
  }

  releaseName(...args: Parameters<RequestStore["releaseName"]>): ReturnType<RequestStore["releaseName"]> {
    return this.inner.releaseName(...args);
  }
}
