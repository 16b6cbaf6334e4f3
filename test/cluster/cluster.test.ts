// Several instances proven together: two app processes (src/main.ts) and two worker processes
// (src/worker.ts), all in server mode with production settings and the same secrets, on one
// PostgreSQL database and one Redis database, with no proxy in front: the test talks to each
// app's port. X is the fake X server in this process, reached by every process over loopback.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { Client } from 'pg';
import { mintToken } from '../../src/core/auth/token-issuer';
import { openRunEventStream } from '../utils/run-event-stream';
import { FakeXServer } from '../fakes/fake-x-server';
import { freePort } from '../integration/reliability/server-process';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from '../utils/test-env';
import { Cluster, ClusterProcess, sleep, waitUntil } from './support/cluster';

// Booting four ts-node processes at once on a busy machine takes a while; the worker kill waits
// for BullMQ's stalled-job check (30 s lock, checked every 30 s).
jest.setTimeout(200_000);

const TWEETS_ROUTE = 'GET /2/users/:id/tweets';
const FINISHED = ['COMPLETED', 'FAILED', 'CANCELLED'];
/** What delete-my-data keeps by design (PRODUCT.md section 3c): the account, the evidence of consent and billing, the redacted audit log. */
/**
 * The tables the personal-data map keeps after an erasure (see test/e2e/personal-data-map.e2e.test.ts,
 * which checks them against the map itself), plus the erasure's one confirmation notice.
 */
const KEPT_AFTER_ERASURE = ['audit_log', 'billing_records', 'consent_records', 'data_requests', 'legal_holds', 'notifications', 'subscriptions', 'users'];

interface RunRow {
  id: string;
  user_id: string | null;
  job_name: string;
  state: string;
  attempts: number;
  created_at: Date;
}

