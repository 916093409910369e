import type { ReplicationRequest, RequestState } from "../request.js";

export type TransitionResult =
  | { ok: true; request: ReplicationRequest }
  | { ok: false; reason: "not_found" }
  | { ok: false; reason: "wrong_state"; request: ReplicationRequest };

/** Requests live here. Every state change is a compare-and-set: two callers cannot both win. */
export interface RequestStore {
  create(request: ReplicationRequest): Promise<void>;
  get(id: string): Promise<ReplicationRequest | undefined>;
  /** Atomically applies `patch` if the request is in one of `from`; `to` becomes the new state. */
  transition(
    id: string,
    from: readonly RequestState[],
    to: RequestState,
    patch?: Partial<ReplicationRequest>,
  ): Promise<TransitionResult>;
  /** Atomically merges `patch` into the request without changing its state (progress facts). */
  update(
    id: string,
    patch: Partial<Omit<ReplicationRequest, "state">>,
  ): Promise<ReplicationRequest | undefined>;
}
