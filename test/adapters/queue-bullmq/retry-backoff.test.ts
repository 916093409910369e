import { describe, expect, it } from "vitest";
import { computeRetryDelay } from "../../../src/adapters/queue-bullmq/retry-backoff.js";

describe("retry backoff: exponential, capped, with jitter", () => {
  const backoff = { baseMs: 2000, maxMs: 300_000 };
  it.each([
    [1, 2000],
    [2, 4000],
    [3, 8000],
    [8, 256_000],
    [9, 300_000],
    [40, 300_000],
  ])("after failure %i the ceiling is %i ms", (attemptsMade, ceiling) => {
    expect(computeRetryDelay(attemptsMade, backoff, () => 0)).toBe(ceiling);
    // Jitter takes up to half of it away, never adds.
    expect(computeRetryDelay(attemptsMade, backoff, () => 0.999)).toBeGreaterThanOrEqual(ceiling / 2);
    expect(computeRetryDelay(attemptsMade, backoff, () => 0.999)).toBeLessThan(ceiling * 0.51);
  });
});
