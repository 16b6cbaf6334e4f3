import { APIError } from '@anthropic-ai/sdk';
import { ManualClock } from '../../core/clock/clock';
import { MemoryRateLimitStore } from './memory-rate-limit.store';
import {
  ProviderResponseError,
  ProviderUnavailableException,
  RateLimitErrorCode,
  RateLimitExceededException,
  RateLimitStoreUnavailableException,
} from '../../core/rate-limit/rate-limit.exception';
import { RateLimitRejectionRecorder } from './rate-limit-rejection.recorder';
import { ConsumeResult, RateLimitStore } from './rate-limit.store';
import type { Provider, ProviderCallResult, RateLimitPolicies, RateLimitRejectionReason } from '../../core/rate-limit/rate-limit.types';
import { organisationRateLimitKey, RateLimiterService, userRateLimitKey } from './rate-limiter.service';

class RecordingRecorder extends RateLimitRejectionRecorder {
  readonly rejections: Array<{ provider: Provider; userId: string; reason: RateLimitRejectionReason }> = [];

  recordRejection(provider: Provider, userId: string, reason: RateLimitRejectionReason): void {
    this.rejections.push({ provider, userId, reason });
  }
}

class UnreachableStore extends RateLimitStore {
  async consume(): Promise<ConsumeResult> {
    throw new RateLimitStoreUnavailableException({ cause: new Error('Connection is closed.') });
  }
  async release(): Promise<void> {
    throw new RateLimitStoreUnavailableException();
  }
  async blockUntil(): Promise<void> {
    throw new RateLimitStoreUnavailableException();
  }
  async close(): Promise<void> {}
}

const policies: RateLimitPolicies = {
  perUser: { x: { limit: 3, windowMs: 60_000 }, anthropic: { limit: 2, windowMs: 60_000 } },
  organisation: { anthropic: { limit: 3, windowMs: 60_000 } },
};

const start = Date.parse('2025-06-01T12:00:00Z');

