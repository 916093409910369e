import { describe, expect, it } from "vitest";
import { type PairingSnapshot, pairCopies } from "../../src/core/replication/pair-copies.js";

const MIN = 60_000;
const T0 = Date.UTC(2024, 4, 1, 19, 0, 0);
const snap = (
  snapshotId: string,
  name: string,
  atMin: number | undefined,
  diskSizeGiB = 100,
): PairingSnapshot => ({
  snapshotId,
  name,
  diskSizeGiB,
  ...(atMin === undefined ? {} : { createdAtMs: T0 + atMin * MIN }),
});

/** [case, sources, copies, expected: source id → [copy id, confidence, delay in minutes] or undefined] */
const cases: Array<
  [
    string,
    PairingSnapshot[],
    PairingSnapshot[],
    Record<string, [string, "exact" | "best_guess", number | undefined] | undefined>,
  ]
> = [
  [
    "one source, one copy",
    [snap("snap-s1", "a", 0)],
    [snap("snap-c1", "a", 5)],
    { "snap-s1": ["snap-c1", "exact", 5] },
  ],
  ["no copy yet", [snap("snap-s1", "a", 0)], [], { "snap-s1": undefined }],
  [
    "a copy of another name is not it",
    [snap("snap-s1", "a", 0)],
    [snap("snap-c1", "b", 5)],
    { "snap-s1": undefined },
  ],
  [
    "a copy of another size is not it",
    [snap("snap-s1", "a", 0)],
    [snap("snap-c1", "a", 5, 50)],
    { "snap-s1": undefined },
  ],
  [
    "a copy older than the source is not it",
    [snap("snap-s1", "a", 10)],
    [snap("snap-c1", "a", 5)],
    { "snap-s1": undefined },
  ],
  [
    "created in the same second counts",
    [snap("snap-s1", "a", 0)],
    [snap("snap-c1", "a", 0)],
    { "snap-s1": ["snap-c1", "exact", 0] },
  ],
  [
    "two candidates: the earliest wins, as a best guess",
    [snap("snap-s1", "a", 0)],
    [snap("snap-c2", "a", 9), snap("snap-c1", "a", 3)],
    { "snap-s1": ["snap-c1", "best_guess", 3] },
  ],
  [
    "same name twice: oldest source takes the earliest copy, both best guesses",
    [snap("snap-s2", "a", 60), snap("snap-s1", "a", 0)],
    [snap("snap-c1", "a", 2), snap("snap-c2", "a", 62)],
    { "snap-s1": ["snap-c1", "best_guess", 2], "snap-s2": ["snap-c2", "best_guess", 2] },
  ],
  [
    "a copy shared by two sources leaves the newer one without when it is the only one",
    [snap("snap-s1", "a", 0), snap("snap-s2", "a", 1)],
    [snap("snap-c1", "a", 5)],
    { "snap-s1": ["snap-c1", "best_guess", 5], "snap-s2": undefined },
  ],
  [
    "distinct names pair exactly, whatever the order",
    [snap("snap-s1", "a", 0), snap("snap-s2", "b", 0)],
    [snap("snap-c2", "b", 1), snap("snap-c1", "a", 4)],
    { "snap-s1": ["snap-c1", "exact", 4], "snap-s2": ["snap-c2", "exact", 1] },
  ],
  [
    "unknown times rule nothing out, delay unknown",
    [snap("snap-s1", "a", undefined)],
    [snap("snap-c1", "a", 5)],
    { "snap-s1": ["snap-c1", "exact", undefined] },
  ],
];

describe("pairCopies", () => {
  it.each(cases)("%s", (_name, sources, copies, expected) => {
    const pairs = pairCopies(sources, copies);
    expect(pairs.map((p) => p.source.snapshotId)).toEqual(sources.map((s) => s.snapshotId));
    const got = Object.fromEntries(
      pairs.map((p) => [
        p.source.snapshotId,
        p.copy
          ? [p.copy.snapshotId, p.confidence, p.delayMs === undefined ? undefined : p.delayMs / MIN]
          : undefined,
      ]),
    );
    expect(got).toEqual(expected);
  });
});
