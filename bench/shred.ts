// Benchmark of crypto-shredding (issue 23): what encrypting each person's content under their own
// data key costs, each figure beside a baseline measured in the same run on the same PostgreSQL:
//   1. the list routes GET /api/twitter/tweets and GET /api/analysis (20 rows a page) of a person
//      whose content is sealed, vs the same routes for a person whose rows are plain (the rows the
//      `encrypt-content` step has not reached: the same code, no key to unwrap, nothing to open).
//      Keep-alive clients in a worker thread, sides alternated, requests/s compared.
//   2. ingestion of 100,000 tweets: redaction and TwitterRepository.insertNew (the run's storage
//      step) with the person's data key, vs the same with a key that seals nothing.
//   3. export of BENCH_EXPORT_ROWS sealed rows (mostly tweets) through the real ExportBuilder (values
//      opened, the file sealed in frames), vs `COPY (the same section queries) TO STDOUT`.
// Targets: list routes >= 0.8x, ingestion >= 0.7x, export >= 0.25x COPY's rows/s.
// Run with `npm run bench:shred`. Uses its own database (BENCH_DATABASE_NAME, default
// repazoo_bench_shred), created, migrated and dropped by the bench; BENCH_REDIS_URL (default db 1);
// BENCH_SCALE scales the row counts, BENCH_DURATION_S the seconds per list-route side and round,
// BENCH_ONLY=list,ingest,export picks figures.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { Client } from 'pg';
import { PersonKey } from '../src/core/crypto/content-cipher';
import { DataKeys } from '../src/core/crypto/data-keys';
import { ExportBuilder } from '../src/modules/export/export-builder';
import { toStoredRow } from '../src/modules/twitter/twitter-ingestion.service';
import { TwitterRepository } from '../src/modules/twitter/twitter.repository';
import type { TestApp } from '../test/utils/test-app';
import { withBenchApp } from './bench-app';
import { reportTarget, reportVerdict } from './targets';

const SCALE = Number(process.env.BENCH_SCALE ?? '1');
const ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const DATABASE_NAME = process.env.BENCH_DATABASE_NAME ?? 'repazoo_bench_shred';
const DATABASE_URL = ADMIN_URL.replace(/\/[^/]*$/, `/${DATABASE_NAME}`);
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/1';
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? '4');
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? '10');
const INGEST_TWEETS = Number(process.env.BENCH_INGEST_TWEETS ?? Math.round(100_000 * SCALE));
const EXPORT_ROWS = Number(process.env.BENCH_EXPORT_ROWS ?? Math.round(200_000 * SCALE));
const ONLY = new Set((process.env.BENCH_ONLY ?? 'list,ingest,export').split(','));

const SEALED_USER = 'bench-shred-sealed';
const PLAIN_USER = 'bench-shred-plain';
const TWEET_TEXT = 'Just tried the new release of the product, honestly the onboarding felt smooth and support replied fast #';

interface Figure {
  figure: string;
  measured: string;
  baseline: string;
  ratio: number;
  target: number;
}
const figures: Figure[] = [];

function log(message: string): void {
  console.log(`[${new Date().toISOString().slice(11, 19)}] ${message}`);
}

function seconds(startedAt: bigint): number {
  return Number(process.hrtime.bigint() - startedAt) / 1e9;
}

/** A key that seals nothing: the same code paths without encryption (the baselines). */
function plainKey(userId: string): PersonKey {
  const key = new PersonKey(userId, 'plain', Buffer.alloc(32));
  key.seal = (_table: string, _column: string, _rowId: string, plaintext: string): string => plaintext;
  return key;
}

/** Inserts rows in statements of 1000 (values built by `row`, `columns` in order). */
async function insertRows(db: Client, table: string, columns: string[], count: number, row: (i: number) => unknown[]): Promise<void> {
  for (let start = 0; start < count; start += 1000) {
    const n = Math.min(1000, count - start);
    const params: unknown[] = [];
    const tuples: string[] = [];
    for (let i = start; i < start + n; i++) {
      const values = row(i);
      tuples.push(`(${values.map((_, j) => `$${params.length + j + 1}`).join(', ')})`);
      params.push(...values);
    }
    await db.query(`insert into ${table} (${columns.join(', ')}) values ${tuples.join(', ')}`, params);
  }
}

