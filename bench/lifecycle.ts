// Benchmark of the data lifecycle at volume, each figure beside a baseline measured in the same run
// on the same PostgreSQL:
//   1. delete-my-data (POST /api/privacy/delete-my-data, the real service) for one person with
//      1,000,000 rows across twitter_data, analyses, workflow_runs, run_logs and support_tickets,
//      vs raw `DELETE ... WHERE user_id = $1` statements (one transaction; the service's tables in
//      the service's order) on identically re-planted rows (VACUUM ANALYZE + CHECKPOINT before each
//      run), after a warm-up of both paths on a person of 1% the size; raw, service, service, raw,
//      each side's faster run counted.
//   2. export of 1,000,000 rows (mostly tweets) through the real ExportBuilder, in process: rows/s,
//      MB/s and peak RSS growth (sampled every 50 ms), vs `COPY (same queries) TO STDOUT` read by a
//      pg client (the CopyData messages are counted and dropped; pg-copy-streams is not installed).
//      The export file is then read back as a stream and its section arrays counted: every planted
//      row must be in it, and the rows/s figure is of the rows it holds.
//   3. retention cleanup (RetentionService.cleanupExpiredRecords, in process) of 5,000,000 expired
//      run_logs, while 50 keep-alive clients hammer GET /api/support/tickets: p99 during the cleanup
//      vs p99 with no cleanup running (same duration, capped by BENCH_IDLE_MAX_SECONDS).
// Targets: delete-my-data <= 1.5x the raw DELETEs and removing as many rows; export >= 0.3x COPY's
// rows/s, peak RSS growth < 150 MB, and exactly the planted rows in the file; API p99 during the
// cleanup < 2x idle and no failed request, with every expired row soft-deleted. It prints PASS/FAIL per target and exits 1
// on a miss.
// Run with `npm run bench:lifecycle`. Uses its own database (BENCH_DATABASE_NAME, default
// repazoo_bench), created, migrated with the CLI and dropped by the bench. BENCH_SCALE=0.1 scales
// every row count for a quick run; BENCH_ONLY=erase,export,retention picks figures.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Worker } from 'node:worker_threads';
import { Client } from 'pg';
import { ContentOpenerPool } from '../src/core/crypto/content-opener-pool';
import { DataKeys } from '../src/core/crypto/data-keys';
import { PersonalDataMap } from '../src/core/personal-data';
import { ExportBuilder } from '../src/modules/export/export-builder';
import { openExportFile } from '../src/modules/export/export-file-cipher';
import { RETENTION_DAYS } from '../src/modules/retention/retention-policy';
import { RetentionService } from '../src/modules/retention/retention.service';
import type { TestApp } from '../test/utils/test-app';
import { withBenchApp } from './bench-app';
import { reportTarget, reportVerdict } from './targets';

const SCALE = Number(process.env.BENCH_SCALE ?? '1');
const ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const DATABASE_NAME = process.env.BENCH_DATABASE_NAME ?? 'repazoo_bench';
const DATABASE_URL = ADMIN_URL.replace(/\/[^/]*$/, `/${DATABASE_NAME}`);
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/1';
/** Row counts: the spec's volumes times BENCH_SCALE, or set one by one (BENCH_ERASE_ROWS, ...). */
const rowCount = (name: string, full: number): number => Number(process.env[name] ?? Math.round(full * SCALE));
const ERASE_ROWS = rowCount('BENCH_ERASE_ROWS', 1_000_000);
const EXPORT_ROWS = rowCount('BENCH_EXPORT_ROWS', 1_000_000);
const RETENTION_ROWS = rowCount('BENCH_RETENTION_ROWS', 5_000_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? '50');
const IDLE_MAX_SECONDS = Number(process.env.BENCH_IDLE_MAX_SECONDS ?? '120');
const ONLY = new Set((process.env.BENCH_ONLY ?? 'erase,export,retention').split(','));
const PLANT_CHUNK = 500_000;
const DAY_MS = 24 * 60 * 60 * 1000;

const ERASE_USER = 'bench-erase-user';
const EXPORT_USER = 'bench-export-user';
const LOAD_USER = 'bench-load-user';
const OTHER_USER = 'bench-other-user';

interface Figure {
  figure: string;
  measured: string;
  baseline: string;
  ratio: number;
  target: string;
  met: boolean;
}

const figures: Figure[] = [];

function seconds(startedAt: bigint): number {
  return Number(process.hrtime.bigint() - startedAt) / 1e9;
}

function log(message: string): void {
  console.log(`[${new Date().toISOString().slice(11, 19)}] ${message}`);
}

