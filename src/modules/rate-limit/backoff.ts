// Retry timing for provider calls. Full jitter spreads the retries of many workers that failed
// together, instead of sending them back in lockstep.

export interface BackoffOptions {
  /** Upper bound of the first retry's delay. */
  baseMs: number;
  /** No delay exceeds this, however many attempts failed. */
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 500, capMs: 30_000 };

/**
 * Delay before retry number `attempt` (1 for the first retry): uniform in
 * [0, min(capMs, baseMs * 2^(attempt - 1))), `random` returning values in [0, 1).
 */
export function computeBackoffMs(
  attempt: number,
  { baseMs, capMs }: BackoffOptions,
  random: () => number = Math.random,
): number {
  if (!Number.isInteger(attempt) || attempt < 1) {
    throw new RangeError(`attempt must be a positive integer, got ${attempt}`);
  }
  // 2 ** attempt overflows to Infinity for large attempts; Math.min then yields the cap.
  const ceiling = Math.min(capMs, baseMs * 2 ** (attempt - 1));
  return Math.floor(random() * ceiling);
}

/** Rate limited (429) or a server-side failure (5xx, including Anthropic's 529 "overloaded"). */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || (status >= 500 && status <= 599);
}
