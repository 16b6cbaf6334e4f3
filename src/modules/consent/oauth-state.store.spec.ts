import { ManualClock } from '../../core/clock/clock';
import { MemoryOAuthStateStore, RedisOAuthStateStore } from './oauth-state.store';
import type Redis from 'ioredis';

const pending = { userId: 'alice', codeVerifier: 'verifier-0123456789', browserNonceHash: 'hash-of-the-browser-nonce', createdAt: 1 };

describe(MemoryOAuthStateStore.name, () => {
  it('should hand an entry out once', async () => {
    const sut = new MemoryOAuthStateStore(new ManualClock(0));
    await sut.save('state-1', pending, 1000);

    expect(await sut.take('state-1')).toEqual(pending);
    expect(await sut.take('state-1')).toBeUndefined();
    expect(await sut.take('other')).toBeUndefined();
  });

  it('should forget entries after their time to live', async () => {
    const clock = new ManualClock(0);
    const sut = new MemoryOAuthStateStore(clock);
    await sut.save('state-1', pending, 1000);

    clock.advance(1000);

    expect(await sut.take('state-1')).toBeUndefined();
  });
});

describe(RedisOAuthStateStore.name, () => {
  it('should store under a hash of the state with a TTL and take with GETDEL', async () => {
    const values = new Map<string, string>();
    const redis = {
      set: jest.fn(async (key: string, value: string) => {
        values.set(key, value);
        return 'OK';
      }),
      getdel: jest.fn(async (key: string) => {
        const value = values.get(key) ?? null;
        values.delete(key);
        return value;
      }),
    };
    const sut = new RedisOAuthStateStore(redis as unknown as Redis);

    await sut.save('state-1', pending, 600_000);

    const [key, , mode, ttl, nx] = redis.set.mock.calls[0] as unknown as [string, string, string, number, string];
    expect(key).toMatch(/^repazoo:oauth-state:[A-Za-z0-9_-]{43}$/);
    expect(key).not.toContain('state-1');
    expect([mode, ttl, nx]).toEqual(['PX', 600_000, 'NX']);
    expect(await sut.take('state-1')).toEqual(pending);
    expect(await sut.take('state-1')).toBeUndefined();
  });
});
