/**
 * A thrown error with a namespaced code (`store.invalid_transition`, `kinds.unknown`): the one
 * handler that logs it can always name what went wrong. Expected outcomes (a refused approval, a
 * failed check) are values, never thrown; these are for broken invariants and bugs. Each room has
 * its own errors module whose codes start with the room's namespace.
 */
export class CodedError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    // The code leads the message too, so a log line or a stack is searchable by it.
    super(`${code}: ${message}`);
    this.name = "CodedError";
  }
}
