import fc from 'fast-check';
import { computeBackoffMs, isRetryableStatus } from './backoff';

describe(computeBackoffMs.name, () => {
  const options = { baseMs: 100, capMs: 5000 };

  it('should draw the first retry from [0, baseMs)', () => {
    expect(computeBackoffMs(1, options, () => 0)).toBe(0);
    expect(computeBackoffMs(1, options, () => 0.5)).toBe(50);
    expect(computeBackoffMs(1, options, () => 0.999_999)).toBe(99);
  });

  it('should double the range with each attempt', () => {
    expect(computeBackoffMs(2, options, () => 0.5)).toBe(100);
    expect(computeBackoffMs(3, options, () => 0.5)).toBe(200);
    expect(computeBackoffMs(4, options, () => 0.5)).toBe(400);
  });

  it('should never exceed the cap, however many attempts failed', () => {
    expect(computeBackoffMs(7, options, () => 0.999_999)).toBe(4999);
    expect(computeBackoffMs(10_000, options, () => 0.999_999)).toBe(4999);
    expect(computeBackoffMs(10_000, options, () => 0.5)).toBe(2500);
  });

  it('should stay within [0, min(cap, base * 2^(attempt - 1))) for any attempt and draw', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 1, max: 1_000_000 }),
        (attempt, draw, baseMs, capMs) => {
          const delay = computeBackoffMs(attempt, { baseMs, capMs }, () => draw);
          const ceiling = Math.min(capMs, baseMs * 2 ** (attempt - 1));
          return Number.isInteger(delay) && delay >= 0 && delay < ceiling;
        },
      ),
    );
  });

  it('should spread retries with Math.random by default', () => {
    const delays = new Set(Array.from({ length: 50 }, () => computeBackoffMs(5, options)));

    expect(delays.size).toBeGreaterThan(10);
  });

  it('should refuse an attempt number below 1', () => {
    expect(() => computeBackoffMs(0, options)).toThrow(RangeError);
    expect(() => computeBackoffMs(1.5, options)).toThrow(RangeError);
  });
});

describe(isRetryableStatus.name, () => {
  it('should retry 429 and every 5xx, including 529', () => {
    expect([429, 500, 502, 503, 504, 529, 599].map(isRetryableStatus)).toEqual(Array(7).fill(true));
  });

  it('should not retry success or other client errors', () => {
    expect([200, 201, 400, 401, 403, 404, 408, 409, 422, 600].map(isRetryableStatus)).toEqual(Array(10).fill(false));
  });
});
