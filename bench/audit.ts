// Benchmark of the sealed audit log at volume: 1,000,000 entries bulk-inserted (one
// `INSERT ... SELECT generate_series` per 250,000, details shaped like the app's), sealed by the
// real AuditSealer, then verified by the real AuditService.verifyAuditChain (every batch's chain
// link, chained hash and Merkle root recomputed from the entries under AUDIT_KEY). Baseline, in the
// same run on the same database: reading the same columns of every entry through `pg` and
// discarding them (the least any verification reading the log from PostgreSQL costs here).
// Target: verification of BENCH_AUDIT_ENTRIES (default 1,000,000) entries in < 10 s, valid, every
// entry checked. Sealing time is printed for information. It prints PASS/FAIL per target and exits
// 1 on a miss.
// Run with `npm run bench:audit`, which compiles with tsc first and runs the JavaScript, as
// production does (see bench/load.ts on ts-node). Uses its own database (BENCH_DATABASE_NAME,
// default repazoo_bench_audit), created, migrated with the CLI and dropped at the end.
import 'reflect-metadata';
import { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { Logger } from '@nestjs/common';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Client } from 'pg';
import { AuditHeadStore } from '../src/core/audit/audit-head.store';
import { AuditSealer } from '../src/core/audit/audit-sealer.service';
import { AuditRepository } from '../src/core/audit/audit.repository';
import { AuditService } from '../src/core/audit/audit.service';
import { SystemClock } from '../src/core/clock/clock';
import { AppConfig } from '../src/core/config/app-config';
import { buildOrmOptions } from '../src/core/database/orm-options';
import { InProcessLockService } from '../src/core/locks/lock.service';
import { ENTITIES } from '../src/entities';
import { reportTarget, reportVerdict } from './targets';

const ENTRIES = Number(process.env.BENCH_AUDIT_ENTRIES ?? 1_000_000);
const TARGET_VERIFY_S = 10;
const INSERT_CHUNK = 250_000;
/** How long the bench keeps sealing while other transactions on the server defer the sealer. */
const SEAL_PATIENCE_MS = 10 * 60_000;
const ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const DATABASE_NAME = process.env.BENCH_DATABASE_NAME ?? 'repazoo_bench_audit';
const DATABASE_URL = ADMIN_URL.replace(/\/[^/]*$/, `/${DATABASE_NAME}`);
const PROJECT_ROOT = findProjectRoot(__dirname);

async function withClient(url: string, work: (client: Client) => Promise<unknown>): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await work(client);
  } finally {
    await client.end();
  }
}

