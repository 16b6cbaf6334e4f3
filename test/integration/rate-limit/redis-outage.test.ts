// Behaviour when Redis goes away, stalls or forgets its scripts, each on a private redis-server
// so the shared one is never disturbed.
import { Redis } from 'ioredis';
import { SystemClock } from '../../../src/core/clock/clock';
import { NoopRateLimitRejectionRecorder } from '../../../src/modules/rate-limit/rate-limit-rejection.recorder';
import { RateLimitStoreUnavailableException } from '../../../src/core/rate-limit/rate-limit.exception';
import type { ProviderCallResult, RateLimitPolicies } from '../../../src/core/rate-limit/rate-limit.types';
import { RateLimiterService, userRateLimitKey } from '../../../src/modules/rate-limit/rate-limiter.service';
import { RedisRateLimitStore } from '../../../src/modules/rate-limit/redis-rate-limit.store';
import { PrivateRedisServer } from './support/redis-test-helpers';

const policies: RateLimitPolicies = {
  perUser: { x: { limit: 100, windowMs: 60_000 }, anthropic: { limit: 100, windowMs: 60_000 } },
  organisation: { anthropic: { limit: 1000, windowMs: 60_000 } },
};

function newGuardedCall() {
  let calls = 0;
  const fn = async (): Promise<ProviderCallResult<string>> => {
    calls++;
    return { value: 'ok', response: { status: 200, headers: {} } };
  };
  return { fn, calls: () => calls };
}

function commandStat(info: string, command: string): number {
  const match = new RegExp(`^cmdstat_${command}:calls=(\\d+)`, 'm').exec(info);
  return match === null ? 0 : Number(match[1]);
}

describe('Rate limiting when Redis fails', () => {
  let server: PrivateRedisServer;
  let store: RedisRateLimitStore;
  let admin: Redis | null;

  afterEach(async () => {
    await store.close();
    if (admin !== null) {
      admin.disconnect();
    }
    await server.dispose();
  });

  async function connect(options: { persistent?: boolean; commandTimeoutMs?: number } = {}) {
    server = await PrivateRedisServer.start({ persistent: options.persistent });
    store = RedisRateLimitStore.connect(server.url, { commandTimeoutMs: options.commandTimeoutMs ?? 300 });
    expect(await store.waitUntilReady(5000)).toBe(true);
    admin = null;
    return new RateLimiterService(store, policies, new NoopRateLimitRejectionRecorder(), new SystemClock());
  }

  it('should fail closed while Redis is down, make no provider call, and resume without double counting', async () => {
    const sut = await connect({ persistent: true });
    const guarded = newGuardedCall();
    for (let index = 0; index < 5; index++) {
      await sut.callWithRateLimit('x', 'user-1', guarded.fn, { maxAttempts: 3 });
    }

    await server.stop();
    const startedAt = Date.now();
    const outcomes = await Promise.allSettled(
      Array.from({ length: 5 }, () => sut.callWithRateLimit('x', 'user-1', guarded.fn, { maxAttempts: 3 })),
    );
    const failedWithin = Date.now() - startedAt;

    expect(outcomes.map((outcome) => (outcome.status === 'rejected' ? outcome.reason : outcome.value))).toEqual(
      Array(5).fill(expect.any(RateLimitStoreUnavailableException)),
    );
    expect(failedWithin).toBeLessThan(1000);
    expect(guarded.calls()).toBe(5);

    await server.resume();
    expect(await store.waitUntilReady(10_000)).toBe(true);
    for (let index = 0; index < 5; index++) {
      await sut.callWithRateLimit('x', 'user-1', guarded.fn, { maxAttempts: 3 });
    }

    admin = new Redis(server.url);
    expect(guarded.calls()).toBe(10);
    // Ten admitted calls, ten entries: the refused ones were neither queued nor replayed.
    expect(await admin.zcard(store.windowKey(userRateLimitKey('x', 'user-1')))).toBe(10);
  });

  it('should fail closed when Redis stalls beyond the command timeout', async () => {
    const sut = await connect({ commandTimeoutMs: 200 });
    admin = new Redis(server.url);
    const guarded = newGuardedCall();
    // A stall far longer than the 200 ms timeout, so "gave up before the stall ended" keeps seconds
    // of slack on a busy machine.
    await admin.client('PAUSE', 4000, 'ALL');

    const startedAt = Date.now();
    const error = await sut.callWithRateLimit('anthropic', 'user-1', guarded.fn, { maxAttempts: 3 }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(RateLimitStoreUnavailableException);
    expect(Date.now() - startedAt).toBeLessThan(2500);
    expect(guarded.calls()).toBe(0);
  });

  it('should recover from NOSCRIPT after SCRIPT FLUSH and go back to EVALSHA', async () => {
    const sut = await connect();
    admin = new Redis(server.url);
    await sut.acquire('x', 'user-1');
    await admin.config('RESETSTAT');

    await sut.acquire('x', 'user-1');
    await sut.acquire('x', 'user-1');
    const beforeFlush = await admin.info('commandstats');
    await admin.script('FLUSH');
    await admin.config('RESETSTAT');
    await sut.acquire('x', 'user-1');
    await sut.acquire('x', 'user-1');
    const afterFlush = await admin.info('commandstats');

    expect(commandStat(beforeFlush, 'evalsha')).toBe(2);
    expect(commandStat(beforeFlush, 'eval')).toBe(0);
    // One EVALSHA refused with NOSCRIPT, one EVAL reloading the script, then EVALSHA again.
    expect(commandStat(afterFlush, 'eval')).toBe(1);
    expect(commandStat(afterFlush, 'evalsha')).toBe(2);
    expect(await admin.zcard(store.windowKey(userRateLimitKey('x', 'user-1')))).toBe(5);
  });
});

describe('Rate-limit keys in Redis Cluster', () => {
  let server: PrivateRedisServer;
  let admin: Redis;

  beforeAll(async () => {
    server = await PrivateRedisServer.start({ extraArgs: ['--cluster-enabled', 'yes'] });
    admin = new Redis(server.url);
  });

  afterAll(async () => {
    admin.disconnect();
    await server.dispose();
  });

  it('should put a window and its block marker in one slot, and different users in different slots', async () => {
    const store = new RedisRateLimitStore(admin);
    const slot = (key: string) => admin.cluster('KEYSLOT', key);
    const userKey = userRateLimitKey('x', 'user123');

    expect(await slot(store.windowKey(userKey))).toBe(await slot(store.blockKey(userKey)));
    const userSlots = new Set(
      await Promise.all(['a', 'b', 'c', 'd', 'e'].map((user) => slot(store.windowKey(userRateLimitKey('x', user))))),
    );
    expect(userSlots.size).toBeGreaterThan(1);
  });
});
