// Runs executed by other processes: a separate worker takes a run the test enqueued, a worker
// stopped with SIGTERM hands its runs back, the real `npm run worker` entry point boots and stops
// cleanly, and a real worker killed (SIGKILL) in the middle of an ingestion leaves a stalled job
// that another real worker resumes to COMPLETED, every tweet stored once.
import { ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { RunFlow, RunState, WorkflowRun } from '../../../src/core/jobs/entities/workflow-run.entity';
import { FakeXServer } from '../../fakes/fake-x-server';
import { startTestApp, TestApp } from '../../utils/test-app';
import { TEST_DATABASE_URL, TEST_REDIS_URL, TEST_SECRETS_ENV } from '../../utils/test-env';
import { connectXAccount, FINISHED_STATES, waitForRun } from '../../utils/x-account';
import { serverEnv } from '../reliability/server-process';
import { deleteQueueKeys, JobsHarness, sleep, startJobsHarness, uniqueQueueName } from './support/jobs-harness';

// Each worker process compiles the app with ts-node first: slow on a busy machine.
jest.setTimeout(180_000);

const ROOT = join(__dirname, '..', '..', '..');
const WORKER_SCRIPT = join(__dirname, 'support', 'run-test-worker.ts');

interface SpawnedWorker {
  child: ChildProcess;
  pid: number;
  output: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function spawnNode(script: string, env: Record<string, string>, readyPattern: RegExp): Promise<SpawnedWorker> {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', script], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  createInterface({ input: child.stderr! }).on('line', (line) => output.push(line));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not get ready: ${output.join('\n')}`)), 60_000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      output.push(line);
      if (readyPattern.test(line)) {
        clearTimeout(timer);
        resolve({ child, pid: child.pid!, output, exited });
      }
    });
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`worker exited with ${code} before it was ready: ${output.join('\n')}`));
    });
  });
}

async function stop(worker: SpawnedWorker | undefined): Promise<void> {
  if (!worker || worker.child.exitCode !== null || worker.child.signalCode !== null) return;
  worker.child.kill('SIGTERM');
  await worker.exited;
}

describe('Runs engine: separate worker processes', () => {
  const queueName = uniqueQueueName('procs');
  const isFinished = (run: WorkflowRun) => [RunState.COMPLETED, RunState.FAILED, RunState.CANCELLED].includes(run.state);
  let producer: JobsHarness;
  const workers: SpawnedWorker[] = [];
  const startWorker = async (env: Record<string, string> = {}) => {
    const worker = await spawnNode(WORKER_SCRIPT, { QUEUE_NAME: queueName, ...env }, /^ready \d+$/);
    workers.push(worker);
    return worker;
  };

  beforeAll(async () => {
    // This process only produces runs; the workers are other processes.
    producer = await startJobsHarness({ mode: 'server', queueName, runWorker: false });
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map(stop));
  });
  afterAll(async () => {
    await producer.close();
    await deleteQueueKeys(queueName);
  });

  it('should have a separate worker process execute a run this process enqueued', async () => {
    const worker = await startWorker();
    const userId = `proc-user-${randomUUID()}`;

    const started = await producer.runs.startRun(RunFlow.INGESTION, 'test.echo', userId, { userId, value: 'from the test' });
    const run = await producer.waitForRun(started.id, isFinished, 60_000);

    expect(run).toMatchObject({ state: RunState.COMPLETED, attempts: 1, result: { value: 'from the test', pid: worker.pid } });
    expect(worker.pid).not.toBe(process.pid);
  });

  it('should exit 0 within 10 s of SIGTERM with runs still active, handing them back for another worker to complete', async () => {
    const first = await startWorker({ BLOCK_RUNS: '1', SHUTDOWN_GRACE: 'default' });
    const userId = `proc-user-${randomUUID()}`;
    // One handler stops when aborted (handed back at once), one ignores it (resumed once its lock expires).
    const abortable = await producer.runs.startRun(RunFlow.INGESTION, 'test.block-in-marked-process', userId, { userId }, { maxAttempts: 3 });
    const stubborn = await producer.runs.startRun(RunFlow.ANALYSIS, 'test.block-first-attempt', userId, { userId }, { maxAttempts: 3 });
    const deadline = Date.now() + 20_000;
    const blocking = async (runId: string, prefix: string) => (await producer.runLogs(runId)).some((log) => log.message.startsWith(prefix));
    while (!((await blocking(abortable.id, 'blocking in')) && (await blocking(stubborn.id, 'attempt 1 blocking')))) {
      if (Date.now() > deadline) throw new Error('the runs never started blocking');
      await sleep(50);
    }

    const signalledAt = Date.now();
    first.child.kill('SIGTERM');
    const exit = await first.exited;
    const exitedAfterMs = Date.now() - signalledAt;

    expect(exit).toMatchObject({ code: 0 });
    expect(exitedAfterMs).toBeLessThan(10_000);
    expect(await producer.findRun(abortable.id)).toMatchObject({ state: RunState.PENDING, attempts: 0 });
    const second = await startWorker();
    const [handedBack, resumed] = await Promise.all([
      producer.waitForRun(abortable.id, isFinished, 60_000),
      producer.waitForRun(stubborn.id, isFinished, 60_000),
    ]);
    expect(handedBack).toMatchObject({ state: RunState.COMPLETED, result: { pid: second.pid } });
    expect(resumed).toMatchObject({ state: RunState.COMPLETED, attempts: 2, result: { pid: second.pid, attempt: 2 } });
    expect((await producer.runLogs(abortable.id)).map((log) => log.message)).toContain(
      'Attempt 1 was interrupted by a worker shutdown; it will run again',
    );
  });
});

