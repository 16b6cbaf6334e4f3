// A run that missed its cancel (delete-my-data ran on another instance a moment ago, and the
// worker's cancellation poll has not come round yet) must not write the person's data back.
// `RunContext.storeResults` is what stops it, on real PostgreSQL and on embedded PGlite. The
// erasure is the real one (`DataErasureService.deleteMyData`, from the app's DI container).
//
// Server mode runs the erasure in a second app context on the same PostgreSQL and queue (another
// instance: its local abort cannot reach this worker's handler), and proves that an erasure started
// during the write waited for the run's store transaction by finding its backend in
// pg_stat_activity waiting on a lock held by that transaction. Embedded PGlite is one process's
// database and runs one statement at a time, with no pg_stat_activity of concurrent backends: the
// erasure runs in the same context and its queries queue behind the open transaction. There the
// test asserts the order through explicit signals: the erasure has not settled while the write is
// held, and settles only after the write's outcome.
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { AuditModule } from '../../../src/core/audit/audit.module';
import { RunFlow, RunState } from '../../../src/core/jobs/entities/workflow-run.entity';
import { RunCancelledError } from '../../../src/core/jobs/job-errors';
import { RunExecutor } from '../../../src/core/jobs/run-executor';
import { PersonalDataModule } from '../../../src/core/personal-data';
import { ANALYSIS_PERSONAL_DATA } from '../../../src/modules/analysis/analysis.personal-data';
import { EXPORT_PERSONAL_DATA } from '../../../src/modules/export/export.personal-data';
import { ComplianceEventsModule } from '../../../src/modules/monitoring/compliance-events.module';
import { DataErasureService } from '../../../src/modules/privacy/data-erasure.service';
import { DeleteMyDataResultDto } from '../../../src/modules/privacy/dto/delete-my-data.dto';
import { ScheduleModule } from '@nestjs/schedule';
import { PrivacyModule } from '../../../src/modules/privacy/privacy.module';
import { SUPPORT_PERSONAL_DATA } from '../../../src/modules/support/support.personal-data';
import { TWITTER_PERSONAL_DATA } from '../../../src/modules/twitter/twitter.personal-data';
import { TEST_DATABASE_URL } from '../../utils/test-env';
import { JobsHarness, sleep, startJobsHarness } from './support/jobs-harness';
import { storeGateFor } from './support/test-jobs';

/**
 * The erasure, and the declarations of the modules this harness does not boot: DataErasureService
 * refuses to start while an entity with a `user_id` is undeclared, so this list cannot fall behind.
 */
const ERASURE_MODULES = [
  // The consent module's scheduled notice job registers with @nestjs/schedule's registry.
  ScheduleModule.forRoot(),
  AuditModule,
  ComplianceEventsModule,
  PrivacyModule,
  PersonalDataModule.declare('support', SUPPORT_PERSONAL_DATA),
  PersonalDataModule.declare('twitter', TWITTER_PERSONAL_DATA),
  PersonalDataModule.declare('analysis', ANALYSIS_PERSONAL_DATA),
  PersonalDataModule.declare('export', EXPORT_PERSONAL_DATA),
];

