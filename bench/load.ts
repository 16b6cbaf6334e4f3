// HTTP load benchmark of the real app: authenticated reads (GET /api/support/tickets, GET /api/runs)
// and writes (POST /api/support/tickets) at several fixed concurrencies for a fixed duration, beside
// a bare @Public() Nest route on the same app (the ceiling: same middleware, pipes and filter, no
// auth, no database). Each read has a raw-query floor, a bench-only public route that sends the
// exact SQL text the real route sends (captured from the ORM's knex `query` event on a real call)
// straight through `pg` on a pool of the app's size and answers the rows: no auth, no ORM, no DTOs.
// It is the least that route's one unavoidable query can cost here, so read against it a route's
// figures show the app's own cost. A third bench-only route, POST /bench/tickets-unaudited, is
// POST /api/support/tickets with the same auth, validation, per-person lock, daily-limit check and
// insert (the real SupportService) but an AuditService that writes nothing: the baseline of the
// audited write. Both ticket POSTs spread their requests over BENCH_WRITERS (default 1,000)
// people, one token per request in turn, as a real load would: one person's tickets are
// serialised by their own lock, so a single writer would measure that lock.
// The floors' reader has plain ticket rows (inserted with SQL), so the tickets read is judged on
// the app's own cost; beside it runs the same read for a person whose 20 tickets the app wrote
// (sealed, as every ticket is since crypto-shredding): each page opens 40 values, and its figures
// are printed with no target of their own.
// The product has none of these routes; they live in this file only.
// The load generator is autocannon, in a child process (its own event loop and CPU accounting).
// Run with `npm run bench:load`, which compiles the app and this file with tsc first and runs the
// JavaScript, as production does: under ts-node every EventEmitter (each pg and knex query is one)
// goes through the `domain` module, which ts-node's REPL loads, and the figures would be a loader's.
// BENCH_DURATION_S (default 10) per cell; BENCH_WARMUP_S (default 5) per scenario first;
// BENCH_CONCURRENCY (default 1,10,50); BENCH_ROUNDS (default 6) rounds of every scenario per level
// (short cells in many rounds: a read and its floor run back to back six times, so a drift of the
// shared machine meets both sides; two rounds of 30 s gave ratios from 0.55x to 0.91x for the same code);
// BENCH_ONLY (scenario name parts; a read keeps its floor); BENCH_CPU_PROFILE (a directory: one
// V8 CPU profile of the app per cell); BENCH_DATABASE_URL (default: a fresh database named
// BENCH_DATABASE_NAME, default `repazoo_bench_load`, migrated, dropped at the end);
// BENCH_REDIS_URL (default redis://127.0.0.1:6379/1).
// Targets (issue 24), at concurrency 50 (the highest level run, when 50 is not), over both rounds:
// each authenticated GET >= 0.85x its floor's req/s with a p99 <= 1.2x the floor's, and no error;
// POST /api/support/tickets >= 0.6x POST /bench/tickets-unaudited's req/s (the audit log appends
// without a lock); and no error in any cell. The earlier absolute targets (p99 < 25 ms, >= 0.5x the
// bare route) are printed for reference. It prints PASS/FAIL per target and exits 1 on a miss.
import 'reflect-metadata';
import type autocannon from 'autocannon';
import { EntityManager } from '@mikro-orm/postgresql';
import { Body, Controller, Get, HttpCode, Inject, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { execFile, execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session as InspectorSession } from 'node:inspector';
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
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);
const WARMUP_S = Number(process.env.BENCH_WARMUP_S ?? 5);
const CONCURRENCY = (process.env.BENCH_CONCURRENCY ?? '1,10,50').split(',').map(Number);
/** BENCH_ONLY=tickets,runs keeps the scenarios whose name contains one of the parts (for profiling). */
const ONLY = (process.env.BENCH_ONLY ?? '').split(',').filter(Boolean);
const POSTGRES_ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/1';
const JWT_SECRET = 'bench-secret-that-is-long-enough-for-hs256-0123456789';
/** Rounds of every scenario per concurrency level (BENCH_ROUNDS): a miss must show in each to count. */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 6);
/** Issue 24: an authenticated GET against the raw-query floor of the same SQL. */
const TARGET_FLOOR_THROUGHPUT_RATIO = 0.85;
const TARGET_FLOOR_P99_RATIO = 1.2;
/** The earlier absolute targets, printed for reference. */
const REFERENCE_P99_MS = 25;
const REFERENCE_BARE_RATIO = 0.5;
const TARGET_CONCURRENCY = 50;
/** The audited ticket POST against the same POST without audit (issue 24). */
const TARGET_AUDITED_WRITE_RATIO = 0.6;
/** People the ticket POSTs spread over (each has their own lock and daily limit). */
const WRITERS = Number(process.env.BENCH_WRITERS ?? 1000);
/** The directory with package.json: this file runs from bench/ under ts-node and from dist-bench/bench/ compiled. */
const PROJECT_ROOT = findProjectRoot(__dirname);

