// Benchmark of the Redis sliding-window store against two baselines measured in the same run, on
// the same Redis and the same ioredis connection: rate-limiter-flexible's RateLimiterRedis (a fixed
// window, the usual choice) and raw PING round trips (the ceiling of that connection).
// Run with `npm run bench:ratelimit`; BENCH_REDIS_URL overrides the Redis (default db 0 on localhost),
// BENCH_ROUNDS (default 11) and BENCH_OPS_PER_ROUND (default 10,000) shorten a run.
// Targets, in each scenario, as medians of the per-round ratios: the store's decisions/s >= 0.80x
// rate-limiter-flexible's (a sliding log costs more than a fixed counter, but not much more) and
// >= 0.50x PING's (at most one round trip's worth of extra work). It prints PASS/FAIL per target
// and exits 1 on a miss.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { createRateLimitRedisClient, RedisRateLimitStore } from '../src/modules/rate-limit/redis-rate-limit.store';
import { reportTarget, reportVerdict } from './targets';

const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/0';
const CONCURRENCY = 50;
const OPS_PER_ROUND = Number(process.env.BENCH_OPS_PER_ROUND ?? '10000');
const KEYS = 20;
const WINDOW_MS = 60_000;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? '11');
const TARGET_VS_FLEXIBLE = 0.8;
const TARGET_VS_PING = 0.5;
const WARMUP_OPS = 5000;

/** Each key gets OPS_PER_ROUND / KEYS requests a round (500 by default): the first limit refuses half. */
const SCENARIOS = [
  { name: 'half refused', limit: Math.max(1, Math.floor(OPS_PER_ROUND / KEYS / 2)) },
  { name: 'all admitted', limit: 1_000_000 },
] as const;

type Operation = (opIndex: number, round: number) => Promise<boolean>;

interface RoundResult {
  opsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  admitted: number;
}

