/**
 * Words one edit away (issue 13, "did you mean …"): one letter added, dropped, changed, or two
 * neighbours swapped. Further than that, a suggestion is more often wrong than helpful.
 */
export function findNearest(typed: string, known: readonly string[]): string[] {
  const word = typed.toLowerCase();
  if (word.length < 2 || known.includes(word)) return [];
  return [...new Set(known.filter((candidate) => isOneEditAway(word, candidate.toLowerCase())))];
}

/** Optimal string alignment distance ≤ 1, without building the whole table. */
export function isOneEditAway(a: string, b: string): boolean {
  if (a === b) return false;
  if (Math.abs(a.length - b.length) > 1) return false;
  if (a.length === b.length) {
    const diff: number[] = [];
    for (let i = 0; i < a.length && diff.length <= 2; i++) if (a[i] !== b[i]) diff.push(i);
    if (diff.length === 1) return true;
    const [i, j] = diff;
    return (
      diff.length === 2 &&
      j === (i ?? -2) + 1 &&
      a[i as number] === b[j as number] &&
      a[j as number] === b[i as number]
    );
  }
  const [short, long] = a.length < b.length ? [a, b] : [b, a];
  let i = 0;
  while (i < short.length && short[i] === long[i]) i++;
  return short.slice(i) === long.slice(i + 1);
}
