import { InProcessRunEvents } from './run-events';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Logger } from '@nestjs/common';
import { ManualClock } from '../clock/clock';
import { RateLimitExceededException } from '../rate-limit/rate-limit.exception';
import { RunFlow, RunState, WorkflowRun } from './entities/workflow-run.entity';
import { JobHandlerRegistry } from './job-handler.registry';
import { PermanentJobError, TransientJobError } from './job-errors';
import { JobName } from './job-payloads';
import { JobsOptions } from './jobs.options';
import type { JobHandler, RunContext, RunLogLevel } from './run-context';
import { JOB_HANDLER_MISSING, RUN_INTERRUPTED, RunExecutor } from './run-executor';
import { RunChange, RunsRepository, RunVersion } from './runs.repository';

/** The repository's contract (conditional transitions) over a Map. */
class InMemoryRuns {
  readonly rows = new Map<string, WorkflowRun>();
  readonly logs: { runId: string; level: RunLogLevel; message: string }[] = [];

  add(fields: Partial<WorkflowRun> = {}): WorkflowRun {
    const run = Object.assign(new WorkflowRun(), {
      flow: RunFlow.INGESTION,
      jobName: JobName.TwitterIngest,
      userId: 'user-1',
      input: { userId: 'user-1' },
      createdAt: new Date(START),
      ...fields,
    });
    this.rows.set(run.id, run);
    return run;
  }

  async findById(id: string): Promise<WorkflowRun | null> {
    const row = this.rows.get(id);
    return row ? Object.assign(new WorkflowRun(), row) : null;
  }

  async transition(id: string, from: RunVersion, change: RunChange, now: Date): Promise<boolean> {
    const row = this.rows.get(id);
    if (!row || row.state !== from.state || row.attempts !== from.attempts) return false;
    Object.assign(row, change, { updatedAt: now });
    return true;
  }

  async insertLog(run: { id: string }, level: RunLogLevel, message: string): Promise<void> {
    if (this.rows.has(run.id)) this.logs.push({ runId: run.id, level, message });
  }

  async lockIfRunning(id: string, attempts: number): Promise<boolean> {
    const row = this.rows.get(id);
    return row?.state === RunState.RUNNING && row.attempts === attempts;
  }
}

const START = Date.parse('2030-05-01T12:00:00Z');
const options: JobsOptions = {
  driver: 'in-process',
  runWorker: true,
  concurrency: 1,
  queueName: 'unit',
  queuePrefix: 'bull',
  defaultMaxAttempts: 3,
  retry: { baseDelayMs: 1000, maxDelayMs: 60_000, storeUnavailableDelayMs: 5000, rateLimitDelayBudgetMs: 3_600_000 },
  lockDurationMs: 30_000,
  stalledIntervalMs: 30_000,
  maxStalledCount: 1,
  cancellationPollMs: 0,
  recoveryIntervalMs: 0,
  recoveryGraceMs: 0,
  shutdownGraceMs: 0,
};

function setup() {
  const runs = new InMemoryRuns();
  const registry = new JobHandlerRegistry();
  const clock = new ManualClock(START);
  const emStub = {
    name: 'default',
    fork: () => emStub,
    transactional: <T>(work: (em: EntityManager) => Promise<T>) => work(emStub),
  } as unknown as EntityManager;
  const sut = new RunExecutor(emStub, runs as unknown as RunsRepository, registry, clock, options, new InProcessRunEvents());
  const handle = (handler: JobHandler<JobName.TwitterIngest>) => registry.register(JobName.TwitterIngest, handler);
  return { sut, runs, clock, handle };
}

