// The Redis store against the real shared Redis: atomicity across processes, the sliding window
// timed by Redis TIME, expiry of idle keys and shared block markers.
import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Redis } from 'ioredis';
import { RedisRateLimitStore } from '../../../src/modules/rate-limit/redis-rate-limit.store';
import { waitUntil } from '../../utils/x-account';
import type { WorkerReport } from './support/acquire-worker';
import {
  deleteKeysWithPrefix,
  redisTimeMs,
  SHARED_REDIS_URL,
  sleep,
  uniqueKeyPrefix,
} from './support/redis-test-helpers';

const ROOT = join(__dirname, '..', '..', '..');
const WORKER = join(__dirname, 'support', 'acquire-worker.ts');

interface RunningWorker {
  child: ChildProcessWithoutNullStreams;
  ready: Promise<void>;
  report: Promise<WorkerReport>;
}

function startWorker(env: Record<string, string>): RunningWorker {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', WORKER], {
    cwd: ROOT,
    env: { ...process.env, ...env },
  });
  const lines = createInterface({ input: child.stdout });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  let onReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => {
    onReady = resolve;
  });
  const report = new Promise<WorkerReport>((resolve, reject) => {
    let result: WorkerReport | null = null;
    lines.on('line', (line) => {
      if (line === 'ready') {
        onReady();
      } else {
        result = JSON.parse(line) as WorkerReport;
      }
    });
    child.once('exit', (code) => {
      if (code === 0 && result !== null) {
        resolve(result);
      } else {
        reject(new Error(`worker exited with ${code}: ${stderr}`));
      }
    });
  });
  // Fail the wait for "ready" too when a worker dies before it gets there.
  return { child, ready: Promise.race([ready, report.then(() => undefined)]), report };
}