/** Runs `fn(offset, count)` over [0, total) in chunks, so no single statement plants millions of rows. */
async function inChunks(total: number, fn: (offset: number, count: number) => Promise<unknown>): Promise<void> {
  for (let offset = 0; offset < total; offset += PLANT_CHUNK) await fn(offset, Math.min(PLANT_CHUNK, total - offset));
}

// ---------------------------------------------------------------------------------------------
// Planting: deterministic rows (ids are md5 of a tag and the row number), so a re-plant is identical.

async function plantTweets(db: Client, userId: string, tag: string, total: number): Promise<void> {
  await inChunks(total, (offset, count) =>
    db.query(
      `insert into twitter_data (id, user_id, tweet_id, text, lang, tweet_created_at, fetched_at, run_id)
       select md5($2 || '-tw-' || i)::uuid, $1, (1500000000000000000 + i)::text,
              'Just tried the new release of the product, honestly the onboarding felt smooth and support replied fast #' || i,
              'en', timestamptz '2026-01-01' - i * interval '1 second', timestamptz '2026-01-02', md5($2 || '-wr-' || (i % 1000))::uuid
       from generate_series($3::int + 1, $3::int + $4::int) i`,
      [userId, tag, offset, count],
    ),
  );
}

async function plantRunLogs(db: Client, userId: string, tag: string, total: number, createdAt: string): Promise<void> {
  await inChunks(total, (offset, count) =>
    db.query(
      `insert into run_logs (run_id, user_id, level, message, created_at)
       select md5($2 || '-wr-' || (i % 1000))::uuid, $1, 'info', 'step ' || i || ' finished: fetched 100 tweets, 0 skipped',
              $5::timestamptz - i * interval '1 second'
       from generate_series($3::int + 1, $3::int + $4::int) i`,
      [userId, tag, offset, count, createdAt],
    ),
  );
}

async function plantRuns(db: Client, userId: string, tag: string, total: number): Promise<void> {
  await inChunks(total, (offset, count) =>
    db.query(
      `insert into workflow_runs (id, user_id, flow, job_name, state, attempts, max_attempts, input, result, started_at, finished_at, created_at, updated_at)
       select md5($2 || '-wr-' || i)::uuid, $1, 'analysis', 'analysis.run', 'COMPLETED', 1, 5,
              jsonb_build_object('userId', $1::text), jsonb_build_object('analysisId', md5($2 || '-an-' || i)::uuid, 'tweets', 100),
              timestamptz '2026-01-01' - i * interval '1 minute', timestamptz '2026-01-01' - i * interval '1 minute' + interval '2 seconds',
              timestamptz '2026-01-01' - i * interval '1 minute', timestamptz '2026-01-01' - i * interval '1 minute'
       from generate_series($3::int + 1, $3::int + $4::int) i`,
      [userId, tag, offset, count],
    ),
  );
}

async function plantAnalyses(db: Client, userId: string, tag: string, total: number): Promise<void> {
  await inChunks(total, (offset, count) =>
    db.query(
      `insert into analyses (id, user_id, run_id, provider, model, overall, score, summary, tweet_count, tweets, created_at)
       select md5($2 || '-an-' || i)::uuid, $1, md5($2 || '-wr-' || i)::uuid, 'local', 'lexicon', 'positive', 0.42,
              'Mostly positive about onboarding and support.', 3,
              '[{"ref":"T1","sentiment":"positive","score":0.6},{"ref":"T2","sentiment":"neutral","score":0},{"ref":"T3","sentiment":"positive","score":0.7}]'::jsonb,
              timestamptz '2026-01-01' - i * interval '1 minute'
       from generate_series($3::int + 1, $3::int + $4::int) i`,
      [userId, tag, offset, count],
    ),
  );
}

async function plantTickets(db: Client, userId: string, tag: string, total: number): Promise<void> {
  await inChunks(total, (offset, count) =>
    db.query(
      `insert into support_tickets (id, user_id, subject, body, status, created_at)
       select md5($2 || '-st-' || i)::uuid, $1, 'Question ' || i, 'How do I read the sentiment score of my last analysis? Thanks!', 'open',
              timestamptz '2026-01-01' - i * interval '1 minute'
       from generate_series($3::int + 1, $3::int + $4::int) i`,
      [userId, tag, offset, count],
    ),
  );
}