async function plantTweets(db: Client, key: PersonKey, count: number, tag: string): Promise<void> {
  await insertRows(db, 'twitter_data', ['id', 'user_id', 'tweet_id', 'text', 'lang', 'tweet_created_at', 'fetched_at'], count, (i) => {
    const id = randomUUID();
    return [id, key.userId, `${tag}${1_500_000_000_000 + i}`, key.seal('twitter_data', 'text', id, `${TWEET_TEXT}${i}`), 'en', new Date(Date.UTC(2026, 0, 1) - i * 1000), new Date()];
  });
}

async function plantAnalyses(db: Client, key: PersonKey, count: number): Promise<void> {
  const tweets = JSON.stringify([
    { tweetId: '1500000000000000001', sentiment: 'positive', score: 0.6 },
    { tweetId: '1500000000000000002', sentiment: 'neutral', score: 0 },
    { tweetId: '1500000000000000003', sentiment: 'positive', score: 0.7 },
  ]);
  await insertRows(db, 'analyses', ['id', 'user_id', 'run_id', 'provider', 'model', 'overall', 'score', 'summary', 'tweet_count', 'tweets', 'created_at'], count, (i) => {
    const id = randomUUID();
    const sealedTweets = key.seal('analyses', 'tweets', id, tweets);
    return [id, key.userId, randomUUID(), 'local', 'lexicon', 'positive', 0.42, key.seal('analyses', 'summary', id, 'Mostly positive about onboarding and support.'), 3,
      sealedTweets === tweets ? tweets : JSON.stringify(sealedTweets), new Date(Date.UTC(2026, 0, 1) - i * 60_000)];
  });
}

async function plantTickets(db: Client, key: PersonKey, count: number): Promise<void> {
  await insertRows(db, 'support_tickets', ['id', 'user_id', 'subject', 'body', 'status', 'created_at'], count, (i) => {
    const id = randomUUID();
    return [id, key.userId, key.seal('support_tickets', 'subject', id, `Question ${i}`),
      key.seal('support_tickets', 'body', id, 'How do I read the sentiment score of my last analysis? Thanks!'), 'open', new Date(Date.UTC(2026, 0, 1) - i * 60_000)];
  });
}

// ---------------------------------------------------------------------------------------------
// Figure 1: list routes.

