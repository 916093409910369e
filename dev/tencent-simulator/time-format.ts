const BEIJING_OFFSET_MS = 8 * 60 * 60 * 1000;
const HOUR_MS = 60 * 60 * 1000;

/** `YYYY-MM-DD HH:mm:ss` in Beijing time (UTC+8, no daylight saving), as the API returns times. */
export function formatBeijingTime(ms: number): string {
  return new Date(ms + BEIJING_OFFSET_MS).toISOString().slice(0, 19).replace("T", " ");
}

/** ISO 8601 UTC without milliseconds, e.g. `2024-01-01T02:00:00Z` (STS `Expiration`). */
export function formatIsoSeconds(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

export const CREATE_TIME_PATTERN = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

/**
 * The next hour after `nowMs` that matches the schedule (Beijing time), formatted; "" if none.
 * `daysOfWeek` empty means every day.
 */
export function nextTriggerTime(
  nowMs: number,
  hours: readonly number[],
  daysOfWeek: readonly number[],
): string {
  const firstHour = Math.floor(nowMs / HOUR_MS) * HOUR_MS + HOUR_MS;
  for (let step = 0; step < 24 * 8; step += 1) {
    const candidate = firstHour + step * HOUR_MS;
    const local = new Date(candidate + BEIJING_OFFSET_MS);
    const dayMatches = daysOfWeek.length === 0 || daysOfWeek.includes(local.getUTCDay());
    if (dayMatches && hours.includes(local.getUTCHours())) {
      return formatBeijingTime(candidate);
    }
  }
  return "";
}

/**
 * The schedule's trigger times (whole hours, Beijing time) in `(fromMs, toMs]`, oldest first; at most
 * the last 62 days of them. `daysOfWeek` empty means every day.
 */
export function triggerTimesBetween(
  fromMs: number,
  toMs: number,
  hours: readonly number[],
  daysOfWeek: readonly number[],
): number[] {
  const start = Math.max(fromMs, toMs - 62 * 24 * HOUR_MS);
  const times: number[] = [];
  for (
    let candidate = Math.floor(start / HOUR_MS) * HOUR_MS + HOUR_MS;
    candidate <= toMs;
    candidate += HOUR_MS
  ) {
    const local = new Date(candidate + BEIJING_OFFSET_MS);
    const dayMatches = daysOfWeek.length === 0 || daysOfWeek.includes(local.getUTCDay());
    if (dayMatches && hours.includes(local.getUTCHours())) {
      times.push(candidate);
    }
  }
  return times;
}
