import { describe, expect, it } from "vitest";
import { defaultCopyName, numberedCopyName } from "../../src/kinds/snapshot-copy/copy-name.js";

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

describe("numberedCopyName", () => {
  it("leaves the first name alone and numbers the others", () => {
    expect(numberedCopyName("db-copy-20261125", 1)).toBe("db-copy-20261125");
    expect(numberedCopyName("db-copy-20261125", 12)).toBe("db-copy-20261125-12");
  });
  it("stays within 60 characters", () => {
    expect(numberedCopyName("x".repeat(60), 3)).toBe(`${"x".repeat(58)}-3`);
  });
});
