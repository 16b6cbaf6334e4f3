// HTTP load benchmark of the real app: authenticated reads (GET /api/support/tickets, GET /api/runs)
// and writes (POST /api/support/tickets) at several fixed concurrencies for a fixed duration, beside
// a bare @Public() Nest route on the same app (the ceiling: same middleware, pipes and filter, no
// auth, no database). The bare route lives in this file only; the product has no such route.
// The load generator is autocannon, in a worker thread (its own event loop).
// Run with `npm run bench:load`; BENCH_DURATION_S (default 30) per cell, BENCH_CONCURRENCY
// (default 1,10,50), BENCH_ONLY (scenario name parts), BENCH_DATABASE_URL (default: a fresh `repazoo_bench_load` database, migrated, dropped at the end),
// BENCH_REDIS_URL (default redis://127.0.0.1:6379/1).
import 'reflect-metadata';
import autocannon from 'autocannon';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Client } from 'pg';
import { AppModule } from '../src/app.module';
import { Public } from '../src/core/auth/auth.decorators';
import { mintToken } from '../src/core/auth/token-issuer';
import { loadConfig } from '../src/core/config/load-config';
import { configureApp } from '../src/core/http/configure-app';
import { AppLogger } from '../src/core/logging/app-logger';

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 30);
const CONCURRENCY = (process.env.BENCH_CONCURRENCY ?? '1,10,50').split(',').map(Number);
/** BENCH_ONLY=tickets,runs keeps the scenarios whose name contains one of the parts (for profiling). */
const ONLY = (process.env.BENCH_ONLY ?? '').split(',').filter(Boolean);
const POSTGRES_ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/1';
const JWT_SECRET = 'bench-secret-that-is-long-enough-for-hs256-0123456789';
const TARGET_P99_MS = 25;
const TARGET_RATIO = 0.5;

@Controller('bench')
class BareController {
  @Get('bare')
  @Public()
  bare(): { ok: true } {
    return { ok: true };
  }
}

interface Scenario {
  name: string;
  method: 'GET' | 'POST';
  path: string;
  token?: string;
  body?: string;
  read: boolean;
}

