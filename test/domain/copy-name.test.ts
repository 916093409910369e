import { describe, expect, it } from "vitest";
import { defaultCopyName } from "../../src/domain/copy-name.js";

describe("defaultCopyName", () => {
  const at = new Date("2026-11-25T10:00:00Z");
  it("appends -copy-<yyyymmdd> to the source name", () => {
    expect(defaultCopyName("db-daily", at)).toBe("db-daily-copy-20261125");
  });
  it("shortens a long source name so the result fits 60 characters and keeps the date", () => {
    const name = defaultCopyName("x".repeat(80), at);
    expect(name).toHaveLength(60);
    expect(name.endsWith("-copy-20261125")).toBe(true);
  });
  it("names an unnamed snapshot", () => {
    expect(defaultCopyName("  ", at)).toBe("snapshot-copy-20261125");
  });
});
