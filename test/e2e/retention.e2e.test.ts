import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AUDIT_GENESIS_HASH, AUDIT_LEAF_TEXT_SQL, AuditHasher } from '../../src/core/audit/audit-hashing';
import { AuditSealer } from '../../src/core/audit/audit-sealer.service';
import { AuditService } from '../../src/core/audit/audit.service';
import { merkleRoot } from '../../src/core/audit/merkle-tree';
import { RETENTION_DAYS, SOFT_DELETE_GRACE_DAYS } from '../../src/modules/retention/retention-policy';
import { RetentionService } from '../../src/modules/retention/retention.service';
import { startTestApp, TestApp } from '../utils/test-app';

const DAY = 24 * 60 * 60 * 1000;
const NOW = new Date('2026-06-15T12:00:00Z');
const ago = (days: number, extraMs = 0) => new Date(NOW.getTime() - days * DAY + extraMs);

describe('Retention cleanup', () => {
  let sut: TestApp;
  let retention: RetentionService;
  const sql = (query: string, params: unknown[] = []) =>
    sut.em().getConnection().execute<Array<Record<string, unknown>>>(query, params);
  const admin = () => ({ Authorization: `Bearer ${sut.token('ops', { admin: true })}` });

  beforeAll(async () => {
    sut = await startTestApp();
    retention = sut.app.get(RetentionService);
  });
  beforeEach(() => sut.resetDatabase());
  afterAll(() => sut.close());

  async function plantUser(id: string, lastSeenAt = NOW) {
    await sql('insert into users (id, created_at, last_seen_at) values (?, ?, ?)', [id, ago(400), lastSeenAt]);
  }
  async function plantRunLog(createdAt: Date) {
    await sql("insert into run_logs (run_id, user_id, level, message, created_at) values (?, 'u1', 'info', 'm', ?)", [randomUUID(), createdAt]);
  }
  async function plantRun(state: string, finishedAt: Date, deletedAt: Date | null = null) {
    await sql(
      "insert into workflow_runs (id, user_id, flow, job_name, state, attempts, max_attempts, created_at, updated_at, finished_at, deleted_at) values (?, 'u1', 'ingestion', 'twitter.ingest', ?, 1, 5, ?, ?, ?, ?)",
      [randomUUID(), state, finishedAt, finishedAt, finishedAt, deletedAt],
    );
  }
  async function plantBilling() {
    await sql(
      "insert into billing_records (id, user_id, kind, stripe_object_id, amount_cents, currency, status, occurred_at, created_at) values (?, 'u1', 'invoice', ?, 1000, 'eur', 'paid', ?, ?)",
      [randomUUID(), `in_${randomUUID()}`, ago(4000), ago(4000)],
    );
  }
  const count = async (table: string, where = 'true') => Number((await sql(`select count(*)::int as n from ${table} where ${where}`))[0].n);

  it('should serve the retention table, exactly the spec’s numbers', async () => {
    const response = await sut.http.get('/api/admin/retention/policy').set(admin());
    expect(response.status).toBe(200);
    const days = Object.fromEntries(response.body.map((entry: { category: string; days: number }) => [entry.category, entry.days]));
    expect(days).toMatchObject({ logs: 90, billing_events: 365, jobs: 30, errors: 180, audit: 365, support_tickets: 365, dsar_exports: 30 });
    expect(response.body).toContainEqual({ category: 'logs', table: 'run_logs', days: 90 });
  });

  it('should soft-delete exactly the rows past each boundary', async () => {
    await plantUser('u1');
    await plantRunLog(ago(RETENTION_DAYS.logs, -1000)); // 1 s past the boundary: expired
    await plantRunLog(ago(RETENTION_DAYS.logs, +1000)); // 1 s inside: kept
    await plantRun('COMPLETED', ago(RETENTION_DAYS.jobs, -1000));
    await plantRun('COMPLETED', ago(RETENTION_DAYS.jobs, +1000));
    await plantRun('FAILED', ago(RETENTION_DAYS.jobs, -1000)); // errors keep 180 days
    await plantRun('FAILED', ago(RETENTION_DAYS.errors, -1000));
    await plantRun('RUNNING', ago(400)); // never touched: not finished

    const result = await retention.cleanupExpiredRecords(NOW);

    const byCategory = Object.fromEntries(result.categories.map((c) => [c.category, c]));
    expect(byCategory.logs).toEqual({ category: 'logs', softDeleted: 1, hardDeleted: 0 });
    expect(byCategory.jobs.softDeleted).toBe(1);
    expect(byCategory.errors.softDeleted).toBe(1);
    expect(await count('run_logs', 'deleted_at is not null')).toBe(1);
    expect(await count('workflow_runs', 'deleted_at is not null')).toBe(2);
    expect(await count('workflow_runs', "state = 'RUNNING' and deleted_at is null")).toBe(1);
  });

  it('should hard-delete soft-deleted rows only after the grace period', async () => {
    await plantRun('COMPLETED', ago(100), ago(SOFT_DELETE_GRACE_DAYS, -1000));
    await plantRun('COMPLETED', ago(100), ago(SOFT_DELETE_GRACE_DAYS, +1000));
    const result = await retention.cleanupExpiredRecords(NOW);
    expect(result.categories.find((c) => c.category === 'jobs')).toMatchObject({ hardDeleted: 1 });
    expect(await count('workflow_runs')).toBe(1);
  });

  it('should skip an expired row another transaction holds without waiting for it, and take it on the next run', async () => {
    await plantUser('u1');
    for (let i = 0; i < 3; i++) await plantRunLog(ago(RETENTION_DAYS.logs + 1));
    const [held] = await sql('select id from run_logs order by id limit 1');
    const holder = await sut.em().getConnection().getKnex().transaction();
    try {
      await holder.raw('select id from run_logs where id = ? for update', [String(held.id)]);
      const first = await retention.cleanupExpiredRecords(NOW);
      expect(first.categories.find((c) => c.category === 'logs')).toEqual({ category: 'logs', softDeleted: 2, hardDeleted: 0 });
      expect(await sql('select id from run_logs where deleted_at is null')).toEqual([{ id: held.id }]);
    } finally {
      await holder.rollback();
    }
    const second = await retention.cleanupExpiredRecords(NOW);
    expect(second.categories.find((c) => c.category === 'logs')).toEqual({ category: 'logs', softDeleted: 1, hardDeleted: 0 });
    expect(await count('run_logs', 'deleted_at is null')).toBe(0);
  });

  it('should hard-delete audit entries of batches sealed past 365 days and keep the rest verifiable', async () => {
    // An entry sealed (legitimately, under the key) just over a year before NOW, and one sealed today.
    const hasher = new AuditHasher(sut.config.auditKey);
    const oldAt = ago(RETENTION_DAYS.audit, -1000);
    await sql(`insert into audit_log (id, user_id, action, category, details, created_at) values (1, 'u1', 'old', 'test', '{}', ?)`, [oldAt]);
    await sql("select setval('audit_log_id_seq', 1)");
    const [{ leaf }] = await sql(`select ${AUDIT_LEAF_TEXT_SQL} as leaf from audit_log`);
    const root = merkleRoot([hasher.leafHash(String(leaf))]).toString('hex');
    const batch = { firstSeq: '1', lastSeq: '1', size: 1, root, prevHash: AUDIT_GENESIS_HASH, sealedAt: oldAt };
    await sql('insert into audit_batches (first_seq, last_seq, size, root, prev_hash, chained_hash, sealed_at) values (1, 1, 1, ?, ?, ?, ?)', [
      root,
      AUDIT_GENESIS_HASH,
      hasher.chainedHash(batch),
      oldAt,
    ]);
    await sut.app.get(AuditService).audit('u1', 'recent', 'test', {});
    await sut.app.get(AuditSealer).sealPending();

    await retention.cleanupExpiredRecords(NOW);

    expect(await count('audit_log', "action = 'old'")).toBe(0);
    expect(await count('audit_log', "action = 'recent'")).toBe(1);
    // The emptied batch stays as a link of the chain; the rest, and the run's own entries once sealed, verify.
    await sut.app.get(AuditSealer).sealPending();
    const verify = await sut.http.get('/api/admin/audit/verify').set(admin());
    expect(verify.body).toMatchObject({ valid: true, batches: 3, pruned: { batches: 1, throughBatchId: '1' }, unsealed: { count: 0 } });
    const actions = (await sql("select details->>'category' as c from audit_log where action = 'Retention cleanup'")).map((r) => r.c);
    expect(actions).toEqual(expect.arrayContaining(['logs', 'jobs', 'errors', 'audit', 'support_tickets', 'dsar_exports', 'billing_events']));
  });

  it('should remove an expired export’s file with its row', async () => {
    const relative = join('exports', `${randomUUID()}.json`);
    mkdirSync(join(sut.config.dataDir, 'exports'), { recursive: true });
    writeFileSync(join(sut.config.dataDir, relative), '{}');
    await sql("insert into data_exports (id, user_id, status, file_path, created_at) values (?, 'u1', 'ready', ?, ?)", [
      randomUUID(),
      relative,
      ago(RETENTION_DAYS.dsar_exports + 1),
    ]);
    await retention.cleanupExpiredRecords(NOW);
    expect(existsSync(join(sut.config.dataDir, relative))).toBe(false);
    expect(await count('data_exports', 'deleted_at is not null')).toBe(1);
  });

  it('should remove export files no live row accounts for, and say how many (a dry run only counts)', async () => {
    const exportsDir = join(sut.config.dataDir, 'exports');
    // Files earlier tests left behind lost their rows when the database was reset: start empty.
    rmSync(exportsDir, { recursive: true, force: true });
    mkdirSync(exportsDir, { recursive: true });
    const file = (id: string) => join(exportsDir, `${id}.json`);
    // The admin route runs at the real time: these rows are new, so no category expires them.
    const now = new Date();
    const plantExport = async (id: string, status: string, runState: string | null, filePath: string | null) => {
      const runId = runState ? randomUUID() : null;
      if (runId) {
        await sql(
          "insert into workflow_runs (id, user_id, flow, job_name, state, attempts, max_attempts, created_at, updated_at) values (?, 'u1', 'export', 'export.build', ?, 1, 5, ?, ?)",
          [runId, runState, now, now],
        );
      }
      await sql('insert into data_exports (id, user_id, status, file_path, run_id, created_at) values (?, ?, ?, ?, ?, ?)', [id, 'u1', status, filePath, runId, now]);
    };
    const [ready, building, crashed, rowless, erased] = Array.from({ length: 5 }, () => randomUUID());
    await plantExport(ready, 'ready', 'COMPLETED', `exports/${ready}.json`);
    await plantExport(building, 'pending', 'RUNNING', null);
    await plantExport(crashed, 'pending', 'FAILED', null);
    await plantExport(erased, 'ready', 'COMPLETED', `exports/${erased}.json`);
    await sql('update data_exports set deleted_at = ? where id = ?', [now, erased]);
    for (const id of [ready, building, crashed, rowless, erased]) writeFileSync(file(id), '{"tweets":["a copy of someone"]}');
    writeFileSync(join(exportsDir, 'notes.txt'), 'not an export');

    const dryRun = await sut.http.post('/api/admin/retention/run?dryRun=true').set(admin());
    expect(dryRun.body.orphanedExportFiles).toBe(3);
    expect([ready, building, crashed, rowless, erased].every((id) => existsSync(file(id)))).toBe(true);

    const run = await sut.http.post('/api/admin/retention/run').set(admin());

    expect(run.body.orphanedExportFiles).toBe(3);
    expect([ready, building].every((id) => existsSync(file(id)))).toBe(true);
    expect([crashed, rowless, erased].some((id) => existsSync(file(id)))).toBe(false);
    expect(existsSync(join(exportsDir, 'notes.txt'))).toBe(true);
    const [completed] = await sql("select details from audit_log where action = 'Retention cleanup completed' order by id desc limit 1");
    expect(completed.details).toMatchObject({ orphanedExportFiles: 3 });
  });

  it('should soft-delete data of revoked consent and of subscriptions cancelled over 30 days ago', async () => {
    for (const id of ['revoked', 'cancelled-long', 'cancelled-recent', 'active']) await plantUser(id);
    await sql(
      "insert into oauth_tokens (id, user_id, provider, provider_user_id, access_token_ciphertext, key_id, scopes, access_token_expires_at, granted_at, revoked_at, created_at, updated_at) values (?, 'revoked', 'x', '1', 'c', 'k', '{}', ?, ?, ?, ?, ?)",
      [randomUUID(), ago(1), ago(10), ago(1), ago(10), ago(1)],
    );
    const subscription = (user: string, status: string, cancelledAt: Date | null) =>
      sql(
        'insert into subscriptions (id, user_id, stripe_subscription_id, tier, status, cancelled_at, created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?, ?)',
        [randomUUID(), user, `sub_${randomUUID()}`, 'basic', status, cancelledAt, ago(100), ago(1)],
      );
    await subscription('cancelled-long', 'canceled', ago(31));
    await subscription('cancelled-recent', 'canceled', ago(29));
    await subscription('active', 'active', null);
    for (const user of ['revoked', 'cancelled-long', 'cancelled-recent', 'active']) {
      await sql("insert into twitter_data (id, user_id, tweet_id, text, tweet_created_at, fetched_at) values (?, ?, '1', 't', ?, ?)", [randomUUID(), user, ago(5), ago(5)]);
    }
    await retention.cleanupExpiredRecords(NOW);
    const gone = (await sql('select user_id from twitter_data where deleted_at is not null order by user_id')).map((r) => r.user_id);
    expect(gone).toEqual(['cancelled-long', 'revoked']);
  });

  it('should count without deleting on a dry run, through the admin route', async () => {
    await plantUser('u1');
    await plantRunLog(ago(RETENTION_DAYS.logs + 1));
    const response = await sut.http.post('/api/admin/retention/run?dryRun=true').set(admin());
    expect(response.status).toBe(200);
    expect(response.body.dryRun).toBe(true);
    expect(response.body.categories.find((c: { category: string }) => c.category === 'logs')).toEqual({ category: 'logs', softDeleted: 1, hardDeleted: 0 });
    expect(await count('run_logs', 'deleted_at is null')).toBe(1);
    expect((await sut.http.post('/api/admin/retention/run?dryRun=maybe').set(admin())).status).toBe(400);
    expect((await sut.http.post('/api/admin/retention/run').set({ Authorization: `Bearer ${sut.token('u1')}` })).status).toBe(403);
  });

  it('should log a broken category and go on with the others', async () => {
    await plantUser('u1');
    await plantRunLog(ago(RETENTION_DAYS.logs + 1));
    await sql('alter table support_tickets rename to support_tickets_broken');
    try {
      const result = await retention.cleanupExpiredRecords(NOW);
      expect(result.categories.find((c) => c.category === 'support_tickets')?.error).toBeDefined();
      expect(result.categories.find((c) => c.category === 'logs')).toEqual({ category: 'logs', softDeleted: 1, hardDeleted: 0 });
      expect(sut.logs.some((line) => line.includes('retention category failed') && line.includes('support_tickets'))).toBe(true);
    } finally {
      await sql('alter table support_tickets_broken rename to support_tickets');
    }
  });

  it('should never change billing records or remove a user, whatever the sequence of cleanups and erasures', async () => {
    const { DataErasureService } = await import('../../src/modules/privacy/data-erasure.service');
    const erasure = sut.app.get(DataErasureService);
    const action = fc.oneof(
      fc.record({ kind: fc.constant('cleanup' as const), offsetDays: fc.integer({ min: 0, max: 4000 }) }),
      fc.record({ kind: fc.constant('erase' as const), user: fc.constantFrom('u1', 'u2') }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: 5 }), async (actions) => {
        await sut.resetDatabase();
        await plantUser('u1', ago(3000));
        await plantUser('u2');
        await plantBilling();
        await plantRun('COMPLETED', ago(50));
        const before = await sql('select * from billing_records order by id');
        for (const step of actions) {
          if (step.kind === 'cleanup') await retention.cleanupExpiredRecords(new Date(NOW.getTime() + step.offsetDays * DAY));
          else expect((await erasure.deleteMyData(step.user)).ok).toBe(true);
        }
        expect(await sql('select * from billing_records order by id')).toEqual(before);
        expect(await count('users')).toBe(2);
      }),
      { numRuns: 15 },
    );
  });
});

