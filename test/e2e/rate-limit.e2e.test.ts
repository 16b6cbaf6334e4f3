// The outbound limiter as the app wires it: shared through Redis in server mode, and every
// rejection recorded for Monitoring.
import { RateLimitExceededException } from '../../src/core/rate-limit/rate-limit.exception';
import { RateLimiterService } from '../../src/modules/rate-limit/rate-limiter.service';
import { startTestApp, TestApp } from '../utils/test-app';

describe('Outbound rate limits in the app', () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await startTestApp();
  });
  beforeEach(() => sut.resetDatabase());
  afterAll(() => sut.close());

  it('should admit 50 Anthropic calls per user per minute, refuse the 51st and record the rejection', async () => {
    const limiter = sut.app.get(RateLimiterService);
    const userId = `limited-${Date.now()}`;
    for (let i = 0; i < 50; i += 1) await limiter.acquire('anthropic', userId);
    const refused = await limiter.acquire('anthropic', userId).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(RateLimitExceededException);
    expect((refused as RateLimitExceededException).statusCode).toBe(429);

    const rows = await sut
      .em()
      .getConnection()
      .execute<{ kind: string; user_id: string; details: { provider: string } }[]>('select kind, user_id, details from compliance_events');
    expect(rows).toEqual([{ kind: 'rate_limit_rejected', user_id: userId, details: { provider: 'anthropic', reason: 'user_limit' } }]);
  });

  it('should share one user’s window between two app instances (same Redis)', async () => {
    const second = await startTestApp();
    try {
      const userId = `shared-${Date.now()}`;
      const first = sut.app.get(RateLimiterService);
      const other = second.app.get(RateLimiterService);
      for (let i = 0; i < 25; i += 1) {
        await first.acquire('anthropic', userId);
        await other.acquire('anthropic', userId);
      }
      await expect(other.acquire('anthropic', userId)).rejects.toBeInstanceOf(RateLimitExceededException);
    } finally {
      await second.close();
    }
  });
});
