import { ManualClock } from '../../core/clock/clock';
import { MemoryRateLimitStore } from './memory-rate-limit.store';

describe(MemoryRateLimitStore.name, () => {
  const start = Date.UTC(2025, 0, 1);
  let clock: ManualClock;
  let sut: MemoryRateLimitStore;

  beforeEach(() => {
    clock = new ManualClock(start);
    sut = new MemoryRateLimitStore(clock);
  });

  afterEach(async () => {
    await sut.close();
  });

  async function consumeAt(offsetMs: number, key = 'x:user-1', limit = 3, windowMs = 1000) {
    clock.set(start + offsetMs);
    return sut.consume(key, limit, windowMs);
  }

  it('should admit exactly `limit` requests within one window', async () => {
    const results = [await consumeAt(0), await consumeAt(10), await consumeAt(20), await consumeAt(30)];

    expect(results.map((result) => result.allowed)).toEqual([true, true, true, false]);
    expect(results.map((result) => result.remaining)).toEqual([2, 1, 0, 0]);
  });

  it('should admit requests made in the same millisecond as distinct entries', async () => {
    const results = [await consumeAt(5), await consumeAt(5), await consumeAt(5), await consumeAt(5)];

    expect(results.map((result) => result.allowed)).toEqual([true, true, true, false]);
    expect(new Set(results.slice(0, 3).map((result) => result.entryId)).size).toBe(3);
  });

  it('should admit again exactly when the oldest entry leaves the window, not 1 ms earlier', async () => {
    await consumeAt(0);
    await consumeAt(100);
    await consumeAt(200);

    const oneMsEarly = await consumeAt(999);
    const onTime = await consumeAt(1000);

    expect(oneMsEarly).toMatchObject({ allowed: false, retryAfterMs: 1 });
    expect(onTime).toMatchObject({ allowed: true, remaining: 0 });
  });

  it('should tell how long until the oldest entry leaves the window', async () => {
    await consumeAt(0);
    await consumeAt(100);
    await consumeAt(200);
    await consumeAt(1000);

    expect(await consumeAt(1000)).toMatchObject({ allowed: false, retryAfterMs: 100, blocked: false });
    expect(await consumeAt(1099)).toMatchObject({ allowed: false, retryAfterMs: 1 });
    expect(await consumeAt(1100)).toMatchObject({ allowed: true });
  });

  it('should not let rejected requests consume or extend the window', async () => {
    await consumeAt(0, 'x:user-1', 2);
    await consumeAt(500, 'x:user-1', 2);
    for (const offset of [600, 700, 800, 999]) {
      expect((await consumeAt(offset, 'x:user-1', 2)).allowed).toBe(false);
    }

    expect(await consumeAt(1000, 'x:user-1', 2)).toMatchObject({ allowed: true, remaining: 0 });
    expect(await consumeAt(1500, 'x:user-1', 2)).toMatchObject({ allowed: true, remaining: 0 });
  });

  it('should keep the windows of different keys apart', async () => {
    await consumeAt(0, 'x:user-1', 1);

    expect((await consumeAt(1, 'x:user-1', 1)).allowed).toBe(false);
    expect((await consumeAt(1, 'x:user-2', 1)).allowed).toBe(true);
  });

  it('should refuse a blocked key until the block ends and admit from that instant', async () => {
    await sut.blockUntil('x:user-1', start + 5000);

    const during = await consumeAt(4999);
    const after = await consumeAt(5000);

    expect(during).toEqual({ allowed: false, remaining: 0, retryAfterMs: 1, blocked: true, entryId: null });
    expect(after).toMatchObject({ allowed: true, remaining: 2, blocked: false });
  });

  it('should not count requests refused by a block', async () => {
    await sut.blockUntil('x:user-1', start + 100);
    await consumeAt(0);
    await consumeAt(50);

    const afterBlock = [await consumeAt(100), await consumeAt(101), await consumeAt(102)];

    expect(afterBlock.map((result) => result.allowed)).toEqual([true, true, true]);
  });

  it('should keep the longer of two blocks', async () => {
    await sut.blockUntil('x:user-1', start + 10_000);
    await sut.blockUntil('x:user-1', start + 2000);

    expect(await consumeAt(5000)).toMatchObject({ allowed: false, blocked: true, retryAfterMs: 5000 });
  });

  it('should ignore a block that has already ended', async () => {
    clock.set(start + 1000);
    await sut.blockUntil('x:user-1', start + 500);

    expect((await consumeAt(1000)).allowed).toBe(true);
  });

  it('should block only the given key', async () => {
    await sut.blockUntil('x:user-1', start + 5000);

    expect((await consumeAt(0, 'x:user-2')).allowed).toBe(true);
  });

  it('should free the slot of a released entry', async () => {
    const admitted = await consumeAt(0, 'x:user-1', 1);
    expect(admitted.entryId).not.toBeNull();

    await sut.release('x:user-1', String(admitted.entryId));

    expect((await consumeAt(1, 'x:user-1', 1)).allowed).toBe(true);
  });

  it('should decide alike after idle keys are swept', async () => {
    for (let index = 0; index < 1000; index++) {
      await consumeAt(0, `x:user-${index}`, 1);
    }
    // Far later every earlier window is idle and a sweep drops them; each key starts afresh.
    for (let index = 0; index < 1000; index++) {
      expect((await consumeAt(10_000, `x:user-${index}`, 1)).allowed).toBe(true);
    }
  });
});
