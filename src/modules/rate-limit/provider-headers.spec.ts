import {
  parseAnthropicRateLimitBlockUntil,
  parseRetryAfterMs,
  parseXRateLimitBlockUntil,
  readHeader,
} from './provider-headers';

const now = Date.parse('2025-06-01T12:00:00Z');

describe(readHeader.name, () => {
  it('should read fetch Headers case-insensitively', () => {
    const headers = new Headers({ 'Retry-After': '7' });

    expect(readHeader(headers, 'retry-after')).toBe('7');
    expect(readHeader(headers, 'x-missing')).toBeUndefined();
  });

  it('should read Node-style records case-insensitively, taking the first of repeated values', () => {
    const headers = { 'X-Rate-Limit-Remaining': 0, 'set-cookie': ['a', 'b'], empty: undefined };

    expect(readHeader(headers, 'x-rate-limit-remaining')).toBe('0');
    expect(readHeader(headers, 'Set-Cookie')).toBe('a');
    expect(readHeader(headers, 'empty')).toBeUndefined();
  });
});

describe(parseRetryAfterMs.name, () => {
  it('should read delay-seconds, decimals included', () => {
    expect(parseRetryAfterMs('30', now)).toBe(30_000);
    expect(parseRetryAfterMs(' 1.5 ', now)).toBe(1500);
    expect(parseRetryAfterMs('0', now)).toBe(0);
  });

  it('should read an HTTP-date relative to now, never negative', () => {
    expect(parseRetryAfterMs('Sun, 01 Jun 2025 12:00:45 GMT', now)).toBe(45_000);
    expect(parseRetryAfterMs('Sun, 01 Jun 2025 11:00:00 GMT', now)).toBe(0);
  });

  it('should ignore absent or unreadable values', () => {
    expect(parseRetryAfterMs(undefined, now)).toBeNull();
    expect(parseRetryAfterMs('soon', now)).toBeNull();
    expect(parseRetryAfterMs('-5', now)).toBeNull();
  });
});

describe(parseXRateLimitBlockUntil.name, () => {
  const resetSeconds = Math.floor(now / 1000) + 600;

  it('should block until x-rate-limit-reset when nothing remains', () => {
    const headers = { 'x-rate-limit-limit': '900', 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': String(resetSeconds) };

    expect(parseXRateLimitBlockUntil(headers)).toBe(resetSeconds * 1000);
  });

  it('should not block while requests remain', () => {
    const headers = { 'x-rate-limit-remaining': '1', 'x-rate-limit-reset': String(resetSeconds) };

    expect(parseXRateLimitBlockUntil(headers)).toBeNull();
  });

  it('should not block on missing or malformed headers', () => {
    expect(parseXRateLimitBlockUntil({})).toBeNull();
    expect(parseXRateLimitBlockUntil({ 'x-rate-limit-remaining': '0' })).toBeNull();
    expect(parseXRateLimitBlockUntil({ 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': 'later' })).toBeNull();
    expect(parseXRateLimitBlockUntil({ 'x-rate-limit-remaining': 'zero', 'x-rate-limit-reset': '1' })).toBeNull();
  });
});

describe(parseAnthropicRateLimitBlockUntil.name, () => {
  it('should block for retry-after seconds on 429 and 529', () => {
    expect(parseAnthropicRateLimitBlockUntil({ 'retry-after': '20' }, 429, now)).toBe(now + 20_000);
    expect(parseAnthropicRateLimitBlockUntil(new Headers({ 'retry-after': '3' }), 529, now)).toBe(now + 3000);
  });

  it('should ignore retry-after on other statuses', () => {
    expect(parseAnthropicRateLimitBlockUntil({ 'retry-after': '20' }, 200, now)).toBeNull();
    expect(parseAnthropicRateLimitBlockUntil({ 'retry-after': '20' }, 400, now)).toBeNull();
  });

  it('should block until the RFC 3339 reset of an exhausted request limit', () => {
    const headers = {
      'anthropic-ratelimit-requests-limit': '50',
      'anthropic-ratelimit-requests-remaining': '0',
      'anthropic-ratelimit-requests-reset': '2025-06-01T12:00:30Z',
    };

    expect(parseAnthropicRateLimitBlockUntil(headers, 200, now)).toBe(Date.parse('2025-06-01T12:00:30Z'));
  });

  it.each(['tokens', 'input-tokens', 'output-tokens'])('should block on an exhausted %s limit', (limit) => {
    const headers = {
      [`anthropic-ratelimit-${limit}-remaining`]: '0',
      [`anthropic-ratelimit-${limit}-reset`]: '2025-06-01T12:01:00.500Z',
    };

    expect(parseAnthropicRateLimitBlockUntil(headers, 200, now)).toBe(Date.parse('2025-06-01T12:01:00.500Z'));
  });

  it('should take the latest of several signals', () => {
    const headers = {
      'retry-after': '10',
      'anthropic-ratelimit-requests-remaining': '0',
      'anthropic-ratelimit-requests-reset': '2025-06-01T12:00:05Z',
      'anthropic-ratelimit-tokens-remaining': '0',
      'anthropic-ratelimit-tokens-reset': '2025-06-01T12:00:40+00:00',
    };

    expect(parseAnthropicRateLimitBlockUntil(headers, 429, now)).toBe(now + 40_000);
  });

  it('should not block while every limit has room', () => {
    const headers = {
      'anthropic-ratelimit-requests-remaining': '49',
      'anthropic-ratelimit-requests-reset': '2025-06-01T12:00:30Z',
      'anthropic-ratelimit-tokens-remaining': '12000',
      'anthropic-ratelimit-tokens-reset': '2025-06-01T12:00:30Z',
    };

    expect(parseAnthropicRateLimitBlockUntil(headers, 200, now)).toBeNull();
  });
});
