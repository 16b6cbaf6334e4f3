import { DriverException } from '@mikro-orm/core';
import { DomainException } from '../errors/domain.exception';
import {
  ProviderUnavailableException,
  RateLimitExceededException,
  RateLimitStoreUnavailableException,
} from '../rate-limit/rate-limit.exception';
import { classifyJobError, DEFAULT_JOB_ERROR_CODE, PermanentJobError, TransientJobError } from './job-errors';

describe(classifyJobError.name, () => {
  const options = { storeUnavailableDelayMs: 5000 };
  const sut = (error: unknown) => classifyJobError(error, options);

  it('should treat a PermanentJobError as permanent with its code', () => {
    expect(sut(new PermanentJobError('EXPORT_NOT_FOUND', 'Export row is gone'))).toEqual({
      kind: 'permanent',
      code: 'EXPORT_NOT_FOUND',
      message: 'Export row is gone',
    });
  });

  it('should treat a TransientJobError as transient and keep its retry hint', () => {
    expect(sut(new TransientJobError('X_TIMEOUT', 'X did not answer', 1500))).toEqual({
      kind: 'transient',
      code: 'X_TIMEOUT',
      message: 'X did not answer',
      retryAfterMs: 1500,
    });
  });

  it('should delay a run on RateLimitExceededException by its retryAfterMs', () => {
    expect(sut(new RateLimitExceededException('x', 42_000, 'user_limit'))).toMatchObject({
      kind: 'delayed',
      code: 'RATE_LIMITED',
      retryAfterMs: 42_000,
    });
  });

  it('should delay a run briefly when the rate-limit store is unavailable', () => {
    expect(sut(new RateLimitStoreUnavailableException())).toMatchObject({
      kind: 'delayed',
      code: 'RATE_LIMIT_STORE_UNAVAILABLE',
      retryAfterMs: 5000,
    });
  });

  it('should retry a provider outage as transient, no sooner than the provider asked', () => {
    expect(sut(new ProviderUnavailableException('anthropic', 529, 30_000))).toMatchObject({
      kind: 'transient',
      code: 'PROVIDER_UNAVAILABLE',
      retryAfterMs: 30_000,
    });
  });

  it.each([400, 403, 404, 409, 422])('should treat a DomainException with status %i as permanent', (status) => {
    expect(sut(new DomainException('CONSENT_REQUIRED', 'No consent', status))).toMatchObject({
      kind: 'permanent',
      code: 'CONSENT_REQUIRED',
    });
  });

  it('should treat 429 and 5xx DomainExceptions as transient, reading Retry-After', () => {
    expect(sut(new DomainException('SLOW_DOWN', 'busy', 429, { 'Retry-After': '7' }))).toEqual({
      kind: 'transient',
      code: 'SLOW_DOWN',
      message: 'busy',
      retryAfterMs: 7000,
    });
    expect(sut(new DomainException('UPSTREAM', 'down', 502))).toMatchObject({ kind: 'transient', code: 'UPSTREAM' });
  });

  it('should treat unknown errors as transient with a generic code', () => {
    expect(sut(new TypeError('fetch failed'))).toEqual({
      kind: 'transient',
      code: DEFAULT_JOB_ERROR_CODE,
      message: 'fetch failed',
      retryAfterMs: undefined,
    });
    expect(sut('a string')).toMatchObject({ kind: 'transient', code: DEFAULT_JOB_ERROR_CODE, message: 'a string' });
  });

  it('should take an error code only when it looks like one', () => {
    const systemError = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(sut(systemError).code).toBe('ECONNREFUSED');
    const odd = Object.assign(new Error('odd'), { code: 'not a code!' });
    expect(sut(odd).code).toBe(DEFAULT_JOB_ERROR_CODE);
  });

  it('should redact personal data from the stored message', () => {
    const { message } = sut(new Error('could not mail alice@example.com with token sk-ant-abcdefghijklmnopqrstuvwxyz012345'));
    expect(message).not.toContain('alice@example.com');
    expect(message).not.toContain('sk-ant-abcdefghijklmnopqrstuvwxyz012345');
    expect(message).toContain('[EMAIL]');
  });

  it('should bound the stored message length', () => {
    expect(sut(new Error('x'.repeat(5000))).message.length).toBeLessThanOrEqual(1000);
  });

  it('should keep only the driver words of a failed query, never its statement and parameters', () => {
    const error = new DriverException(
      new Error("insert into twitter_data (id, text) values ('1', 'my secret diary entry') - Connection terminated unexpectedly"),
    );
    expect(sut(error)).toEqual({
      kind: 'transient',
      code: DEFAULT_JOB_ERROR_CODE,
      message: 'Database error (DriverException): Connection terminated unexpectedly',
    });
  });
});
