import { CodedError } from "../core/errors.js";

export type MainErrorCode = "main.no_worker_connection" | "main.sandbox_entry";

/** The composition root was asked for something it cannot assemble. */
export class MainError extends CodedError {
  constructor(code: MainErrorCode, message: string) {
    super(code, message);
    this.name = "MainError";
  }
}
