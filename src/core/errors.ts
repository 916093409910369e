/**
 * Errors the domain names. Expected outcomes (a refused approval, a failed check) are values;
 * these are for broken invariants, and carry a namespaced code and a message a person can act on.
 */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "DomainError";
  }
}
