// HTTP load benchmark of the real app: authenticated reads (GET /api/support/tickets, GET /api/runs)
// and writes (POST /api/support/tickets) at several fixed concurrencies for a fixed duration, beside
// a bare @Public() Nest route on the same app (the ceiling: same middleware, pipes and filter, no
// auth, no database). A second bench-only route, the raw-query floor, sends the tickets list's SQL
// straight through `pg` and answers the rows: no auth, no ORM, no DTOs. It is the least any route
// that reads one page from PostgreSQL can cost here, so it tells the database round trip's share
// of the gap between the ceiling and the real routes from the app's own. A third bench-only route,
// POST /bench/tickets-unaudited, is POST /api/support/tickets with the same auth, validation,
// per-person lock, daily-limit check and insert (the real SupportService) but an AuditService that
// writes nothing: the baseline of the audited write. Both ticket POSTs spread their requests over
// BENCH_WRITERS (default 1,000) people, one token per request in turn, as a real load would: one
// person's tickets are serialised by their own lock, so a single writer would measure that lock.
// The product has none of these routes; they live in this file only.
// The load generator is autocannon, in a child process (its own event loop and CPU accounting).
// Run with `npm run bench:load`, which compiles the app and this file with tsc first and runs the
// JavaScript, as production does: under ts-node every EventEmitter (each pg and knex query is one)
// goes through the `domain` module, which ts-node's REPL loads, and the figures would be a loader's.
// BENCH_DURATION_S (default 30) per cell; BENCH_WARMUP_S (default 5)
// per scenario first; BENCH_CONCURRENCY (default 1,10,50); BENCH_ONLY (scenario name parts);
// BENCH_DATABASE_URL (default: a fresh database named BENCH_DATABASE_NAME, default
// `repazoo_bench_load`, migrated, dropped at the end); BENCH_REDIS_URL (default redis://127.0.0.1:6379/1).
// Targets, for each authenticated GET at concurrency 50 (the highest level run, when 50 is not):
// p99 < 25 ms, >= 0.5x the bare route's req/s (mean of its runs before and after the level), and
// no error; POST /api/support/tickets at concurrency 50 >= 0.6x POST /bench/tickets-unaudited's
// req/s (the audit log appends without a lock); and no error in any cell. It prints PASS/FAIL per
// target and exits 1 on a miss.
import 'reflect-metadata';
import type autocannon from 'autocannon';
import { EntityManager } from '@mikro-orm/postgresql';
import { Body, Controller, Get, HttpCode, Inject, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { execFile, execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { Client, Pool } from 'pg';
import { AppModule } from '../src/app.module';
import { AuditService } from '../src/core/audit/audit.service';
import { Authenticated, CurrentUser, Public } from '../src/core/auth/auth.decorators';
import { AuthenticatedUser } from '../src/core/auth/authenticated-user';
import { Clock } from '../src/core/clock/clock';
import { CryptoModule } from '../src/core/crypto/crypto.module';
import { DataKeys } from '../src/core/crypto/data-keys';
import { APP_CONFIG, AppConfig } from '../src/core/config/app-config';
import { mintToken } from '../src/core/auth/token-issuer';
import { loadConfig } from '../src/core/config/load-config';
import { configureApp } from '../src/core/http/configure-app';
import { AppLogger } from '../src/core/logging/app-logger';
import { CreateTicketDto } from '../src/modules/support/dto/create-ticket.dto';
import { TicketDto } from '../src/modules/support/dto/ticket.dto';
import { SupportRepository } from '../src/modules/support/support.repository';
import { SupportService } from '../src/modules/support/support.service';
import { reportTarget, reportVerdict } from './targets';

const execFileAsync = promisify(execFile);
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 30);
const WARMUP_S = Number(process.env.BENCH_WARMUP_S ?? 5);
const CONCURRENCY = (process.env.BENCH_CONCURRENCY ?? '1,10,50').split(',').map(Number);
/** BENCH_ONLY=tickets,runs keeps the scenarios whose name contains one of the parts (for profiling). */
const ONLY = (process.env.BENCH_ONLY ?? '').split(',').filter(Boolean);
const POSTGRES_ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/1';
const JWT_SECRET = 'bench-secret-that-is-long-enough-for-hs256-0123456789';
const TARGET_P99_MS = 25;
const TARGET_RATIO = 0.5;
const TARGET_CONCURRENCY = 50;
/** The audited ticket POST against the same POST without audit (issue 24). */
const TARGET_AUDITED_WRITE_RATIO = 0.6;
/** People the ticket POSTs spread over (each has their own lock and daily limit). */
const WRITERS = Number(process.env.BENCH_WRITERS ?? 1000);
/** The directory with package.json: this file runs from bench/ under ts-node and from dist-bench/bench/ compiled. */
const PROJECT_ROOT = findProjectRoot(__dirname);

/** What the raw-query floor reads: its own pg pool on the bench database, and whose tickets. */
interface RawQueryFixture {
  pool: Pool;
  reader: string;
}
const RAW_QUERY_FIXTURE = Symbol('RAW_QUERY_FIXTURE');
const UNAUDITED_SUPPORT = Symbol('UNAUDITED_SUPPORT');

/** The real SupportService with an audit log that writes nothing: the ticket POST minus its audit entry. */
function unauditedSupportService(em: EntityManager, clock: Clock, config: AppConfig, dataKeys: DataKeys): SupportService {
  const noAudit = { audit: async () => undefined } as unknown as AuditService;
  return new SupportService(em, new SupportRepository(em, dataKeys), noAudit, clock, config);
}

@Controller('bench')
class BenchController {
  constructor(
    @Inject(RAW_QUERY_FIXTURE) private readonly fixture: RawQueryFixture,
    @Inject(UNAUDITED_SUPPORT) private readonly unauditedSupport: SupportService,
  ) {}

  /** POST /api/support/tickets without the audit entry: same guard, pipes, lock, limit and insert. */
  @Post('tickets-unaudited')
  @HttpCode(201)
  @Authenticated()
  createUnaudited(@CurrentUser() user: AuthenticatedUser, @Body() dto: CreateTicketDto): Promise<TicketDto> {
    return this.unauditedSupport.createTicket(user.id, dto);
  }

  @Get('bare')
  @Public()
  bare(): { ok: true } {
    return { ok: true };
  }

  /** The same SQL and the same page as GET /api/support/tickets for the reader. */
  @Get('raw-query')
  @Public()
  async rawQuery(): Promise<unknown[]> {
    const { rows } = await this.fixture.pool.query(
      'select id, subject, body, status, created_at from support_tickets where user_id = $1 and deleted_at is null order by created_at desc limit 100',
      [this.fixture.reader],
    );
    return rows;
  }
}

interface Scenario {
  name: string;
  method: 'GET' | 'POST';
  path: string;
  token?: string;
  /** A file of tokens (JSON array) to use in turn, one per request, instead of `token`. */
  tokensFile?: string;
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
  /** The app process's CPU time (all its threads) per request: steadier than throughput on a shared machine. */
  cpuMicrosPerRequest: number;
}

/**
 * Runs autocannon with the options in AUTOCANNON_OPTIONS and prints its result as JSON. With
 * TOKENS_FILE, each request carries the next token of that file's list.
 */
const LOAD_GENERATOR = `
const options = JSON.parse(process.env.AUTOCANNON_OPTIONS);
if (process.env.TOKENS_FILE) {
  const tokens = JSON.parse(require('fs').readFileSync(process.env.TOKENS_FILE, 'utf8'));
  let next = 0;
  options.requests = [{ setupRequest: (request) => ({ ...request, headers: { ...request.headers, authorization: 'Bearer ' + tokens[next++ % tokens.length] } }) }];
}
require('autocannon')(options, (error, result) => {
  if (error) { console.error(error); process.exit(1); }
  process.stdout.write(JSON.stringify(result));
});`;

/**
 * One cell with autocannon in a child process, so the load generator neither shares the app's
 * event loop nor counts in the app's CPU time. Latencies come from autocannon's HDR histogram
 * (1 ms resolution).
 */
async function runCell(baseUrl: string, scenario: Scenario, concurrency: number, durationS: number): Promise<CellResult> {
  const headers: Record<string, string> = {};
  if (scenario.token) headers.authorization = `Bearer ${scenario.token}`;
  if (scenario.body) headers['content-type'] = 'application/json';
  const options: autocannon.Options = {
    url: `${baseUrl}${scenario.path}`,
    method: scenario.method,
    headers,
    body: scenario.body,
    connections: concurrency,
    duration: durationS,
  };
  const cpuBefore = process.cpuUsage();
  const { stdout } = await execFileAsync(process.execPath, ['-e', LOAD_GENERATOR], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, AUTOCANNON_OPTIONS: JSON.stringify(options), TOKENS_FILE: scenario.tokensFile ?? '' },
    maxBuffer: 64 * 1024 * 1024,
  });
  const cpu = process.cpuUsage(cpuBefore);
  const result = JSON.parse(stdout) as autocannon.Result;
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
    cpuMicrosPerRequest: (cpu.user + cpu.system) / Math.max(1, result.requests.total),
  };
}

