// LockService against the real Redis (several instances, each its own connection) and in-process:
// of two concurrent holders only one runs, a live holder keeps its lock past the TTL, and a
// crashed holder's lock expires.
import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { InProcessLockService, LockService } from '../../../src/core/locks/lock.service';
import { RedisLockService } from '../../../src/core/locks/redis-lock.service';
import { TEST_REDIS_URL } from '../../utils/test-env';
import { waitUntil } from '../../utils/x-account';
import { sleep } from './support/jobs-harness';

/**
 * Both try at once; whoever gets the lock holds it until the other's attempt has been decided, so
 * the attempts overlap however slow the machine. Had both got in, each would wait for the other:
 * the bounded wait lets them finish and the test sees two runs.
 */
async function twoConcurrentHolders(a: LockService, b: LockService, name: string) {
  const ran: string[] = [];
  const decided = new Set<string>();
  const attempt = (sut: LockService, label: string, other: string) =>
    sut
      .withLock(name, 1000, async () => {
        ran.push(label);
        await waitUntil(`the attempt of ${other} was decided`, () => decided.has(other), 5000).catch(() => undefined);
      })
      .finally(() => decided.add(label));
  const results = await Promise.all([attempt(a, 'a', 'b'), attempt(b, 'b', 'a')]);
  return { results, ran };
}

describe(RedisLockService.name, () => {
  const prefix = `test-lock-${process.pid}-${randomBytes(4).toString('hex')}:`;
  let connections: Redis[];
  let first: RedisLockService;
  let second: RedisLockService;

  beforeAll(() => {
    connections = [new Redis(TEST_REDIS_URL), new Redis(TEST_REDIS_URL), new Redis(TEST_REDIS_URL)];
    first = new RedisLockService(connections[0], { keyPrefix: prefix });
    second = new RedisLockService(connections[1], { keyPrefix: prefix });
  });
  afterAll(async () => {
    const keys = await connections[2].keys(`${prefix}*`);
    if (keys.length > 0) await connections[2].del(...keys);
    await Promise.all(connections.map((connection) => connection.quit()));
  });

  it('should run only one of two concurrent holders on different connections', async () => {
    const { results, ran } = await twoConcurrentHolders(first, second, 'cron-a');

    expect(results.filter(Boolean)).toHaveLength(1);
    expect(ran).toHaveLength(1);
    expect(await connections[2].exists(`${prefix}cron-a`)).toBe(0);
    expect(await second.withLock('cron-a', 1000, async () => undefined)).toBe(true);
  });

  it('should keep the lock for a live holder whose work outlasts the TTL', async () => {
    let secondRan = false;
    let secondAttempt: Promise<boolean> | undefined;
    const holder = first.withLock('long', 300, async (signal) => {
      // Past the 300 ms TTL on purpose (a longer wait only makes the point stronger): only the
      // holder's renewals keep the lock now. The second attempt is made while the holder runs.
      await sleep(700);
      secondAttempt = second.withLock('long', 300, async () => void (secondRan = true));
      await secondAttempt;
      expect(signal.aborted).toBe(false);
    });

    expect(await holder).toBe(true);
    expect(await secondAttempt).toBe(false);
    expect(secondRan).toBe(false);
  });

  it("should let the lock of a crashed holder expire after its TTL, and never release someone else's lock", async () => {
    await connections[2].set(`${prefix}crashed`, 'token-of-a-dead-process', 'PX', 2000);
    expect(await first.withLock('crashed', 1000, async () => undefined)).toBe(false);
    await waitUntil('the crashed holder\'s lock expired', async () => (await connections[2].exists(`${prefix}crashed`)) === 0, 10_000);
    expect(await first.withLock('crashed', 1000, async () => undefined)).toBe(true);

    const aborted = await first.withLock('stolen', 300, async (signal) => {
      // Someone else's lock now (as after an expiry): the holder learns it lost the lock.
      await connections[2].set(`${prefix}stolen`, 'another-holder', 'PX', 5000);
      await waitUntil('the holder learned it lost the lock', () => signal.aborted, 4000);
    });
    expect(aborted).toBe(true);
    expect(await connections[2].get(`${prefix}stolen`)).toBe('another-holder');
  });

  it('should release the lock when the work throws', async () => {
    await expect(first.withLock('failing', 1000, async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await connections[2].exists(`${prefix}failing`)).toBe(0);
  });
});

describe(InProcessLockService.name, () => {
  it('should run only one of two concurrent holders', async () => {
    const sut = new InProcessLockService();
    const { results, ran } = await twoConcurrentHolders(sut, sut, 'cron-b');

    expect(results).toEqual([true, false]);
    expect(ran).toEqual(['a']);
  });
});
