import { Global, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Clock, ManualClock } from '../../core/clock/clock';
import { MemoryRateLimitStore } from './memory-rate-limit.store';
import { INBOUND_THROTTLER_STORAGE, RateLimitModule } from './rate-limit.module';
import { RateLimitRejectionRecorder } from './rate-limit-rejection.recorder';
import { RateLimitStore } from './rate-limit.store';
import type { Provider, RateLimitPolicies, RateLimitRejectionReason } from '../../core/rate-limit/rate-limit.types';
import { RateLimiterService } from './rate-limiter.service';

@Global()
@Module({ providers: [{ provide: Clock, useValue: new ManualClock(0) }], exports: [Clock] })
class TestClockModule {}

class CountingRecorder extends RateLimitRejectionRecorder {
  static readonly reasons: RateLimitRejectionReason[] = [];

  recordRejection(_provider: Provider, _userId: string, reason: RateLimitRejectionReason): void {
    CountingRecorder.reasons.push(reason);
  }
}

const tinyPolicies: RateLimitPolicies = {
  perUser: { x: { limit: 1, windowMs: 1000 }, anthropic: { limit: 1, windowMs: 1000 } },
  organisation: {},
};

describe(RateLimitModule.name, () => {
  it('should run in memory without a Redis URL, with no throttler storage to replace', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [TestClockModule, RateLimitModule.forRoot({ policies: tinyPolicies })],
    }).compile();
    const sut = moduleRef.get(RateLimiterService);

    await sut.acquire('x', 'user-1');

    await expect(sut.acquire('x', 'user-1')).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    expect(moduleRef.get(RateLimitStore)).toBeInstanceOf(MemoryRateLimitStore);
    expect(moduleRef.get(INBOUND_THROTTLER_STORAGE)).toBeNull();
    await moduleRef.close();
  });

  it('should use the rejection recorder the app provides', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [TestClockModule, RateLimitModule.forRoot({ policies: tinyPolicies, rejectionRecorder: CountingRecorder })],
    }).compile();
    const sut = moduleRef.get(RateLimiterService);
    await sut.acquire('anthropic', 'user-1');

    await expect(sut.acquire('anthropic', 'user-1')).rejects.toBeDefined();

    expect(CountingRecorder.reasons).toEqual(['user_limit']);
    await moduleRef.close();
  });

  it('should refuse a policy that names no positive limit', () => {
    const broken: RateLimitPolicies = {
      ...tinyPolicies,
      organisation: { anthropic: { limit: 0, windowMs: 60_000 } },
    };

    expect(() => RateLimitModule.forRoot({ policies: broken })).toThrow('organisation.anthropic.limit');
  });
});