async function prepareDatabase(dataDir: string): Promise<void> {
  await withClient(ADMIN_URL, async (admin) => {
    await admin.query(`drop database if exists "${DATABASE_NAME}" with (force)`);
    await admin.query(`create database "${DATABASE_NAME}"`);
  });
  execFileSync(process.execPath, ['-r', 'ts-node/register/transpile-only', join(PROJECT_ROOT, 'src', 'cli.ts'), 'migrate'], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, DATABASE_URL, NODE_ENV: 'test', DATA_DIR: dataDir },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

/** Entries like the app writes: a user, an action, a category and small redacted details. */
async function plant(): Promise<void> {
  await withClient(DATABASE_URL, async (db) => {
    for (let start = 1; start <= ENTRIES; start += INSERT_CHUNK) {
      const end = Math.min(ENTRIES, start + INSERT_CHUNK - 1);
      await db.query(
        `insert into audit_log (user_id, action, category, details, created_at)
         select 'bench-user-' || (i % 5000), 'Support ticket created', 'support_tickets',
                jsonb_build_object('ticketId', md5(i::text)::uuid, 'step', i % 7), now() - make_interval(secs => ($3 - i) / 100.0)
         from generate_series($1::int, $2::int) as i`,
        [start, end, ENTRIES],
      );
    }
    await db.query('vacuum analyze audit_log');
  });
}

/** The floor: every entry's columns read through pg and dropped. */
async function readAllRows(): Promise<number> {
  let rows = 0;
  await withClient(DATABASE_URL, async (db) => {
    for (let after = 0; ; ) {
      const { rows: page } = await db.query<{ id: string }>(
        'select id::text as id, user_id, action, category, details, created_at from audit_log where audit_log.id > $1 order by audit_log.id limit 16384',
        [after],
      );
      rows += page.length;
      if (page.length < 16384) break;
      after = Number(page[page.length - 1].id);
    }
  });
  return rows;
}

async function main(): Promise<void> {
  Logger.overrideLogger(['warn', 'error']);
  const dataDir = mkdtempSync(join(tmpdir(), 'repazoo-bench-audit-'));
  await prepareDatabase(dataDir);
  process.stdout.write(`bench:audit ${ENTRIES.toLocaleString('en')} entries, node ${process.version}\n`);
  let started = Date.now();
  await plant();
  process.stdout.write(`planted in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);

  const orm = await MikroORM.init(buildOrmOptions({ clientUrl: DATABASE_URL, entities: ENTITIES }));
  try {
    const config = { auditKey: 'bench-audit-key-that-is-long-enough-0123456789', auditSealIntervalMs: 0, dataDir } as AppConfig;
    const em = orm.em as EntityManager;
    const repository = new AuditRepository(em);
    const heads = new AuditHeadStore(null, config);
    const clock = new SystemClock();
    const sealer = new AuditSealer(em, repository, heads, new InProcessLockService(), clock, config);
    const service = new AuditService(em, repository, heads, clock, config);

    // The sealer defers while any transaction older than its safe point is open, and PostgreSQL's
    // transaction ids are shared by every database of the server: on a machine where other work
    // holds long transactions a run can be deferred, so seal again until every entry is in a batch.
    started = Date.now();
    const sealed = { entries: 0, batches: 0, deferred: 0 };
    while (sealed.entries < ENTRIES && Date.now() - started < SEAL_PATIENCE_MS) {
      const run = await sealer.sealPending();
      if (!run || run.entries === 0) sealed.deferred += 1;
      sealed.entries += run?.entries ?? 0;
      sealed.batches += run?.batches ?? 0;
    }
    const sealSeconds = (Date.now() - started) / 1000;
    process.stdout.write(
      `sealed ${sealed.entries.toLocaleString('en')} entries in ${sealed.batches} batches in ${sealSeconds.toFixed(2)} s` +
        `${sealed.deferred > 0 ? ` (${sealed.deferred} runs deferred by open transactions)` : ''}\n`,
    );

    started = Date.now();
    const floorRows = await readAllRows();
    const floorSeconds = (Date.now() - started) / 1000;

    started = Date.now();
    const report = await service.verifyAuditChain();
    const verifySeconds = (Date.now() - started) / 1000;

    process.stdout.write(
      `verify: ${verifySeconds.toFixed(2)} s for ${report.checked.toLocaleString('en')} entries in ${report.batches} batches ` +
        `(${Math.round(report.checked / verifySeconds).toLocaleString('en')} entries/s); baseline, reading the same rows through pg: ` +
        `${floorSeconds.toFixed(2)} s for ${floorRows.toLocaleString('en')} rows (verify is ${(verifySeconds / floorSeconds).toFixed(2)}x the read)\n`,
    );
    reportTarget({
      name: `verification of ${ENTRIES.toLocaleString('en')} entries`,
      measured: `${verifySeconds.toFixed(2)} s, valid ${report.valid}, ${report.checked.toLocaleString('en')} checked`,
      target: `< ${TARGET_VERIFY_S} s, valid, every entry checked`,
      met: verifySeconds < TARGET_VERIFY_S && report.valid && report.checked === ENTRIES,
    });
    reportVerdict('bench:audit');
  } finally {
    await orm.close();
    await withClient(ADMIN_URL, (admin) => admin.query(`drop database if exists "${DATABASE_NAME}" with (force)`));
    rmSync(dataDir, { recursive: true, force: true });
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
