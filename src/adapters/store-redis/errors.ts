import { CodedError } from "../../core/errors.js";

export type StoreErrorCode = "store.duplicate_id" | "store.invalid_transition";

/** A broken invariant of the request store (a caller asked for a move the lifecycle has not). */
export class StoreError extends CodedError {
  constructor(code: StoreErrorCode, message: string) {
    super(code, message);
    this.name = "StoreError";
  }
}