describe('Cluster: two app and two worker processes on one PostgreSQL and one Redis', () => {
  const fakeX = new FakeXServer();
  const jwtSecret = randomBytes(48).toString('base64url');
  let cluster: Cluster;
  let db: Client;
  let appA: ClusterProcess;
  let appB: ClusterProcess;

  const sql = async <T>(text: string, params: unknown[] = []): Promise<T[]> => (await db.query(text, params)).rows as T[];
  const token = (userId: string) => mintToken(jwtSecret, { userId });
  const call = async (app: ClusterProcess, method: string, path: string, userId: string, init: RequestInit = {}) => {
    const response = await fetch(`${app.baseUrl}${path}`, {
      ...init,
      method,
      redirect: 'manual',
      headers: { authorization: `Bearer ${token(userId)}`, ...(init.headers as Record<string, string> | undefined) },
    });
    const json = response.headers.get('content-type')?.includes('application/json');
    const body = json ? ((await response.json()) as Record<string, unknown>) : { text: await response.text() };
    return { status: response.status, headers: response.headers, body };
  };

  /** The whole X consent flow: /connect on one app, X's consent screen, the callback on the other app. */
  const connectX = async (userId: string): Promise<string> => {
    const xUserId = String(100_000_000 + Math.floor(Math.random() * 899_999_999));
    const started = await call(appA, 'GET', '/api/twitter/connect', userId);
    expect(started.status).toBe(200);
    const cookie = started.headers.getSetCookie().find((header) => header.startsWith('repazoo_x_oauth='));
    fakeX.setAuthorizationDecision({ id: xUserId, username: `x_${xUserId}` });
    const consentScreen = await fetch(started.body.authorizeUrl as string, { redirect: 'manual' });
    const callback = new URL(consentScreen.headers.get('location') ?? '');
    const answer = await call(appB, 'GET', `${callback.pathname}${callback.search}`, userId, { headers: { cookie: cookie!.split(';')[0] } });
    expect(answer.status).toBe(302);
    expect(answer.headers.get('location')).toContain('connected=x');
    // Ingestion needs an active subscription; Stripe's webhook is not what this test is about.
    await sql(
      "insert into subscriptions (id, user_id, stripe_subscription_id, tier, status, created_at, updated_at) values ($1, $2, $3, 'basic', 'active', now(), now())",
      [randomUUID(), userId, `sub_${randomUUID()}`],
    );
    return xUserId;
  };

  const sync = async (app: ClusterProcess, userId: string): Promise<string> => {
    const response = await call(app, 'POST', '/api/twitter/sync', userId);
    expect({ status: response.status, body: response.body }).toMatchObject({ status: 202, body: { runId: expect.any(String) } });
    return response.body.runId as string;
  };

  const runsOf = (userId: string) => sql<RunRow>('select * from workflow_runs where user_id = $1', [userId]);
  const waitForRunsToFinish = (ids: string[], timeoutMs: number) =>
    waitUntil(
      `runs ${ids.join(', ')} finished`,
      async () => (await sql<RunRow>('select state from workflow_runs where id = any($1)', [ids])).every((run) => FINISHED.includes(run.state)),
      timeoutMs,
    );
  const completedAttempts = async (runId: string) =>
    (await sql<{ message: string }>('select message from run_logs where run_id = $1', [runId])).filter((log) => /^Attempt \d+ completed$/.test(log.message));

  beforeAll(async () => {
    await fakeX.start();
    db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
    const [portA, portB] = [await freePort(), await freePort()];
    cluster = new Cluster({
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      // As a load balancer in front of the apps would be: OAuth callbacks and links name one address.
      PUBLIC_BASE_URL: `http://127.0.0.1:${portA}`,
      // One directory, as the volume every instance of a deployment mounts (export files).
      DATA_DIR: mkdtempSync(join(tmpdir(), 'repazoo-cluster-data-')),
      DATABASE_URL: TEST_DATABASE_URL,
      REDIS_URL: TEST_REDIS_URL,
      // Production-style secrets, generated for this run and shared by all four processes.
      JWT_SECRET: jwtSecret,
      ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
      EXPORT_SIGNING_KEY: randomBytes(48).toString('base64url'),
      AUDIT_KEY: randomBytes(48).toString('base64url'),
      PSEUDONYM_KEY: randomBytes(48).toString('base64url'),
      TWITTER_CLIENT_ID: fakeX.clientId,
      TWITTER_CLIENT_SECRET: fakeX.clientSecret,
      TWITTER_API_BASE_URL: fakeX.baseUrl,
      TWITTER_AUTHORIZE_URL: fakeX.authorizeUrl,
      // The apps serve the API and queue runs; the worker processes execute them.
      RUN_WORKER: 'false',
      RUNS_QUEUE_NAME: `cluster-${randomUUID()}`,
      HTTP_REQUESTS_PER_MINUTE: '1000000',
      AUTH_FAILURES_PER_MINUTE: '1000000',
    });
    [appA, appB] = await cluster.explain(() =>
      Promise.all([
        cluster.start('app-a', 'app', portA),
        cluster.start('app-b', 'app', portB),
        cluster.start('worker-a', 'worker'),
        cluster.start('worker-b', 'worker'),
      ]),
    );
  }, 240_000);

  afterAll(async () => {
    await cluster?.stop();
    await db?.end();
    await fakeX.stop();
  });

  it('should start one run of each scheduled job when the cron ticks on all four processes at the same instant', () =>
    cluster.explain(async () => {
      const processes = cluster.running;
      expect(processes).toHaveLength(4);
      // Far enough ahead for every process to have its timers set (a tick set in the past is skipped).
      const at = Date.now() + 5000;
      const scheduled = await Promise.all(processes.map((process) => process.request<string[]>({ op: 'schedule-ticks', at })));
      const jobNames = scheduled[0];
      expect(jobNames).toEqual(['consent_expiry_notices', 'monitoring_check', 'retention_cleanup_daily', 'twitter_deletion_check']);
      for (const names of scheduled) expect(names).toEqual(jobNames);

      await sleep(at - Date.now() + 500);
      // Each process's own cron timer fired each job, within a moment of the instant.
      const lateness = [];
      for (const process of processes) {
        const ticks = await process.request<Record<string, number | null>>({ op: 'last-ticks' });
        for (const name of jobNames) lateness.push({ process: process.name, name, lateMs: ticks[name] === null ? null : ticks[name] - at });
      }
      expect(lateness).toHaveLength(processes.length * jobNames.length);
      expect(lateness.filter(({ lateMs }) => lateMs === null || lateMs < 0 || lateMs >= 2000)).toEqual([]);

      const scheduledRuns = () =>
        sql<RunRow>("select * from workflow_runs where flow = 'scheduled' and created_at >= $1 order by job_name", [new Date(at - 2000)]);
      await waitUntil(
        'every scheduled job has a finished run',
        async () => {
          const runs = await scheduledRuns();
          return jobNames.every((name) => runs.some((run) => run.job_name === name && FINISHED.includes(run.state)));
        },
        60_000,
      );
      // The ticks that lost the race have returned by now; a second look finds no late run.
      await sleep(1000);
      const runs = await scheduledRuns();
      expect(runs.map((run) => ({ job: run.job_name, state: run.state, attempts: run.attempts }))).toEqual(
        jobNames.map((job) => ({ job, state: 'COMPLETED', attempts: 1 })),
      );
      for (const run of runs) expect(await completedAttempts(run.id)).toHaveLength(1);
    }));

  it('should admit exactly 900 of 1,000 concurrent X attempts for one person spread over all four processes', () =>
    cluster.explain(async () => {
      const userId = `cluster-x-${randomUUID()}`;
      const processes = cluster.running;
      const outcomes = await Promise.all(processes.map((process) => process.request<Record<string, number>>({ op: 'acquire-x', userId, attempts: 250 })));

      const total = (outcome: string) => outcomes.reduce((sum, counts) => sum + (counts[outcome] ?? 0), 0);
      expect({ admitted: total('admitted'), refused: total('refused') }).toEqual({ admitted: 900, refused: 100 });
      expect(outcomes.flatMap((counts) => Object.keys(counts).filter((outcome) => outcome.startsWith('error')))).toEqual([]);
      // The window is the cluster's, not a process's: one more attempt anywhere is refused.
      const after = await Promise.all(processes.map((process) => process.request<Record<string, number>>({ op: 'acquire-x', userId, attempts: 1 })));
      expect(after).toEqual(processes.map(() => ({ refused: 1 })));
    }));

  it('should show on one app\u2019s event stream the runs started through the other app and executed by the workers', () =>
    cluster.explain(async () => {
      const userId = `cluster-events-${randomUUID()}`;
      const xUserId = await connectX(userId);
      fakeX.seedGeneratedTweets(xUserId, 5);
      const stream = await openRunEventStream(appA.baseUrl, mintToken(jwtSecret, { userId: 'cluster-operator', admin: true }));
      try {
        expect(stream.status).toBe(200);
        const runId = await sync(appB, userId);
        const completed = await stream.waitFor((event) => event.runId === runId && event.state === 'COMPLETED', 60_000);
        expect(completed).toMatchObject({ runId, job: 'twitter.ingest', state: 'COMPLETED' });
        // appA queued nothing and executes nothing (RUN_WORKER=false): every event came from elsewhere.
        expect(stream.events.filter((event) => event.runId === runId).map((event) => event.state)).toContain('RUNNING');
        expect(JSON.stringify(stream.events)).not.toContain(userId);
      } finally {
        stream.close();
      }
    }));

  it('should leave nothing of a person behind when delete-my-data on one app meets a sync of theirs running on a worker', () =>
    cluster.explain(async () => {
      const userId = `cluster-erase-${randomUUID()}`;
      const xUserId = await connectX(userId);
      fakeX.seedGeneratedTweets(xUserId, 150);
      const held = fakeX.holdNext(TWEETS_ROUTE);
      try {
        const runId = await sync(appA, userId);
        // X has the first page ready for the worker and holds it: the run is in flight.
        await held.arrived;
        const holders = await workersRunning(cluster, runId);
        expect(holders).toHaveLength(1);

        const erased = await call(appB, 'POST', '/api/privacy/delete-my-data', userId);
        expect(erased.status).toBe(200);
        held.release();
        await waitUntil('the worker let go of the run', async () => (await holders[0].request<string[]>({ op: 'active-runs' })).length === 0, 30_000);
      } finally {
        held.release();
      }
      // Whatever the run did after the answer came back, it stored nothing once the person was erased.
      await sleep(500);
      const leftIn = await tablesMentioning(sql, userId);
      expect(leftIn.filter((table) => !KEPT_AFTER_ERASURE.includes(table))).toEqual([]);
      expect((await tablesMentioning(sql, xUserId)).filter((table) => !KEPT_AFTER_ERASURE.includes(table))).toEqual([]);
      const audit = await sql<{ action: string }>('select action from audit_log where user_id = $1', [userId]);
      expect(audit.map((entry) => entry.action)).toContain('User requested full data deletion');
      expect(audit.map((entry) => entry.action)).not.toContain('Tweets ingested');
      // In Redis the person's id is only in the names of rate-limit and throttling windows, which
      // expire on their own (X's window is the longest, 15 minutes); no queued job carries it.
      const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
      try {
        const keys = await scanKeys(redis, `*${userId}*`);
        const ttls = await Promise.all(keys.map(async (key) => ({ key, ttlMs: await redis.pttl(key) })));
        expect(ttls.filter(({ ttlMs }) => ttlMs <= 0 || ttlMs > 15 * 60_000)).toEqual([]);
      } finally {
        redis.disconnect();
      }
    }));

  it('should execute each run once, without duplicate rows, when the worker executing one is killed (SIGKILL) mid-run', () =>
    cluster.explain(async () => {
      const people = await Promise.all(
        ['p1', 'p2', 'p3', 'p4'].map(async (label) => {
          const userId = `cluster-${label}-${randomUUID()}`;
          return { userId, xUserId: '' };
        }),
      );
      // One at a time: the fake X's consent screen answers for the person set last.
      for (const person of people) person.xUserId = await connectX(person.userId);
      const seeded = new Map(people.map((person) => [person.userId, fakeX.seedGeneratedTweets(person.xUserId, 150).map((tweet) => tweet.id).sort()]));
      const earlierRequests = fakeX.requestsTo(TWEETS_ROUTE).length;
      const held = fakeX.holdNext(TWEETS_ROUTE);
      try {
        // Each person asks both apps at once: one run per person across instances.
        const runIds = await Promise.all(
          people.map(async (person) => {
            const [first, second] = await Promise.all([sync(appA, person.userId), sync(appB, person.userId)]);
            expect(second).toBe(first);
            return first;
          }),
        );
        await held.arrived;
        const heldXUser = fakeX.requestsTo(TWEETS_ROUTE)[earlierRequests].path.split('/')[3];
        const heldRun = runIds[people.findIndex((person) => person.xUserId === heldXUser)];
        const [victim] = await workersRunning(cluster, heldRun);
        expect(victim).toBeDefined();
        expect(await victim.request<string[]>({ op: 'active-runs' })).toContain(heldRun);

        victim.kill('SIGKILL');
        expect(await victim.exited).toMatchObject({ signal: 'SIGKILL' });
        held.release();
        await waitForRunsToFinish(runIds, 150_000);

        for (const [index, person] of people.entries()) {
          const runs = await runsOf(person.userId);
          expect(runs.map((run) => ({ id: run.id, state: run.state }))).toEqual([{ id: runIds[index], state: 'COMPLETED' }]);
          expect(await completedAttempts(runIds[index])).toHaveLength(1);
          const stored = await sql<{ tweet_id: string; run_id: string }>('select tweet_id, run_id from twitter_data where user_id = $1 order by tweet_id', [
            person.userId,
          ]);
          expect(stored.map((row) => row.tweet_id)).toEqual(seeded.get(person.userId));
          expect(new Set(stored.map((row) => row.run_id))).toEqual(new Set([runIds[index]]));
          const ingested = await sql('select id from audit_log where user_id = $1 and action = $2', [person.userId, 'Tweets ingested']);
          expect(ingested).toHaveLength(1);
        }
        const resumed = (await runsOf(people.find((person) => person.xUserId === heldXUser)!.userId))[0];
        expect(resumed.attempts).toBe(2);
      } finally {
        held.release();
      }
    }));
});

async function scanKeys(redis: Redis, pattern: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    keys.push(...batch);
    cursor = next;
  } while (cursor !== '0');
  return keys;
}

/** The worker processes executing `runId` right now. */
async function workersRunning(cluster: Cluster, runId: string): Promise<ClusterProcess[]> {
  const active = await Promise.all(cluster.workers.map(async (worker) => ({ worker, runs: await worker.request<string[]>({ op: 'active-runs' }) })));
  return active.filter(({ runs }) => runs.includes(runId)).map(({ worker }) => worker);
}

/** The tables of the public schema with a row whose text contains `needle` (every column, JSON included). */
async function tablesMentioning(sql: <T>(text: string, params?: unknown[]) => Promise<T[]>, needle: string): Promise<string[]> {
  const tables = await sql<{ table_name: string }>(
    "select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' and table_name <> 'mikro_orm_migrations' order by table_name",
  );
  const found: string[] = [];
  for (const { table_name: table } of tables) {
    const [row] = await sql<{ n: number }>(`select count(*)::int as n from "${table}" t where strpos(t::text, $1) > 0`, [needle]);
    if (row.n > 0) found.push(table);
  }
  return found;
}
