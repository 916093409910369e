import type { Snapshot } from "../snapshot.js";

/**
 * How a snapshot a scheduled policy took in the source is matched to the copy the cloud made of it
 * in the destination. Tencent does not publish the link (docs/decisions/015-automatic-copy-pairing.md),
 * so this is an assumption, kept in this one function: the copy carries the source's name and disk
 * size and is created at or after it; of several candidates the earliest unmatched one wins. Sources
 * are matched oldest first, so an older source does not lose its copy to a newer one.
 */
export type PairingSnapshot = Pick<Snapshot, "snapshotId" | "name" | "diskSizeGiB" | "createdAtMs">;

export type CopyPairing<S extends PairingSnapshot, C extends PairingSnapshot> =
  | {
      source: S;
      copy: C;
      /**
       * `exact`: the copy was the source's only candidate and no other source's candidate;
       * `best_guess`: there were others (same name and size), and the earliest was taken.
       */
      confidence: "exact" | "best_guess";
      /** How long after the source the copy appeared; undefined when a time is unknown. */
      delayMs: number | undefined;
    }
  | { source: S; copy: undefined };

/** One pairing per source, in the order the sources were given. */
export function pairCopies<S extends PairingSnapshot, C extends PairingSnapshot>(
  sources: readonly S[],
  copies: readonly C[],
): CopyPairing<S, C>[] {
  const candidatesOf = sources.map((source) => copies.filter((copy) => isCandidate(source, copy)));
  const claims = new Map<C, number>();
  for (const candidates of candidatesOf) {
    for (const copy of candidates) claims.set(copy, (claims.get(copy) ?? 0) + 1);
  }
  const taken = new Set<C>();
  const result: CopyPairing<S, C>[] = sources.map((source) => ({ source, copy: undefined }));
  for (const index of byTime(sources.map((s, i) => ({ at: s.createdAtMs, i })))) {
    const source = sources[index] as S;
    const candidates = candidatesOf[index] ?? [];
    const free = candidates.filter((copy) => !taken.has(copy));
    const order = byTime(free.map((c, i) => ({ at: c.createdAtMs, i })));
    const copy = order.length > 0 ? free[order[0] as number] : undefined;
    if (!copy) continue;
    taken.add(copy);
    const exact = candidates.length === 1 && claims.get(copy) === 1;
    result[index] = {
      source,
      copy,
      confidence: exact ? "exact" : "best_guess",
      delayMs:
        source.createdAtMs === undefined || copy.createdAtMs === undefined
          ? undefined
          : copy.createdAtMs - source.createdAtMs,
    };
  }
  return result;
}

/** Same name and disk size, not older than the source (a time that is unknown rules nothing out). */
function isCandidate(source: PairingSnapshot, copy: PairingSnapshot): boolean {
  if (copy.snapshotId === source.snapshotId) return false;
  if (copy.name !== source.name || copy.diskSizeGiB !== source.diskSizeGiB) return false;
  if (source.createdAtMs === undefined || copy.createdAtMs === undefined) return true;
  return copy.createdAtMs >= source.createdAtMs;
}

/** Indexes in time order; unknown times last, ties in the order given. */
function byTime(items: ReadonlyArray<{ at: number | undefined; i: number }>): number[] {
  return [...items]
    .sort((a, b) => {
      if (a.at === undefined || b.at === undefined) {
        return (a.at === undefined ? 1 : 0) - (b.at === undefined ? 1 : 0) || a.i - b.i;
      }
      return a.at - b.at || a.i - b.i;
    })
    .map(({ i }) => i);
}
