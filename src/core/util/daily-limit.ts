// Per-person caps over a rolling 24 hours (exports, support tickets): the window, and how long
// until a capped person may ask again.
const DAY_MS = 24 * 60 * 60 * 1000;

/** The start of the rolling day that ends at `now`. */
export function dayWindowStart(now: Date): Date {
  return new Date(now.getTime() - DAY_MS);
}

/**
 * Seconds until the oldest of `recent` (the newest `limit` requests in the window, newest first)
 * leaves the window, or null while the person is under the cap.
 */
export function dailyLimitRetryAfterSeconds(recent: readonly Date[], limit: number, now: Date): number | null {
  if (recent.length < limit) return null;
  const oldest = recent[recent.length - 1];
  return Math.max(1, Math.ceil((oldest.getTime() + DAY_MS - now.getTime()) / 1000));
}
