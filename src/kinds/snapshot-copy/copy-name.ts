import { MAX_SNAPSHOT_NAME_LENGTH } from "../../core/ids.js";

/**
 * The name a copy gets when the requester names none: `<source name>-copy-<yyyymmdd>`, cut to the
 * console's 60 characters by shortening the source name, so the date suffix always survives
 * (it is what tells copies of the same snapshot apart).
 */
export function defaultCopyName(sourceName: string, at: Date): string {
  const yyyy = at.getUTCFullYear().toString().padStart(4, "0");
  const mm = (at.getUTCMonth() + 1).toString().padStart(2, "0");
  const dd = at.getUTCDate().toString().padStart(2, "0");
  const suffix = `-copy-${yyyy}${mm}${dd}`;
  const base = (sourceName.trim() || "snapshot").slice(0, MAX_SNAPSHOT_NAME_LENGTH - suffix.length);
  return `${base}${suffix}`;
}

/** The n-th variant of a name (`name-2`, `name-3`, …), still within the console's 60 characters. */
export function numberedCopyName(name: string, n: number): string {
  if (n <= 1) return name;
  const suffix = `-${n}`;
  return `${name.slice(0, MAX_SNAPSHOT_NAME_LENGTH - suffix.length)}${suffix}`;
}
