// Boots the real application for e2e tests, in server mode (real PostgreSQL and Redis) or in
// embedded mode (PGlite under a temporary DATA_DIR), with its log output captured.
import { EntityManager } from '@mikro-orm/postgresql';
import { NestExpressApplication } from '@nestjs/platform-express';
import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import request from 'supertest';
import TestAgent from 'supertest/lib/agent';
import { mintToken } from '../../src/core/auth/token-issuer';
import { AuditHeadStore } from '../../src/core/audit/audit-head.store';
import { Clock } from '../../src/core/clock/clock';
import { AppConfig } from '../../src/core/config/app-config';
import { loadConfig } from '../../src/core/config/load-config';
import { createApp } from '../../src/create-app';
import { AppLogger } from '../../src/core/logging/app-logger';
import { TEST_DATABASE_URL, TEST_JWT_SECRET, TEST_REDIS_URL, TEST_SECRETS_ENV } from './test-env';

export interface TestAppOptions {
  mode?: 'server' | 'embedded';
  /** Extra environment variables, as the app would read them. */
  env?: Record<string, string | undefined>;
  /** Replaces the system clock, e.g. a ManualClock for expiry tests. */
  clock?: Clock;
}

export interface TestApp {
  app: NestExpressApplication;
  http: TestAgent;
  config: AppConfig;
  /** Every log line the app wrote, as raw JSON text. */
  logs: string[];
  token(userId: string, options?: { admin?: boolean; ttl?: string }): string;
  /** A fresh EntityManager for assertions on rows. */
  em(): EntityManager;
  /** Empties every table (between tests). */
  resetDatabase(): Promise<void>;
  close(): Promise<void>;
}

export async function startTestApp({ mode = 'server', env = {}, clock }: TestAppOptions = {}): Promise<TestApp> {
  const ownDataDir = env.DATA_DIR === undefined;
  const dataDir = env.DATA_DIR ?? mkdtempSync(join(tmpdir(), 'repazoo-test-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    // `env` may unset a default by giving undefined (e.g. JWT_SECRET in embedded mode).
    DATA_DIR: dataDir,
    ...TEST_SECRETS_ENV,
    // Throttling is per user and shared through Redis across test runs; tests of it set their own.
    HTTP_REQUESTS_PER_MINUTE: '1000000',
    // The route-table and fuzzing tests send hundreds of bad tokens from one address on purpose.
    AUTH_FAILURES_PER_MINUTE: '1000000',
    // The audit sealer runs when a test calls it (and at shutdown), not on a timer that could race
    // the truncation between tests; the test of the timer sets its own interval.
    AUDIT_SEAL_INTERVAL_MS: '0',
    // A run queue per app: suites running at the same time must not execute each other's runs.
    ...(mode === 'server'
      ? { DATABASE_URL: TEST_DATABASE_URL, REDIS_URL: TEST_REDIS_URL, RUNS_QUEUE_NAME: `e2e-runs-${randomUUID()}` }
      : {}),
    ...env,
  });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      logs.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      callback();
    },
  });
  const logger = new AppLogger({ level: 'debug', destination: sink });
  const app = await createApp(config, logger, { clock });
  await app.init();
  const rootEm = app.get(EntityManager);

  return {
    app,
    http: request(app.getHttpServer()),
    config,
    logs,
    token: (userId, options = {}) =>
      mintToken(config.jwt.secret ?? TEST_JWT_SECRET, { userId, ...options, issuer: config.jwt.issuer, audience: config.jwt.audience }),
    em: () => rootEm.fork(),
    async resetDatabase() {
      await truncateAllTables(rootEm);
      // The audit head recorded outside the database belongs to the chain just emptied.
      await app.get(AuditHeadStore).clear();
    },
    async close() {
      await app.close();
      await deleteRunQueueKeys(config);
      if (ownDataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function truncateAllTables(em: EntityManager): Promise<void> {
  const names = Object.values(em.getMetadata().getAll()).map((meta) => `"${meta.tableName}"`);
  await em.getConnection().execute(`truncate ${names.join(', ')} restart identity cascade`);
}

/** Removes the app's BullMQ keys (`bull:<queue>:*`) from the test Redis; best effort. */
async function deleteRunQueueKeys(config: AppConfig): Promise<void> {
  if (config.mode !== 'server' || !config.redisUrl) return;
  const redis = new Redis(config.redisUrl, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `bull:${config.jobs.queueName}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } catch {
    // Redis stopped by the test: nothing to clean.
  } finally {
    redis.disconnect();
  }
}
