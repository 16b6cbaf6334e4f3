// The run engine's behaviour, the same in both drivers: BullMQ over the real Redis with the real
// PostgreSQL (server mode), and the in-process runner over embedded PGlite (embedded mode).
import { randomUUID } from 'node:crypto';
import { RunFlow, RunState, WorkflowRun } from '../../../src/core/jobs/entities/workflow-run.entity';
import { RunCancelledError } from '../../../src/core/jobs/job-errors';
import { RunExecutor } from '../../../src/core/jobs/run-executor';
import { waitUntil } from '../../utils/x-account';
import { JobsHarness, startJobsHarness } from './support/jobs-harness';
import { abortReasons, invocations } from './support/test-jobs';

const FAR_FUTURE_MS = 60_000;

describe.each([
  ['BullMQ on Redis (server mode)', 'server' as const],
  ['in-process runner (embedded mode)', 'embedded' as const],
])('Runs engine: %s', (_label, mode) => {
  let sut: JobsHarness;
  let userId: string;

  beforeAll(async () => {
    sut = await startJobsHarness({ mode });
  });
  afterAll(() => sut.close());
  beforeEach(() => {
    userId = `jobs-user-${randomUUID()}`;
  });

  const isFinished = (run: WorkflowRun) => [RunState.COMPLETED, RunState.FAILED, RunState.CANCELLED].includes(run.state);

  it('should run a job to COMPLETED with its result, timestamps and redacted run log', async () => {
    const started = await sut.runs.startRun(RunFlow.INGESTION, 'test.echo', userId, { userId, value: 'hello' });
    expect(started).toMatchObject({ state: RunState.PENDING, attempts: 0, userId, jobName: 'test.echo' });

    const run = await sut.waitForRun(started.id, isFinished);

    expect(run).toMatchObject({
      state: RunState.COMPLETED,
      attempts: 1,
      maxAttempts: 5,
      result: { value: 'hello', pid: process.pid, attempt: 1 },
      errorCode: null,
      errorMessage: null,
      nextAttemptAt: null,
      input: { userId, value: 'hello' },
    });
    expect(run.startedAt!.getTime()).toBeGreaterThanOrEqual(run.createdAt.getTime());
    expect(run.finishedAt!.getTime()).toBeGreaterThanOrEqual(run.startedAt!.getTime());
    const logs = await sut.runLogs(run.id);
    expect(logs.map((log) => log.message)).toEqual(['Attempt 1 of 5 started', 'echoing for [EMAIL]', 'Attempt 1 completed']);
    expect(logs.every((log) => log.userId === userId)).toBe(true);
  });

  it('should retry a transient failure with backoff and then complete', async () => {
    const started = await sut.runs.startRun(
      RunFlow.ANALYSIS,
      'test.scripted',
      userId,
      { userId, steps: ['transient', 'transient', 'ok'] },
      { maxAttempts: 4 },
    );

    const run = await sut.waitForRun(started.id, isFinished);

    expect(run).toMatchObject({ state: RunState.COMPLETED, attempts: 3, result: { invocation: 3, attempt: 3 }, errorCode: null });
    const seen = invocations.get(run.id)!;
    expect(seen.map((invocation) => invocation.attempt)).toEqual([1, 2, 3]);
    // Backoff: at least half of base * 2^(attempt-1) between attempts.
    expect(seen[1].at - seen[0].at).toBeGreaterThanOrEqual(45);
    expect(seen[2].at - seen[1].at).toBeGreaterThanOrEqual(95);
    const messages = (await sut.runLogs(run.id)).map((log) => log.message);
    expect(messages).toContainEqual(expect.stringMatching(/^Attempt 1 failed \(TEST_TRANSIENT\): temporary failure 1; retrying at /));
  });

  it('should fail a permanent failure at once, without retrying', async () => {
    const started = await sut.runs.startRun(RunFlow.EXPORT, 'test.scripted', userId, { userId, steps: ['permanent', 'ok'] });

    const run = await sut.waitForRun(started.id, isFinished);
    // No retry can still come: the run has no live job and the worker executes nothing.
    const executor = sut.context.get(RunExecutor, { strict: false });
    await waitUntil('the run has no job and the worker is idle', async () => !(await sut.queue.isQueued(run.id)) && executor.activeCount === 0, 10_000);

    expect(run).toMatchObject({
      state: RunState.FAILED,
      attempts: 1,
      errorCode: 'TEST_PERMANENT',
      errorMessage: 'this cannot work',
      nextAttemptAt: null,
    });
    expect(run.finishedAt).toBeInstanceOf(Date);
    expect(invocations.get(run.id)).toHaveLength(1);
    expect((await sut.findRun(run.id))?.state).toBe(RunState.FAILED);
  });

  it('should delay a rate-limited run (PENDING with nextAttemptAt, no attempt used) and complete it after the reset', async () => {
    const started = await sut.runs.startRun(
      RunFlow.INGESTION,
      'test.scripted',
      userId,
      { userId, steps: ['rate-limit', 'ok'], retryAfterMs: 700 },
      { maxAttempts: 1 },
    );

    const delayed = await sut.waitForRun(started.id, (run) => run.errorCode === 'RATE_LIMITED' || isFinished(run));
    expect(delayed).toMatchObject({ state: RunState.PENDING, attempts: 0, errorCode: 'RATE_LIMITED' });
    const firstCall = invocations.get(started.id)![0].at;
    expect(delayed.nextAttemptAt!.getTime()).toBeGreaterThanOrEqual(firstCall + 650);
    expect(delayed.nextAttemptAt!.getTime()).toBeLessThanOrEqual(firstCall + 5000);

    const run = await sut.waitForRun(started.id, isFinished);

    // maxAttempts 1 and still COMPLETED: the delay did not use up the only attempt.
    expect(run).toMatchObject({ state: RunState.COMPLETED, attempts: 1, errorCode: null, nextAttemptAt: null });
    const seen = invocations.get(run.id)!;
    expect(seen).toHaveLength(2);
    // The provider was not called again before the reset it announced.
    expect(seen[1].at).toBeGreaterThanOrEqual(delayed.nextAttemptAt!.getTime() - 5);
  });

  it('should delay a run while the rate-limit store is unavailable, then complete it', async () => {
    const started = await sut.runs.startRun(RunFlow.ANALYSIS, 'test.scripted', userId, {
      userId,
      steps: ['store-unavailable', 'store-unavailable', 'ok'],
    });

    const run = await sut.waitForRun(started.id, isFinished);

    expect(run).toMatchObject({ state: RunState.COMPLETED, attempts: 1 });
    const seen = invocations.get(run.id)!;
    expect(seen.map((invocation) => invocation.attempt)).toEqual([1, 1, 1]);
    expect(seen[1].at - seen[0].at).toBeGreaterThanOrEqual(190);
  });

  it('should end FAILED with the error code once the attempts are exhausted', async () => {
    const transient = await sut.runs.startRun(RunFlow.INGESTION, 'test.scripted', userId, { userId, steps: ['transient'] }, { maxAttempts: 3 });
    // Past the (test) delay budget of 3 s, rate-limit refusals count as attempts too.
    const limited = await sut.runs.startRun(
      RunFlow.INGESTION,
      'test.scripted',
      userId,
      { userId, steps: ['rate-limit'], retryAfterMs: 300 },
      { maxAttempts: 2 },
    );

    const [transientRun, limitedRun] = await Promise.all([
      sut.waitForRun(transient.id, isFinished),
      sut.waitForRun(limited.id, isFinished),
    ]);

    expect(transientRun).toMatchObject({ state: RunState.FAILED, attempts: 3, errorCode: 'TEST_TRANSIENT', errorMessage: 'temporary failure 3' });
    expect(invocations.get(transient.id)).toHaveLength(3);
    expect(limitedRun).toMatchObject({ state: RunState.FAILED, attempts: 2, errorCode: 'RATE_LIMITED' });
    expect(invocations.get(limited.id)!.length).toBeGreaterThan(2);
  });

  it('should cancel a delayed run and take its job off the queue', async () => {
    const started = await sut.runs.startRun(RunFlow.INGESTION, 'test.echo', userId, { userId, value: 'never' }, { delayMs: FAR_FUTURE_MS });
    expect(await sut.queue.isQueued(started.id)).toBe(true);

    expect(await sut.runs.cancelRun(started.id, { userId: 'someone-else' })).toBe(false);
    expect(await sut.runs.cancelRun(started.id, { userId })).toBe(true);

    const run = await sut.findRun(started.id);
    expect(run).toMatchObject({ state: RunState.CANCELLED, nextAttemptAt: null });
    expect(run?.finishedAt).toBeInstanceOf(Date);
    expect(await sut.queue.isQueued(started.id)).toBe(false);
    expect(await sut.runs.cancelRun(started.id)).toBe(false);
  });

  it("should remove a user's queued and delayed jobs, count them, cancel their runs and abort their running ones", async () => {
    const otherUser = `jobs-other-${randomUUID()}`;
    const delayed = await Promise.all(
      [1, 2, 3].map((n) =>
        sut.runs.startRun(RunFlow.EXPORT, 'test.echo', userId, { userId, value: `d${n}` }, { delayMs: FAR_FUTURE_MS }),
      ),
    );
    const running = await sut.runs.startRun(RunFlow.INGESTION, 'test.block', userId, { userId });
    const others = await sut.runs.startRun(RunFlow.EXPORT, 'test.echo', otherUser, { userId: otherUser, value: 'kept' }, { delayMs: FAR_FUTURE_MS });
    const finished = await sut.runs.startRun(RunFlow.INGESTION, 'test.echo', userId, { userId, value: 'done' });
    await sut.waitForRun(running.id, (run) => run.state === RunState.RUNNING);
    await sut.waitForRun(finished.id, isFinished);

    const removed = await sut.runs.removeQueuedJobsOfUser(userId);

    expect(removed).toBe(3);
    for (const run of delayed) {
      expect((await sut.findRun(run.id))?.state).toBe(RunState.CANCELLED);
      expect(await sut.queue.isQueued(run.id)).toBe(false);
    }
    expect(await sut.waitForRun(running.id, isFinished)).toMatchObject({ state: RunState.CANCELLED });
    expect(abortReasons.get(running.id)).toBeInstanceOf(RunCancelledError);
    expect((await sut.findRun(finished.id))?.state).toBe(RunState.COMPLETED);
    expect((await sut.findRun(others.id))?.state).toBe(RunState.PENDING);
    expect(await sut.queue.isQueued(others.id)).toBe(true);
    expect(await sut.runs.removeQueuedJobsOfUser(userId)).toBe(0);

    expect(await sut.runs.removeQueuedJobsOfUser(otherUser)).toBe(1);
  });

  it("should list a user's runs newest first, page by `before`, and hide other users' runs", async () => {
    const ids: string[] = [];
    for (const value of ['a', 'b', 'c']) {
      ids.push((await sut.runs.startRun(RunFlow.INGESTION, 'test.echo', userId, { userId, value })).id);
    }

    const firstPage = await sut.runs.listRuns(userId, { limit: 2 });
    const secondPage = await sut.runs.listRuns(userId, { limit: 2, before: firstPage[1].id });

    expect(firstPage.map((run) => run.id)).toEqual([ids[2], ids[1]]);
    expect(secondPage.map((run) => run.id)).toEqual([ids[0]]);
    expect(await sut.runs.listRuns(`nobody-${randomUUID()}`)).toEqual([]);
    await expect(sut.runs.getRun('another-user', ids[0])).rejects.toMatchObject({ code: 'RUN_NOT_FOUND', statusCode: 404 });
    await expect(sut.runs.getRun(userId, 'not-a-uuid')).rejects.toMatchObject({ code: 'RUN_NOT_FOUND' });
    await Promise.all(ids.map((id) => sut.waitForRun(id, isFinished)));
  });

  it('should refuse to start a run inside a transaction, and let createRun + enqueueRun do it after commit', async () => {
    const em = sut.em();
    let created: WorkflowRun | undefined;
    await em.transactional(async () => {
      await expect(sut.runs.startRun(RunFlow.EXPORT, 'test.echo', userId, { userId, value: 'tx' })).rejects.toThrow(/transaction/);
      created = await sut.runs.createRun(RunFlow.EXPORT, 'test.echo', userId, { userId, value: 'tx' });
    });
    await sut.runs.enqueueRun(created!.id);

    expect(await sut.waitForRun(created!.id, isFinished)).toMatchObject({ state: RunState.COMPLETED, result: { value: 'tx' } });
  });
});