/** Its own name: bench:lifecycle drops `repazoo_bench` (with force) when it runs. */
const OWN_DATABASE = process.env.BENCH_DATABASE_NAME ?? 'repazoo_bench_load';

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
  execFileSync(process.execPath, ['-r', 'ts-node/register/transpile-only', join(PROJECT_ROOT, 'src', 'cli.ts'), 'migrate'], {
    cwd: PROJECT_ROOT,
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

/** Account rows for the writers, so no measured request pays for creating one. */
async function seedWriters(databaseUrl: string, writers: string[]): Promise<void> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    await db.query('insert into users (id, created_at, last_seen_at) select unnest($1::text[]), now(), now() on conflict do nothing', [writers]);
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
    AUDIT_KEY: 'bench-audit-key-that-is-long-enough-0123456789',
    PSEUDONYM_KEY: 'bench-pseudonym-key-that-is-long-enough-0123456789',
    HTTP_REQUESTS_PER_MINUTE: '100000000',
    // Each writer sends a few dozen tickets over the run; the limit check itself still runs.
    SUPPORT_TICKETS_PER_DAY: '100000',
    RUNS_QUEUE_NAME: `bench-runs-${randomUUID()}`,
    PUBLIC_BASE_URL: 'http://127.0.0.1:3000',
  });
  // Request logs are serialised as in production but written nowhere, so the terminal is not the bottleneck.
  const logger = new AppLogger({ level: 'info', destination: new Writable({ write: (_chunk, _encoding, done) => done() }) });

  const reader = `bench-reader-${randomUUID()}`;
  await seed(databaseUrl, reader);
  // The size of the app's pool (orm-options), so the floor has no more connections than the routes.
  const rawQueryFixture: RawQueryFixture = { pool: new Pool({ connectionString: databaseUrl, max: 10 }), reader };

  @Module({
    imports: [AppModule.forRoot(config, logger), CryptoModule],
    controllers: [BenchController],
    providers: [
      { provide: RAW_QUERY_FIXTURE, useValue: rawQueryFixture },
      { provide: UNAUDITED_SUPPORT, inject: [EntityManager, Clock, APP_CONFIG, DataKeys], useFactory: unauditedSupportService },
    ],
  })
  class BenchModule {}

  const app = await NestFactory.create<NestExpressApplication>(BenchModule, { logger, bodyParser: false, abortOnError: false });
  configureApp(app, config);
  await app.listen(0, '127.0.0.1');
  const baseUrl = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;

  const token = (userId: string) => mintToken(JWT_SECRET, { userId, ttl: '1d', issuer: config.jwt.issuer, audience: config.jwt.audience });
  // One set of people per ticket POST, so neither finds the other's tickets in its limit check.
  const tokensDir = mkdtempSync(join(tmpdir(), 'repazoo-bench-tokens-'));
  const writerTokens = async (label: string): Promise<string> => {
    const writers = Array.from({ length: WRITERS }, (_, i) => `bench-${label}-${i}-${randomUUID()}`);
    await seedWriters(databaseUrl, writers);
    const file = join(tokensDir, `${label}.json`);
    writeFileSync(file, JSON.stringify(writers.map(token)));
    return file;
  };
  const ticketBody = JSON.stringify({ subject: 'Load test', body: 'Where is my export? '.repeat(5) });
  const allScenarios: Scenario[] = [
    { name: 'GET /bench/bare (ceiling)', method: 'GET', path: '/bench/bare', read: false },
    { name: 'GET /bench/raw-query (floor)', method: 'GET', path: '/bench/raw-query', read: false },
    { name: 'GET /api/support/tickets', method: 'GET', path: '/api/support/tickets', token: token(reader), read: true },
    { name: 'GET /api/runs', method: 'GET', path: '/api/runs', token: token(reader), read: true },
    { name: 'POST /api/support/tickets', method: 'POST', path: '/api/support/tickets', tokensFile: await writerTokens('audited'), body: ticketBody, read: false },
    {
      name: 'POST /bench/tickets-unaudited (baseline)',
      method: 'POST',
      path: '/bench/tickets-unaudited',
      tokensFile: await writerTokens('unaudited'),
      body: ticketBody,
      read: false,
    },
  ];

  // The bare route always runs: every other figure is read against it.
  const [bareScenario, ...measured] = allScenarios.filter(
    (scenario, index) => index === 0 || ONLY.length === 0 || ONLY.some((part) => scenario.name.includes(part)),
  );
  process.stdout.write(`bench:load ${DURATION_S}s per cell, concurrency ${CONCURRENCY.join('/')}, node ${process.version}\n`);
  // Warm-up: JIT, connection pools, the users rows.
  for (const scenario of [bareScenario, ...measured]) await runCell(baseUrl, scenario, 10, WARMUP_S);

  // The bare route runs before and after the others at each concurrency and they are read against
  // the mean of the two, so a drift of the shared machine during the level does not skew the ratios.
  const results = new Map<string, CellResult>();
  const bareMean = new Map<number, number>();
  const rows = [['scenario', 'conc', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'x bare', 'app CPU µs/req']];
  const row = (name: string, concurrency: number, result: CellResult, ratio: string): string[] => [
    name,
    String(concurrency),
    result.requestsPerSecond.toFixed(0),
    result.p50Ms.toFixed(0),
    result.p99Ms.toFixed(0),
    result.errors === 0 ? '0' : `${result.errors} (${result.firstError})`,
    ratio,
    result.cpuMicrosPerRequest.toFixed(0),
  ];
  for (const concurrency of CONCURRENCY) {
    const bareBefore = await runCell(baseUrl, bareScenario, concurrency, DURATION_S);
    const levelResults: [Scenario, CellResult][] = [];
    for (const scenario of measured) levelResults.push([scenario, await runCell(baseUrl, scenario, concurrency, DURATION_S)]);
    const bareAfter = await runCell(baseUrl, bareScenario, concurrency, DURATION_S);
    const bare = (bareBefore.requestsPerSecond + bareAfter.requestsPerSecond) / 2;
    bareMean.set(concurrency, bare);
    results.set(`${bareScenario.name}@${concurrency}`, bareBefore);
    results.set(`${bareScenario.name} again@${concurrency}`, bareAfter);
    rows.push(row(`${bareScenario.name}, before`, concurrency, bareBefore, '-'));
    for (const [scenario, result] of levelResults) {
      results.set(`${scenario.name}@${concurrency}`, result);
      rows.push(row(scenario.name, concurrency, result, (result.requestsPerSecond / bare).toFixed(2)));
    }
    rows.push(row(`${bareScenario.name}, after`, concurrency, bareAfter, '-'));
  }
  const widths = rows[0].map((_, column) => Math.max(...rows.map((cells) => cells[column].length)));
  for (const cells of rows) process.stdout.write(`${cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  ')}\n`);

  // Targets: the authenticated GETs at concurrency 50. A level with errors is judged, not skipped.
  const judged = CONCURRENCY.includes(TARGET_CONCURRENCY) ? TARGET_CONCURRENCY : Math.max(...CONCURRENCY);
  if (judged !== TARGET_CONCURRENCY) process.stdout.write(`concurrency ${TARGET_CONCURRENCY} was not run: judging at ${judged}\n`);
  for (const scenario of measured.filter((candidate) => candidate.read)) {
    const result = results.get(`${scenario.name}@${judged}`)!;
    const ratio = result.requestsPerSecond / bareMean.get(judged)!;
    reportTarget({
      name: `${scenario.name} at concurrency ${judged}, p99`,
      measured: `${result.p99Ms.toFixed(2)} ms`,
      target: `< ${TARGET_P99_MS} ms`,
      met: result.p99Ms < TARGET_P99_MS,
    });
    reportTarget({
      name: `${scenario.name} at concurrency ${judged}, throughput`,
      measured: `${result.requestsPerSecond.toFixed(0)} req/s, ${ratio.toFixed(2)}x the bare route's mean`,
      target: `>= ${TARGET_RATIO}x`,
      met: ratio >= TARGET_RATIO,
    });
    reportTarget({
      name: `${scenario.name} at concurrency ${judged}, errors`,
      measured: result.errors === 0 ? '0' : `${result.errors} (${result.firstError})`,
      target: '0',
      met: result.errors === 0,
    });
  }
  // The floor against the same targets: what any route reading one page from PostgreSQL could reach here.
  const floor = measured.find((scenario) => scenario.path === '/bench/raw-query');
  if (floor) {
    const concurrency = judged;
    const result = results.get(`${floor.name}@${concurrency}`)!;
    process.stdout.write(
      `for reference, ${floor.name} at concurrency ${concurrency}: p99 ${result.p99Ms.toFixed(2)} ms, ` +
        `${(result.requestsPerSecond / bareMean.get(concurrency)!).toFixed(2)}x the bare route's mean\n`,
    );
  }
  // The audited write against the same write without audit, at the judged level.
  const audited = measured.find((scenario) => scenario.path === '/api/support/tickets' && scenario.method === 'POST');
  const unaudited = measured.find((scenario) => scenario.path === '/bench/tickets-unaudited');
  if (audited && unaudited) {
    const withAudit = results.get(`${audited.name}@${judged}`)!;
    const withoutAudit = results.get(`${unaudited.name}@${judged}`)!;
    const ratio = withAudit.requestsPerSecond / withoutAudit.requestsPerSecond;
    reportTarget({
      name: `${audited.name} at concurrency ${judged} vs the same POST without audit`,
      measured:
        `${withAudit.requestsPerSecond.toFixed(0)} vs ${withoutAudit.requestsPerSecond.toFixed(0)} req/s, ${ratio.toFixed(2)}x ` +
        `(app CPU ${withAudit.cpuMicrosPerRequest.toFixed(0)} vs ${withoutAudit.cpuMicrosPerRequest.toFixed(0)} µs/req)`,
      target: `>= ${TARGET_AUDITED_WRITE_RATIO}x`,
      met: ratio >= TARGET_AUDITED_WRITE_RATIO,
    });
  }
  const errors = [...results.values()].reduce((sum, result) => sum + result.errors, 0);
  reportTarget({ name: 'errors in every cell, all scenarios and levels', measured: String(errors), target: '0', met: errors === 0 });
  reportVerdict('bench:load');
  await app.close();
  await rawQueryFixture.pool.end();
  rmSync(tokensDir, { recursive: true, force: true });
  if (!process.env.BENCH_DATABASE_URL) await withAdmin((admin) => admin.query(`drop database if exists "${OWN_DATABASE}" with (force)`));
}

function findProjectRoot(from: string): string {
  for (let directory = from; ; directory = dirname(directory)) {
    if (existsSync(join(directory, 'package.json'))) return directory;
    if (dirname(directory) === directory) throw new Error(`no package.json above ${from}`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
