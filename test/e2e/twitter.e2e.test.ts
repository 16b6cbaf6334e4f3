// The Twitter module through the HTTP API and the real twitter-api-v2 client against the fake X
// server: ingestion runs (redacted storage, since_id, pagination, no duplicates, token refresh),
// X's rate limit delaying the run, the circuit breaker, the daily deletion check, and a run
// executed by a separate `npm run worker` process.
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { RunFlow } from '../../src/core/jobs/entities/workflow-run.entity';
import { RunQueue } from '../../src/core/jobs/run-queue';
import { RunsService } from '../../src/core/jobs/runs.service';
import { CircuitBreakerStore } from '../../src/modules/twitter/circuit-breaker.store';
import { XCircuitBreaker } from '../../src/modules/twitter/x-circuit-breaker';
import { FakeXServer } from '../fakes/fake-x-server';
import { startTestApp, TestApp } from '../utils/test-app';
import { TEST_DATABASE_URL, TEST_REDIS_URL, TEST_SECRETS_ENV } from '../utils/test-env';
import { connectXAccount, waitForIdleWorker, waitForRun } from '../utils/x-account';

const TIMELINE = 'GET /2/users/:id/tweets' as const;
const LOOKUP = 'GET /2/tweets' as const;
const EMAIL = /[\w.+-]+@[\w-]+\.[\w.]+/;
const PHONE = /\+\d{1,3}[\s\d-]{8,}/;
const URL_PATTERN = /https?:\/\//;

function xEnv(fakeX: FakeXServer): Record<string, string> {
  return {
    TWITTER_CLIENT_ID: fakeX.clientId,
    TWITTER_CLIENT_SECRET: fakeX.clientSecret,
    TWITTER_API_BASE_URL: fakeX.baseUrl,
    TWITTER_AUTHORIZE_URL: fakeX.authorizeUrl,
  };
}

interface TweetRow {
  tweet_id: string;
  text: string;
  run_id: string;
  fetched_at: string;
}

