// Embedded mode keeps its queue in memory, so a restart loses it: at boot the engine re-enqueues
// the PENDING and RUNNING runs the previous process left in the database.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunFlow, RunState, WorkflowRun } from '../../../src/core/jobs/entities/workflow-run.entity';
import { JobsHarness, startJobsHarness } from './support/jobs-harness';

describe('Runs engine: embedded mode restart', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'repazoo-jobs-restart-'));
  const userId = 'restart-user';
  const isFinished = (run: WorkflowRun) => [RunState.COMPLETED, RunState.FAILED, RunState.CANCELLED].includes(run.state);
  let sut: JobsHarness | undefined;

  afterEach(async () => {
    await sut?.close();
    sut = undefined;
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('should resume the runs a previous process left PENDING or RUNNING', async () => {
    sut = await startJobsHarness({ mode: 'embedded', dataDir });
    const delayed = await sut.runs.startRun(RunFlow.INGESTION, 'test.echo', userId, { userId, value: 'delayed' }, { delayMs: 1500 });
    const interrupted = await sut.runs.createRun(RunFlow.ANALYSIS, 'test.echo', userId, { userId, value: 'interrupted' }, { maxAttempts: 3 });
    const exhausted = await sut.runs.createRun(RunFlow.ANALYSIS, 'test.echo', userId, { userId, value: 'exhausted' }, { maxAttempts: 1 });
    // As a process that died mid-run leaves them: RUNNING, attempt used, no job anywhere.
    await sut.em().nativeUpdate(WorkflowRun, { id: { $in: [interrupted.id, exhausted.id] } }, { state: RunState.RUNNING, attempts: 1 });
    await sut.close();
    sut = undefined;

    sut = await startJobsHarness({ mode: 'embedded', dataDir });
    const [delayedRun, interruptedRun, exhaustedRun] = await Promise.all(
      [delayed, interrupted, exhausted].map((run) => sut!.waitForRun(run.id, isFinished)),
    );

    expect(delayedRun).toMatchObject({ state: RunState.COMPLETED, attempts: 1, result: { value: 'delayed' } });
    expect(delayedRun.startedAt!.getTime()).toBeGreaterThanOrEqual(delayed.createdAt.getTime() + 1500);
    expect(interruptedRun).toMatchObject({ state: RunState.COMPLETED, attempts: 2, result: { value: 'interrupted', attempt: 2 } });
    expect(exhaustedRun).toMatchObject({ state: RunState.FAILED, attempts: 1, errorCode: 'RUN_INTERRUPTED' });
  });

  it('should hand a run interrupted by shutdown back as PENDING and finish it after the restart', async () => {
    sut = await startJobsHarness({ mode: 'embedded', dataDir, overrides: { shutdownGraceMs: 200 } });
    const blocked = await sut.runs.startRun(RunFlow.INGESTION, 'test.block', userId, { userId }, { maxAttempts: 1 });
    await sut.waitForRun(blocked.id, (run) => run.state === RunState.RUNNING);
    await sut.close();
    sut = undefined;

    sut = await startJobsHarness({ mode: 'embedded', dataDir, runWorker: false });
    // The shutdown gave the attempt back, so the single attempt is still available.
    expect(await sut.findRun(blocked.id)).toMatchObject({ state: RunState.PENDING, attempts: 0 });
    expect(await sut.runs.cancelRun(blocked.id)).toBe(true);
  });

  it('should keep a run started while the worker is stopping PENDING, and run it after the restart', async () => {
    sut = await startJobsHarness({ mode: 'embedded', dataDir });
    // What a request still in flight during shutdown does once the worker has stopped taking jobs.
    sut.queue.stopTaking();
    const late = await sut.runs.startRun(RunFlow.INGESTION, 'test.echo', userId, { userId, value: 'late' });
    expect(await sut.findRun(late.id)).toMatchObject({ state: RunState.PENDING, attempts: 0, errorCode: null });
    await sut.close();
    sut = undefined;

    sut = await startJobsHarness({ mode: 'embedded', dataDir });
    expect(await sut.waitForRun(late.id, isFinished)).toMatchObject({ state: RunState.COMPLETED, attempts: 1, result: { value: 'late' } });
  });
});
