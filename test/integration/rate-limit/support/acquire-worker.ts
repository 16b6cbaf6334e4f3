// A separate app instance for the multi-process test: it connects, says "ready", waits for "go"
// on stdin, fires CONCURRENCY acquisitions at once and prints how many were admitted.
// SKEW_MS shifts this process's clock, which the Redis store must not care about.
import { createInterface } from 'node:readline';
import { ManualClock } from '../../../../src/core/clock/clock';
import { NoopRateLimitRejectionRecorder } from '../../../../src/modules/rate-limit/rate-limit-rejection.recorder';
import { RateLimitExceededException } from '../../../../src/core/rate-limit/rate-limit.exception';
import { RateLimiterService } from '../../../../src/modules/rate-limit/rate-limiter.service';
import { RedisRateLimitStore } from '../../../../src/modules/rate-limit/redis-rate-limit.store';

export interface WorkerReport {
  admitted: number;
  refused: number;
  failed: number;
}

async function main(): Promise<void> {
  const env = (name: string): string => {
    const value = process.env[name];
    if (value === undefined) {
      throw new Error(`${name} is required`);
    }
    return value;
  };
  const skewMs = Number(process.env.SKEW_MS ?? '0');
  const realNow = Date.now.bind(Date);
  Date.now = () => realNow() + skewMs;

  const limit = Number(env('LIMIT'));
  const store = RedisRateLimitStore.connect(env('REDIS_URL'), { keyPrefix: env('KEY_PREFIX'), commandTimeoutMs: 5000 });
  const sut = new RateLimiterService(
    store,
    { perUser: { x: { limit, windowMs: 60_000 }, anthropic: { limit, windowMs: 60_000 } }, organisation: {} },
    new NoopRateLimitRejectionRecorder(),
    new ManualClock(Date.now()),
  );
  if (!(await store.waitUntilReady(10_000))) {
    throw new Error('Redis not ready');
  }

  process.stdout.write('ready\n');
  const lines = createInterface({ input: process.stdin });
  await new Promise<void>((resolve) => lines.once('line', () => resolve()));
  lines.close();

  const concurrency = Number(env('CONCURRENCY'));
  const outcomes = await Promise.allSettled(Array.from({ length: concurrency }, () => sut.acquire('x', env('USER_ID'))));
  const report: WorkerReport = { admitted: 0, refused: 0, failed: 0 };
  for (const outcome of outcomes) {
    if (outcome.status === 'fulfilled') {
      report.admitted++;
    } else if (outcome.reason instanceof RateLimitExceededException) {
      report.refused++;
    } else {
      report.failed++;
    }
  }
  process.stdout.write(`${JSON.stringify(report)}\n`);
  await store.close();
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
