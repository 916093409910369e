import { KindRegistry, type RequestKind } from "../app/request-kind.js";
import { policyLinkKind } from "./policy-link/policy-link.kind.js";
import { snapshotCopyKind } from "./snapshot-copy/snapshot-copy.kind.js";

/** Every kind of request this version knows. A new kind is one folder beside this file and one line here. */
export const BUILT_IN_KINDS: readonly RequestKind[] = [
  snapshotCopyKind as RequestKind,
  policyLinkKind as RequestKind,
];

export function createKindRegistry(extra: readonly RequestKind[] = []): KindRegistry {
  return new KindRegistry([...BUILT_IN_KINDS, ...extra]);
}