/** One person's data, split across the erased tables: 50% tweets, 25% logs, 10% runs, 10% analyses, 5% tickets. */
async function plantErasureUser(db: Client, userId = ERASE_USER, tag = 'erase', rows = ERASE_ROWS): Promise<Record<string, number>> {
  const split = {
    twitter_data: Math.round(rows * 0.5),
    run_logs: Math.round(rows * 0.25),
    workflow_runs: Math.round(rows * 0.1),
    analyses: Math.round(rows * 0.1),
    support_tickets: 0,
  };
  split.support_tickets = rows - split.twitter_data - split.run_logs - split.workflow_runs - split.analyses;
  await db.query('insert into users (id, created_at, last_seen_at) values ($1, now(), now()) on conflict (id) do update set erased_at = null', [userId]);
  await plantTweets(db, userId, tag, split.twitter_data);
  await plantRunLogs(db, userId, tag, split.run_logs, '2026-01-01');
  await plantRuns(db, userId, tag, split.workflow_runs);
  await plantAnalyses(db, userId, tag, split.analyses);
  await plantTickets(db, userId, tag, split.support_tickets);
  return split;
}

/** Tables the erasure bench plants in or the service deletes from: vacuumed between the runs. */
const ERASE_TABLES = ['run_logs', 'workflow_runs', 'support_tickets', 'oauth_tokens', 'twitter_data', 'analyses', 'data_exports'];

async function settle(db: Client): Promise<void> {
  await db.query(`vacuum analyze ${ERASE_TABLES.join(', ')}, users, audit_log`);
  await db.query('checkpoint');
}

// ---------------------------------------------------------------------------------------------
// Figure 1: delete-my-data vs raw DELETEs.

async function benchErasure(test: TestApp, baseUrl: string, db: Client): Promise<void> {
  log(`erasure: planting ${ERASE_ROWS} rows for one person (+ ${Math.round(ERASE_ROWS / 10)} tweets of someone else)`);
  await plantTweets(db, OTHER_USER, 'other', Math.round(ERASE_ROWS / 10));
  const split = await plantErasureUser(db);
  log(`erasure: split ${JSON.stringify(split)}`);
  await settle(db);

  // The baseline runs the service's own DELETE statements: every table the personal-data map
  // erases by deleting, in the map's order (the order alone moved the raw figure by 1.5x: a big
  // table deleted after others meets shared buffers full of their dirty pages).
  const deletedTables = test.app
    .get(PersonalDataMap)
    .tables()
    .filter((table) => table.erasure.action === 'delete' && table.person.holds !== 'pseudonym')
    .map((table) => ({ table: table.table, column: table.person.column }));
  const rawDeleteOf = async (userId: string): Promise<number> => {
    await db.query('begin');
    let deleted = 0;
    for (const { table, column } of deletedTables) deleted += (await db.query(`delete from ${table} where ${column} = $1`, [userId])).rowCount ?? 0;
    await db.query('commit');
    return deleted;
  };
  const serviceDeleteOf = async (userId: string): Promise<Response> =>
    fetch(`${baseUrl}/api/privacy/delete-my-data`, { method: 'POST', headers: { authorization: `Bearer ${test.token(userId)}` } });

  // Warm-up, both paths, on a person of 1% the size: connections, JIT, plan and catalogue caches,
  // so neither side pays a first call inside its measurement.
  const warmRows = Math.max(100, Math.round(ERASE_ROWS / 100));
  log(`erasure: warm-up, raw and service, ${warmRows} rows each`);
  await plantErasureUser(db, 'bench-erase-warm-raw', 'warm-raw', warmRows);
  await plantErasureUser(db, 'bench-erase-warm-app', 'warm-app', warmRows);
  await rawDeleteOf('bench-erase-warm-raw');
  const warm = await serviceDeleteOf('bench-erase-warm-app');
  if (warm.status !== 200) throw new Error(`warm-up erasure answered ${warm.status}`);
  await settle(db);

  // Raw, service, service, raw (ABBA), each on identically re-planted rows: neither side gains from
  // its place in the sequence, and each side's figure is the faster of its two runs, so a burst of
  // other work on the (shared) machine during one run does not decide the ratio.
  const replant = async (): Promise<void> => {
    await db.query(`vacuum ${ERASE_TABLES.join(', ')}`);
    await db.query('delete from notifications where user_id = $1', [ERASE_USER]); // the service's "deleted" notice
    await plantErasureUser(db);
    await settle(db);
  };
  const rawDelete = async (): Promise<{ deleted: number; seconds: number }> => {
    log(`erasure: baseline, raw DELETE ... WHERE user_id = $1 on ${deletedTables.length} tables in one transaction`);
    const rawStartedAt = process.hrtime.bigint();
    const deleted = await rawDeleteOf(ERASE_USER);
    const elapsed = seconds(rawStartedAt);
    log(`erasure: raw deleted ${deleted} rows in ${elapsed.toFixed(2)} s`);
    return { deleted, seconds: elapsed };
  };
  const serviceDelete = async (): Promise<{ deleted: number; seconds: number; status: number; ok: boolean }> => {
    log('erasure: POST /api/privacy/delete-my-data');
    const startedAt = process.hrtime.bigint();
    const response = await serviceDeleteOf(ERASE_USER);
    const body = (await response.json()) as { ok: boolean; deleted?: Record<string, number> };
    const elapsed = seconds(startedAt);
    const deleted = Object.entries(body.deleted ?? {})
      .filter(([key]) => key !== 'jobs')
      .reduce((sum, [, n]) => sum + n, 0);
    log(`erasure: service answered ${response.status} ok=${body.ok}, deleted ${deleted} rows in ${elapsed.toFixed(2)} s`);
    return { deleted, seconds: elapsed, status: response.status, ok: body.ok };
  };
  const firstRaw = await rawDelete();
  await replant();
  const firstService = await serviceDelete();
  await replant();
  const secondService = await serviceDelete();
  await replant();
  const secondRaw = await rawDelete();

  const rawDeleted = firstRaw.deleted;
  const services = [firstService, secondService];
  figures.push({
    figure: 'delete-my-data rows removed',
    measured: services.map((run) => `${run.deleted} rows (answer ${run.status}, ok=${run.ok})`).join('; '),
    baseline: `${rawDeleted} rows (raw DELETEs)`,
    ratio: rawDeleted === 0 ? NaN : firstService.deleted / rawDeleted,
    target: '= the raw DELETEs, ok',
    met: services.every((run) => run.ok && run.deleted === rawDeleted),
  });
  const serviceSeconds = Math.min(firstService.seconds, secondService.seconds);
  const rawSeconds = Math.min(firstRaw.seconds, secondRaw.seconds);
  const ratio = serviceSeconds / rawSeconds;
  figures.push({
    figure: `delete-my-data, ${ERASE_ROWS} rows`,
    measured: `${serviceSeconds.toFixed(2)} s (faster of ${firstService.seconds.toFixed(2)}, ${secondService.seconds.toFixed(2)})`,
    baseline: `${rawSeconds.toFixed(2)} s (raw DELETEs, faster of ${firstRaw.seconds.toFixed(2)}, ${secondRaw.seconds.toFixed(2)})`,
    ratio,
    target: '<= 1.5x',
    met: ratio <= 1.5,
  });
  await db.query(`delete from twitter_data where user_id = $1`, [OTHER_USER]);
  await db.query(`vacuum ${ERASE_TABLES.join(', ')}`);
}