/**
 * What the raw-query floors send: their own pg pool on the bench database, and per real route the
 * exact SQL text and parameters that route sent to PostgreSQL (captured from the ORM's knex
 * `query` event on a real request, see captureRouteQueries), so floor and route read the same page
 * with the same plan.
 */
interface RawQueryFixture {
  pool: Pool;
  queries: Partial<Record<FloorName, { text: string; values: unknown[] }>>;
}
type FloorName = 'tickets' | 'runs';
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

  /** The floor of GET /api/support/tickets: its SQL through `pg`, rows answered as they come. */
  @Get('floor/tickets')
  @Public()
  ticketsFloor(): Promise<unknown[]> {
    return this.floor('tickets');
  }

  /** The floor of GET /api/runs. */
  @Get('floor/runs')
  @Public()
  runsFloor(): Promise<unknown[]> {
    return this.floor('runs');
  }

  private async floor(name: FloorName): Promise<unknown[]> {
    const query = this.fixture.queries[name];
    if (!query) throw new Error(`the ${name} floor has no query yet`);
    return (await this.fixture.pool.query(query)).rows;
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
  /** An authenticated read judged against this floor (FloorName). */
  floor?: FloorName;
  /** A read printed beside this other scenario (by name), with no target of its own. */
  beside?: string;
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
  /** Response bytes (headers and body) per request: a read and its floor should send the same page. */
  bytesPerRequest: number;
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
  const profiler = CPU_PROFILE_DIR ? await startProfiler() : null;
  const cpuBefore = process.cpuUsage();
  const { stdout } = await execFileAsync(process.execPath, ['-e', LOAD_GENERATOR], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, AUTOCANNON_OPTIONS: JSON.stringify(options), TOKENS_FILE: scenario.tokensFile ?? '' },
    maxBuffer: 64 * 1024 * 1024,
  });
  const cpu = process.cpuUsage(cpuBefore);
  if (profiler) await profiler.stop(join(CPU_PROFILE_DIR!, `${scenario.path.replace(/\W+/g, '_')}-${scenario.method}-c${concurrency}-${Date.now()}.cpuprofile`));
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
    bytesPerRequest: result.throughput.total / Math.max(1, result.requests.total),
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

/**
 * A reader with 20 tickets written by the app itself (SupportRepository.insert), so their subject
 * and body are sealed under the reader's data key as in production: each page opens 40 values.
 */