describe(RedisRateLimitStore.name, () => {
  let admin: Redis;
  let keyPrefix: string;
  let sut: RedisRateLimitStore;

  beforeAll(() => {
    admin = new Redis(SHARED_REDIS_URL);
  });

  afterAll(async () => {
    await admin.quit();
  });

  beforeEach(async () => {
    keyPrefix = uniqueKeyPrefix('store');
    sut = RedisRateLimitStore.connect(SHARED_REDIS_URL, { keyPrefix, commandTimeoutMs: 2000 });
    expect(await sut.waitUntilReady(5000)).toBe(true);
  });

  afterEach(async () => {
    await sut.close();
    await deleteKeysWithPrefix(admin, keyPrefix);
  });

  it('should admit exactly the limit when 4 processes send 50 concurrent requests each at one key', async () => {
    const env = { REDIS_URL: SHARED_REDIS_URL, KEY_PREFIX: keyPrefix, USER_ID: 'crowded', LIMIT: '100', CONCURRENCY: '50' };
    // Two of the processes run with clocks an hour apart: the store must decide by Redis TIME alone.
    const skews = ['0', '3600000', '-3600000', '0'];
    const workers = skews.map((skew) => startWorker({ ...env, SKEW_MS: skew }));
    try {
      await Promise.all(workers.map((worker) => worker.ready));
      for (const worker of workers) {
        worker.child.stdin.write('go\n');
      }

      const reports = await Promise.all(workers.map((worker) => worker.report));

      const total = reports.reduce(
        (sum, report) => ({
          admitted: sum.admitted + report.admitted,
          refused: sum.refused + report.refused,
          failed: sum.failed + report.failed,
        }),
        { admitted: 0, refused: 0, failed: 0 },
      );
      expect(total).toEqual({ admitted: 100, refused: 100, failed: 0 });
      expect(await admin.zcard(sut.windowKey('x:crowded'))).toBe(100);
    } finally {
      for (const worker of workers) {
        worker.child.kill();
      }
    }
  }, 60_000);

  it('should keep same-millisecond admissions as separate entries', async () => {
    const results = await Promise.all(Array.from({ length: 30 }, () => sut.consume('burst', 1000, 60_000)));

    expect(results.every((result) => result.allowed)).toBe(true);
    expect(await admin.zcard(sut.windowKey('burst'))).toBe(30);
  });

  it('should forget an entry stamped exactly one window before Redis TIME', async () => {
    const windowMs = 10_000;
    const now = await redisTimeMs(admin);
    await admin.zadd(sut.windowKey('edge'), now - windowMs, 'seeded-1', now - windowMs, 'seeded-2');

    const result = await sut.consume('edge', 2, windowMs);

    expect(result).toMatchObject({ allowed: true, remaining: 1 });
  });

  it('should measure the wait from Redis TIME to when the oldest entry leaves the window', async () => {
    const windowMs = 10_000;
    const now = await redisTimeMs(admin);
    // Both entries leave the window 5 s after `now` by the Redis clock: seconds of slack for a busy machine.
    await admin.zadd(sut.windowKey('edge'), now - windowMs + 5000, 'seeded-1', now - windowMs + 5100, 'seeded-2');

    const refused = await sut.consume('edge', 2, windowMs);
    const elapsed = (await redisTimeMs(admin)) - now;

    expect(refused.allowed).toBe(false);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(5000);
    expect(refused.retryAfterMs).toBeGreaterThanOrEqual(5000 - elapsed);
  });

  it('should prune stale entries and still refuse while the live ones fill the window', async () => {
    const windowMs = 10_000;
    const now = await redisTimeMs(admin);
    await admin.zadd(
      sut.windowKey('mixed'),
      now - windowMs - 50,
      'stale',
      now - windowMs + 5000,
      'live-1',
      now - windowMs + 9000,
      'live-2',
    );

    const refused = await sut.consume('mixed', 2, windowMs);
    const elapsed = (await redisTimeMs(admin)) - now;

    expect(refused.allowed).toBe(false);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(5000);
    expect(refused.retryAfterMs).toBeGreaterThanOrEqual(5000 - elapsed);
    expect(await admin.zrange(sut.windowKey('mixed'), 0, -1)).toEqual(['live-1', 'live-2']);
  });

  it('should admit again when the oldest entry leaves a short window, and not before', async () => {
    const windowMs = 4000;
    const first = await sut.consume('short', 2, windowMs);
    // The sleeps let time pass on purpose, each with a second or more of slack: the second entry is
    // 1.5 s younger, "not before" is checked a second early, and the admission has until the second
    // entry leaves too.
    await sleep(1500);
    await sut.consume('short', 2, windowMs);

    const refused = await sut.consume('short', 2, windowMs);
    await sleep(refused.retryAfterMs - 1000);
    const stillRefused = await sut.consume('short', 2, windowMs);
    await sleep(stillRefused.retryAfterMs + 20);
    const admitted = await sut.consume('short', 2, windowMs);
    const refusedAgain = await sut.consume('short', 2, windowMs);

    expect(first.allowed).toBe(true);
    expect(refused.allowed).toBe(false);
    expect(refused.retryAfterMs).toBeGreaterThan(1000);
    expect(stillRefused).toMatchObject({ allowed: false, blocked: false });
    expect(admitted).toMatchObject({ allowed: true, remaining: 0 });
    // The second entry (1.5 s younger, more if the first sleep overslept) now holds the window,
    // not the entry just admitted (which would mean a wait of about the whole window).
    expect(refusedAgain.allowed).toBe(false);
    expect(refusedAgain.retryAfterMs).toBeLessThan(windowMs - 1000);
  });

  it('should neither record nor extend the window for refused requests', async () => {
    const windowMs = 5000;
    await sut.consume('busy', 2, windowMs);
    await sut.consume('busy', 2, windowMs);
    const ttlAfterAdmissions = await admin.pttl(sut.windowKey('busy'));
    // Time passes on purpose: a longer sleep only lowers the TTL further.
    await sleep(300);

    const refusals = await Promise.all(Array.from({ length: 20 }, () => sut.consume('busy', 2, windowMs)));

    expect(refusals.every((result) => !result.allowed)).toBe(true);
    expect(await admin.zcard(sut.windowKey('busy'))).toBe(2);
    expect(await admin.pttl(sut.windowKey('busy'))).toBeLessThanOrEqual(ttlAfterAdmissions - 250);
  });

  it('should give idle keys a TTL so they expire', async () => {
    await sut.consume('idle', 5, 400);
    const ttl = await admin.pttl(sut.windowKey('idle'));

    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(400);
    await waitUntil('the idle key expired', async () => (await admin.exists(sut.windowKey('idle'))) === 0, 5000);
  });

  it('should share a block marker between instances and let it expire at the block end', async () => {
    const other = RedisRateLimitStore.connect(SHARED_REDIS_URL, { keyPrefix });
    try {
      expect(await other.waitUntilReady(5000)).toBe(true);
      const until = (await redisTimeMs(admin)) + 2000;

      await sut.blockUntil('x:blocked-user', until);
      const during = await other.consume('x:blocked-user', 10, 60_000);
      const ttl = await admin.pttl(sut.blockKey('x:blocked-user'));
      await waitUntil('the block marker expired', async () => (await admin.exists(sut.blockKey('x:blocked-user'))) === 0, 10_000);
      const after = await other.consume('x:blocked-user', 10, 60_000);

      expect(during).toMatchObject({ allowed: false, blocked: true, entryId: null });
      expect(during.retryAfterMs).toBeGreaterThan(1000);
      expect(during.retryAfterMs).toBeLessThanOrEqual(2000);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(2000);
      expect(after).toMatchObject({ allowed: true, blocked: false });
      expect(await admin.exists(sut.blockKey('x:blocked-user'))).toBe(0);
    } finally {
      await other.close();
    }
  });

  it('should keep the longer of two blocks', async () => {
    const now = await redisTimeMs(admin);
    await sut.blockUntil('x:user', now + 60_000);
    await sut.blockUntil('x:user', now + 1000);

    const result = await sut.consume('x:user', 10, 60_000);

    expect(result.retryAfterMs).toBeGreaterThan(50_000);
    expect(Number(await admin.get(sut.blockKey('x:user')))).toBe(now + 60_000);
  });

  it('should ignore a block that already ended', async () => {
    await sut.blockUntil('x:user', (await redisTimeMs(admin)) - 1000);

    expect(await admin.exists(sut.blockKey('x:user'))).toBe(0);
    expect((await sut.consume('x:user', 1, 1000)).allowed).toBe(true);
  });

  it('should take back a released entry', async () => {
    const admitted = await sut.consume('x:user', 1, 60_000);

    await sut.release('x:user', String(admitted.entryId));

    expect(await admin.zcard(sut.windowKey('x:user'))).toBe(0);
    expect((await sut.consume('x:user', 1, 60_000)).allowed).toBe(true);
  });

  it('should shape keys so a window and its block marker share a hash tag', () => {
    expect(sut.windowKey('x:user123')).toBe(`${keyPrefix}:{x:user123}`);
    expect(sut.blockKey('x:user123')).toBe(`${keyPrefix}:{x:user123}:blocked`);
  });
});