// ---------------------------------------------------------------------------------------------
// Figure 2: export builder vs COPY TO STDOUT.

/** A `gc()` for settling the heap before RSS is measured (no --expose-gc needed on the command line). */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  gc();
}

/** `COPY (query) TO STDOUT` through pg: CopyData messages are counted and dropped as they arrive. */
async function copyOut(db: Client, query: string): Promise<{ rows: number; bytes: number }> {
  let bytes = 0;
  const connection = (db as unknown as { connection: NodeJS.EventEmitter }).connection;
  const onData = (message: { chunk: Buffer }): void => {
    bytes += message.chunk.length;
  };
  connection.on('copyData', onData);
  try {
    const result = await db.query(`copy (${query}) to stdout`);
    return { rows: result.rowCount ?? 0, bytes };
  } finally {
    connection.off('copyData', onData);
  }
}

/**
 * Counts the elements of each top-level array in an export file without holding it in memory (a
 * full export is hundreds of MB): a streaming scan that tracks strings and nesting, and counts a
 * value each time one starts directly inside a section's array. Throws if the document is cut off.
 */
async function countExportRows(test: TestApp, userId: string, path: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  const open: string[] = [];
  let inString = false;
  let escaped = false;
  let key = '';
  let section = '';
  let expectingElement = false;
  // The file is sealed under the person's data key (crypto-shredding): read it as the download does.
  const dataKey = await test.app.get(DataKeys, { strict: false }).forRead(userId, [], { fresh: true });
  if (!dataKey) throw new Error(`no data key for ${userId}`);
  const plain = openExportFile(path, dataKey);
  plain.setEncoding('utf8');
  for await (const chunk of plain as AsyncIterable<string>) {
    for (let i = 0; i < chunk.length; i++) {
      const ch = chunk[i];
      if (inString) {
        if (escaped) escaped = false;
        else if (ch === '\\') escaped = true;
        else if (ch === '"') inString = false;
        else if (open.length === 1) key += ch;
        continue;
      }
      if (ch === ' ' || ch === '\n' || ch === '\r' || ch === '\t') continue;
      const inSectionArray = open.length === 2 && open[1] === '[';
      if (inSectionArray && expectingElement && ch !== ']') {
        counts[section]++;
        expectingElement = false;
      }
      if (ch === '"') {
        inString = true;
        if (open.length === 1) key = '';
      } else if (ch === '{' || ch === '[') {
        if (open.length === 1 && ch === '[') {
          section = key;
          counts[section] = 0;
          expectingElement = true;
        }
        open.push(ch);
      } else if (ch === '}' || ch === ']') {
        open.pop();
      } else if (ch === ',' && inSectionArray) {
        expectingElement = true;
      }
    }
  }
  if (open.length > 0 || inString) throw new Error(`export file ${path} ends inside a value`);
  return counts;
}