interface CellResult {
  requests: number;
  errors: number;
  firstError: string | null;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

/**
 * One cell with autocannon, in a worker thread (`workers: 1`) so the load generator has its own
 * event loop and does not steal the app's. Latencies come from autocannon's HDR histogram.
 */
async function runCell(baseUrl: string, scenario: Scenario, concurrency: number, durationS: number): Promise<CellResult> {
  const headers: Record<string, string> = {};
  if (scenario.token) headers.authorization = `Bearer ${scenario.token}`;
  if (scenario.body) headers['content-type'] = 'application/json';
  const result = await autocannon({
    url: `${baseUrl}${scenario.path}`,
    method: scenario.method,
    headers,
    body: scenario.body,
    connections: concurrency,
    duration: durationS,
    workers: 1,
  });
  const failures = result.errors + result.timeouts + result.non2xx;
  const statusCounts = Object.entries(result.statusCodeStats ?? {})
    .filter(([status]) => !status.startsWith('2'))
    .map(([status, { count }]) => `HTTP ${status} x${count}`);
  return {
    requests: result.requests.total,
    errors: failures,
    firstError: failures === 0 ? null : (statusCounts.join(', ') || `${result.errors} socket errors, ${result.timeouts} timeouts`),
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
  };
}

/** Its own name: bench:lifecycle drops `repazoo_bench` (with force) when it runs. */
const OWN_DATABASE = 'repazoo_bench_load';

async function withAdmin(work: (admin: Client) => Promise<unknown>): Promise<void> {
  const admin = new Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  try {
    await work(admin);
  } finally {
    await admin.end();
  }
}

async function prepareDatabase(): Promise<string> {
  if (process.env.BENCH_DATABASE_URL) return process.env.BENCH_DATABASE_URL;
  const name = OWN_DATABASE;
  await withAdmin(async (admin) => {
    await admin.query(`drop database if exists "${name}" with (force)`);
    await admin.query(`create database "${name}"`);
  });
  const url = POSTGRES_ADMIN_URL.replace(/\/[^/]*$/, `/${name}`);
  execFileSync(process.execPath, ['-r', 'ts-node/register/transpile-only', join(__dirname, '..', 'src', 'cli.ts'), 'migrate'], {
    cwd: join(__dirname, '..'),
    env: { ...process.env, DATABASE_URL: url, NODE_ENV: 'test', DATA_DIR: mkdtempSync(join(tmpdir(), 'repazoo-bench-')) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return url;
}

/** A reader with 20 tickets and 20 runs, so the reads return real pages. */
async function seed(databaseUrl: string, reader: string): Promise<void> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    await db.query('insert into users (id, created_at, last_seen_at) values ($1, now(), now()) on conflict do nothing', [reader]);
    for (let i = 0; i < 20; i += 1) {
      await db.query(
        "insert into support_tickets (id, user_id, subject, body, status, created_at) values ($1, $2, $3, $4, 'open', now() - make_interval(secs => $5))",
        [randomUUID(), reader, `Ticket ${i}`, 'Where is my export? '.repeat(5), i],
      );
      await db.query(
        "insert into workflow_runs (id, user_id, flow, job_name, state, attempts, max_attempts, result, created_at, updated_at, finished_at) values ($1, $2, 'ingestion', 'bench.noop', 'COMPLETED', 1, 5, '{}', now() - make_interval(secs => $3), now(), now())",
        [randomUUID(), reader, i],
      );
    }
  } finally {
    await db.end();
  }
}

async function main(): Promise<void> {
  const databaseUrl = await prepareDatabase();
  const config = loadConfig({
    NODE_ENV: 'production',
    DATA_DIR: mkdtempSync(join(tmpdir(), 'repazoo-bench-')),
    DATABASE_URL: databaseUrl,
    REDIS_URL,
    JWT_SECRET,
    ENCRYPTION_KEYS: `bench:${Buffer.alloc(32, 9).toString('base64')}`,
    EXPORT_SIGNING_KEY: 'bench-export-signing-key-0123456789abcdef',
    HTTP_REQUESTS_PER_MINUTE: '100000000',
    RUNS_QUEUE_NAME: `bench-runs-${randomUUID()}`,
    PUBLIC_BASE_URL: 'http://127.0.0.1:3000',
  });
  // Request logs are serialised as in production but written nowhere, so the terminal is not the bottleneck.
  const logger = new AppLogger({ level: 'info', destination: new Writable({ write: (_chunk, _encoding, done) => done() }) });

  @Module({ imports: [AppModule.forRoot(config, logger)], controllers: [BareController] })
  class BenchModule {}

  const app = await NestFactory.create<NestExpressApplication>(BenchModule, { logger, bodyParser: false, abortOnError: false });
  configureApp(app);
  await app.listen(0, '127.0.0.1');
  const baseUrl = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;

  const reader = `bench-reader-${randomUUID()}`;
  const writer = `bench-writer-${randomUUID()}`;
  await seed(databaseUrl, reader);
  const token = (userId: string) => mintToken(JWT_SECRET, { userId, ttl: '1d', issuer: config.jwt.issuer, audience: config.jwt.audience });
  const allScenarios: Scenario[] = [
    { name: 'GET /bench/bare (ceiling)', method: 'GET', path: '/bench/bare', read: false },
    { name: 'GET /api/support/tickets', method: 'GET', path: '/api/support/tickets', token: token(reader), read: true },
    { name: 'GET /api/runs', method: 'GET', path: '/api/runs', token: token(reader), read: true },
    {
      name: 'POST /api/support/tickets',
      method: 'POST',
      path: '/api/support/tickets',
      token: token(writer),
      body: JSON.stringify({ subject: 'Load test', body: 'Where is my export? '.repeat(5) }),
      read: false,
    },
  ];

  // The bare route always runs: every other figure is read against it.
  const scenarios = allScenarios.filter((scenario, index) => index === 0 || ONLY.length === 0 || ONLY.some((part) => scenario.name.includes(part)));
  process.stdout.write(`bench:load ${DURATION_S}s per cell, concurrency ${CONCURRENCY.join('/')}, node ${process.version}\n`);
  // Warm-up: JIT, connection pools, the users rows.
  for (const scenario of scenarios) await runCell(baseUrl, scenario, 4, 1);

  const results = new Map<string, CellResult>();
  for (const concurrency of CONCURRENCY) {
    for (const scenario of scenarios) {
      const result = await runCell(baseUrl, scenario, concurrency, DURATION_S);
      results.set(`${scenario.name}@${concurrency}`, result);
    }
  }

  const rows = [['scenario', 'conc', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'x bare']];
  for (const concurrency of CONCURRENCY) {
    const bare = results.get(`${scenarios[0].name}@${concurrency}`)!;
    for (const scenario of scenarios) {
      const result = results.get(`${scenario.name}@${concurrency}`)!;
      rows.push([
        scenario.name,
        String(concurrency),
        result.requestsPerSecond.toFixed(0),
        result.p50Ms.toFixed(2),
        result.p99Ms.toFixed(2),
        result.errors === 0 ? '0' : `${result.errors} (${result.firstError})`,
        (result.requestsPerSecond / bare.requestsPerSecond).toFixed(2),
      ]);
    }
  }
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  for (const row of rows) process.stdout.write(`${row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  ')}\n`);

  // Targets: authenticated GETs at the highest concurrency that had zero errors.
  let failed = false;
  for (const scenario of scenarios.filter((candidate) => candidate.read)) {
    const clean = CONCURRENCY.filter((concurrency) => results.get(`${scenario.name}@${concurrency}`)!.errors === 0);
    if (clean.length === 0) {
      process.stdout.write(`FAIL ${scenario.name}: errors at every concurrency\n`);
      failed = true;
      continue;
    }
    const concurrency = Math.max(...clean);
    const result = results.get(`${scenario.name}@${concurrency}`)!;
    const ratio = result.requestsPerSecond / results.get(`${scenarios[0].name}@${concurrency}`)!.requestsPerSecond;
    const ok = result.p99Ms < TARGET_P99_MS && ratio >= TARGET_RATIO;
    failed ||= !ok;
    process.stdout.write(
      `${ok ? 'PASS' : 'FAIL'} ${scenario.name} at concurrency ${concurrency}: p99 ${result.p99Ms.toFixed(2)} ms (target < ${TARGET_P99_MS}), ` +
        `${ratio.toFixed(2)}x the bare route (target >= ${TARGET_RATIO})\n`,
    );
  }
  const errors = [...results.values()].reduce((sum, result) => sum + result.errors, 0);
  process.stdout.write(`total errors: ${errors}\n`);
  await app.close();
  if (!process.env.BENCH_DATABASE_URL) await withAdmin((admin) => admin.query(`drop database if exists "${OWN_DATABASE}" with (force)`));
  process.exitCode = failed || errors > 0 ? 1 : 0;
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
