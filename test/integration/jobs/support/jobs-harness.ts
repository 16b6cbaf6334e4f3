// Boots the run engine without HTTP, the way src/worker.ts does but with only what it needs and
// the test handlers: server mode (real PostgreSQL + Redis/BullMQ, a queue of the test's own) or
// embedded mode (PGlite under a temporary DATA_DIR, the in-process runner).
import { EntityManager } from '@mikro-orm/postgresql';
import { INestApplicationContext, ModuleMetadata } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { ClockModule } from '../../../../src/core/clock/clock.module';
import { APP_CONFIG, AppConfig } from '../../../../src/core/config/app-config';
import { ConfigModule } from '../../../../src/core/config/config.module';
import { loadConfig } from '../../../../src/core/config/load-config';
import { DatabaseModule } from '../../../../src/core/database/database.module';
import { RunLog } from '../../../../src/core/jobs/entities/run-log.entity';
import { WorkflowRun } from '../../../../src/core/jobs/entities/workflow-run.entity';
import { JobsModule } from '../../../../src/core/jobs/jobs.module';
import { JOBS_OPTIONS, JobsOptionsOverrides, resolveJobsOptions } from '../../../../src/core/jobs/jobs.options';
import { RunQueue } from '../../../../src/core/jobs/run-queue';
import { RunsService } from '../../../../src/core/jobs/runs.service';
import { AppLogger } from '../../../../src/core/logging/app-logger';
import { LoggingModule } from '../../../../src/core/logging/logging.module';
import { ENTITIES } from '../../../../src/entities';
import { TEST_DATABASE_URL, TEST_REDIS_URL, TEST_SECRETS_ENV } from '../../../utils/test-env';
import { TestJobsModule } from './test-jobs';

/** Short delays, locks and intervals, so retries and crash recovery take seconds. */
export const FAST_JOBS: JobsOptionsOverrides = {
  concurrency: 4,
  retry: { baseDelayMs: 100, maxDelayMs: 400, storeUnavailableDelayMs: 200, rateLimitDelayBudgetMs: 3000 },
  lockDurationMs: 1500,
  stalledIntervalMs: 500,
  maxStalledCount: 2,
  cancellationPollMs: 200,
  recoveryIntervalMs: 0,
  // The test database is shared with other suites: never adopt their runs.
  recoveryGraceMs: 24 * 3600_000,
  shutdownGraceMs: 2000,
};

export interface JobsHarnessOptions {
  mode: 'server' | 'embedded';
  /** BullMQ queue (server mode); a fresh one by default. */
  queueName?: string;
  /** Server mode's Redis; the shared test Redis by default (a test's private redis-server otherwise). */
  redisUrl?: string;
  /** Embedded mode's DATA_DIR; a temporary one (removed on close) by default. */
  dataDir?: string;
  runWorker?: boolean;
  overrides?: JobsOptionsOverrides;
  /** Modules of the app to boot beside the engine, e.g. the privacy module for a real erasure. */
  imports?: NonNullable<ModuleMetadata['imports']>;
}

export interface JobsHarness {
  context: INestApplicationContext;
  runs: RunsService;
  queue: RunQueue;
  config: AppConfig;
  queueName: string;
  logs: string[];
  em(): EntityManager;
  findRun(id: string): Promise<WorkflowRun | null>;
  waitForRun(id: string, predicate: (run: WorkflowRun) => boolean, timeoutMs?: number): Promise<WorkflowRun>;
  runLogs(runId: string): Promise<RunLog[]>;
  /** Closes the app; in server mode also deletes the queue's keys, unless other processes still use the queue. */
  close(options?: { keepQueue?: boolean }): Promise<void>;
}

export function uniqueQueueName(label: string): string {
  return `test-runs-${label}-${process.pid}-${randomBytes(4).toString('hex')}`;
}

export async function startJobsHarness(options: JobsHarnessOptions): Promise<JobsHarness> {
  const queueName = options.queueName ?? uniqueQueueName(options.mode);
  const redisUrl = options.redisUrl ?? TEST_REDIS_URL;
  const ownDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'repazoo-jobs-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    ...TEST_SECRETS_ENV,
    RUNS_QUEUE_NAME: queueName,
    RUN_WORKER: options.runWorker === false ? 'false' : 'true',
    ...(options.mode === 'server' ? { DATABASE_URL: TEST_DATABASE_URL, REDIS_URL: redisUrl } : {}),
  });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      logs.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      callback();
    },
  });
  const logger = new AppLogger({ level: 'info', destination: sink });
  const overrides: JobsOptionsOverrides = { ...FAST_JOBS, ...options.overrides };
  // JobsModule takes its tunables from the config; the harness's short delays replace them.
  const testingModule = await Test.createTestingModule({
    imports: [
      ConfigModule.forRoot(config),
      LoggingModule.forRoot(logger),
      ClockModule,
      DatabaseModule.forRoot({ entities: ENTITIES }),
      JobsModule,
      TestJobsModule,
      ...(options.imports ?? []),
    ],
  })
    .setLogger(logger)
    .overrideProvider(JOBS_OPTIONS)
    .useFactory({ factory: (appConfig: AppConfig) => resolveJobsOptions(appConfig, overrides), inject: [APP_CONFIG] })
    .compile();
  const context: INestApplicationContext = await testingModule.init();
  const rootEm = context.get(EntityManager);
  const em = () => rootEm.fork();
  const findRun = (id: string) => em().findOne(WorkflowRun, { id }, { disableIdentityMap: true });

  return {
    context,
    runs: context.get(RunsService),
    queue: context.get(RunQueue),
    config,
    queueName,
    logs,
    em,
    findRun,
    async waitForRun(id, predicate, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      let last: WorkflowRun | null = null;
      while (Date.now() < deadline) {
        last = await findRun(id);
        if (last && predicate(last)) return last;
        await sleep(50);
      }
      throw new Error(`run ${id} did not reach the expected state in ${timeoutMs} ms; last seen: ${JSON.stringify(last)}`);
    },
    runLogs: (runId) => em().find(RunLog, { runId }, { orderBy: { id: 'asc' } }),
    async close({ keepQueue = false } = {}) {
      await context.close();
      if (options.mode === 'server' && !keepQueue) await deleteQueueKeys(queueName, redisUrl);
      if (ownDataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Removes every Redis key of a test queue (BullMQ keys are `bull:<queue>:...`). */
export async function deleteQueueKeys(queueName: string, redisUrl = TEST_REDIS_URL): Promise<void> {
  const redis = new Redis(redisUrl);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `bull:${queueName}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    await redis.quit();
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