function percentile(sorted: Float64Array, fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Keeps CONCURRENCY operations in flight until `ops` have completed, timing each one. */
async function runRound(operation: Operation, ops: number, round: number): Promise<RoundResult> {
  const latencies = new Float64Array(ops);
  let next = 0;
  let admitted = 0;
  const worker = async (): Promise<void> => {
    while (next < ops) {
      const index = next++;
      const startedAt = process.hrtime.bigint();
      if (await operation(index, round)) {
        admitted++;
      }
      latencies[index] = Number(process.hrtime.bigint() - startedAt) / 1e6;
    }
  };
  const startedAt = process.hrtime.bigint();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const elapsedSeconds = Number(process.hrtime.bigint() - startedAt) / 1e9;
  latencies.sort();
  return {
    opsPerSecond: ops / elapsedSeconds,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    admitted,
  };
}

async function measureScenario(client: Redis, runId: string, scenario: (typeof SCENARIOS)[number]): Promise<void> {
  const tag = `${runId}-${scenario.limit}`;
  const store = new RedisRateLimitStore(client, { keyPrefix: `${tag}-ours` });
  const flexible = new RateLimiterRedis({
    storeClient: client,
    keyPrefix: `${tag}-rlf`,
    points: scenario.limit,
    duration: WINDOW_MS / 1000,
  });
  // Each round uses fresh keys so every round does the same mix of admissions and refusals.
  const key = (opIndex: number, round: number): string => `r${round}-user-${opIndex % KEYS}`;
  const subjects: Array<{ name: string; operation: Operation }> = [
    {
      name: 'RedisRateLimitStore (sliding log)',
      operation: async (opIndex, round) => (await store.consume(key(opIndex, round), scenario.limit, WINDOW_MS)).allowed,
    },
    {
      name: 'rate-limiter-flexible Redis',
      operation: async (opIndex, round) => {
        try {
          await flexible.consume(key(opIndex, round));
          return true;
        } catch (error) {
          if (error instanceof RateLimiterRes) {
            return false;
          }
          throw error;
        }
      },
    },
    { name: 'PING (ceiling)', operation: async () => (await client.ping()) === 'PONG' },
  ];

  for (const subject of subjects) {
    await runRound(subject.operation, WARMUP_OPS, -1);
  }
  const results = subjects.map((): RoundResult[] => []);
  // Rounds run the three subjects back to back and ratios are taken within a round, so load from
  // others on the shared machine and Redis weighs on both sides of each ratio alike.
  for (let round = 0; round < ROUNDS; round++) {
    for (const [index, subject] of subjects.entries()) {
      results[index].push(await runRound(subject.operation, OPS_PER_ROUND, round));
    }
  }
  const ratios = (rounds: RoundResult[], baseline: RoundResult[]): number[] =>
    rounds.map((round, index) => round.opsPerSecond / baseline[index].opsPerSecond);
  const [oursRounds, flexibleRounds, pingRounds] = results;

  console.log(`\nScenario "${scenario.name}": limit ${scenario.limit} per ${WINDOW_MS / 1000} s per key`);
  console.log('| subject                            | ops/s   | p50 ms | p99 ms | admitted | vs RLF | vs PING |');
  console.log('|------------------------------------|---------|--------|--------|----------|--------|---------|');
  for (const [index, subject] of subjects.entries()) {
    const rounds = results[index];
    console.log(
      `| ${subject.name.padEnd(34)} | ${Math.round(median(rounds.map((round) => round.opsPerSecond))).toString().padStart(7)} | ` +
        `${median(rounds.map((round) => round.p50Ms)).toFixed(2).padStart(6)} | ` +
        `${median(rounds.map((round) => round.p99Ms)).toFixed(2).padStart(6)} | ` +
        `${(median(rounds.map((round) => round.admitted / OPS_PER_ROUND)) * 100).toFixed(0).padStart(7)}% | ` +
        `${median(ratios(rounds, flexibleRounds)).toFixed(2).padStart(5)}x | ` +
        `${median(ratios(rounds, pingRounds)).toFixed(2).padStart(6)}x |`,
    );
  }
  const report = (baseline: string, values: number[], target: number): void => {
    const value = median(values);
    reportTarget({
      name: `"${scenario.name}" RedisRateLimitStore vs ${baseline}`,
      measured: `${value.toFixed(2)}x (rounds ${Math.min(...values).toFixed(2)}-${Math.max(...values).toFixed(2)})`,
      target: `>= ${target.toFixed(2)}x`,
      met: value >= target,
    });
  };
  report('rate-limiter-flexible', ratios(oursRounds, flexibleRounds), TARGET_VS_FLEXIBLE);
  report('PING ceiling', ratios(oursRounds, pingRounds), TARGET_VS_PING);
}

async function deleteRunKeys(client: Redis, runId: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `*${runId}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) {
      await client.del(...keys);
    }
  } while (cursor !== '0');
}

async function main(): Promise<void> {
  const runId = `bench-rl-${process.pid}-${randomBytes(3).toString('hex')}`;
  // The store's own fail-fast connection settings, shared by all three subjects.
  const client = createRateLimitRedisClient(REDIS_URL, { commandTimeoutMs: 5000 });
  try {
    await new Promise<void>((resolve, reject) => {
      client.once('ready', () => resolve());
      client.once('error', reject);
    });
    console.log(
      `Rate-limit decisions per second: ${CONCURRENCY} in flight on one connection, ${OPS_PER_ROUND} ops a round ` +
        `over ${KEYS} keys, medians of ${ROUNDS} rounds, Redis ${REDIS_URL.replace(/\/\/[^@]*@/, '//')}`,
    );
    for (const scenario of SCENARIOS) {
      await measureScenario(client, runId, scenario);
    }
    reportVerdict('bench:ratelimit');
  } finally {
    await deleteRunKeys(client, runId);
    await client.quit();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
