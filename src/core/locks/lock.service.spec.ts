import { InProcessLockService } from './lock.service';

describe(InProcessLockService.name, () => {
  it('should run only one of two concurrent holders of the same lock', async () => {
    const sut = new InProcessLockService();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const ran: string[] = [];

    const first = sut.withLock('retention', 1000, async () => {
      ran.push('first');
      await held;
    });
    const second = await sut.withLock('retention', 1000, async () => {
      ran.push('second');
    });
    release();

    expect(await first).toBe(true);
    expect(second).toBe(false);
    expect(ran).toEqual(['first']);
  });

  it('should release the lock when the work fails, and pass the error on', async () => {
    const sut = new InProcessLockService();

    await expect(sut.withLock('job', 1000, async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');

    expect(await sut.withLock('job', 1000, async () => undefined)).toBe(true);
  });

  it('should not hold different lock names against each other', async () => {
    const sut = new InProcessLockService();
    const results = await Promise.all([sut.withLock('a', 1000, async () => undefined), sut.withLock('b', 1000, async () => undefined)]);
    expect(results).toEqual([true, true]);
  });

  it('should refuse a TTL that is not a sensible number of milliseconds', async () => {
    await expect(new InProcessLockService().withLock('a', 0, async () => undefined)).rejects.toThrow(RangeError);
  });
});