describe(RunExecutor.name, () => {
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(true));

  it('should run a PENDING run to COMPLETED with its result, timestamps and one attempt', async () => {
    const { sut, runs, clock, handle } = setup();
    const run = runs.add({ maxAttempts: 3 });
    let seen: RunContext<JobName.TwitterIngest> | undefined;
    handle(async (context) => {
      seen = context;
      clock.advance(250);
      return { tweetsStored: 7 };
    });

    await expect(sut.process(run.id)).resolves.toEqual({ kind: 'done' });

    expect(runs.rows.get(run.id)).toMatchObject({
      state: RunState.COMPLETED,
      attempts: 1,
      result: { tweetsStored: 7 },
      errorCode: null,
      startedAt: new Date(START),
      finishedAt: new Date(START + 250),
    });
    expect(seen).toMatchObject({ runId: run.id, userId: 'user-1', attempt: 1, maxAttempts: 3, payload: { userId: 'user-1' } });
    expect(seen?.signal.aborted).toBe(false);
  });

  it('should put a transiently failed run back to PENDING with backoff, counting the attempt', async () => {
    const { sut, runs, handle } = setup();
    const run = runs.add({ maxAttempts: 3 });
    handle(async () => {
      throw new TransientJobError('X_TIMEOUT', 'X did not answer');
    });

    const step = await sut.process(run.id);

    expect(step).toEqual({ kind: 'delay', delayMs: expect.any(Number) });
    const delayMs = (step as { delayMs: number }).delayMs;
    expect(delayMs).toBeGreaterThanOrEqual(500);
    expect(delayMs).toBeLessThan(1000);
    expect(runs.rows.get(run.id)).toMatchObject({
      state: RunState.PENDING,
      attempts: 1,
      nextAttemptAt: new Date(START + delayMs),
      errorCode: 'X_TIMEOUT',
      errorMessage: 'X did not answer',
      finishedAt: undefined,
    });
  });

  it('should fail a permanently failed run at once, without retry', async () => {
    const { sut, runs, handle } = setup();
    const run = runs.add({ maxAttempts: 5 });
    handle(async () => {
      throw new PermanentJobError('CONSENT_REQUIRED', 'No consent for bob@example.com');
    });

    await expect(sut.process(run.id)).resolves.toEqual({ kind: 'done' });

    expect(runs.rows.get(run.id)).toMatchObject({
      state: RunState.FAILED,
      attempts: 1,
      errorCode: 'CONSENT_REQUIRED',
      errorMessage: 'No consent for [EMAIL]',
      finishedAt: new Date(START),
      nextAttemptAt: null,
    });
  });

  it('should delay a rate-limited run until the limit resets, giving the attempt back', async () => {
    const { sut, runs, handle } = setup();
    const run = runs.add({ maxAttempts: 1 });
    handle(async () => {
      throw new RateLimitExceededException('x', 60_000, 'provider_block');
    });

    await expect(sut.process(run.id)).resolves.toEqual({ kind: 'delay', delayMs: 60_000 });

    expect(runs.rows.get(run.id)).toMatchObject({
      state: RunState.PENDING,
      attempts: 0,
      nextAttemptAt: new Date(START + 60_000),
      errorCode: 'RATE_LIMITED',
    });
  });

  it('should not run a delayed run that is woken before its nextAttemptAt', async () => {
    const { sut, runs, handle } = setup();
    const handler = jest.fn(async () => ({}));
    handle(handler);
    const run = runs.add({ nextAttemptAt: new Date(START + 30_000) });

    await expect(sut.process(run.id)).resolves.toEqual({ kind: 'delay', delayMs: 30_000 });

    expect(handler).not.toHaveBeenCalled();
    expect(runs.rows.get(run.id)).toMatchObject({ state: RunState.PENDING, attempts: 0 });
  });

  it('should end FAILED with the error code when the last attempt fails', async () => {
    const { sut, runs, handle } = setup();
    const run = runs.add({ maxAttempts: 2, attempts: 1, errorCode: 'X_TIMEOUT' });
    handle(async () => {
      throw new TransientJobError('X_TIMEOUT', 'again');
    });

    await sut.process(run.id);

    expect(runs.rows.get(run.id)).toMatchObject({ state: RunState.FAILED, attempts: 2, errorCode: 'X_TIMEOUT' });
  });

  it('should leave finished and missing runs alone', async () => {
    const { sut, runs, handle } = setup();
    const handler = jest.fn(async () => ({}));
    handle(handler);
    const cancelled = runs.add({ state: RunState.CANCELLED });

    await expect(sut.process(cancelled.id)).resolves.toEqual({ kind: 'done' });
    await expect(sut.process('6f1c8a7e-0000-4000-8000-000000000000')).resolves.toEqual({ kind: 'done' });

    expect(handler).not.toHaveBeenCalled();
    expect(runs.rows.get(cancelled.id)?.state).toBe(RunState.CANCELLED);
  });

  it('should resume a RUNNING run whose worker died with the next attempt', async () => {
    const { sut, runs, handle } = setup();
    const run = runs.add({ state: RunState.RUNNING, attempts: 1, maxAttempts: 3, startedAt: new Date(START - 5000) });
    const attempts: number[] = [];
    handle(async (context) => {
      attempts.push(context.attempt);
      return { ok: true };
    });

    await sut.process(run.id);

    expect(attempts).toEqual([2]);
    expect(runs.rows.get(run.id)).toMatchObject({ state: RunState.COMPLETED, attempts: 2, startedAt: new Date(START - 5000) });
    expect(runs.logs.map((log) => log.message)).toContainEqual(expect.stringContaining('interrupted'));
  });

  it('should fail a RUNNING run whose worker died on its last attempt, without running it again', async () => {
    const { sut, runs, handle } = setup();
    const handler = jest.fn(async () => ({}));
    handle(handler);
    const run = runs.add({ state: RunState.RUNNING, attempts: 3, maxAttempts: 3 });

    await sut.process(run.id);

    expect(handler).not.toHaveBeenCalled();
    expect(runs.rows.get(run.id)).toMatchObject({ state: RunState.FAILED, errorCode: RUN_INTERRUPTED });
  });

  it('should abort a cancelled run and keep it CANCELLED whatever the handler does next', async () => {
    const { sut, runs, handle } = setup();
    const run = runs.add();
    let reason: unknown;
    handle(
      (context) =>
        new Promise((_, reject) => {
          context.signal.addEventListener('abort', () => {
            reason = context.signal.reason;
            reject(context.signal.reason);
          });
        }),
    );

    const processing = sut.process(run.id);
    await flush();
    runs.rows.get(run.id)!.state = RunState.CANCELLED;
    sut.abortLocal(run.id);

    await expect(processing).resolves.toEqual({ kind: 'done' });
    expect(reason).toMatchObject({ name: 'RunCancelledError' });
    expect(runs.rows.get(run.id)?.state).toBe(RunState.CANCELLED);
  });

  it('should keep tracking the next attempt of a run when the attempt it replaced ends in the same process', async () => {
    const { sut, runs, handle } = setup();
    const run = runs.add({ maxAttempts: 3 });
    const releases: Array<() => void> = [];
    const signals: AbortSignal[] = [];
    handle(
      (context) =>
        new Promise((resolve, reject) => {
          signals.push(context.signal);
          context.signal.addEventListener('abort', () => reject(context.signal.reason));
          releases.push(() => resolve({}));
        }),
    );
    const first = sut.process(run.id);
    await flush();
    // The first attempt lost its job lock: the job is taken over and its next attempt starts here too.
    runs.rows.get(run.id)!.state = RunState.RUNNING;
    const second = sut.process(run.id);
    await flush();
    expect(sut.activeCount).toBe(2);

    releases[0]();
    await first;

    expect(sut.activeCount).toBe(1);
    sut.abortLocal(run.id);
    await second;
    expect(signals[1].aborted).toBe(true);
    expect(sut.activeCount).toBe(0);
  });

  it('should hand an interrupted run back as PENDING on shutdown, without losing the attempt', async () => {
    const { sut, runs, handle } = setup();
    const run = runs.add();
    handle((context) => new Promise((_, reject) => context.signal.addEventListener('abort', () => reject(context.signal.reason))));

    const processing = sut.process(run.id);
    await flush();
    expect(sut.activeCount).toBe(1);
    sut.abortAll();

    await expect(processing).resolves.toEqual({ kind: 'delay', delayMs: 0 });
    expect(runs.rows.get(run.id)).toMatchObject({ state: RunState.PENDING, attempts: 0 });
    expect(sut.activeCount).toBe(0);
  });

  it('should fail a run whose job has no registered handler', async () => {
    const { sut, runs } = setup();
    const run = runs.add({ jobName: 'unknown.job' });

    await sut.process(run.id);

    expect(runs.rows.get(run.id)).toMatchObject({ state: RunState.FAILED, errorCode: JOB_HANDLER_MISSING });
  });

  it('should write redacted run log lines for the handler', async () => {
    const { sut, runs, handle } = setup();
    const run = runs.add();
    handle(async (context) => {
      await context.log('info', 'fetched timeline of carol@example.org');
    });

    await sut.process(run.id);

    expect(runs.logs).toContainEqual({ runId: run.id, level: 'info', message: 'fetched timeline of [EMAIL]' });
    expect(JSON.stringify(runs.logs)).not.toContain('carol@example.org');
  });

  it('should let a handler store its results while the run is still its attempt', async () => {
    const { sut, runs, handle } = setup();
    const run = runs.add();
    const stored: string[] = [];
    handle(async (context) => {
      await context.storeResults(async () => stored.push('tweets'));
      return { stored: stored.length };
    });

    await sut.process(run.id);

    expect(stored).toEqual(['tweets']);
    expect(runs.rows.get(run.id)).toMatchObject({ state: RunState.COMPLETED, result: { stored: 1 } });
  });

  it('should not store the results of a run cancelled or erased meanwhile, nor retry it', async () => {
    const { sut, runs, handle } = setup();
    const cancelled = runs.add();
    const erased = runs.add();
    const stored: string[] = [];
    const seen: RunContext<JobName.TwitterIngest>[] = [];
    handle(async (context) => {
      seen.push(context);
      // Another process cancels (or erases) the run while this one fetches; its abort never arrives here.
      if (context.runId === cancelled.id) Object.assign(runs.rows.get(cancelled.id)!, { state: RunState.CANCELLED });
      else runs.rows.delete(erased.id);
      await context.storeResults(async () => stored.push(context.runId));
      return {};
    });

    await expect(sut.process(cancelled.id)).resolves.toEqual({ kind: 'done' });
    await expect(sut.process(erased.id)).resolves.toEqual({ kind: 'done' });

    expect(stored).toEqual([]);
    expect(seen.map((context) => context.signal.aborted)).toEqual([true, true]);
    expect(runs.rows.get(cancelled.id)).toMatchObject({ state: RunState.CANCELLED, attempts: 1 });
    expect(runs.rows.has(erased.id)).toBe(false);
    // Nothing written for the erased run after it was erased.
    expect(runs.logs.filter((log) => log.runId === erased.id).map((log) => log.message)).toEqual(['Attempt 1 of 5 started']);
  });
});

function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