/** Polls `condition` until it returns a value; fails naming `what` after `timeoutMs`. */
async function pollFor<T>(what: string, condition: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not so after ${timeoutMs} ms`);
    await sleep(25);
  }
}

/** Settles with 'pending' when `promise` has not settled within `ms` (a bounded negative check). */
function stillPendingAfter(promise: Promise<unknown>, ms: number): Promise<'pending' | 'settled'> {
  return Promise.race([
    promise.then(
      () => 'settled' as const,
      () => 'settled' as const,
    ),
    new Promise<'pending'>((resolve) => setTimeout(() => resolve('pending'), ms)),
  ]);
}

describe.each([
  ['PostgreSQL and BullMQ (server mode)', 'server' as const],
  ['PGlite and the in-process runner (embedded mode)', 'embedded' as const],
])('Writes of a run after its erasure: %s', (_label, mode) => {
  let sut: JobsHarness;
  /** Where the erasure runs: another instance in server mode, the same context in embedded mode. */
  let eraser: JobsHarness;
  let userId: string;

  // A poll that never comes round during a test: the worker learns of the cancel only through the lock.
  beforeAll(async () => {
    sut = await startJobsHarness({ mode, overrides: { cancellationPollMs: 600_000 }, imports: ERASURE_MODULES });
    eraser =
      mode === 'server'
        ? await startJobsHarness({ mode, queueName: sut.queueName, runWorker: false, imports: ERASURE_MODULES })
        : sut;
  });
  afterAll(async () => {
    if (eraser !== sut) await eraser?.close({ keepQueue: true });
    await sut?.close();
  });
  beforeEach(() => {
    userId = `erased-user-${randomUUID()}`;
  });

  const deleteMyData = () => eraser.context.get(DataErasureService).deleteMyData(userId);
  const countRows = async (table: string) => {
    const [row] = await sut.em().getConnection().execute<{ n: string }[]>(`select count(*) as n from ${table} where user_id = ?`, [userId]);
    return Number(row.n);
  };
  const startStoreRun = async () => {
    const run = await sut.runs.startRun(RunFlow.INGESTION, 'test.store-when-released', userId, { userId });
    await sut.waitForRun(run.id, (current) => current.state === RunState.RUNNING);
    return run;
  };
  /** The executor's bookkeeping after the handler is over once it runs nothing (the run's row may be gone). */
  const waitForIdleWorker = () => {
    const executor = sut.context.get(RunExecutor, { strict: false });
    return pollFor('the worker is idle', async () => (executor.activeCount === 0 ? true : undefined));
  };

  it('should store nothing, and log nothing, when the erasure came before the write', async () => {
    const gate = storeGateFor(userId);
    await startStoreRun();
    await gate.waiting.promise;

    const erasure = await deleteMyData();
    gate.commit.resolve();
    gate.release.resolve();
    const outcome = await gate.outcome.promise;

    expect(erasure).toMatchObject({ ok: true, deleted: { workflows: 1, support_tickets: 0 } });
    expect(outcome).toBeInstanceOf(RunCancelledError);
    await waitForIdleWorker();
    expect(await countRows('support_tickets')).toBe(0);
    expect(await countRows('workflow_runs')).toBe(0);
    expect(await countRows('run_logs')).toBe(0);
  });

  it('should make an erasure that starts during the write wait for it, then remove what it wrote', async () => {
    const gate = storeGateFor(userId);
    const run = await startStoreRun();
    await gate.waiting.promise;
    gate.release.resolve();
    await gate.locked.promise;

    const order: string[] = [];
    void gate.outcome.promise.then(() => order.push('write settled'));
    let erasureSettled = false;
    const erasure: Promise<DeleteMyDataResultDto> = deleteMyData().finally(() => {
      erasureSettled = true;
      order.push('erasure settled');
    });

    if (mode === 'server') {
      const waiting = await erasureWaitingOnTheRunLock(run.id);
      expect(waiting.query).toMatch(/^update "workflow_runs" set "state" = /);
      expect(waiting.blockerQuery).toMatch(/^select 1 from workflow_runs where id = .* for share$/);
      expect(erasureSettled).toBe(false);
    } else {
      expect(await stillPendingAfter(erasure, 1_000)).toBe('pending');
    }
    gate.commit.resolve();
    const outcome = await gate.outcome.promise;
    const result = await erasure;

    expect(typeof outcome).toBe('string');
    expect(order).toEqual(['write settled', 'erasure settled']);
    expect(result).toMatchObject({ ok: true, deleted: { workflows: 1, support_tickets: 1 } });
    await waitForIdleWorker();
    expect(await countRows('support_tickets')).toBe(0);
    expect(await countRows('workflow_runs')).toBe(0);
    expect(await countRows('run_logs')).toBe(0);
  });
});

/**
 * Polls pg_stat_activity (on a connection of the test's own) for a backend waiting on a lock
 * (`wait_event_type = 'Lock'`) that is blocked by the backend holding the run's row FOR SHARE.
 */
async function erasureWaitingOnTheRunLock(runId: string): Promise<{ query: string; blockerQuery: string }> {
  const db = new Client({ connectionString: TEST_DATABASE_URL });
  await db.connect();
  try {
    return await pollFor('a backend waiting on the lock of the run being stored', async () => {
      const { rows } = await db.query<{ query: string; blocker_query: string }>(
        `select waiting.query, blocker.query as blocker_query
           from pg_stat_activity waiting
           join pg_stat_activity blocker on blocker.pid = any (pg_blocking_pids(waiting.pid))
          where waiting.datname = current_database() and waiting.wait_event_type = 'Lock'
            and blocker.query like '%for share' and blocker.query like $1`,
        [`%${runId}%`],
      );
      return rows[0] && { query: rows[0].query, blockerQuery: rows[0].blocker_query };
    });
  } finally {
    await db.end();
  }
}
