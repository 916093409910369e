import type {
  ApprovalResult,
  RequestStore,
  Transition,
  TransitionResult,
} from "../core/ports/request-store.port.js";
import type { Request } from "../core/request/request.js";

/**
 * The request store, telling `onChange` after every change a person would see in their Home: a
 * request stored, its card posted, a move along the lifecycle, an approval counted. Progress
 * patches of a running step (a poll round's facts) are not changes of that kind and say nothing.
 * `onChange` must not throw or wait: it is told, not awaited.
 */
export class ObservedRequestStore implements RequestStore {
  constructor(
    private readonly inner: RequestStore,
    private readonly onChange: (request: Request) => void,
  ) {}

  async create(request: Request): Promise<void> {
    await this.inner.create(request);
    this.tell(request);
  }

  get(id: string): Promise<Request | undefined> {
    return this.inner.get(id);
  }

  async transition(id: string, change: Transition): Promise<TransitionResult> {
    const result = await this.inner.transition(id, change);
    if (result.ok) this.tell(result.request);
    return result;
  }

  async update(...args: Parameters<RequestStore["update"]>): ReturnType<RequestStore["update"]> {
    const updated = await this.inner.update(...args);
    if (updated && args[1].card !== undefined) this.tell(updated);
    return updated;
  }

  async recordApproval(...args: Parameters<RequestStore["recordApproval"]>): Promise<ApprovalResult> {
    const result = await this.inner.recordApproval(...args);
    if (result.kind === "approved" || result.kind === "recorded") this.tell(result.request);
    return result;
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

  private tell(request: Request): void {
    try {
      this.onChange(request);
    } catch {
      // A Home refresh must never fail the change it follows.
    }
  }
}