describe('Twitter (server mode, fake X)', () => {
  const fakeX = new FakeXServer();
  let sut: TestApp;
  const bearer = (userId: string) => ({ Authorization: `Bearer ${sut.token(userId)}` });
  const tweetRows = (userId: string) =>
    sut.em().getConnection().execute<TweetRow[]>('select tweet_id, text, run_id, fetched_at from twitter_data where user_id = ? order by tweet_id', [userId]);

  /** Every stored tweet of the person as the API shows it (the table holds the text sealed). */
  async function tweetsThroughApi(userId: string): Promise<Array<{ tweetId: string; text: string }>> {
    const all: Array<{ tweetId: string; text: string }> = [];
    for (let before: string | undefined; ; ) {
      const response = await sut.http.get('/api/twitter/tweets').query({ limit: 100, ...(before ? { before } : {}) }).set(bearer(userId));
      expect(response.status).toBe(200);
      const page = response.body as Array<{ tweetId: string; text: string }>;
      all.push(...page);
      if (page.length < 100) return all;
      before = page[page.length - 1].tweetId;
    }
  }

  async function sync(userId: string): Promise<string> {
    const response = await sut.http.post('/api/twitter/sync').set(bearer(userId));
    expect(response.status).toBe(202);
    expect(Object.keys(response.body)).toEqual(['runId']);
    return response.body.runId as string;
  }

  /** Starts an ingestion run of a new account; returns once X has answered its first page, the answer held back. */
  async function syncWithXAnswerHeld() {
    const account = await connectXAccount(sut, fakeX);
    fakeX.seedGeneratedTweets(account.xUserId, 30);
    const held = fakeX.holdNext(TIMELINE);
    const runId = await sync(account.userId);
    await held.arrived;
    return { account, runId, held };
  }

  beforeAll(async () => {
    await fakeX.start();
    sut = await startTestApp({ env: xEnv(fakeX) });
  });
  beforeEach(async () => {
    await sut.resetDatabase();
    fakeX.reset();
    const breaker = sut.app.get(XCircuitBreaker, { strict: false });
    await sut.app.get(CircuitBreakerStore, { strict: false }).recordSuccess(breaker.name);
  });
  afterAll(async () => {
    await sut?.close();
    await fakeX.stop();
  });

  it('should store the timeline with PII redacted, page through it and audit the run', async () => {
    const account = await connectXAccount(sut, fakeX);
    const seeded = fakeX.seedGeneratedTweets(account.xUserId, 250, { piiEvery: 3 });

    const run = await waitForRun(sut, await sync(account.userId));

    expect(run).toMatchObject({ state: 'COMPLETED', attempts: 1, result: { fetched: 250, stored: 250, truncated: false } });
    const requests = fakeX.requestsTo(TIMELINE);
    expect(requests).toHaveLength(3);
    expect(requests.map((request) => request.query.max_results)).toEqual(['100', '100', '100']);
    expect(requests[0]?.query.since_id).toBeUndefined();
    expect(requests[0]?.query.pagination_token).toBeUndefined();
    expect(requests[1]?.query.pagination_token).toBeDefined();
    const rows = await tweetRows(account.userId);
    expect(rows).toHaveLength(250);
    expect(new Set(rows.map((row) => row.tweet_id))).toEqual(new Set(seeded.map((tweet) => tweet.id)));
    for (const row of rows) {
      // Sealed under the person's data key: nothing of the tweet is readable in the table.
      expect(row.text).toMatch(/^c1:[A-Za-z0-9_-]+:[A-Za-z0-9+/=]+$/);
      expect(row.run_id).toBe(run.id);
      expect(new Date(row.fetched_at).getTime()).toBeGreaterThanOrEqual(run.startedAt!.getTime() - 1000);
    }
    const listed = await tweetsThroughApi(account.userId);
    expect(new Set(listed.map((tweet) => tweet.tweetId))).toEqual(new Set(seeded.map((tweet) => tweet.id)));
    for (const tweet of listed) {
      expect(tweet.text).not.toMatch(EMAIL);
      expect(tweet.text).not.toMatch(PHONE);
      expect(tweet.text).not.toMatch(URL_PATTERN);
    }
    const emailTweet = seeded.find((tweet) => tweet.text.startsWith('Email me at'));
    expect(listed.find((tweet) => tweet.tweetId === emailTweet?.id)?.text).toBe('Email me at [EMAIL] about the launch, great news!');
    const audit = await sut.em().getConnection().execute('select action, category, details from audit_log where user_id = ?', [account.userId]);
    expect(audit).toEqual([{ action: 'Tweets ingested', category: 'twitter', details: { count: 250, fetched: 250, runId: run.id } }]);
  });

  it('should list the own stored tweets newest first, page by page', async () => {
    const account = await connectXAccount(sut, fakeX);
    const seeded = fakeX.seedGeneratedTweets(account.xUserId, 45, { piiEvery: 0 });
    await waitForRun(sut, await sync(account.userId));
    const other = await connectXAccount(sut, fakeX);
    fakeX.seedGeneratedTweets(other.xUserId, 3);
    await waitForRun(sut, await sync(other.userId));

    const seen: string[] = [];
    let before: string | undefined;
    for (;;) {
      const response = await sut.http.get('/api/twitter/tweets').query({ limit: 20, ...(before ? { before } : {}) }).set(bearer(account.userId));
      expect(response.status).toBe(200);
      const page = response.body as { tweetId: string; text: string; createdAt: string; fetchedAt: string; lang: string }[];
      if (page.length === 0) break;
      expect(Object.keys(page[0] ?? {}).sort()).toEqual(['createdAt', 'fetchedAt', 'lang', 'text', 'tweetId']);
      seen.push(...page.map((tweet) => tweet.tweetId));
      before = page[page.length - 1]?.tweetId;
    }

    expect(seen).toEqual([...seeded].reverse().map((tweet) => tweet.id));
  });

  it('should answer 400 to a bad page query and 404 to a tweet id that is not one of the caller\'s', async () => {
    const account = await connectXAccount(sut, fakeX);
    const other = await connectXAccount(sut, fakeX);
    const [othersTweet] = fakeX.seedGeneratedTweets(other.xUserId, 1);
    await waitForRun(sut, await sync(other.userId));

    const tooMany = await sut.http.get('/api/twitter/tweets').query({ limit: 101 }).set(bearer(account.userId));
    const notAnId = await sut.http.get('/api/twitter/tweets').query({ before: 'abc' }).set(bearer(account.userId));
    const unknownField = await sut.http.get('/api/twitter/tweets').query({ offset: 3 }).set(bearer(account.userId));
    const notMine = await sut.http.get('/api/twitter/tweets').query({ before: othersTweet?.id }).set(bearer(account.userId));

    expect(tooMany.status).toBe(400);
    expect(tooMany.body.message).toContain('limit');
    expect(notAnId.status).toBe(400);
    expect(notAnId.body.message).toContain('before');
    expect(unknownField.status).toBe(400);
    expect(notMine.status).toBe(404);
    expect(notMine.body).toMatchObject({ code: 'TWEET_NOT_FOUND' });
  });

  it('should fetch only newer tweets with since_id on the next sync and never store one twice', async () => {
    const account = await connectXAccount(sut, fakeX);
    const first = fakeX.seedGeneratedTweets(account.xUserId, 30, { endAt: new Date(Date.now() - 60 * 60_000) });
    await waitForRun(sut, await sync(account.userId));
    const newest = first[first.length - 1];
    const added = fakeX.seedGeneratedTweets(account.xUserId, 5, { endAt: new Date(), intervalMs: 60_000 });
    fakeX.requests.length = 0;

    const second = await waitForRun(sut, await sync(account.userId));
    const third = await waitForRun(sut, await sync(account.userId));

    expect(second.result).toMatchObject({ fetched: 5, stored: 5 });
    expect(third.result).toMatchObject({ fetched: 0, stored: 0 });
    const [secondRequest, thirdRequest] = fakeX.requestsTo(TIMELINE);
    expect(secondRequest?.query.since_id).toBe(newest?.id);
    expect(thirdRequest?.query.since_id).toBe(added[added.length - 1]?.id);
    expect(await tweetRows(account.userId)).toHaveLength(35);
  });

  it('should store each tweet once when two ingestion runs of a user race', async () => {
    const account = await connectXAccount(sut, fakeX);
    fakeX.seedGeneratedTweets(account.xUserId, 120);
    const runs = sut.app.get(RunsService);

    const started = await Promise.all([
      runs.startRun(RunFlow.INGESTION, 'twitter.ingest', account.userId, { userId: account.userId }),
      runs.startRun(RunFlow.INGESTION, 'twitter.ingest', account.userId, { userId: account.userId }),
    ]);
    const finished = await Promise.all(started.map((run) => waitForRun(sut, run.id)));

    expect(finished.map((run) => run.state)).toEqual(['COMPLETED', 'COMPLETED']);
    const stored = finished.map((run) => (run.result as { stored: number }).stored);
    expect(stored[0]! + stored[1]!).toBe(120);
    expect(await tweetRows(account.userId)).toHaveLength(120);
  });

  it('should store nothing when delete-my-data ran elsewhere while the run was fetching from X', async () => {
    const { account, runId, held } = await syncWithXAnswerHeld();

    // What the erasure does to the run and the tweets, on another instance: this process's worker
    // gets no abort, and its cancellation poll (every 2 s) has not come round yet.
    await sut.em().transactional(async (em) => {
      await em.execute("update workflow_runs set state = 'CANCELLED' where id = ?", [runId]);
      await em.execute('delete from run_logs where user_id = ?', [account.userId]);
      await em.execute('delete from workflow_runs where user_id = ?', [account.userId]);
      await em.execute('delete from twitter_data where user_id = ?', [account.userId]);
    });
    held.release();
    await waitForIdleWorker(sut);

    expect(fakeX.requestsTo(TIMELINE)).toHaveLength(1);
    expect(await tweetRows(account.userId)).toEqual([]);
    const left = await sut.em().getConnection().execute('select count(*)::int as n from run_logs where user_id = ?', [account.userId]);
    expect(left).toEqual([{ n: 0 }]);
    const audit = await sut.em().getConnection().execute('select action from audit_log where user_id = ?', [account.userId]);
    expect(audit).toEqual([]);
  });

  it('should store nothing X answered while the person was withdrawing consent, and fail the run', async () => {
    const { account, runId, held } = await syncWithXAnswerHeld();

    const withdrawal = await sut.http.delete('/api/twitter/connection').set(bearer(account.userId));
    expect(withdrawal.status).toBe(204);
    held.release();
    const run = await waitForRun(sut, runId);

    expect(run).toMatchObject({ state: 'FAILED', attempts: 1, errorCode: 'CONSENT_REQUIRED' });
    expect(await tweetRows(account.userId)).toEqual([]);
  });

  it('should return the run under way instead of starting a second one', async () => {
    const account = await connectXAccount(sut, fakeX);
    const runs = sut.app.get(RunsService);
    const pending = await runs.createRun(RunFlow.INGESTION, 'twitter.ingest', account.userId, { userId: account.userId });

    expect(await sync(account.userId)).toBe(pending.id);
  });

  it('should start one run when the same person asks for a sync several times at once', async () => {
    const account = await connectXAccount(sut, fakeX);
    fakeX.seedGeneratedTweets(account.xUserId, 5);

    const runIds = await Promise.all(Array.from({ length: 5 }, () => sync(account.userId)));

    expect(new Set(runIds).size).toBe(1);
    const runs = await sut.em().getConnection().execute<{ id: string }[]>('select id from workflow_runs where user_id = ?', [account.userId]);
    expect(runs.map((run) => run.id)).toEqual([runIds[0]]);
    await waitForRun(sut, runIds[0]);
  });

  it('should refresh an expired access token through the vault before fetching', async () => {
    const account = await connectXAccount(sut, fakeX);
    fakeX.seedGeneratedTweets(account.xUserId, 3);
    fakeX.expireAccessToken(account.accessToken);
    await sut.em().getConnection().execute("update oauth_tokens set access_token_expires_at = now() - interval '1 minute' where user_id = ?", [account.userId]);

    const run = await waitForRun(sut, await sync(account.userId));

    expect(run).toMatchObject({ state: 'COMPLETED', result: { stored: 3 } });
    expect(fakeX.counters.refreshSuccesses).toBe(1);
    expect(fakeX.isRefreshTokenUsable(account.refreshToken ?? '')).toBe(false);
  });

  it('should refuse to sync without consent or subscription and start no run', async () => {
    const noSubscription = await connectXAccount(sut, fakeX, { subscriptionStatus: 'canceled' });

    const withoutConsent = await sut.http.post('/api/twitter/sync').set(bearer('nobody'));
    const withoutSubscription = await sut.http.post('/api/twitter/sync').set(bearer(noSubscription.userId));

    expect(withoutConsent.status).toBe(403);
    expect(withoutConsent.body).toMatchObject({ statusCode: 403, code: 'CONSENT_REQUIRED' });
    expect(withoutSubscription.status).toBe(403);
    expect(withoutSubscription.body).toMatchObject({ code: 'SUBSCRIPTION_INACTIVE' });
    const [{ n }] = await sut.em().getConnection().execute<{ n: number }[]>('select count(*)::int as n from workflow_runs');
    expect(n).toBe(0);
  });

  it("should delay the run on X's 429 and not call X again before the reset it announced", async () => {
    const account = await connectXAccount(sut, fakeX);
    fakeX.seedGeneratedTweets(account.xUserId, 10);
    fakeX.setRateLimit(TIMELINE, 1);
    // Someone else used the token's only request of the window.
    const used = await fetch(`${fakeX.baseUrl}/2/users/${account.xUserId}/tweets?max_results=5`, {
      headers: { Authorization: `Bearer ${account.accessToken}` },
    });
    const resetAt = Number(used.headers.get('x-rate-limit-reset')) * 1000;

    const runId = await sync(account.userId);
    const delayed = await waitForRun(sut, runId, (run) => run.state === 'PENDING' && run.errorCode === 'RATE_LIMITED');

    expect(delayed.attempts).toBe(0);
    expect(delayed.nextAttemptAt?.getTime()).toBeGreaterThanOrEqual(resetAt - 1000);
    expect(fakeX.requestsTo(TIMELINE).map((request) => request.status)).toEqual([200, 429]);
    // Asking again, or another run of the same user, does not reach X before the reset.
    expect(await sync(account.userId)).toBe(runId);
    const other = await sut.app.get(RunsService).startRun(RunFlow.INGESTION, 'twitter.ingest', account.userId, { userId: account.userId });
    const otherDelayed = await waitForRun(sut, other.id, (run) => run.state === 'PENDING' && run.errorCode === 'RATE_LIMITED');
    expect(otherDelayed.nextAttemptAt?.getTime()).toBeGreaterThanOrEqual(resetAt - 1000);
    // Both runs are parked on the queue (delayed jobs) and the worker executes nothing: no call to
    // X is under way, and a job woken early would not call X before nextAttemptAt (the executor
    // checks it; see run-executor.spec).
    const queue = sut.app.get(RunQueue, { strict: false });
    await waitForIdleWorker(sut);
    expect([await queue.isQueued(runId), await queue.isQueued(other.id)]).toEqual([true, true]);
    expect(fakeX.requestsTo(TIMELINE)).toHaveLength(2);
    expect((await waitForRun(sut, runId, () => true)).state).toBe('PENDING');
    const [{ n }] = await sut.em().getConnection().execute<{ n: number }[]>(
      "select count(*)::int as n from compliance_events where kind = 'rate_limit_rejected' and user_id = ?",
      [account.userId],
    );
    expect(n).toBeGreaterThanOrEqual(2);
  });

  it('should open the circuit breaker after repeated 503s, fail fast and say so in the run', async () => {
    const account = await connectXAccount(sut, fakeX);
    fakeX.seedGeneratedTweets(account.xUserId, 10);
    fakeX.failNext(50, 503);

    const runId = await sync(account.userId);
    const run = await waitForRun(sut, runId, (current) => current.errorCode === 'X_CIRCUIT_OPEN');

    expect(run.state).toBe('PENDING');
    expect(run.errorMessage).toContain('circuit breaker open');
    expect(run.nextAttemptAt).not.toBeNull();
    // The threshold's worth of failed calls, then nothing more while it is open.
    expect(fakeX.requestsTo(TIMELINE).map((request) => request.status)).toEqual([503, 503, 503, 503, 503]);
    const logs = await sut.http.get(`/api/runs/${runId}/logs`).set(bearer(account.userId));
    expect(logs.body.map((log: { message: string }) => log.message).join('\n')).toContain('X_CIRCUIT_OPEN');
    const other = await connectXAccount(sut, fakeX);
    const otherRun = await waitForRun(sut, await sync(other.userId), (current) => current.errorCode === 'X_CIRCUIT_OPEN');
    expect(otherRun.state).toBe('PENDING');
    expect(fakeX.requestsTo(TIMELINE)).toHaveLength(5);
    const shown = await sut.http.get(`/api/runs/${runId}`).set(bearer(account.userId));
    expect(shown.body.error).toMatchObject({ code: 'X_CIRCUIT_OPEN' });
  });

  it('should remove tweets deleted on X in the daily deletion check, audit it and skip users without consent', async () => {
    const admin = { Authorization: `Bearer ${sut.token('ops', { admin: true })}` };
    const alice = await connectXAccount(sut, fakeX);
    const bob = await connectXAccount(sut, fakeX);
    const alices = fakeX.seedGeneratedTweets(alice.xUserId, 150);
    fakeX.seedGeneratedTweets(bob.xUserId, 20);
    await waitForRun(sut, await sync(alice.userId));
    await waitForRun(sut, await sync(bob.userId));
    const revoked = await connectXAccount(sut, fakeX);
    fakeX.seedGeneratedTweets(revoked.xUserId, 4);
    await waitForRun(sut, await sync(revoked.userId));
    await sut.em().getConnection().execute('update oauth_tokens set revoked_at = now() where user_id = ?', [revoked.userId]);
    const gone = [alices[0], alices[70], alices[149]].map((tweet) => tweet!.id);
    for (const id of gone) expect(fakeX.deleteTweet(id)).toBe(true);
    fakeX.requests.length = 0;

    const started = await sut.http.post('/api/admin/jobs/twitter_deletion_check/run').set(admin);
    expect(started.status).toBe(202);
    const run = await waitForRun(sut, started.body.runId as string);

    expect(run).toMatchObject({
      state: 'COMPLETED',
      result: { usersChecked: 2, usersSkipped: 1, usersFailed: 0, tweetsChecked: 170, tweetsDeleted: 3, stoppedEarly: false },
    });
    const aliceIds = (await tweetRows(alice.userId)).map((row) => row.tweet_id);
    expect(aliceIds).toHaveLength(147);
    for (const id of gone) expect(aliceIds).not.toContain(id);
    expect(await tweetRows(bob.userId)).toHaveLength(20);
    expect(await tweetRows(revoked.userId)).toHaveLength(4);
    const lookups = fakeX.requestsTo(LOOKUP);
    expect(lookups.map((request) => request.query.ids?.split(',').length).sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual([20, 50, 100]);
    const audit = await sut.em().getConnection().execute(
      "select user_id, details from audit_log where action = 'Tweets deleted on X removed' order by id",
    );
    expect(audit).toEqual([{ user_id: alice.userId, details: { checked: 150, deleted: 3 } }]);
    const jobs = await sut.http.get('/api/admin/jobs').set(admin);
    expect(jobs.body).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'twitter_deletion_check', cron: '0 4 * * *', timeZone: 'UTC' })]));
  });
});