const LOAD_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');
const agent = new http.Agent({ keepAlive: true, maxSockets: workerData.concurrency });
function one(url, token) {
  return new Promise((resolve) => {
    const request = http.get(url, { agent, headers: { authorization: 'Bearer ' + token } }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode === 200));
    });
    request.on('error', () => resolve(false));
  });
}
parentPort.on('message', async ({ url, token, ms }) => {
  if (url === undefined) { agent.destroy(); process.exit(0); }
  const until = Date.now() + ms;
  let ok = 0, failed = 0;
  await Promise.all(Array.from({ length: workerData.concurrency }, async () => {
    while (Date.now() < until) { if (await one(url, token)) ok++; else failed++; }
  }));
  parentPort.postMessage({ ok, failed });
});
`;

async function benchListRoutes(test: TestApp, baseUrl: string, db: Client): Promise<void> {
  const sealedKey = await test.app.get(DataKeys, { strict: false }).forWrite(test.em(), SEALED_USER);
  for (const key of [sealedKey, plainKey(PLAIN_USER)]) {
    await plantTweets(db, key, 200, '');
    await plantAnalyses(db, key, 50);
  }
  await db.query('vacuum analyze twitter_data, analyses, data_keys');
  const worker = new Worker(LOAD_WORKER, { eval: true, workerData: { concurrency: CONCURRENCY } });
  const run = (url: string, user: string, ms: number): Promise<{ ok: number; failed: number }> =>
    new Promise((resolve) => {
      worker.once('message', resolve);
      worker.postMessage({ url, token: test.token(user), ms });
    });
  try {
    for (const [name, path] of [['tweets', '/api/twitter/tweets?limit=20'], ['analyses', '/api/analysis?limit=20']] as const) {
      const url = `${baseUrl}${path}`;
      await run(url, SEALED_USER, 1000); // warm-up: JIT, connections, key cache
      await run(url, PLAIN_USER, 1000);
      const totals = { sealed: 0, plain: 0, failed: 0 };
      // Alternated (ABBA BAAB), four rounds each, so neither side gains from going first on a loaded machine.
      for (const side of ['plain', 'sealed', 'sealed', 'plain', 'sealed', 'plain', 'plain', 'sealed'] as const) {
        const result = await run(url, side === 'sealed' ? SEALED_USER : PLAIN_USER, DURATION_S * 1000);
        totals[side] += result.ok;
        totals.failed += result.failed;
      }
      const sealedRate = totals.sealed / (4 * DURATION_S);
      const plainRate = totals.plain / (4 * DURATION_S);
      log(`list ${name}: sealed ${sealedRate.toFixed(0)} req/s, plain ${plainRate.toFixed(0)} req/s, ${totals.failed} failed`);
      figures.push({
        figure: `GET ${path} (${CONCURRENCY} clients)`,
        measured: `${sealedRate.toFixed(0)} req/s sealed${totals.failed > 0 ? `, ${totals.failed} FAILED` : ''}`,
        baseline: `${plainRate.toFixed(0)} req/s plain rows`,
        ratio: totals.failed > 0 ? 0 : sealedRate / plainRate,
        target: 0.8,
      });
    }
  } finally {
    await worker.terminate();
  }
}

// ---------------------------------------------------------------------------------------------
// Figure 2: ingestion.

async function benchIngestion(test: TestApp, db: Client): Promise<void> {
  const tweets = Array.from({ length: INGEST_TWEETS }, (_, i) => ({
    id: String(1_600_000_000_000_000_000n + BigInt(i)),
    text: `${TWEET_TEXT}${i} mail me at someone${i}@example.com`,
    lang: 'en',
    createdAt: new Date(Date.UTC(2026, 0, 1) - i * 1000),
  }));
  const repository = test.app.get(TwitterRepository, { strict: false });
  const dataKeys = test.app.get(DataKeys, { strict: false });
  /** One ingestion's storage as the run does it: redaction, then insertNew in one transaction. */
  const ingest = async (userId: string, sealed: boolean): Promise<number> => {
    const startedAt = process.hrtime.bigint();
    await test.em().transactional(async (em) => {
      const rows = tweets.map(toStoredRow);
      const key = sealed ? await dataKeys.forWrite(em, userId) : plainKey(userId);
      const inserted = await repository.insertNew(em, key, randomUUID(), new Date(), rows);
      if (inserted !== INGEST_TWEETS) throw new Error(`ingestion stored ${inserted} of ${INGEST_TWEETS}`);
    });
    const elapsed = seconds(startedAt);
    await db.query('delete from twitter_data where user_id = $1', [userId]);
    await db.query('vacuum twitter_data');
    return elapsed;
  };
  log(`ingest: ${INGEST_TWEETS} tweets, plain / sealed / sealed / plain`);
  const plain1 = await ingest('bench-ingest-plain', false);
  const sealed1 = await ingest('bench-ingest-sealed', true);
  const sealed2 = await ingest('bench-ingest-sealed', true);
  const plain2 = await ingest('bench-ingest-plain', false);
  const sealedRate = (2 * INGEST_TWEETS) / (sealed1 + sealed2);
  const plainRate = (2 * INGEST_TWEETS) / (plain1 + plain2);
  log(`ingest: sealed ${sealed1.toFixed(2)} s, ${sealed2.toFixed(2)} s; plain ${plain1.toFixed(2)} s, ${plain2.toFixed(2)} s`);
  figures.push({
    figure: `ingestion of ${INGEST_TWEETS} tweets (redaction + insertNew)`,
    measured: `${sealedRate.toFixed(0)} tweets/s sealed`,
    baseline: `${plainRate.toFixed(0)} tweets/s plain`,
    ratio: sealedRate / plainRate,
    target: 0.7,
  });
}

// ---------------------------------------------------------------------------------------------
// Figure 3: export vs COPY.

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

async function benchExport(test: TestApp, db: Client): Promise<void> {
  const user = 'bench-shred-export';
  const key = await test.app.get(DataKeys, { strict: false }).forWrite(test.em(), user);
  const split = { tweets: EXPORT_ROWS - 2 * Math.round(EXPORT_ROWS * 0.02), analyses: Math.round(EXPORT_ROWS * 0.02), tickets: Math.round(EXPORT_ROWS * 0.02) };
  log(`export: planting ${EXPORT_ROWS} sealed rows ${JSON.stringify(split)}`);
  await plantTweets(db, key, split.tweets, 'x');
  await plantAnalyses(db, key, split.analyses);
  await plantTickets(db, key, split.tickets);
  await db.query('vacuum analyze twitter_data, analyses, support_tickets');
  await db.query('checkpoint');

  const builder = test.app.get(ExportBuilder, { strict: false });
  const sections = builder.sections().filter((section) => !section.single);
  const queries = sections.map(
    (section) =>
      `select ${section.columns} from ${section.table} where ${section.personColumn} = '${user}' ` +
      `${section.softDeletable ? 'and deleted_at is null' : ''} order by ${section.orderBy}`,
  );
  const dir = mkdtempSync(join(tmpdir(), 'repazoo-bench-shred-'));
  try {
    const copy = async (): Promise<{ rows: number; seconds: number }> => {
      const startedAt = process.hrtime.bigint();
      let rows = 0;
      for (const query of queries) rows += (await copyOut(db, query)).rows;
      return { rows, seconds: seconds(startedAt) };
    };
    const build = async (round: number): Promise<{ seconds: number; size: number }> => {
      const path = join(dir, `export-${round}.json`);
      const startedAt = process.hrtime.bigint();
      const size = await builder.build(user, path, new Date());
      const elapsed = seconds(startedAt);
      if (size !== statSync(path).size) throw new Error('export size mismatch');
      rmSync(path);
      return { seconds: elapsed, size };
    };
    // Untimed: warms the JIT and starts the content opener thread, which a process does once (under
    // ts-node, as here, the thread's start also loads the TypeScript compiler: half a second that a
    // compiled build does not pay).
    await build(0);
    log('export: COPY / ExportBuilder.build / ExportBuilder.build / COPY');
    const copy1 = await copy();
    const build1 = await build(1);
    const build2 = await build(2);
    const copy2 = await copy();
    if (copy1.rows !== EXPORT_ROWS) throw new Error(`COPY saw ${copy1.rows} of ${EXPORT_ROWS} rows`);
    const exportRate = (2 * EXPORT_ROWS) / (build1.seconds + build2.seconds);
    const copyRate = (copy1.rows + copy2.rows) / (copy1.seconds + copy2.seconds);
    log(`export: build ${build1.seconds.toFixed(2)} s, ${build2.seconds.toFixed(2)} s (${(build1.size / 1e6).toFixed(1)} MB sealed); COPY ${copy1.seconds.toFixed(2)} s, ${copy2.seconds.toFixed(2)} s`);
    figures.push({
      figure: `export of ${EXPORT_ROWS} sealed rows`,
      measured: `${exportRate.toFixed(0)} rows/s (opened, file sealed)`,
      baseline: `${copyRate.toFixed(0)} rows/s COPY TO STDOUT`,
      ratio: exportRate / copyRate,
      target: 0.25,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------

function printTable(): void {
  const header = ['figure', 'measured', 'baseline', 'ratio', 'target'];
  const rows = figures.map((f) => [f.figure, f.measured, f.baseline, `${f.ratio.toFixed(2)}x`, `>= ${f.target}x`]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const line = (cells: string[]): string => `| ${cells.map((cell, column) => cell.padEnd(widths[column])).join(' | ')} |`;
  console.log(`\nCrypto-shredding at BENCH_SCALE=${SCALE} (PostgreSQL ${DATABASE_URL.replace(/\/\/[^@]*@/, '//')})`);
  console.log(line(header));
  console.log(`|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`);
  for (const row of rows) console.log(line(row));
  console.log('');
  for (const f of figures) reportTarget({ name: f.figure, measured: `${f.ratio.toFixed(2)}x (${f.measured} vs ${f.baseline})`, target: `>= ${f.target}x`, met: f.ratio >= f.target });
  reportVerdict('bench:shred');
}

async function main(): Promise<void> {
  await withBenchApp({ adminUrl: ADMIN_URL, databaseName: DATABASE_NAME, redisUrl: REDIS_URL }, async ({ test, db, baseUrl }) => {
    if (ONLY.has('list')) await benchListRoutes(test, baseUrl, db);
    if (ONLY.has('ingest')) await benchIngestion(test, db);
    if (ONLY.has('export')) await benchExport(test, db);
    printTable();
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
