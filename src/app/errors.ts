import { CodedError } from "../core/errors.js";

export type AppErrorCode = "kinds.duplicate" | "kinds.unknown";

/** Errors of the use cases: a kind registered twice, a stored request of a kind this version lacks. */
export class AppError extends CodedError {
  constructor(code: AppErrorCode, message: string) {
    super(code, message);
    this.name = "AppError";
  }
}