function newTestService(overrides: { store?: RateLimitStore; policies?: RateLimitPolicies } = {}) {
  const clock = new ManualClock(start);
  const recorder = new RecordingRecorder();
  const memoryStore = new MemoryRateLimitStore(clock);
  const sut = new RateLimiterService(overrides.store ?? memoryStore, overrides.policies ?? policies, recorder, clock);
  return { sut, clock, recorder, store: memoryStore };
}

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe(RateLimiterService.name, () => {
  describe('acquire', () => {
    it('should admit up to the per-user limit, then refuse with RATE_LIMITED and the wait', async () => {
      const { sut, clock } = newTestService();
      for (let index = 0; index < 3; index++) {
        await sut.acquire('x', 'user-1');
        clock.advance(1000);
      }

      const error = await caught(sut.acquire('x', 'user-1'));

      expect(error).toBeInstanceOf(RateLimitExceededException);
      expect(error).toMatchObject({
        code: RateLimitErrorCode.RateLimited,
        statusCode: 429,
        provider: 'x',
        retryAfterMs: 57_000,
        reason: 'user_limit',
        headers: { 'Retry-After': '57' },
      });
    });

    it('should report what remains of the user window', async () => {
      const { sut } = newTestService();

      expect(await sut.acquire('x', 'user-1')).toEqual({ provider: 'x', remaining: 2 });
      expect(await sut.acquire('x', 'user-1')).toEqual({ provider: 'x', remaining: 1 });
    });

    it('should keep users and providers apart', async () => {
      const { sut } = newTestService();
      for (let index = 0; index < 3; index++) {
        await sut.acquire('x', 'user-1');
      }

      await expect(sut.acquire('x', 'user-2')).resolves.toMatchObject({ remaining: 2 });
      await expect(sut.acquire('anthropic', 'user-1')).resolves.toMatchObject({ remaining: 1 });
    });

    it('should cap Anthropic across users at the organisation limit', async () => {
      const { sut } = newTestService();
      await sut.acquire('anthropic', 'user-1');
      await sut.acquire('anthropic', 'user-2');
      await sut.acquire('anthropic', 'user-3');

      const error = await caught(sut.acquire('anthropic', 'user-4'));

      expect(error).toMatchObject({ code: 'RATE_LIMITED', reason: 'organisation_limit', retryAfterMs: 60_000 });
    });

    it('should give back the user slot when the organisation refuses', async () => {
      const { sut, store, clock } = newTestService();
      await sut.acquire('anthropic', 'user-1');
      await sut.acquire('anthropic', 'user-2');
      await sut.acquire('anthropic', 'user-3');
      await caught(sut.acquire('anthropic', 'user-4'));
      await caught(sut.acquire('anthropic', 'user-4'));

      // user-4 was never admitted, so its own window must still hold both slots.
      const probe = await store.consume(userRateLimitKey('anthropic', 'user-4'), 2, 60_000);
      clock.advance(60_000);

      expect(probe).toMatchObject({ allowed: true, remaining: 1 });
    });

    it('should record every refusal with its reason', async () => {
      const { sut, recorder } = newTestService();
      for (let index = 0; index < 3; index++) {
        await sut.acquire('x', 'user-1');
      }
      await caught(sut.acquire('x', 'user-1'));
      await sut.applyXHeaders('user-2', { 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': String(start / 1000 + 60) });
      await caught(sut.acquire('x', 'user-2'));

      expect(recorder.rejections).toEqual([
        { provider: 'x', userId: 'user-1', reason: 'user_limit' },
        { provider: 'x', userId: 'user-2', reason: 'provider_block' },
      ]);
    });

    it('should still refuse with RATE_LIMITED when recording fails', async () => {
      const clock = new ManualClock(start);
      const recorder = new (class extends RateLimitRejectionRecorder {
        async recordRejection(): Promise<void> {
          throw new Error('database down');
        }
      })();
      const sut = new RateLimiterService(new MemoryRateLimitStore(clock), policies, recorder, clock);
      for (let index = 0; index < 3; index++) {
        await sut.acquire('x', 'user-1');
      }

      await expect(sut.acquire('x', 'user-1')).rejects.toBeInstanceOf(RateLimitExceededException);
    });

    it('should fail closed with RATE_LIMIT_STORE_UNAVAILABLE when the store is unreachable', async () => {
      const { sut } = newTestService({ store: new UnreachableStore() });

      const error = await caught(sut.acquire('anthropic', 'user-1'));

      expect(error).toBeInstanceOf(RateLimitStoreUnavailableException);
      expect(error).toMatchObject({ code: 'RATE_LIMIT_STORE_UNAVAILABLE', statusCode: 503 });
    });
  });

  describe('provider headers', () => {
    it('should block only that user on X when x-rate-limit-remaining is 0, until x-rate-limit-reset', async () => {
      const { sut, clock } = newTestService();
      const resetSeconds = start / 1000 + 90;

      const blockedUntil = await sut.applyXHeaders('user-1', {
        'x-rate-limit-remaining': '0',
        'x-rate-limit-reset': String(resetSeconds),
      });

      expect(blockedUntil).toBe(resetSeconds * 1000);
      await expect(sut.acquire('x', 'user-1')).rejects.toMatchObject({ retryAfterMs: 90_000, reason: 'provider_block' });
      await expect(sut.acquire('x', 'user-2')).resolves.toBeDefined();
      await expect(sut.acquire('anthropic', 'user-1')).resolves.toBeDefined();
      clock.set(resetSeconds * 1000);
      await expect(sut.acquire('x', 'user-1')).resolves.toBeDefined();
    });

    it('should not block X while requests remain', async () => {
      const { sut } = newTestService();

      expect(await sut.applyXHeaders('user-1', { 'x-rate-limit-remaining': '5', 'x-rate-limit-reset': '1' })).toBeNull();
      await expect(sut.acquire('x', 'user-1')).resolves.toBeDefined();
    });

    it('should block every Anthropic user on a 429 with retry-after, because the limit is the organisation key', async () => {
      const { sut, clock } = newTestService();

      await sut.applyAnthropicHeaders('user-1', new Headers({ 'retry-after': '30' }), 429);

      await expect(sut.acquire('anthropic', 'user-2')).rejects.toMatchObject({ retryAfterMs: 30_000, reason: 'provider_block' });
      await expect(sut.acquire('x', 'user-2')).resolves.toBeDefined();
      clock.advance(30_000);
      await expect(sut.acquire('anthropic', 'user-2')).resolves.toBeDefined();
    });

    it('should block the user key when no organisation cap is configured', async () => {
      const { sut } = newTestService({ policies: { ...policies, organisation: {} } });

      await sut.applyAnthropicHeaders(
        'user-1',
        { 'anthropic-ratelimit-requests-remaining': '0', 'anthropic-ratelimit-requests-reset': '2025-06-01T12:00:10Z' },
        200,
      );

      await expect(sut.acquire('anthropic', 'user-1')).rejects.toMatchObject({ retryAfterMs: 10_000 });
      await expect(sut.acquire('anthropic', 'user-2')).resolves.toBeDefined();
    });

    it('should block the organisation key on an exhausted token limit', async () => {
      const { sut, store } = newTestService();

      await sut.applyAnthropicHeaders(
        'user-1',
        { 'anthropic-ratelimit-tokens-remaining': '0', 'anthropic-ratelimit-tokens-reset': '2025-06-01T12:00:20Z' },
        200,
      );

      expect(await store.consume(organisationRateLimitKey('anthropic'), 100, 60_000)).toMatchObject({
        allowed: false,
        blocked: true,
        retryAfterMs: 20_000,
      });
    });
  });

  describe('callWithRateLimit', () => {
    function sleeper(clock: ManualClock) {
      const delays: number[] = [];
      const sleep = async (ms: number): Promise<void> => {
        delays.push(ms);
        clock.advance(ms);
      };
      return { delays, sleep };
    }

    function respondWith<T>(...steps: Array<T | ProviderResponseError>) {
      const calls: number[] = [];
      const fn = async (attempt: number): Promise<ProviderCallResult<T>> => {
        calls.push(attempt);
        const step = steps[Math.min(calls.length, steps.length) - 1];
        if (step instanceof ProviderResponseError) {
          throw step;
        }
        return { value: step, response: { status: 200, headers: {} } };
      };
      return { calls, fn };
    }

    const failure = (status: number, headers: Record<string, string> = {}) => new ProviderResponseError({ status, headers });

    it('should return the value of a first successful call without waiting', async () => {
      const { sut, clock } = newTestService();
      const { delays, sleep } = sleeper(clock);
      const { calls, fn } = respondWith('ok');

      await expect(sut.callWithRateLimit('x', 'user-1', fn, { maxAttempts: 3, sleep })).resolves.toBe('ok');
      expect(calls).toEqual([1]);
      expect(delays).toEqual([]);
    });

    it('should retry 5xx with jittered exponential backoff and return the eventual value', async () => {
      const { sut, clock } = newTestService();
      const { delays, sleep } = sleeper(clock);
      const { calls, fn } = respondWith(failure(503), failure(500), 'ok');

      const value = await sut.callWithRateLimit('x', 'user-1', fn, {
        maxAttempts: 3,
        sleep,
        backoff: { baseMs: 1000, capMs: 60_000 },
        random: () => 0.5,
      });

      expect(value).toBe('ok');
      expect(calls).toEqual([1, 2, 3]);
      expect(delays).toEqual([500, 1000]);
    });

    it('should cap the backoff delay', async () => {
      const roomy: RateLimitPolicies = { ...policies, perUser: { ...policies.perUser, x: { limit: 100, windowMs: 60_000 } } };
      const { sut, clock } = newTestService({ policies: roomy });
      const { delays, sleep } = sleeper(clock);
      const { fn } = respondWith<string>(failure(502));

      await caught(
        sut.callWithRateLimit('x', 'user-1', fn, {
          maxAttempts: 6,
          sleep,
          backoff: { baseMs: 1000, capMs: 3000 },
          random: () => 0.999_999,
        }),
      );

      expect(delays).toEqual([999, 1999, 2999, 2999, 2999]);
    });

    it('should prefer retry-after over the computed delay', async () => {
      const { sut, clock } = newTestService();
      const { delays, sleep } = sleeper(clock);
      const { fn } = respondWith(failure(503, { 'retry-after': '7' }), 'ok');

      await sut.callWithRateLimit('anthropic', 'user-1', fn, { maxAttempts: 2, sleep, random: () => 0 });

      expect(delays).toEqual([7000]);
    });

    it('should wait out the block a 429 announced and then call again', async () => {
      const { sut, clock, recorder } = newTestService();
      const { delays, sleep } = sleeper(clock);
      const { calls, fn } = respondWith(failure(429, { 'retry-after': '12' }), 'ok');

      const value = await sut.callWithRateLimit('anthropic', 'user-1', fn, { maxAttempts: 3, sleep, random: () => 0 });

      expect(value).toBe('ok');
      expect(calls).toEqual([1, 2]);
      expect(delays).toEqual([12_000]);
      expect(recorder.rejections).toEqual([{ provider: 'anthropic', userId: 'user-1', reason: 'provider_rejected' }]);
    });

    it('should give up with RATE_LIMITED after the last attempt meets 429', async () => {
      const { sut, clock } = newTestService();
      const { sleep } = sleeper(clock);
      const { calls, fn } = respondWith<string>(failure(429));

      const error = await caught(
        sut.callWithRateLimit('anthropic', 'user-1', fn, { maxAttempts: 2, sleep, backoff: { baseMs: 1000, capMs: 8000 }, random: () => 0.5 }),
      );

      expect(calls).toEqual([1, 2]);
      expect(error).toBeInstanceOf(RateLimitExceededException);
      expect(error).toMatchObject({ code: 'RATE_LIMITED', provider: 'anthropic', retryAfterMs: 1000, reason: 'provider_rejected' });
    });

    it('should give up with PROVIDER_UNAVAILABLE after the last attempt meets 5xx', async () => {
      const { sut, clock } = newTestService();
      const { sleep } = sleeper(clock);
      const { calls, fn } = respondWith<string>(failure(529));

      const error = await caught(sut.callWithRateLimit('anthropic', 'user-1', fn, { maxAttempts: 2, sleep }));

      expect(calls).toEqual([1, 2]);
      expect(error).toBeInstanceOf(ProviderUnavailableException);
      expect(error).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', statusCode: 503, providerStatus: 529 });
    });

    it('should not sleep through a wait longer than maxWaitMs but hand the wait to the caller', async () => {
      const { sut, clock } = newTestService();
      const { delays, sleep } = sleeper(clock);
      const resetSeconds = start / 1000 + 900;
      const { calls, fn } = respondWith<string>(
        failure(429, { 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': String(resetSeconds) }),
      );

      const error = await caught(sut.callWithRateLimit('x', 'user-1', fn, { maxAttempts: 5, sleep, maxWaitMs: 60_000 }));

      expect(calls).toEqual([1]);
      expect(delays).toEqual([]);
      expect(error).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: 900_000 });
      await expect(sut.acquire('x', 'user-1')).rejects.toMatchObject({ reason: 'provider_block', retryAfterMs: 900_000 });
    });

    it('should rethrow a non-retryable provider error after one call', async () => {
      const { sut, clock } = newTestService();
      const { sleep } = sleeper(clock);
      const badRequest = failure(400);
      const { calls, fn } = respondWith<string>(badRequest);

      await expect(sut.callWithRateLimit('x', 'user-1', fn, { maxAttempts: 3, sleep })).rejects.toBe(badRequest);
      expect(calls).toEqual([1]);
    });

    it('should rethrow errors that carry no provider response without retrying', async () => {
      const { sut, clock } = newTestService();
      const { sleep } = sleeper(clock);
      const bug = new TypeError('boom');
      const fn = jest.fn(async (): Promise<ProviderCallResult<string>> => {
        throw bug;
      });

      await expect(sut.callWithRateLimit('x', 'user-1', fn, { maxAttempts: 3, sleep })).rejects.toBe(bug);
      expect(fn).toHaveBeenCalledTimes(1);
    });

    it('should treat a returned 429 response like a thrown one', async () => {
      const { sut, clock } = newTestService();
      const { delays, sleep } = sleeper(clock);
      let call = 0;
      const fn = async (): Promise<ProviderCallResult<string>> => {
        call++;
        return call === 1
          ? { value: 'limited', response: { status: 429, headers: { 'retry-after': '2' } } }
          : { value: 'ok', response: { status: 200, headers: {} } };
      };

      await expect(sut.callWithRateLimit('anthropic', 'user-1', fn, { maxAttempts: 2, sleep })).resolves.toBe('ok');
      expect(delays).toEqual([2000]);
    });

    it("should recognise the Anthropic SDK's own errors, with their status and headers", async () => {
      const { sut, clock } = newTestService();
      const { delays, sleep } = sleeper(clock);
      const sdkError = APIError.generate(
        429,
        { type: 'error', error: { type: 'rate_limit_error', message: 'Rate limited' } },
        undefined,
        new Headers({ 'retry-after': '3' }),
      );
      let call = 0;
      const fn = async (): Promise<ProviderCallResult<string>> => {
        if (++call === 1) {
          throw sdkError;
        }
        return { value: 'ok' };
      };

      await expect(sut.callWithRateLimit('anthropic', 'user-1', fn, { maxAttempts: 2, sleep })).resolves.toBe('ok');
      expect(delays).toEqual([3000]);
    });

    it('should apply the headers of a successful response', async () => {
      const { sut, clock } = newTestService();
      const { sleep } = sleeper(clock);
      const resetSeconds = start / 1000 + 60;
      const fn = async (): Promise<ProviderCallResult<string>> => ({
        value: 'page',
        response: { status: 200, headers: { 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': String(resetSeconds) } },
      });

      await expect(sut.callWithRateLimit('x', 'user-1', fn, { maxAttempts: 1, sleep })).resolves.toBe('page');
      await expect(sut.acquire('x', 'user-1')).rejects.toMatchObject({ reason: 'provider_block', retryAfterMs: 60_000 });
    });

    it('should not call the provider when our own limiter refuses', async () => {
      const { sut, clock } = newTestService();
      const { sleep } = sleeper(clock);
      for (let index = 0; index < 3; index++) {
        await sut.acquire('x', 'user-1');
      }
      const fn = jest.fn(async (): Promise<ProviderCallResult<string>> => ({ value: 'ok' }));

      await expect(sut.callWithRateLimit('x', 'user-1', fn, { maxAttempts: 3, sleep })).rejects.toBeInstanceOf(
        RateLimitExceededException,
      );
      expect(fn).not.toHaveBeenCalled();
    });

    it('should not call the provider when the store is unreachable', async () => {
      const { sut, clock } = newTestService({ store: new UnreachableStore() });
      const { sleep } = sleeper(clock);
      const fn = jest.fn(async (): Promise<ProviderCallResult<string>> => ({ value: 'ok' }));

      await expect(sut.callWithRateLimit('anthropic', 'user-1', fn, { maxAttempts: 3, sleep })).rejects.toBeInstanceOf(
        RateLimitStoreUnavailableException,
      );
      expect(fn).not.toHaveBeenCalled();
    });

    it('should count every attempt against the limit', async () => {
      const { sut, clock } = newTestService();
      const { sleep } = sleeper(clock);
      const { calls, fn } = respondWith<string>(failure(503));

      const error = await caught(sut.callWithRateLimit('x', 'user-1', fn, { maxAttempts: 5, sleep, random: () => 0 }));

      // Three attempts used the user's three X slots; the fourth acquisition is refused.
      expect(calls).toEqual([1, 2, 3]);
      expect(error).toMatchObject({ code: 'RATE_LIMITED', reason: 'user_limit' });
    });
  });
});
