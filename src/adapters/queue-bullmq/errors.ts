import { CodedError } from "../../core/errors.js";

export type QueueErrorCode = "queue.duplicate_queue" | "queue.invalid_job" | "queue.no_ledger";

/** A mistake in the job declarations, or a job whose payload is not what its type declares. */
export class QueueError extends CodedError {
  constructor(code: QueueErrorCode, message: string) {
    super(code, message);
    this.name = "QueueError";
  }
}
