import type {
  ApprovalResult,
  RequestStore,
  Transition,
  TransitionResult,
} from "../core/ports/request-store.port.js";
import type { Request } from "../core/request/request.js";
import { DelegatingRequestStore } from "./delegating-request-store.js";

/**
 * The request store, telling `onChange` after every change a person would see in their Home: a
 * request stored, its card posted, a move along the lifecycle, an approval counted. Progress
 * patches of a running step (a poll round's facts) are not changes of that kind and say nothing.
 * `onChange` must not throw or wait: it is told, not awaited.
 */
export class ObservedRequestStore extends DelegatingRequestStore {
  constructor(
    inner: RequestStore,
    private readonly onChange: (request: Request) => void,
  ) {
    super(inner);
  }

  override async create(request: Request): Promise<void> {
    await this.inner.create(request);
    this.tell(request);
  }

  override async transition(id: string, change: Transition): Promise<TransitionResult> {
    const result = await this.inner.transition(id, change);
    if (result.ok) this.tell(result.request);
    return result;
  }

  override async update(...args: Parameters<RequestStore["update"]>): ReturnType<RequestStore["update"]> {
    const updated = await this.inner.update(...args);
    if (updated && args[1].card !== undefined) this.tell(updated);
    return updated;
  }

  override async recordApproval(
    ...args: Parameters<RequestStore["recordApproval"]>
  ): Promise<ApprovalResult> {
    const result = await this.inner.recordApproval(...args);
    if (result.kind === "approved" || result.kind === "recorded") this.tell(result.request);
    return result;
  }

  private tell(request: Request): void {
    try {
      this.onChange(request);
    } catch {
      // A Home refresh must never fail the change it follows.
    }
  }
}