describe('Twitter ingestion executed by a separate worker process (RUN_WORKER=false in the app)', () => {
  const fakeX = new FakeXServer();
  const root = join(__dirname, '..', '..');
  let sut: TestApp;
  let worker: ChildProcess | undefined;
  let dataDir: string;
  const output: string[] = [];

  beforeAll(async () => {
    await fakeX.start();
    sut = await startTestApp({ env: { ...xEnv(fakeX), RUN_WORKER: 'false' } });
    dataDir = mkdtempSync(join(tmpdir(), 'repazoo-worker-'));
    worker = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', join(root, 'src', 'worker.ts')], {
      cwd: root,
      env: {
        ...process.env,
        ...xEnv(fakeX),
        NODE_ENV: 'test',
        DATABASE_URL: TEST_DATABASE_URL,
        REDIS_URL: TEST_REDIS_URL,
        RUNS_QUEUE_NAME: sut.config.jobs.queueName,
        ...TEST_SECRETS_ENV,
        ANTHROPIC_API_KEY: '',
        DATA_DIR: dataDir,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const child = worker;
    createInterface({ input: child.stderr! }).on('line', (line) => output.push(line));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`worker did not start: ${output.join('\n')}`)), 90_000);
      createInterface({ input: child.stdout! }).on('line', (line) => {
        output.push(line);
        if (line.includes('"worker started"')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`worker exited with ${code}: ${output.join('\n')}`));
      });
    });
  }, 120_000);
  afterAll(async () => {
    if (worker && worker.exitCode === null && worker.signalCode === null) {
      const exited = new Promise((resolve) => worker?.once('exit', resolve));
      worker.kill('SIGTERM');
      await exited;
    }
    await sut?.close();
    await fakeX.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('should have the worker process execute the ingestion run the API queued', async () => {
    await sut.resetDatabase();
    const account = await connectXAccount(sut, fakeX);
    fakeX.seedGeneratedTweets(account.xUserId, 12);

    const response = await sut.http.post('/api/twitter/sync').set({ Authorization: `Bearer ${sut.token(account.userId)}` });
    const run = await waitForRun(sut, response.body.runId as string);

    expect(run).toMatchObject({ state: 'COMPLETED', result: { fetched: 12, stored: 12 } });
    expect(sut.config.jobs.runWorker).toBe(false);
    const [{ n }] = await sut.em().getConnection().execute<{ n: number }[]>('select count(*)::int as n from twitter_data where user_id = ?', [account.userId]);
    expect(n).toBe(12);
    expect(output.join('\n')).toContain(`run worker started on BullMQ queue \\"${sut.config.jobs.queueName}\\"`);
  });
});
