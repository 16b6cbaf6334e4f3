// Redis stopped or killed under the run engine, each test on its own redis-server with the
// persistence a production Redis has (AOF, fsync every second).
// - Stopped while runs are queued: no queued run executes while Redis is down (no outbound call),
//   a run started meanwhile fails visibly (503 QUEUE_UNAVAILABLE, FAILED row) instead of vanishing,
//   and once Redis is back every queued run completes exactly once. The outage is logged once per
//   connection, through the app's logger, and nothing is printed to the console behind its back.
// - Killed (SIGKILL) while a run is RUNNING, for longer than its job's lock lives: the job comes
//   back without its lock, BullMQ hands it to a worker again, and the run completes with the
//   handler's results stored once, never FAILED.
// - Killed and brought back empty (its data lost): the run whose job is gone is re-enqueued by the
//   recovery sweep and completes once.
import { ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { RunFlow, RunState, WorkflowRun } from '../../../src/core/jobs/entities/workflow-run.entity';
import { JobHandlerRegistry } from '../../../src/core/jobs/job-handler.registry';
import { RunRecoveryService } from '../../../src/core/jobs/run-recovery.service';
import { RunsQueueUnavailableException } from '../../../src/core/jobs/runs.exception';
import { RunsService } from '../../../src/core/jobs/runs.service';
import { FAST_JOBS, JobsHarness, startJobsHarness } from '../jobs/support/jobs-harness';
import { startTestApp, TestApp } from '../../utils/test-app';
import { waitUntil } from '../../utils/x-account';
import { freePort, sleep } from './server-process';

jest.setTimeout(180_000);

declare module '../../../src/core/jobs/job-payloads' {
  interface JobPayloads {
    'reliability.outbound': { userId: string; n: number };
    /** Stores a set of 3 support tickets; with `hold`, first waits for the test to release it. */
    'reliability.store-set': { userId: string; hold: boolean };
  }
}

class PrivateRedis {
  private process: ChildProcess | undefined;
  constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}/0`;
  }

  async start(): Promise<void> {
    // A production Redis's durability: the AOF, fsynced once a second (a crash may lose the last second).
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', ''];
    this.process = spawn('redis-server', args, { stdio: 'ignore' });
    const deadline = Date.now() + 10_000;
    while (!(await this.accepting())) {
      if (Date.now() > deadline) throw new Error(`redis-server on ${this.port} did not start`);
      await sleep(50);
    }
  }

  /** SIGTERM: redis-server flushes its AOF and exits, like a stop of the service. */
  stop(): Promise<void> {
    return this.signal('SIGTERM');
  }

  /** SIGKILL: a crash; redis-server writes nothing more. */
  kill(): Promise<void> {
    return this.signal('SIGKILL');
  }

  /** Removes the data files of a killed server: it comes back empty, as a replacement node would. */
  loseData(): void {
    for (const name of readdirSync(this.dir)) rmSync(join(this.dir, name), { recursive: true, force: true });
  }

  private async signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  }

  private accepting(): Promise<boolean> {
    return new Promise((resolve) => {
      const socket = createConnection(this.port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
  }
}


describe('Runs while Redis is stopped', () => {
  let sut: TestApp;
  let redis: PrivateRedis;
  let runs: RunsService;
  let dir: string;
  const calls: number[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'repazoo-redis-'));
    redis = new PrivateRedis(await freePort(), dir);
    await redis.start();
    sut = await startTestApp({ env: { REDIS_URL: redis.url } });
    runs = sut.app.get(RunsService);
    sut.app.get(JobHandlerRegistry).register('reliability.outbound', async (ctx) => {
      // Stands for the call to a provider: it must happen once per run, and never while Redis is down.
      calls.push(ctx.payload.n);
      return { n: ctx.payload.n };
    });
  });
  afterAll(async () => {
    await sut?.close();
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function states(ids: string[]): Promise<WorkflowRun[]> {
    return sut.em().find(WorkflowRun, { id: { $in: ids } }, { disableIdentityMap: true, orderBy: { createdAt: 'asc' } });
  }

  it('should run nothing while Redis is down, refuse new runs visibly, and complete the queued runs after', async () => {
    const userId = `redis-outage-${randomUUID()}`;
    // Queued, due in 3 s: Redis goes down before they are due.
    const queued = [];
    for (let n = 1; n <= 5; n += 1) queued.push(await runs.startRun(RunFlow.INGESTION, 'reliability.outbound', userId, { userId, n }, { delayMs: 3_000 }));
    const consoleOutput = [jest.spyOn(console, 'error'), jest.spyOn(console, 'warn'), jest.spyOn(console, 'log')];
    const logsBefore = sut.logs.length;
    await redis.stop();

    const duringOutage = await runs.startRun(RunFlow.INGESTION, 'reliability.outbound', userId, { userId, n: 99 }).then(
      () => 'queued',
      (error: unknown) => (error instanceof RunsQueueUnavailableException ? 'refused with 503' : String(error)),
    );
    // Nothing may run before the worker has seen the outage and the runs are well overdue (2 s
    // past their due time, several of the worker's fetch cycles): a bounded wait on those signals.
    await waitUntil('the run queue reported the outage', () =>
      sut.logs.slice(logsBefore).some((line) => line.includes('run queue: Redis is unreachable')),
    );
    const dueAt = Math.max(...queued.map((run) => run.nextAttemptAt?.getTime() ?? 0));
    await waitUntil('the queued runs are overdue', () => Date.now() > dueAt + 2_000);
    expect(calls).toEqual([]);
    expect((await states(queued.map((run) => run.id))).map((run) => run.state)).toEqual(Array(5).fill(RunState.PENDING));
    expect(duringOutage).toBe('refused with 503');
    const refused = await sut.em().findOneOrFail(WorkflowRun, { userId, input: { n: 99 } }, { disableIdentityMap: true });
    expect({ state: refused.state, errorCode: refused.errorCode }).toEqual({ state: RunState.FAILED, errorCode: 'QUEUE_UNAVAILABLE' });

    await redis.start();
    const deadline = Date.now() + 60_000;
    let finished: WorkflowRun[] = [];
    while (Date.now() < deadline) {
      finished = await states(queued.map((run) => run.id));
      if (finished.every((run) => run.state === RunState.COMPLETED)) break;
      await sleep(200);
    }
    expect(finished.map((run) => run.state)).toEqual(Array(5).fill(RunState.COMPLETED));
    expect([...calls].sort()).toEqual([1, 2, 3, 4, 5]);

    // Dozens of reconnect attempts failed meanwhile; each connection said so once, and said when it was back.
    // A connection nothing used since (the rate limiter's) comes back on its own retry timer: wait for it.
    const connections = ['repazoo-app', 'run queue', 'rate limiter', 'run events'];
    const redisLogLines = () =>
      sut.logs
        .slice(logsBefore)
        .map((line) => JSON.parse(line) as { msg?: string })
        .map((line) => line.msg ?? '')
        .filter((msg) => msg.includes('Redis'));
    await waitUntil('every Redis connection logged that it is back', () => redisLogLines().filter((msg) => msg.endsWith('reachable again')).length >= connections.length);
    const redisLines = redisLogLines();
    expect([...redisLines].sort()).toEqual(
      connections.flatMap((name) => [`${name}: Redis is unreachable; reconnecting until it is back`, `${name}: Redis is reachable again`]).sort(),
    );
    expect(consoleOutput.flatMap((spy) => spy.mock.calls)).toEqual([]);
    consoleOutput.forEach((spy) => spy.mockRestore());
  });
});

describe('Runs while Redis is killed (SIGKILL)', () => {
  let redis: PrivateRedis;
  let dir: string;
  let harness: JobsHarness;
  let probe: Redis;
  /** What each invocation of 'reliability.store-set' did, by run id: its attempt, then 'stored' or the error's name. */
  const invocations = new Map<string, { attempt: number; outcome?: string }[]>();
  let releaseHeld: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (releaseHeld = resolve));

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'repazoo-redis-kill-'));
    redis = new PrivateRedis(await freePort(), dir);
    await redis.start();
    // The run engine alone, with short job locks (1.5 s), so a lock expires within the outage.
    harness = await startJobsHarness({ mode: 'server', redisUrl: redis.url });
    probe = new Redis(redis.url, { lazyConnect: true });
    harness.context.get(JobHandlerRegistry).register('reliability.store-set', async (ctx) => {
      const seen = invocations.get(ctx.runId) ?? [];
      const invocation: { attempt: number; outcome?: string } = { attempt: ctx.attempt };
      invocations.set(ctx.runId, [...seen, invocation]);
      // Stands for a call to a provider that is under way, whatever happens to Redis meanwhile.
      if (ctx.payload.hold) await held;
      try {
        await ctx.storeResults(async (tx) => {
          for (let n = 1; n <= 3; n += 1) {
            await tx.execute(
              "insert into support_tickets (id, user_id, subject, body, status, created_at) values (gen_random_uuid(), ?, ?, ?, 'open', now())",
              [ctx.payload.userId, `item ${n}`, `attempt ${ctx.attempt}`],
            );
          }
        });
        invocation.outcome = 'stored';
      } catch (error) {
        invocation.outcome = error instanceof Error ? error.name : String(error);
        throw error;
      }
      return { stored: 3, attempt: ctx.attempt };
    });
  });
  afterAll(async () => {
    releaseHeld();
    await harness?.close();
    probe?.disconnect();
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const jobKey = (runId: string) => `bull:${harness.queueName}:${runId}`;
  const isFinished = (run: WorkflowRun) => [RunState.COMPLETED, RunState.FAILED, RunState.CANCELLED].includes(run.state);

  async function storedTickets(userId: string): Promise<{ subject: string; body: string }[]> {
    return harness
      .em()
      .getConnection()
      .execute<{ subject: string; body: string }[]>('select subject, body from support_tickets where user_id = ? order by subject', [userId]);
  }

  it('should complete a run that was RUNNING when Redis was killed, storing its results once', async () => {
    const userId = `redis-kill-${randomUUID()}`;
    const started = await harness.runs.startRun(RunFlow.INGESTION, 'reliability.store-set', userId, { userId, hold: true }, { maxAttempts: 3 });
    await waitUntil('attempt 1 is inside its work', () => invocations.get(started.id)?.length === 1);
    expect(await harness.findRun(started.id)).toMatchObject({ state: RunState.RUNNING, attempts: 1 });

    await probe.connect();
    const lockBeforeKill = await probe.get(`${jobKey(started.id)}:lock`);
    expect(lockBeforeKill).toEqual(expect.any(String));
    probe.disconnect();

    await redis.kill();
    const killedAt = Date.now();
    // The job's lock was last renewed before the kill: once its duration has passed, a Redis that
    // comes back has the job (in the AOF) but not the lock, so the job looks stalled.
    await waitUntil('the job lock has expired', () => Date.now() > killedAt + FAST_JOBS.lockDurationMs! + 1_000);
    expect(await harness.findRun(started.id)).toMatchObject({ state: RunState.RUNNING, attempts: 1 });
    await redis.start();
    await probe.connect();
    expect(await probe.exists(jobKey(started.id))).toBe(1);

    // BullMQ's stalled-job check gives the job to a worker again, which resumes the run with
    // attempt 2 while attempt 1 is still inside its work (its worker never learnt it lost the job).
    await waitUntil('attempt 2 started', () => invocations.get(started.id)?.length === 2);
    expect(await probe.get(`${jobKey(started.id)}:lock`)).not.toBe(lockBeforeKill);
    releaseHeld();
    const run = await harness.waitForRun(started.id, isFinished, 60_000);

    expect(run).toMatchObject({ state: RunState.COMPLETED, attempts: 2, result: { stored: 3, attempt: 2 } });
    await waitUntil('both attempts ended', () => (invocations.get(started.id) ?? []).every((invocation) => invocation.outcome !== undefined));
    // Attempt 1 was taken over: its transaction found the run no longer its own and stored nothing.
    expect(invocations.get(started.id)).toEqual([
      { attempt: 1, outcome: 'RunCancelledError' },
      { attempt: 2, outcome: 'stored' },
    ]);
    // Completed jobs are removed: once the key is gone, nothing can run this job again.
    await waitUntil('the completed job left Redis', async () => (await probe.exists(jobKey(started.id))) === 0);
    expect(await storedTickets(userId)).toEqual([1, 2, 3].map((n) => ({ subject: `item ${n}`, body: 'attempt 2' })));
    expect((await harness.runLogs(started.id)).map((log) => log.message)).toEqual([
      'Attempt 1 of 3 started',
      'Attempt 1 was interrupted (its worker stopped); resuming',
      'Attempt 2 of 3 started',
      'Attempt 2 completed',
    ]);
  });

  it('should have the recovery sweep re-enqueue a run whose job Redis lost, which then completes once', async () => {
    const userId = `redis-lost-${randomUUID()}`;
    const started = await harness.runs.startRun(RunFlow.INGESTION, 'reliability.store-set', userId, { userId, hold: false }, { delayMs: 4_000 });
    expect(await harness.queue.isQueued(started.id)).toBe(true);

    await redis.kill();
    redis.loseData();
    await redis.start();
    expect(await probe.exists(jobKey(started.id))).toBe(0);
    expect(await harness.queue.isQueued(started.id)).toBe(false);
    expect(await harness.findRun(started.id)).toMatchObject({ state: RunState.PENDING, attempts: 0 });

    // The sweep only adopts runs untouched for its grace period (10 min in production). This run is
    // dated back instead of waiting, so that it is the only run of the shared test database the
    // sweep may adopt: the count below is exact.
    await harness.em().getConnection().execute("update workflow_runs set updated_at = '2001-01-01T00:00:00Z' where id = ?", [started.id]);
    const recovered = await harness.context.get(RunRecoveryService).recoverOrphanedRuns(Date.now() - Date.parse('2001-01-02T00:00:00Z'));

    expect(recovered).toBe(1);
    expect(await harness.queue.isQueued(started.id)).toBe(true);
    const run = await harness.waitForRun(started.id, isFinished, 60_000);
    expect(run).toMatchObject({ state: RunState.COMPLETED, attempts: 1, result: { stored: 3, attempt: 1 } });
    expect(invocations.get(started.id)).toEqual([{ attempt: 1, outcome: 'stored' }]);
    expect(await storedTickets(userId)).toEqual([1, 2, 3].map((n) => ({ subject: `item ${n}`, body: 'attempt 1' })));
  });
});