async function benchExport(test: TestApp, db: Client): Promise<void> {
  const split = {
    twitter_data: EXPORT_ROWS - 3 * Math.round(EXPORT_ROWS * 0.01),
    analyses: Math.round(EXPORT_ROWS * 0.01),
    workflow_runs: Math.round(EXPORT_ROWS * 0.01),
    support_tickets: Math.round(EXPORT_ROWS * 0.01),
  };
  log(`export: planting ${EXPORT_ROWS} rows ${JSON.stringify(split)}`);
  await db.query('insert into users (id, created_at, last_seen_at) values ($1, now(), now()) on conflict do nothing', [EXPORT_USER]);
  await plantTweets(db, EXPORT_USER, 'export', split.twitter_data);
  await plantAnalyses(db, EXPORT_USER, 'export', split.analyses);
  await plantRuns(db, EXPORT_USER, 'export', split.workflow_runs);
  await plantTickets(db, EXPORT_USER, 'export', split.support_tickets);
  await db.query('vacuum analyze twitter_data, analyses, workflow_runs, support_tickets');
  await db.query('checkpoint');

  // The same sections, columns, filter and order as the export builder (the personal-data map's).
  const builder = test.app.get(ExportBuilder);
  const sections = builder.sections().filter((section) => !section.single);
  const queries = sections.map(
    (section) =>
      `select ${section.columns} from ${section.table} where ${section.personColumn} = '${EXPORT_USER}' ` +
      `${section.softDeletable ? 'and deleted_at is null' : ''} order by ${section.orderBy}`,
  );
  log('export: baseline, COPY (section queries) TO STDOUT through pg');
  let startedAt = process.hrtime.bigint();
  let copyRows = 0;
  let copyBytes = 0;
  for (const query of queries) {
    const { rows, bytes } = await copyOut(db, query);
    copyRows += rows;
    copyBytes += bytes;
  }
  const copySeconds = seconds(startedAt);
  log(`export: COPY ${copyRows} rows, ${(copyBytes / 1e6).toFixed(1)} MB in ${copySeconds.toFixed(2)} s`);

  const dir = mkdtempSync(join(tmpdir(), 'repazoo-bench-export-'));
  try {
    // The content opener threads are started once per process, not per export: started before the
    // baseline, so the figure is the export's own growth. (Under ts-node, as here, a thread also
    // loads ts-node and the TypeScript compiler: 76 MB of RSS in a bare process, against 9 MB for a
    // thread of the compiled build.)
    await test.app.get(ContentOpenerPool, { strict: false }).warmUp();
    collectGarbage();
    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    const sampler = setInterval(() => {
      rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    }, 50);
    log('export: ExportBuilder.build');
    startedAt = process.hrtime.bigint();
    const path = join(dir, 'export.json');
    let size: number;
    try {
      size = await builder.build(EXPORT_USER, path, new Date());
    } finally {
      clearInterval(sampler);
    }
    const exportSeconds = seconds(startedAt);
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    if (size !== statSync(path).size) throw new Error('export size mismatch');
    const growthMb = (rssPeak - rssBefore) / 1e6;
    log(`export: ${(size / 1e6).toFixed(1)} MB in ${exportSeconds.toFixed(2)} s, RSS ${(rssBefore / 1e6).toFixed(0)} -> peak ${(rssPeak / 1e6).toFixed(0)} MB`);

    const written = await countExportRows(test, EXPORT_USER, path);
    const writtenRows = Object.values(written).reduce((sum, n) => sum + n, 0);
    const planted: Record<string, number> = {
      tweets: split.twitter_data,
      analyses: split.analyses,
      runs: split.workflow_runs,
      supportTickets: split.support_tickets,
    };
    const mismatches = sections.map((section) => section.name).filter((name) => (written[name] ?? -1) !== (planted[name] ?? 0));
    log(`export: the file holds ${JSON.stringify(written)}`);
    figures.push({
      figure: 'export rows in the file',
      measured: `${writtenRows} rows`,
      baseline: `${EXPORT_ROWS} planted, ${copyRows} by COPY`,
      ratio: writtenRows / EXPORT_ROWS,
      target: '= planted, every section',
      met: mismatches.length === 0 && copyRows === EXPORT_ROWS,
    });
    if (mismatches.length > 0) {
      log(`export: sections off: ${mismatches.map((name) => `${name} ${written[name] ?? 'missing'} != ${planted[name] ?? 0}`).join(', ')}`);
    }

    const exportRowsPerSecond = writtenRows / exportSeconds;
    const copyRowsPerSecond = copyRows / copySeconds;
    const ratio = exportRowsPerSecond / copyRowsPerSecond;
    figures.push({
      figure: `export throughput, ${copyRows} rows`,
      measured: `${Math.round(exportRowsPerSecond)} rows/s, ${(size / 1e6 / exportSeconds).toFixed(1)} MB/s (JSON)`,
      baseline: `${Math.round(copyRowsPerSecond)} rows/s, ${(copyBytes / 1e6 / copySeconds).toFixed(1)} MB/s (COPY text)`,
      ratio,
      target: '>= 0.3x (rows/s)',
      met: ratio >= 0.3,
    });
    figures.push({
      figure: 'export peak RSS growth',
      measured: `${growthMb.toFixed(1)} MB`,
      baseline: `${(rssBefore / 1e6).toFixed(0)} MB RSS before`,
      ratio: growthMb / 150,
      target: '< 150 MB',
      met: growthMb < 150,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  for (const table of ['twitter_data', 'analyses', 'workflow_runs', 'support_tickets']) await db.query(`delete from ${table} where user_id = $1`, [EXPORT_USER]);
  await db.query('vacuum twitter_data, analyses, workflow_runs, support_tickets');
}

// ---------------------------------------------------------------------------------------------
// Figure 3: API p99 during the retention cleanup vs idle.

/** Load generator in a worker thread, so its own work does not share the app's event loop. */
const LOAD_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');
const { url, token, concurrency } = workerData;
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
let running = false;
let latencies = [];
let errors = 0;
let failures = {};
const fail = (what) => { errors++; failures[what] = (failures[what] || 0) + 1; };
function one() {
  return new Promise((resolve) => {
    const startedAt = process.hrtime.bigint();
    const request = http.get(url, { agent, headers: { authorization: 'Bearer ' + token } }, (response) => {
      // A failed answer's body is kept (its first KB) for its error code; a 200's is dropped.
      let body = '';
      response.on('data', (chunk) => { if (response.statusCode !== 200 && body.length < 1024) body += chunk; });
      response.on('end', () => {
        if (response.statusCode !== 200) {
          let code = '';
          try { const parsed = JSON.parse(body); code = parsed.code || parsed.error || ''; } catch { code = body.slice(0, 60); }
          fail('HTTP ' + response.statusCode + (code ? ' ' + code : ''));
        }
        latencies.push(Number(process.hrtime.bigint() - startedAt) / 1e6);
        resolve();
      });
    });
    request.on('error', (error) => { fail(error.code || error.message); resolve(); });
  });
}
async function client() { while (running) await one(); }
let clients = [];
parentPort.on('message', async (message) => {
  if (message === 'start') {
    latencies = []; errors = 0; failures = {}; running = true;
    clients = Array.from({ length: concurrency }, client);
  } else if (message === 'stop') {
    running = false;
    await Promise.all(clients);
    parentPort.postMessage({ latencies, errors, failures });
  } else if (message === 'exit') {
    agent.destroy();
    process.exit(0);
  }
});
`;

interface LoadResult {
  requests: number;
  errors: number;
  /** What the failed requests received: "HTTP 503": 2, "ECONNRESET": 1, ... */
  failures: Record<string, number>;
  p50: number;
  p99: number;
}

class LoadGenerator {
  private readonly worker: Worker;

  constructor(url: string, token: string) {
    this.worker = new Worker(LOAD_WORKER, { eval: true, workerData: { url, token, concurrency: CONCURRENCY } });
  }

  start(): void {
    this.worker.postMessage('start');
  }

  async stop(): Promise<LoadResult> {
    const result = new Promise<{ latencies: number[]; errors: number; failures: Record<string, number> }>((resolve) => this.worker.once('message', resolve));
    this.worker.postMessage('stop');
    const { latencies, errors, failures } = await result;
    const sorted = Float64Array.from(latencies).sort();
    const at = (fraction: number): number => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))];
    return { requests: sorted.length, errors, failures, p50: at(0.5), p99: at(0.99) };
  }

  async close(): Promise<void> {
    this.worker.postMessage('exit');
    await new Promise((resolve) => this.worker.once('exit', resolve));
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The retention bench's run_logs: RETENTION_ROWS expired (100 days and older) and 2% live ones. */
async function plantRetentionLogs(db: Client): Promise<void> {
  await inChunks(RETENTION_ROWS, (offset, count) =>
    db.query(
      `insert into run_logs (run_id, user_id, level, message, created_at)
       select md5('ret-wr-' || (i % 1000))::uuid, 'bench-retention-' || (i % 100), 'info',
              'step ' || i || ' finished: fetched 100 tweets, 0 skipped', now() - interval '100 days' - i * interval '1 second'
       from generate_series($1::int + 1, $1::int + $2::int) i`,
      [offset, count],
    ),
  );
  // Some live rows too, which the cleanup must leave alone.
  await plantRunLogs(db, 'bench-retention-live', 'live', Math.round(RETENTION_ROWS / 50), new Date().toISOString());
  await db.query('vacuum analyze run_logs, support_tickets, users');
  await db.query('checkpoint');
}

function describeFailures(result: LoadResult): string {
  const entries = Object.entries(result.failures);
  return entries.length === 0 ? 'none' : entries.map(([what, n]) => `${n}x ${what}`).join(', ');
}

async function benchRetention(test: TestApp, baseUrl: string, db: Client): Promise<void> {
  log(`retention: planting ${RETENTION_ROWS} run_logs older than 90 days (1000 runs of 100 people)`);
  let startedAt = process.hrtime.bigint();
  await db.query('insert into users (id, created_at, last_seen_at) values ($1, now(), now()) on conflict do nothing', [LOAD_USER]);
  await plantTickets(db, LOAD_USER, 'load', 20);
  await plantRetentionLogs(db);
  log(`retention: planted in ${seconds(startedAt).toFixed(0)} s`);

  const retention = test.app.get(RetentionService);
  const logsTarget = retention.categories().find((c) => c.category === 'logs')?.targets.find((t) => t.table === 'run_logs');
  if (!logsTarget) throw new Error('no retention rule for run_logs');
  const load = new LoadGenerator(`${baseUrl}/api/support/tickets`, test.token(LOAD_USER));
  try {
    load.start(); // warm-up: connections, JIT, plan caches
    await sleep(3000);
    await load.stop();
    test.logs.length = 0;

    // Baseline: the same rows soft-deleted by ONE bulk statement (the same condition as the
    // cleanup's), under the same API load; then the table is planted again, identically.
    log(`retention: baseline, one bulk UPDATE run_logs SET deleted_at under ${CONCURRENCY} concurrent GET /api/support/tickets`);
    const cutoff = new Date(Date.now() - RETENTION_DAYS.logs * DAY_MS);
    load.start();
    startedAt = process.hrtime.bigint();
    const bulk = await db.query(`update run_logs t set deleted_at = now() where t.deleted_at is null and (${logsTarget.expiredWhere.replaceAll('?', '$1')})`, [cutoff]);
    const bulkSeconds = seconds(startedAt);
    const duringBulk = await load.stop();
    test.logs.length = 0;
    log(
      `retention: bulk UPDATE soft-deleted ${bulk.rowCount} rows in ${bulkSeconds.toFixed(1)} s; ` +
        `${duringBulk.requests} requests (failed: ${describeFailures(duringBulk)}), p50 ${duringBulk.p50.toFixed(1)} ms, p99 ${duringBulk.p99.toFixed(1)} ms`,
    );
    startedAt = process.hrtime.bigint();
    await db.query('truncate run_logs');
    await plantRetentionLogs(db);
    log(`retention: planted again in ${seconds(startedAt).toFixed(0)} s`);

    log(`retention: cleanupExpiredRecords under ${CONCURRENCY} concurrent GET /api/support/tickets`);
    load.start();
    const cleanupStartedAt = process.hrtime.bigint();
    const result = await retention.cleanupExpiredRecords(new Date());
    const cleanupSeconds = seconds(cleanupStartedAt);
    const during = await load.stop();
    test.logs.length = 0;
    const logs = result.categories.find((c) => c.category === 'logs');
    log(
      `retention: cleanup took ${cleanupSeconds.toFixed(1)} s, logs soft-deleted ${logs?.softDeleted}; ` +
        `${during.requests} requests (failed: ${describeFailures(during)}), p50 ${during.p50.toFixed(1)} ms, p99 ${during.p99.toFixed(1)} ms`,
    );
    figures.push({
      figure: 'retention expired logs soft-deleted',
      measured: `${logs?.softDeleted ?? 0} rows`,
      baseline: `${RETENTION_ROWS} planted expired`,
      ratio: (logs?.softDeleted ?? 0) / RETENTION_ROWS,
      target: '= planted',
      met: logs?.softDeleted === RETENTION_ROWS,
    });

    const idleSeconds = Math.min(cleanupSeconds, IDLE_MAX_SECONDS);
    log(`retention: idle baseline for ${idleSeconds.toFixed(1)} s`);
    load.start();
    await sleep(idleSeconds * 1000);
    const idle = await load.stop();
    test.logs.length = 0;
    log(`retention: idle ${idle.requests} requests (failed: ${describeFailures(idle)}), p50 ${idle.p50.toFixed(1)} ms, p99 ${idle.p99.toFixed(1)} ms`);

    const ratio = during.p99 / idle.p99;
    figures.push({
      figure: 'API errors during the cleanup and idle',
      measured: `${during.errors} during (${describeFailures(during)}), ${idle.errors} idle (${describeFailures(idle)})`,
      baseline: `${during.requests + idle.requests} requests`,
      ratio: NaN,
      target: '0',
      met: during.errors + idle.errors === 0,
    });
    figures.push({
      figure: `API p99 during retention of ${RETENTION_ROWS} rows (${cleanupSeconds.toFixed(0)} s)`,
      measured: `${during.p99.toFixed(1)} ms (${Math.round(during.requests / cleanupSeconds)} req/s)`,
      baseline: `${idle.p99.toFixed(1)} ms idle (${Math.round(idle.requests / idleSeconds)} req/s, ${idleSeconds.toFixed(0)} s)`,
      ratio,
      target: '< 2x',
      met: ratio < 2,
    });
    const cleanupRate = RETENTION_ROWS / cleanupSeconds;
    const bulkRate = (bulk.rowCount ?? 0) / bulkSeconds;
    figures.push({
      figure: 'retention cleanup throughput',
      measured: `${Math.round(cleanupRate)} rows/s (${cleanupSeconds.toFixed(1)} s, the whole run)`,
      baseline: `${Math.round(bulkRate)} rows/s (one bulk UPDATE, ${bulkSeconds.toFixed(1)} s, API p99 ${duringBulk.p99.toFixed(1)} ms)`,
      ratio: cleanupRate / bulkRate,
      target: '>= 0.3x',
      met: cleanupRate / bulkRate >= 0.3,
    });
  } finally {
    await load.close();
  }
}

// ---------------------------------------------------------------------------------------------

function printTable(): void {
  const header = ['figure', 'measured', 'baseline', 'ratio', 'target', 'met?'];
  const rows = figures.map((f) => [f.figure, f.measured, f.baseline, Number.isNaN(f.ratio) ? '-' : `${f.ratio.toFixed(2)}x`, f.target, f.target === '-' ? '-' : f.met ? 'yes' : 'NO']);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const line = (cells: string[]): string => `| ${cells.map((cell, column) => cell.padEnd(widths[column])).join(' | ')} |`;
  const sizes = { erase: `erasure ${ERASE_ROWS}`, export: `export ${EXPORT_ROWS}`, retention: `retention ${RETENTION_ROWS}` };
  const ran = Object.entries(sizes).flatMap(([name, size]) => (ONLY.has(name) ? [size] : []));
  console.log(`\nData lifecycle at BENCH_SCALE=${SCALE}: ${ran.join(', ')} rows (PostgreSQL ${DATABASE_URL.replace(/\/\/[^@]*@/, '//')}, ${CONCURRENCY} concurrent API clients)`);
  console.log(line(header));
  console.log(`|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`);
  for (const row of rows) console.log(line(row));
  console.log('');
  for (const f of figures.filter((candidate) => candidate.target !== '-')) {
    reportTarget({ name: f.figure, measured: `${f.measured} vs ${f.baseline}`, target: f.target, met: f.met });
  }
  reportVerdict('bench:lifecycle');
}

async function main(): Promise<void> {
  log(`BENCH_SCALE=${SCALE}: erasure ${ERASE_ROWS} rows, export ${EXPORT_ROWS} rows, retention ${RETENTION_ROWS} rows`);
  await withBenchApp({ adminUrl: ADMIN_URL, databaseName: DATABASE_NAME, redisUrl: REDIS_URL }, async ({ test, db, baseUrl }) => {
    if (ONLY.has('erase')) await benchErasure(test, baseUrl, db);
    if (ONLY.has('export')) await benchExport(test, db);
    if (ONLY.has('retention')) await benchRetention(test, baseUrl, db);
    printTable();
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