async function seedSealedTickets(app: NestExpressApplication, reader: string): Promise<void> {
  const em = app.get(EntityManager).fork();
  const tickets = app.get(SupportRepository, { strict: false });
  await em.getConnection().execute('insert into users (id, created_at, last_seen_at) values (?, now(), now()) on conflict do nothing', [reader]);
  const now = Date.now();
  await em.transactional(async (tx) => {
    for (let i = 0; i < 20; i += 1) {
      await tickets.insert(tx, { id: randomUUID(), userId: reader, subject: `Ticket ${i}`, body: 'Where is my export? '.repeat(5), createdAt: new Date(now - i * 1000) });
    }
  });
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
  // The size of the app's pool (orm-options), so the floors have no more connections than the routes.
  const rawQueryFixture: RawQueryFixture = { pool: new Pool({ connectionString: databaseUrl, max: 10 }), queries: {} };

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
  const readerToken = token(reader);
  const sealedReader = `bench-sealed-reader-${randomUUID()}`;
  await seedSealedTickets(app, sealedReader);
  await captureRouteQueries(app, baseUrl, readerToken, rawQueryFixture);
  for (const [name, query] of Object.entries(rawQueryFixture.queries)) process.stdout.write(`floor ${name}: ${query.text} ${JSON.stringify(query.values)}\n`);
  const allScenarios: Scenario[] = [
    { name: 'GET /bench/bare (ceiling)', method: 'GET', path: '/bench/bare' },
    { name: 'GET /bench/floor/tickets (floor)', method: 'GET', path: '/bench/floor/tickets' },
    { name: 'GET /api/support/tickets', method: 'GET', path: '/api/support/tickets', token: readerToken, floor: 'tickets' },
    {
      name: 'GET /api/support/tickets (sealed rows)',
      method: 'GET',
      path: '/api/support/tickets',
      token: token(sealedReader),
      beside: 'GET /api/support/tickets',
    },
    { name: 'GET /bench/floor/runs (floor)', method: 'GET', path: '/bench/floor/runs' },
    { name: 'GET /api/runs', method: 'GET', path: '/api/runs', token: readerToken, floor: 'runs' },
    { name: 'POST /api/support/tickets', method: 'POST', path: '/api/support/tickets', tokensFile: await writerTokens('audited'), body: ticketBody },
    {
      name: 'POST /bench/tickets-unaudited (baseline)',
      method: 'POST',
      path: '/bench/tickets-unaudited',
      tokensFile: await writerTokens('unaudited'),
      body: ticketBody,
    },
  ];

  // The bare route always runs: every other figure is read against it. A read keeps its floor.
  const picked = (scenario: Scenario) => ONLY.length === 0 || ONLY.some((part) => scenario.name.includes(part));
  const [bareScenario, ...measured] = allScenarios.filter(
    (scenario, index) =>
      index === 0 || picked(scenario) || allScenarios.some((read) => read.floor && picked(read) && scenario.path === `/bench/floor/${read.floor}`),
  );
  process.stdout.write(`bench:load ${DURATION_S}s per cell, ${ROUNDS} rounds per level, concurrency ${CONCURRENCY.join('/')}, node ${process.version}\n`);
  // Warm-up: JIT, connection pools, the users rows.
  for (const scenario of [bareScenario, ...measured]) await runCell(baseUrl, scenario, 10, WARMUP_S);

  // At each concurrency: the bare route, then ROUNDS rounds of every scenario in turn (a read right
  // after its floor), then the bare route again. Figures of a scenario are over all its rounds
  // (requests over time; p99 the mean of the rounds'), so a drift of the shared machine during the
  // level shows in every scenario alike rather than skewing one ratio.
  const results = new Map<string, CellResult>();
  const bareMean = new Map<number, number>();
  const rows = [['scenario', 'conc', 'round', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'x bare', 'x floor', 'app CPU µs/req', 'bytes/req']];
  const row = (name: string, concurrency: number, round: string, result: CellResult, ratios: [string, string]): string[] => [
    name,
    String(concurrency),
    round,
    result.requestsPerSecond.toFixed(0),
    result.p50Ms.toFixed(0),
    result.p99Ms.toFixed(0),
    result.errors === 0 ? '0' : `${result.errors} (${result.firstError})`,
    ...ratios,
    result.cpuMicrosPerRequest.toFixed(0),
    result.bytesPerRequest.toFixed(0),
  ];
  const floorPath = (scenario: Scenario) => `/bench/floor/${scenario.floor}`;
  for (const concurrency of CONCURRENCY) {
    const bareBefore = await runCell(baseUrl, bareScenario, concurrency, DURATION_S);
    const rounds = new Map<Scenario, CellResult[]>();
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const scenario of measured) rounds.set(scenario, [...(rounds.get(scenario) ?? []), await runCell(baseUrl, scenario, concurrency, DURATION_S)]);
    }
    const bareAfter = await runCell(baseUrl, bareScenario, concurrency, DURATION_S);
    const bare = (bareBefore.requestsPerSecond + bareAfter.requestsPerSecond) / 2;
    bareMean.set(concurrency, bare);
    results.set(`${bareScenario.name}@${concurrency}`, bareBefore);
    rows.push(row(`${bareScenario.name}, before`, concurrency, '-', bareBefore, ['-', '-']));
    for (const scenario of measured) {
      const cells = rounds.get(scenario)!;
      const combined = combine(cells);
      results.set(`${scenario.name}@${concurrency}`, combined);
      const floorCells = scenario.floor ? rounds.get(measured.find((candidate) => candidate.path === floorPath(scenario))!) : undefined;
      cells.forEach((cell, round) => {
        const floorRatio = floorCells ? (cell.requestsPerSecond / floorCells[round].requestsPerSecond).toFixed(2) : '-';
        rows.push(row(scenario.name, concurrency, String(round + 1), cell, [(cell.requestsPerSecond / bare).toFixed(2), floorRatio]));
      });
      const floorRatio = floorCells ? (combined.requestsPerSecond / combine(floorCells).requestsPerSecond).toFixed(2) : '-';
      rows.push(row(`${scenario.name}, all rounds`, concurrency, 'all', combined, [(combined.requestsPerSecond / bare).toFixed(2), floorRatio]));
    }
    rows.push(row(`${bareScenario.name}, after`, concurrency, '-', bareAfter, ['-', '-']));
    results.set(`${bareScenario.name} again@${concurrency}`, bareAfter);
  }
  const widths = rows[0].map((_, column) => Math.max(...rows.map((cells) => cells[column].length)));
  for (const cells of rows) process.stdout.write(`${cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  ')}\n`);

  // Targets (issue 24): each authenticated GET at concurrency 50 against its raw-query floor, the
  // app's own cost over the one query it cannot avoid. A level with errors is judged, not skipped.
  const judged = CONCURRENCY.includes(TARGET_CONCURRENCY) ? TARGET_CONCURRENCY : Math.max(...CONCURRENCY);
  if (judged !== TARGET_CONCURRENCY) process.stdout.write(`concurrency ${TARGET_CONCURRENCY} was not run: judging at ${judged}\n`);
  for (const scenario of measured.filter((candidate) => candidate.floor)) {
    const result = results.get(`${scenario.name}@${judged}`)!;
    const floor = results.get(`${measured.find((candidate) => candidate.path === floorPath(scenario))!.name}@${judged}`)!;
    const throughputRatio = result.requestsPerSecond / floor.requestsPerSecond;
    const p99Ratio = result.p99Ms / floor.p99Ms;
    reportTarget({
      name: `${scenario.name} at concurrency ${judged}, throughput vs its floor`,
      measured: `${result.requestsPerSecond.toFixed(0)} vs ${floor.requestsPerSecond.toFixed(0)} req/s, ${throughputRatio.toFixed(2)}x (baseline 0.79x before issue 24)`,
      target: `>= ${TARGET_FLOOR_THROUGHPUT_RATIO}x`,
      met: throughputRatio >= TARGET_FLOOR_THROUGHPUT_RATIO,
    });
    reportTarget({
      name: `${scenario.name} at concurrency ${judged}, p99 vs its floor`,
      measured: `${result.p99Ms.toFixed(1)} vs ${floor.p99Ms.toFixed(1)} ms, ${p99Ratio.toFixed(2)}x`,
      target: `<= ${TARGET_FLOOR_P99_RATIO}x`,
      met: p99Ratio <= TARGET_FLOOR_P99_RATIO,
    });
    reportTarget({
      name: `${scenario.name} at concurrency ${judged}, errors`,
      measured: result.errors === 0 ? '0' : `${result.errors} (${result.firstError})`,
      target: '0',
      met: result.errors === 0,
    });
    // The earlier absolute targets, for reference: on a 2-vCPU machine running the load generator,
    // PostgreSQL and Redis as well, the floor itself misses them (README).
    process.stdout.write(
      `for reference, ${scenario.name} at concurrency ${judged}: p99 ${result.p99Ms.toFixed(1)} ms (earlier target < ${REFERENCE_P99_MS} ms), ` +
        `${(result.requestsPerSecond / bareMean.get(judged)!).toFixed(2)}x the bare route (earlier target >= ${REFERENCE_BARE_RATIO}x); ` +
        `its floor ${floor.p99Ms.toFixed(1)} ms, ${(floor.requestsPerSecond / bareMean.get(judged)!).toFixed(2)}x\n`,
    );
  }
  // Reads printed beside another (no target): the tickets list of a person whose tickets are sealed
  // (as every ticket written since crypto-shredding is) beside the plain rows the floors read.
  for (const scenario of measured.filter((candidate) => candidate.beside)) {
    const partner = measured.find((candidate) => candidate.name === scenario.beside);
    if (!partner) continue;
    const result = results.get(`${scenario.name}@${judged}`)!;
    const other = results.get(`${partner.name}@${judged}`)!;
    const floor = partner.floor ? results.get(`${measured.find((candidate) => candidate.path === floorPath(partner))!.name}@${judged}`) : undefined;
    process.stdout.write(
      `for reference, ${scenario.name} at concurrency ${judged}: ${result.requestsPerSecond.toFixed(0)} req/s, p99 ${result.p99Ms.toFixed(1)} ms, ` +
        `${(result.requestsPerSecond / other.requestsPerSecond).toFixed(2)}x ${partner.name} (${other.requestsPerSecond.toFixed(0)} req/s)` +
        (floor ? `, ${(result.requestsPerSecond / floor.requestsPerSecond).toFixed(2)}x its floor` : '') +
        `; app CPU ${result.cpuMicrosPerRequest.toFixed(0)} vs ${other.cpuMicrosPerRequest.toFixed(0)} µs/req\n`,
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
        `(app CPU ${withAudit.cpuMicrosPerRequest.toFixed(0)} vs ${withoutAudit.cpuMicrosPerRequest.toFixed(0)} µs/req; baseline 0.11x with the global chain lock)`,
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

/**
 * BENCH_CPU_PROFILE=<dir>: a V8 CPU profile of the app for each cell (the load generator is
 * another process), to open in Chrome DevTools: where a scenario's per-request CPU goes.
 */
const CPU_PROFILE_DIR = process.env.BENCH_CPU_PROFILE;

async function startProfiler(): Promise<{ stop(file: string): Promise<void> }> {
  const session = new InspectorSession();
  session.connect();
  const post = (method: string) =>
    new Promise<unknown>((resolve, reject) => session.post(method, (error, result) => (error ? reject(error) : resolve(result))));
  await post('Profiler.enable');
  await post('Profiler.start');
  return {
    stop: async (file) => {
      const { profile } = (await post('Profiler.stop')) as { profile: unknown };
      session.disconnect();
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, JSON.stringify(profile));
    },
  };
}

/** One figure over several cells of a scenario: requests over their total time, the mean p50/p99, errors summed. */
function combine(cells: CellResult[]): CellResult {
  const requests = cells.reduce((sum, cell) => sum + cell.requests, 0);
  const seconds = cells.reduce((sum, cell) => sum + cell.requests / Math.max(cell.requestsPerSecond, 1e-9), 0);
  const mean = (pick: (cell: CellResult) => number) => cells.reduce((sum, cell) => sum + pick(cell), 0) / cells.length;
  return {
    requests,
    errors: cells.reduce((sum, cell) => sum + cell.errors, 0),
    firstError: cells.find((cell) => cell.firstError)?.firstError ?? null,
    requestsPerSecond: requests / seconds,
    p50Ms: mean((cell) => cell.p50Ms),
    p99Ms: mean((cell) => cell.p99Ms),
    cpuMicrosPerRequest: cells.reduce((sum, cell) => sum + cell.cpuMicrosPerRequest * cell.requests, 0) / Math.max(1, requests),
    bytesPerRequest: cells.reduce((sum, cell) => sum + cell.bytesPerRequest * cell.requests, 0) / Math.max(1, requests),
  };
}

/**
 * Sends one GET to each real read route and keeps the list query it sent (knex's `query` event,
 * the statement and parameters as they reach `pg`) for its floor. The first request of a user also
 * upserts the users row, so each route is called until only its list query is seen.
 */
async function captureRouteQueries(app: NestExpressApplication, baseUrl: string, token: string, fixture: RawQueryFixture): Promise<void> {
  const knex = app.get(EntityManager).getConnection().getKnex();
  const routes: [FloorName, string, string][] = [
    ['tickets', '/api/support/tickets', 'support_tickets'],
    ['runs', '/api/runs', 'workflow_runs'],
  ];
  for (const [name, path, table] of routes) {
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const seen: { sql: string; bindings: unknown[] }[] = [];
      const listener = (query: { sql: string; bindings?: unknown[] }) => seen.push({ sql: query.sql, bindings: query.bindings ?? [] });
      knex.on('query', listener);
      const response = await fetch(`${baseUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
      knex.removeListener('query', listener);
      if (response.status !== 200) throw new Error(`GET ${path} answered ${response.status} while capturing its query`);
      if (seen.length === 1 && seen[0].sql.includes(table)) {
        // The list reads send parameterised SQL (`$1`...) with its values (see list-query.ts).
        fixture.queries[name] = { text: seen[0].sql, values: [...seen[0].bindings] };
        break;
      }
    }
    if (!fixture.queries[name]) throw new Error(`GET ${path} did not settle on one query of ${table}`);
  }
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
