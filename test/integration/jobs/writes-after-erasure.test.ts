// A run that missed its cancel (delete-my-data ran on another instance a moment ago, and the
// worker's cancellation poll has not come round yet) must not write the person's data back.
// `RunContext.storeResults` is what stops it, on real PostgreSQL and on embedded PGlite.
import { randomUUID } from 'node:crypto';
import { RunFlow, RunState } from '../../../src/core/jobs/entities/workflow-run.entity';
import { RunCancelledError } from '../../../src/core/jobs/job-errors';
import { JobsHarness, sleep, startJobsHarness } from './support/jobs-harness';
import { storeGateFor } from './support/test-jobs';

describe.each([
  ['PostgreSQL and BullMQ (server mode)', 'server' as const],
  ['PGlite and the in-process runner (embedded mode)', 'embedded' as const],
])('Writes of a run after its erasure: %s', (_label, mode) => {
  let sut: JobsHarness;
  let userId: string;

  // A poll that never comes round during a test: the worker learns of the cancel only through the lock.
  beforeAll(async () => {
    sut = await startJobsHarness({ mode, overrides: { cancellationPollMs: 600_000 } });
  });
  afterAll(() => sut.close());
  beforeEach(() => {
    userId = `erased-user-${randomUUID()}`;
  });

  /** What delete-my-data does to runs and tickets, on a connection of its own and without this process's abort. */
  const eraseElsewhere = () =>
    sut.em().transactional(async (em) => {
      await em.execute("update workflow_runs set state = 'CANCELLED' where user_id = ? and state in ('PENDING', 'RUNNING')", [userId]);
      await em.execute('delete from run_logs where user_id = ?', [userId]);
      await em.execute('delete from workflow_runs where user_id = ?', [userId]);
      const { affectedRows } = await em.execute<{ affectedRows: number }>('delete from support_tickets where user_id = ?', [userId], 'run');
      return affectedRows;
    });
  const countRows = async (table: string) => {
    const [row] = await sut.em().getConnection().execute<{ n: string }[]>(`select count(*) as n from ${table} where user_id = ?`, [userId]);
    return Number(row.n);
  };
  const startStoreRun = async () => {
    const run = await sut.runs.startRun(RunFlow.INGESTION, 'test.store-when-released', userId, { userId });
    await sut.waitForRun(run.id, (current) => current.state === RunState.RUNNING);
    return run;
  };

  it('should store nothing, and log nothing, when the erasure came before the write', async () => {
    const gate = storeGateFor(userId);
    await startStoreRun();
    await gate.waiting.promise;

    await eraseElsewhere();
    gate.commit.resolve();
    gate.release.resolve();
    const outcome = await gate.outcome.promise;

    expect(outcome).toBeInstanceOf(RunCancelledError);
    await sleep(200); // the executor's bookkeeping after the handler
    expect(await countRows('support_tickets')).toBe(0);
    expect(await countRows('workflow_runs')).toBe(0);
    expect(await countRows('run_logs')).toBe(0);
  });

  it('should make an erasure that starts during the write wait for it, then remove what it wrote', async () => {
    const gate = storeGateFor(userId);
    await startStoreRun();
    await gate.waiting.promise;
    gate.release.resolve();
    await gate.locked.promise;

    let erasedTickets: number | undefined;
    const erasure = eraseElsewhere().then((count) => (erasedTickets = count));
    await sleep(300);
    const waitedForTheWrite = erasedTickets === undefined;
    gate.commit.resolve();
    const outcome = await gate.outcome.promise;
    await erasure;

    expect(waitedForTheWrite).toBe(true);
    expect(typeof outcome).toBe('string');
    expect(erasedTickets).toBe(1);
    await sleep(200);
    expect(await countRows('support_tickets')).toBe(0);
    expect(await countRows('workflow_runs')).toBe(0);
    expect(await countRows('run_logs')).toBe(0);
  });
});