describe('Scheduled jobs', () => {
  let sut: TestApp;
  const admin = () => ({ Authorization: `Bearer ${sut.token('ops', { admin: true })}` });

  beforeAll(async () => {
    sut = await startTestApp();
  });
  beforeEach(() => sut.resetDatabase());
  afterAll(() => sut.close());

  async function waitForRun(runId: string) {
    for (let i = 0; i < 100; i += 1) {
      const [row] = await sut.em().getConnection().execute<Array<{ state: string; result: unknown }>>('select state, result from workflow_runs where id = ?', [runId]);
      if (row && ['COMPLETED', 'FAILED', 'CANCELLED'].includes(row.state)) return row;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('run did not finish');
  }

  it('should list retention_cleanup_daily with its cron expression and next run at 03:00 UTC', async () => {
    const response = await sut.http.get('/api/admin/jobs').set(admin());
    expect(response.status).toBe(200);
    const job = response.body.find((entry: { name: string }) => entry.name === 'retention_cleanup_daily');
    expect(job).toMatchObject({ cron: '0 3 * * *', timeZone: 'UTC', lastRun: null });
    expect(new Date(job.nextRunAt).getUTCHours()).toBe(3);
  });

  it('should run a scheduled job now as a run, and show it as the last run', async () => {
    const started = await sut.http.post('/api/admin/jobs/retention_cleanup_daily/run').set(admin());
    expect(started.status).toBe(202);
    const run = await waitForRun(started.body.runId);
    expect(run.state).toBe('COMPLETED');
    expect(run.result).toMatchObject({ dryRun: false, categories: expect.any(Array) });
    const listed = await sut.http.get('/api/admin/jobs').set(admin());
    const job = listed.body.find((entry: { name: string }) => entry.name === 'retention_cleanup_daily');
    expect(job.lastRun).toMatchObject({ runId: started.body.runId, state: 'COMPLETED' });
  });

  it('should answer 404 to an unknown job and 403 to a user', async () => {
    expect((await sut.http.post('/api/admin/jobs/nope/run').set(admin())).status).toBe(404);
    expect((await sut.http.get('/api/admin/jobs').set({ Authorization: `Bearer ${sut.token('u')}` })).status).toBe(403);
  });

  it('should start one run per cron tick even when two triggers race', async () => {
    const { ScheduledJobsService } = await import('../../src/core/scheduling/scheduled-jobs.service');
    const jobs = sut.app.get(ScheduledJobsService);
    await Promise.all([jobs.trigger('retention_cleanup_daily'), jobs.trigger('retention_cleanup_daily')]);
    const [{ n }] = await sut.em().getConnection().execute<Array<{ n: number }>>("select count(*)::int as n from workflow_runs where job_name = 'retention_cleanup_daily'");
    expect(n).toBe(1);
  });
});
