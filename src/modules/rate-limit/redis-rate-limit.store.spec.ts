import { decodeDecision } from './redis-rate-limit.store';

// The Redis behaviour itself is covered by test/integration/rate-limit against a real Redis.
describe(decodeDecision.name, () => {
  it('should read a non-negative reply as an admission with that many requests remaining', () => {
    expect(decodeDecision(0, 'e1')).toEqual({ allowed: true, remaining: 0, retryAfterMs: 0, blocked: false, entryId: 'e1' });
    expect(decodeDecision(899, 'e1')).toMatchObject({ allowed: true, remaining: 899 });
  });

  it('should read a window refusal with its wait', () => {
    expect(decodeDecision(-1 - 2 * 1500, 'e1')).toEqual({
      allowed: false,
      remaining: 0,
      retryAfterMs: 1500,
      blocked: false,
      entryId: null,
    });
  });

  it('should read a block refusal with its wait', () => {
    expect(decodeDecision(-1 - (2 * 900_000 + 1), 'e1')).toEqual({
      allowed: false,
      remaining: 0,
      retryAfterMs: 900_000,
      blocked: true,
      entryId: null,
    });
  });

  it('should refuse to guess at an unexpected reply', () => {
    expect(() => decodeDecision('OK', 'e1')).toThrow('Unexpected reply');
    expect(() => decodeDecision([1, 2], 'e1')).toThrow('Unexpected reply');
  });
});
