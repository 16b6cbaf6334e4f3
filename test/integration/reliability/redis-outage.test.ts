// Redis stopped while runs are queued: an app instance on its own redis-server (durable, AOF).
// While Redis is down no queued run executes (no outbound call), a run started meanwhile fails
// visibly (503 QUEUE_UNAVAILABLE, FAILED row) instead of vanishing, and once Redis is back every
// queued run completes exactly once. The outage is logged once per connection, through the app's
// logger, and nothing is printed to the console behind the logger's back.
import { ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunFlow, RunState, WorkflowRun } from '../../../src/core/jobs/entities/workflow-run.entity';
import { JobHandlerRegistry } from '../../../src/core/jobs/job-handler.registry';
import { RunsQueueUnavailableError } from '../../../src/core/jobs/runs.exception';
import { RunsService } from '../../../src/core/jobs/runs.service';
import { startTestApp, TestApp } from '../../utils/test-app';
import { freePort, sleep } from './server-process';

jest.setTimeout(180_000);

declare module '../../../src/core/jobs/job-payloads' {
  interface JobPayloads {
    'reliability.outbound': { userId: string; n: number };
  }
}

class PrivateRedis {
  private process: ChildProcess | undefined;
  constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}

  async start(): Promise<void> {
    this.process = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', ''], {
      stdio: 'ignore',
    });
    const deadline = Date.now() + 10_000;
    while (!(await this.accepting())) {
      if (Date.now() > deadline) throw new Error(`redis-server on ${this.port} did not start`);
      await sleep(50);
    }
  }

  /** SIGTERM: redis-server flushes its AOF and exits, like a stop of the service. */
  async stop(): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
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
    sut = await startTestApp({ env: { REDIS_URL: `redis://127.0.0.1:${redis.port}/0` } });
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
      (error: unknown) => (error instanceof RunsQueueUnavailableError ? 'refused with 503' : String(error)),
    );
    await sleep(6_000);
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
    const redisLines = sut.logs
      .slice(logsBefore)
      .map((line) => JSON.parse(line) as { msg?: string })
      .map((line) => line.msg ?? '')
      .filter((msg) => msg.includes('Redis'));
    const connections = ['repazoo-app', 'run queue', 'rate limiter'];
    expect([...redisLines].sort()).toEqual(
      connections.flatMap((name) => [`${name}: Redis is unreachable; reconnecting until it is back`, `${name}: Redis is reachable again`]).sort(),
    );
    expect(consoleOutput.flatMap((spy) => spy.mock.calls)).toEqual([]);
    consoleOutput.forEach((spy) => spy.mockRestore());
  });
});