describe('npm run worker (src/worker.ts)', () => {
  const script = join(ROOT, 'src', 'worker.ts');

  it('should boot the application without HTTP, process runs and stop on SIGTERM', async () => {
    const queueName = uniqueQueueName('entry');
    const worker = await spawnNode(
      script,
      {
        NODE_ENV: 'test',
        DATABASE_URL: TEST_DATABASE_URL,
        REDIS_URL: TEST_REDIS_URL,
        ...TEST_SECRETS_ENV,
        RUNS_QUEUE_NAME: queueName,
        RUN_WORKER: 'false',
        DATA_DIR: join(ROOT, '.data', 'test-worker'),
      },
      /"worker started"/,
    );
    try {
      expect(worker.output.join('\n')).toContain(`run worker started on BullMQ queue \\"${queueName}\\"`);
      worker.child.kill('SIGTERM');
      // Nest closes the application (active runs finish or are handed back), then exits 0.
      expect(await worker.exited).toMatchObject({ code: 0 });
      expect(worker.output.join('\n')).toContain('run worker stopped');
    } finally {
      await stop(worker);
      await deleteQueueKeys(queueName);
    }
  });

  it('should refuse to start in embedded mode, naming what it needs', async () => {
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', script], {
      cwd: ROOT,
      env: { ...process.env, NODE_ENV: 'test', DATABASE_URL: '', REDIS_URL: '', DATA_DIR: join(ROOT, '.data', 'test-worker') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));

    expect(code).toBe(1);
    expect(stderr).toContain('npm run worker needs DATABASE_URL and REDIS_URL');
  });
});

describe('npm run worker (src/worker.ts) killed with SIGKILL mid-run', () => {
  const script = join(ROOT, 'src', 'worker.ts');
  const queueName = uniqueQueueName('kill');
  const fakeX = new FakeXServer();
  const workers: SpawnedWorker[] = [];
  let producer: TestApp;
  let xEnv: Record<string, string>;

  /** A real worker process, as `npm run worker` starts it in server mode, talking to the fake X. */
  const startRealWorker = async () => {
    const worker = await spawnNode(script, serverEnv({ RUNS_QUEUE_NAME: queueName, RUN_WORKER: 'false', ...xEnv }), /"worker started"/);
    workers.push(worker);
    return worker;
  };

  beforeAll(async () => {
    await fakeX.start();
    xEnv = {
      TWITTER_CLIENT_ID: fakeX.clientId,
      TWITTER_CLIENT_SECRET: fakeX.clientSecret,
      TWITTER_API_BASE_URL: fakeX.baseUrl,
      TWITTER_AUTHORIZE_URL: fakeX.authorizeUrl,
    };
    // This app only serves the API and queues runs; the workers are other processes.
    producer = await startTestApp({ env: { RUNS_QUEUE_NAME: queueName, RUN_WORKER: 'false', ...xEnv } });
  });
  afterAll(async () => {
    await Promise.all(workers.splice(0).map(stop));
    await producer?.close();
    await fakeX.stop();
  });

  // The real worker's job lock lives 30 s and it looks for stalled jobs every 30 s: the resume takes up to a minute.
  it('should resume an ingestion whose worker was killed while X held its answer on another worker, storing every tweet once', async () => {
    const account = await connectXAccount(producer, fakeX);
    const seeded = fakeX.seedGeneratedTweets(account.xUserId, 150);
    const first = await startRealWorker();
    const held = fakeX.holdNext('GET /2/users/:id/tweets');
    try {
      const response = await producer.http.post('/api/twitter/sync').set('Authorization', `Bearer ${producer.token(account.userId)}`);
      expect(response.status).toBe(202);
      const runId = (response.body as { runId: string }).runId;
      // The handler is inside its work: X has the first page ready and holds it.
      await held.arrived;
      expect(await producer.em().findOne(WorkflowRun, { id: runId }, { disableIdentityMap: true })).toMatchObject({ state: RunState.RUNNING, attempts: 1 });

      first.child.kill('SIGKILL');
      expect(await first.exited).toMatchObject({ signal: 'SIGKILL' });
      const second = await startRealWorker();
      const run = await waitForRun(producer, runId, (current) => FINISHED_STATES.includes(current.state), 240_000);

      expect(run).toMatchObject({ state: RunState.COMPLETED, attempts: 2, result: { fetched: 150, stored: 150, truncated: false } });
      expect(second.child.exitCode).toBeNull();
      const connection = producer.em().getConnection();
      const stored = await connection.execute<{ tweet_id: string; run_id: string }[]>(
        'select tweet_id, run_id from twitter_data where user_id = ? order by tweet_id',
        [account.userId],
      );
      expect(stored.map((row) => row.tweet_id)).toEqual(seeded.map((tweet) => tweet.id).sort());
      expect(new Set(stored.map((row) => row.run_id))).toEqual(new Set([runId]));
      const audited = await connection.execute<{ details: { count: number; fetched: number } }[]>(
        "select details from audit_log where user_id = ? and action = 'Tweets ingested'",
        [account.userId],
      );
      expect(audited.map((entry) => entry.details)).toEqual([expect.objectContaining({ count: 150, fetched: 150, runId })]);
      // Attempt 1 asked for the first page (held, never answered to it); attempt 2 read both pages.
      expect(fakeX.requestsTo('GET /2/users/:id/tweets')).toHaveLength(3);
      const messages = (await connection.execute<{ message: string }[]>('select message from run_logs where run_id = ? order by id', [runId])).map(
        (log) => log.message,
      );
      expect(messages).toContain('Attempt 1 was interrupted (its worker stopped); resuming');
      expect(messages.filter((message) => /^Attempt \d+ completed$/.test(message))).toEqual(['Attempt 2 completed']);
    } finally {
      held.release();
    }
  }, 300_000);
});
