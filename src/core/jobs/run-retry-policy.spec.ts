import type { JobErrorClassification } from './job-errors';
import { decideAfterFailure, DEFAULT_RETRY_POLICY, MIN_RETRY_DELAY_MS, retryBackoffMs, RetryPolicy } from './run-retry-policy';

const policy: RetryPolicy = {
  baseDelayMs: 1000,
  maxDelayMs: 60_000,
  storeUnavailableDelayMs: 5000,
  rateLimitDelayBudgetMs: 3_600_000,
};
const createdAt = new Date('2030-01-01T00:00:00Z');
const now = new Date('2030-01-01T00:10:00Z');
const transient: JobErrorClassification = { kind: 'transient', code: 'X_TIMEOUT', message: 'timeout' };
const permanent: JobErrorClassification = { kind: 'permanent', code: 'CONSENT_REQUIRED', message: 'no consent' };
const rateLimited = (retryAfterMs: number): JobErrorClassification => ({
  kind: 'delayed',
  code: 'RATE_LIMITED',
  message: 'limited',
  retryAfterMs,
});
const maxRandom = () => 0.999_999;
const minRandom = () => 0;

describe(retryBackoffMs.name, () => {
  it('should double the ceiling with every attempt', () => {
    expect([1, 2, 3, 4].map((attempt) => retryBackoffMs(attempt, policy, maxRandom))).toEqual([999, 1999, 3999, 7999]);
  });

  it('should never wait less than half the ceiling (equal jitter)', () => {
    expect([1, 2, 3].map((attempt) => retryBackoffMs(attempt, policy, minRandom))).toEqual([500, 1000, 2000]);
  });

  it('should cap the delay at maxDelayMs however many attempts failed', () => {
    expect(retryBackoffMs(40, policy, maxRandom)).toBeLessThan(policy.maxDelayMs);
    expect(retryBackoffMs(2000, policy, minRandom)).toBe(policy.maxDelayMs / 2);
  });

  it('should refuse an attempt number below 1', () => {
    expect(() => retryBackoffMs(0, policy)).toThrow(RangeError);
  });
});

describe(decideAfterFailure.name, () => {
  it('should fail a permanent error at once, whatever attempts remain', () => {
    expect(decideAfterFailure(permanent, { attempt: 1, maxAttempts: 5, createdAt }, now, policy)).toEqual({
      action: 'fail',
      code: 'CONSENT_REQUIRED',
      message: 'no consent',
    });
  });

  it('should retry a transient error with backoff, counting the attempt', () => {
    expect(decideAfterFailure(transient, { attempt: 2, maxAttempts: 5, createdAt }, now, policy, minRandom)).toEqual({
      action: 'retry',
      delayMs: 1000,
      countsAsAttempt: true,
      code: 'X_TIMEOUT',
      message: 'timeout',
    });
  });

  it('should fail a transient error when the attempts are used up', () => {
    expect(decideAfterFailure(transient, { attempt: 5, maxAttempts: 5, createdAt }, now, policy)).toMatchObject({
      action: 'fail',
      code: 'X_TIMEOUT',
    });
  });

  it('should wait at least as long as a transient error asked', () => {
    const decision = decideAfterFailure({ ...transient, retryAfterMs: 45_000 }, { attempt: 1, maxAttempts: 5, createdAt }, now, policy);
    expect(decision).toMatchObject({ action: 'retry', delayMs: 45_000 });
  });

  it('should delay a rate-limited run by retryAfterMs without counting the attempt', () => {
    expect(decideAfterFailure(rateLimited(90_000), { attempt: 3, maxAttempts: 3, createdAt }, now, policy)).toEqual({
      action: 'retry',
      delayMs: 90_000,
      countsAsAttempt: false,
      code: 'RATE_LIMITED',
      message: 'limited',
    });
  });

  it('should count rate-limit delays once the run is past its delay budget, and fail it when attempts run out', () => {
    const late = new Date(createdAt.getTime() + policy.rateLimitDelayBudgetMs);
    expect(decideAfterFailure(rateLimited(1000), { attempt: 1, maxAttempts: 3, createdAt }, late, policy)).toMatchObject({
      action: 'retry',
      countsAsAttempt: true,
    });
    expect(decideAfterFailure(rateLimited(1000), { attempt: 3, maxAttempts: 3, createdAt }, late, policy)).toEqual({
      action: 'fail',
      code: 'RATE_LIMITED',
      message: 'limited',
    });
  });

  it('should not call the provider before its reset even when the delay is counted', () => {
    const late = new Date(createdAt.getTime() + policy.rateLimitDelayBudgetMs);
    const decision = decideAfterFailure(rateLimited(50_000), { attempt: 1, maxAttempts: 3, createdAt }, late, policy, minRandom);
    expect(decision).toMatchObject({ action: 'retry', delayMs: 50_000, countsAsAttempt: true });
  });

  it('should never schedule a retry sooner than the minimum delay', () => {
    expect(decideAfterFailure(rateLimited(0), { attempt: 1, maxAttempts: 3, createdAt }, now, policy)).toMatchObject({
      delayMs: MIN_RETRY_DELAY_MS,
    });
  });

  it('should have defaults that retry within minutes and delay for up to a day', () => {
    expect(DEFAULT_RETRY_POLICY.maxDelayMs).toBeLessThanOrEqual(10 * 60_000);
    expect(DEFAULT_RETRY_POLICY.rateLimitDelayBudgetMs).toBe(24 * 3_600_000);
  });
});
