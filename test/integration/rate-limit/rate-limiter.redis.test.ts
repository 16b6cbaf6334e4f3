// RateLimiterService over the real Redis with several app instances (each its own connection):
// provider blocks and the organisation cap hold for all of them, whatever their clocks say.
import { Redis } from 'ioredis';
import { Clock, ManualClock, SystemClock } from '../../../src/core/clock/clock';
import { ProviderResponseError, RateLimitExceededException } from '../../../src/core/rate-limit/rate-limit.exception';
import { RateLimitRejectionRecorder } from '../../../src/modules/rate-limit/rate-limit-rejection.recorder';
import type {
  Provider,
  ProviderCallResult,
  RateLimitPolicies,
  RateLimitRejectionReason,
} from '../../../src/core/rate-limit/rate-limit.types';
import {
  organisationRateLimitKey,
  RateLimiterService,
  userRateLimitKey,
} from '../../../src/modules/rate-limit/rate-limiter.service';
import { RedisRateLimitStore } from '../../../src/modules/rate-limit/redis-rate-limit.store';
import { deleteKeysWithPrefix, SHARED_REDIS_URL, uniqueKeyPrefix } from './support/redis-test-helpers';

class RecordingRecorder extends RateLimitRejectionRecorder {
  readonly reasons: RateLimitRejectionReason[] = [];

  recordRejection(_provider: Provider, _userId: string, reason: RateLimitRejectionReason): void {
    this.reasons.push(reason);
  }
}

const policies: RateLimitPolicies = {
  perUser: { x: { limit: 5, windowMs: 60_000 }, anthropic: { limit: 2, windowMs: 60_000 } },
  organisation: { anthropic: { limit: 3, windowMs: 60_000 } },
};

interface Instance {
  sut: RateLimiterService;
  store: RedisRateLimitStore;
  recorder: RecordingRecorder;
}

describe(`${RateLimiterService.name} with Redis`, () => {
  let admin: Redis;
  let keyPrefix: string;
  let instances: Instance[];

  async function startInstance(clock: Clock = new SystemClock()): Promise<Instance> {
    const store = RedisRateLimitStore.connect(SHARED_REDIS_URL, { keyPrefix, commandTimeoutMs: 2000 });
    expect(await store.waitUntilReady(5000)).toBe(true);
    const recorder = new RecordingRecorder();
    const instance = { sut: new RateLimiterService(store, policies, recorder, clock), store, recorder };
    instances.push(instance);
    return instance;
  }

  beforeAll(() => {
    admin = new Redis(SHARED_REDIS_URL);
  });

  afterAll(async () => {
    await admin.quit();
  });

  beforeEach(() => {
    keyPrefix = uniqueKeyPrefix('service');
    instances = [];
  });

  afterEach(async () => {
    await Promise.all(instances.map((instance) => instance.store.close()));
    await deleteKeysWithPrefix(admin, keyPrefix);
  });

  it('should respect on a second instance the X block that the first learnt from headers', async () => {
    const first = await startInstance();
    const second = await startInstance();
    const resetSeconds = Math.floor(Date.now() / 1000) + 120;

    await first.sut.applyXHeaders('user-1', { 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': String(resetSeconds) });

    const error = await second.sut.acquire('x', 'user-1').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RateLimitExceededException);
    expect(error).toMatchObject({ reason: 'provider_block' });
    expect((error as RateLimitExceededException).retryAfterMs).toBeGreaterThan(110_000);
    expect(second.recorder.reasons).toEqual(['provider_block']);
    await expect(second.sut.acquire('x', 'user-2')).resolves.toBeDefined();
    expect(await admin.get(first.store.blockKey(userRateLimitKey('x', 'user-1')))).toBe(String(resetSeconds * 1000));
  });

  it('should block Anthropic for every user on every instance after a 429 with retry-after', async () => {
    const first = await startInstance();
    const second = await startInstance();
    const fn = jest.fn(async (): Promise<ProviderCallResult<string>> => {
      throw new ProviderResponseError({ status: 429, headers: { 'retry-after': '60' } });
    });

    await expect(first.sut.callWithRateLimit('anthropic', 'user-1', fn, { maxAttempts: 3, maxWaitMs: 5000 })).rejects.toMatchObject({
      code: 'RATE_LIMITED',
      reason: 'provider_rejected',
    });

    expect(fn).toHaveBeenCalledTimes(1);
    await expect(second.sut.acquire('anthropic', 'user-2')).rejects.toMatchObject({ reason: 'provider_block' });
    const ttl = await admin.pttl(first.store.blockKey(organisationRateLimitKey('anthropic')));
    expect(ttl).toBeGreaterThan(55_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it('should hold the organisation cap across instances and give back refused users their slot', async () => {
    const [a, b] = [await startInstance(), await startInstance()];

    const outcomes = await Promise.allSettled([
      a.sut.acquire('anthropic', 'user-1'),
      b.sut.acquire('anthropic', 'user-2'),
      a.sut.acquire('anthropic', 'user-3'),
      b.sut.acquire('anthropic', 'user-4'),
      a.sut.acquire('anthropic', 'user-5'),
    ]);

    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(3);
    expect(await admin.zcard(a.store.windowKey(organisationRateLimitKey('anthropic')))).toBe(3);
    const userCounts = await Promise.all(
      ['user-1', 'user-2', 'user-3', 'user-4', 'user-5'].map((user) =>
        admin.zcard(a.store.windowKey(userRateLimitKey('anthropic', user))),
      ),
    );
    expect(userCounts.reduce((sum, count) => sum + count, 0)).toBe(3);
  });

  it('should decide alike on instances whose clocks are two hours apart', async () => {
    const ahead = await startInstance(new ManualClock(Date.now() + 3_600_000));
    const behind = await startInstance(new ManualClock(Date.now() - 3_600_000));
    const admitted: boolean[] = [];
    const waits: number[] = [];

    for (let index = 0; index < 10; index++) {
      const instance = index % 2 === 0 ? ahead : behind;
      try {
        await instance.sut.acquire('x', 'user-1');
        admitted.push(true);
      } catch (error) {
        admitted.push(false);
        waits.push((error as RateLimitExceededException).retryAfterMs);
      }
    }

    expect(admitted).toEqual([true, true, true, true, true, false, false, false, false, false]);
    // Both instances see the same wait, measured by Redis TIME, not by their own clocks.
    expect(Math.max(...waits) - Math.min(...waits)).toBeLessThan(1000);
    expect(Math.min(...waits)).toBeGreaterThan(58_000);
  });
});
