// What happens to a run after its handler threw: fail it, retry it with exponential backoff
// (counting the attempt), or delay it without counting (rate limits), up to a time budget.
// Pure functions, so the whole policy is unit-tested without a queue or a database.
import type { JobErrorClassification } from './job-errors';

export interface RetryPolicy {
  /** Ceiling of the first retry's delay; it doubles with every counted attempt. */
  baseDelayMs: number;
  /** No retry waits longer than this, however many attempts failed. */
  maxDelayMs: number;
  /** Delay after the rate-limit store was unreachable. */
  storeUnavailableDelayMs: number;
  /**
   * How long after its creation a run may keep being delayed by rate limits without losing
   * attempts. Past it, a rate-limit refusal counts as a failed attempt, so a run cannot wait forever
   * and ends FAILED with the limiter's code (`RATE_LIMITED`) once its attempts run out.
   */
  rateLimitDelayBudgetMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  baseDelayMs: 2_000,
  maxDelayMs: 10 * 60_000,
  storeUnavailableDelayMs: 5_000,
  rateLimitDelayBudgetMs: 24 * 60 * 60_000,
};

/** Timers and Redis delays below this are pointless and could spin. */
export const MIN_RETRY_DELAY_MS = 10;

/** The attempt that just failed (1-based, counted), and the run's limits. */
export interface FailedAttempt {
  attempt: number;
  maxAttempts: number;
  createdAt: Date;
}

export type FailureDecision =
  | { action: 'fail'; code: string; message: string }
  /**
   * Back to PENDING until `now + delayMs`. `countsAsAttempt: false` gives the attempt back (the
   * run's `attempts` goes down by one), so the next execution has the same attempt number.
   */
  | { action: 'retry'; delayMs: number; countsAsAttempt: boolean; code: string; message: string };

export function decideAfterFailure(
  error: JobErrorClassification,
  run: FailedAttempt,
  now: Date,
  policy: RetryPolicy,
  random: () => number = Math.random,
): FailureDecision {
  const { code, message } = error;
  switch (error.kind) {
    case 'permanent':
      return { action: 'fail', code, message };
    case 'delayed': {
      const delayMs = Math.max(MIN_RETRY_DELAY_MS, Math.ceil(error.retryAfterMs));
      const budgetEndsAt = run.createdAt.getTime() + policy.rateLimitDelayBudgetMs;
      if (now.getTime() + delayMs <= budgetEndsAt) return { action: 'retry', delayMs, countsAsAttempt: false, code, message };
      return countedRetry(run, delayMs, policy, random, code, message);
    }
    case 'transient':
      return countedRetry(run, error.retryAfterMs ?? 0, policy, random, code, message);
  }
}

function countedRetry(
  run: FailedAttempt,
  minimumDelayMs: number,
  policy: RetryPolicy,
  random: () => number,
  code: string,
  message: string,
): FailureDecision {
  if (run.attempt >= run.maxAttempts) return { action: 'fail', code, message };
  const delayMs = Math.max(MIN_RETRY_DELAY_MS, Math.ceil(minimumDelayMs), retryBackoffMs(run.attempt, policy, random));
  return { action: 'retry', delayMs, countsAsAttempt: true, code, message };
}

/**
 * Delay after failed attempt `attempt` (1 for the first): "equal jitter", uniform in
 * [ceiling/2, ceiling) with ceiling = min(maxDelayMs, baseDelayMs * 2^(attempt-1)), so retries of
 * runs that failed together spread out but never come back almost at once.
 */
export function retryBackoffMs(attempt: number, { baseDelayMs, maxDelayMs }: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>, random: () => number = Math.random): number {
  if (!Number.isInteger(attempt) || attempt < 1) throw new RangeError(`attempt must be a positive integer, got ${attempt}`);
  const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(ceiling / 2 + random() * (ceiling / 2));
}
