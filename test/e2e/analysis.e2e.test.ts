// The Analysis module through the HTTP API and the real @anthropic-ai/sdk against the fake
// Anthropic server: stored results mapped back to tweet ids, the model per tier, the monthly quota
// (429 QUOTA_EXCEEDED), strict answer validation, no PII in any request, and the local lexicon
// analyser in embedded mode (PGlite) without an API key.
import { randomUUID } from 'node:crypto';
import { RunFlow } from '../../src/core/jobs/entities/workflow-run.entity';
import { RunsService } from '../../src/core/jobs/runs.service';
import { quotaMonthOf } from '../../src/modules/analysis/analysis-quota';
import { RECORD_SENTIMENT_TOOL } from '../../src/modules/analysis/sentiment';
import { FakeAnthropicServer } from '../fakes/fake-anthropic-server';
import { FakeXServer } from '../fakes/fake-x-server';
import { startTestApp, TestApp } from '../utils/test-app';
import { ConnectedAccount, connectXAccount, waitForIdleWorker, waitForRun, waitUntil } from '../utils/x-account';

const MODEL_BASIC = 'claude-test-basic';
const MODEL_PRO = 'claude-test-pro';

function xEnv(fakeX: FakeXServer): Record<string, string> {
  return {
    TWITTER_CLIENT_ID: fakeX.clientId,
    TWITTER_CLIENT_SECRET: fakeX.clientSecret,
    TWITTER_API_BASE_URL: fakeX.baseUrl,
    TWITTER_AUTHORIZE_URL: fakeX.authorizeUrl,
  };
}

interface AnalysisBody {
  id: string;
  runId: string;
  provider: string;
  model: string;
  overall: string;
  score: number;
  summary: string;
  tweetCount: number;
  tweets: { tweetId: string; sentiment: string; score: number }[];
  createdAt: string;
}

/** Connects an account, seeds its X timeline and ingests it through the real sync run. */
async function ingestedAccount(
  testApp: TestApp,
  fakeX: FakeXServer,
  count: number,
  options: { tier?: 'basic' | 'pro' } = {},
): Promise<ConnectedAccount> {
  const account = await connectXAccount(testApp, fakeX, options);
  fakeX.seedGeneratedTweets(account.xUserId, count, { piiEvery: 2 });
  const response = await testApp.http.post('/api/twitter/sync').set({ Authorization: `Bearer ${testApp.token(account.userId)}` });
  expect(response.status).toBe(202);
  const run = await waitForRun(testApp, response.body.runId as string);
  expect(run.state).toBe('COMPLETED');
  return account;
}

async function count(testApp: TestApp, sql: string, params: unknown[] = []): Promise<number> {
  const [{ n }] = await testApp.em().getConnection().execute<{ n: number }[]>(`select count(*)::int as n ${sql}`, params);
  return n;
}

/** Analyses stored earlier this month (or before it), as if the user had run them. */
async function plantAnalyses(testApp: TestApp, userId: string, howMany: number, createdAt: Date): Promise<void> {
  await testApp
    .em()
    .getConnection()
    .execute(
      `insert into analyses (id, user_id, run_id, provider, model, overall, score, summary, tweet_count, tweets, created_at)
       select gen_random_uuid(), ?, gen_random_uuid(), 'local', 'lexicon-v1', 'neutral', 0, 'planted', 0, '[]'::jsonb, ?
       from generate_series(1, ?)`,
      [userId, createdAt, howMany],
    );
}

describe('Analysis (server mode, fake Anthropic)', () => {
  const fakeX = new FakeXServer();
  const fakeAnthropic = new FakeAnthropicServer();
  let sut: TestApp;
  const bearer = (userId: string) => ({ Authorization: `Bearer ${sut.token(userId)}` });

  async function analyse(userId: string): Promise<string> {
    const response = await sut.http.post('/api/analysis/sentiment').set(bearer(userId));
    expect(response.status).toBe(202);
    expect(Object.keys(response.body)).toEqual(['runId']);
    return response.body.runId as string;
  }

  beforeAll(async () => {
    await Promise.all([fakeX.start(), fakeAnthropic.start()]);
    sut = await startTestApp({
      env: {
        ...xEnv(fakeX),
        ANTHROPIC_API_KEY: fakeAnthropic.apiKey,
        ANTHROPIC_BASE_URL: fakeAnthropic.baseUrl,
        ANALYSIS_MODEL_BASIC: MODEL_BASIC,
        ANALYSIS_MODEL_PRO: MODEL_PRO,
      },
    });
  });
  beforeEach(async () => {
    await sut.resetDatabase();
    fakeX.reset();
    fakeAnthropic.reset();
  });
  afterAll(async () => {
    await sut?.close();
    await Promise.all([fakeX.stop(), fakeAnthropic.stop()]);
  });

  it("should analyse the newest 100 stored tweets with the tier's model, store the result by tweet id and count the quota", async () => {
    const account = await ingestedAccount(sut, fakeX, 120);

    const run = await waitForRun(sut, await analyse(account.userId));

    expect(run).toMatchObject({ state: 'COMPLETED', attempts: 1, result: { provider: 'anthropic', model: MODEL_BASIC, tweetCount: 100 } });
    expect(fakeAnthropic.requests).toHaveLength(1);
    const request = fakeAnthropic.requests[0]!;
    expect(request.body).toMatchObject({
      model: MODEL_BASIC,
      tool_choice: { type: 'tool', name: 'record_sentiment' },
      tools: [{ name: 'record_sentiment', input_schema: RECORD_SENTIMENT_TOOL.input_schema }],
    });
    expect(String(request.body?.system)).toContain('Do not infer, guess or mention the author');
    // Tweet text is sealed in the table: read through the API, as the person sees it.
    const tweets = await sut.http.get('/api/twitter/tweets').query({ limit: 100 }).set(bearer(account.userId));
    expect(tweets.status).toBe(200);
    const newest = (tweets.body as Array<{ tweetId: string; text: string }>).map((tweet) => ({ tweet_id: tweet.tweetId, text: tweet.text }));
    const listed = await sut.http.get('/api/analysis').set(bearer(account.userId));
    expect(listed.status).toBe(200);
    const [analysis] = listed.body as AnalysisBody[];
    expect(analysis).toMatchObject({ runId: run.id, provider: 'anthropic', model: MODEL_BASIC, tweetCount: 100, id: (run.result as { analysisId: string }).analysisId });
    expect(analysis!.tweets.map((tweet) => tweet.tweetId)).toEqual(newest.map((row) => row.tweet_id));
    const disappointed = newest.find((row) => row.text.includes('disappointed'));
    const loving = newest.find((row) => row.text.startsWith('Loving'));
    expect(disappointed).toBeDefined();
    expect(analysis!.tweets.find((tweet) => tweet.tweetId === disappointed?.tweet_id)?.sentiment).toBe('negative');
    expect(analysis!.tweets.find((tweet) => tweet.tweetId === loving?.tweet_id)?.sentiment).toBe('positive');
    expect(analysis!.summary).toMatch(/^100 tweets: \d+ positive, \d+ negative, \d+ neutral\.$/);
    const single = await sut.http.get(`/api/analysis/${analysis!.id}`).set(bearer(account.userId));
    expect(single.body).toEqual(analysis);
    const quota = await sut.http.get('/api/analysis/quota').set(bearer(account.userId));
    expect(quota.body).toEqual({ tier: 'basic', used: 1, limit: 100, resetsAt: quotaMonthOf(new Date()).end.toISOString() });
    const audit = await sut.em().getConnection().execute("select details from audit_log where user_id = ? and action = 'Sentiment analysis completed'", [account.userId]);
    expect(audit).toEqual([{ details: { analysisId: analysis!.id, provider: 'anthropic', model: MODEL_BASIC, tweetCount: 100 } }]);
  });

  it('should route pro subscribers to the pro model and give them the pro quota', async () => {
    const account = await ingestedAccount(sut, fakeX, 5, { tier: 'pro' });

    const run = await waitForRun(sut, await analyse(account.userId));

    expect(run.result).toMatchObject({ model: MODEL_PRO, tweetCount: 5 });
    expect(fakeAnthropic.requests[0]?.body?.model).toBe(MODEL_PRO);
    const quota = await sut.http.get('/api/analysis/quota').set(bearer(account.userId));
    expect(quota.body).toMatchObject({ tier: 'pro', used: 1, limit: 1000 });
  });

  it('should send no email, phone number, @handle or URL of the seeded tweets in any request to Anthropic', async () => {
    const account = await ingestedAccount(sut, fakeX, 40);
    // Rows stored before redaction existed (or by a bug) must still be caught by the prompt profile.
    const legacy = [
      'Contact bob.smith@corp.example or +1 212-555-0199, portfolio at https://bob.example/cv, thanks @bob_smith!',
      'Meeting @carol_w at 10, dial +44 20 7946 0018, notes on http://notes.example.org/x?id=7',
    ];
    for (const [index, text] of legacy.entries()) {
      await sut.em().getConnection().execute(
        'insert into twitter_data (id, user_id, tweet_id, text, lang, tweet_created_at, fetched_at) values (?, ?, ?, ?, ?, ?, now())',
        [randomUUID(), account.userId, String(9_000_000_000_000_000_000n + BigInt(index)), text, 'en', new Date(Date.now() + 60_000)],
      );
    }
    const seededTexts = [...fakeX.tweetsOf(account.xUserId).map((tweet) => tweet.text), ...legacy];
    const pii = new Set<string>();
    for (const text of seededTexts) {
      for (const match of text.matchAll(/[\w.+-]+@[\w-]+\.[\w.]+|@\w+|https?:\/\/\S+|\+\d[\d\s-]{7,}\d/g)) pii.add(match[0].replace(/[,!.]+$/, ''));
    }
    expect(pii.size).toBeGreaterThan(20);

    await waitForRun(sut, await analyse(account.userId));
    fakeAnthropic.respondWith('malformed');
    await waitForRun(sut, await analyse(account.userId));

    expect(fakeAnthropic.requests).toHaveLength(2);
    for (const request of fakeAnthropic.requests) {
      for (const value of pii) expect(request.rawBody).not.toContain(value);
      expect(request.rawBody).not.toMatch(/@\w/);
      expect(request.rawBody).not.toMatch(/https?:\/\//);
      expect(request.promptText).toContain('[USER_');
    }
  });

  it('should fail the run with ANALYSIS_INVALID_ANSWER and store nothing when the tool answer breaks the schema', async () => {
    const account = await ingestedAccount(sut, fakeX, 6);
    fakeAnthropic.respondWith('malformed', 'text_only', { toolInput: { overall: 'positive', score: 0.5, summary: 'ok', tweets: [{ ref: 'T99', sentiment: 'positive', score: 0.5 }] } });

    const runs = [];
    for (let i = 0; i < 3; i++) runs.push(await waitForRun(sut, await analyse(account.userId)));

    for (const run of runs) expect(run).toMatchObject({ state: 'FAILED', attempts: 1, errorCode: 'ANALYSIS_INVALID_ANSWER' });
    expect(runs[0]?.errorMessage).toContain('overall must be one of');
    expect(runs[1]?.errorMessage).toContain('no record_sentiment tool call');
    expect(runs[2]?.errorMessage).toContain('is not a reference the prompt gave');
    expect(await count(sut, 'from analyses')).toBe(0);
    const quota = await sut.http.get('/api/analysis/quota').set(bearer(account.userId));
    expect(quota.body).toMatchObject({ used: 0 });
  });

  it('should store no analysis when delete-my-data ran elsewhere while the model was answering', async () => {
    const account = await ingestedAccount(sut, fakeX, 6);
    fakeAnthropic.respondWith({ delayMs: 800, then: 'default' });
    const runId = await analyse(account.userId);
    await waitUntil('the request reached Anthropic', () => fakeAnthropic.requests.length === 1);

    // What the erasure does, on another instance: this worker gets no abort, and its cancellation
    // poll (every 2 s) has not come round before the answer arrives.
    await sut.em().transactional(async (em) => {
      await em.execute("update workflow_runs set state = 'CANCELLED' where id = ?", [runId]);
      for (const table of ['run_logs', 'workflow_runs', 'twitter_data', 'analyses']) {
        await em.execute(`delete from ${table} where user_id = ?`, [account.userId]);
      }
    });
    await waitForIdleWorker(sut);

    expect(await count(sut, 'from analyses where user_id = ?', [account.userId])).toBe(0);
    expect(await count(sut, 'from run_logs where user_id = ?', [account.userId])).toBe(0);
    expect(await count(sut, "from audit_log where user_id = ? and action = 'Sentiment analysis completed'", [account.userId])).toBe(0);
  });

  it('should store no analysis when the person withdrew consent while the model was answering, and fail the run', async () => {
    const account = await ingestedAccount(sut, fakeX, 6);
    fakeAnthropic.respondWith({ delayMs: 800, then: 'default' });
    const runId = await analyse(account.userId);
    await waitUntil('the request reached Anthropic', () => fakeAnthropic.requests.length === 1);

    const withdrawal = await sut.http.delete('/api/twitter/connection').set(bearer(account.userId));
    expect(withdrawal.status).toBe(204);
    const run = await waitForRun(sut, runId);

    expect(run).toMatchObject({ state: 'FAILED', attempts: 1, errorCode: 'CONSENT_REQUIRED' });
    expect(await count(sut, 'from analyses where user_id = ?', [account.userId])).toBe(0);
  });

  it('should answer 429 QUOTA_EXCEEDED and record a compliance event once the month is used up', async () => {
    const account = await ingestedAccount(sut, fakeX, 3);
    const month = quotaMonthOf(new Date());
    await plantAnalyses(sut, account.userId, 100, new Date(month.start.getTime() + 60_000));

    const refused = await sut.http.post('/api/analysis/sentiment').set(bearer(account.userId));

    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ statusCode: 429, code: 'QUOTA_EXCEEDED' });
    expect(refused.body.message).toContain(month.end.toISOString());
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(await count(sut, "from workflow_runs where job_name = 'analysis.sentiment'")).toBe(0);
    const events = await sut.em().getConnection().execute("select user_id, details from compliance_events where kind = 'quota_exceeded'");
    expect(events).toEqual([{ user_id: account.userId, details: { tier: 'basic', used: 100, inFlight: 0, limit: 100 } }]);
    expect(fakeAnthropic.requests).toHaveLength(0);
  });

  it('should keep counting the month after delete-my-data: erasing, reconnecting and resyncing do not start the quota over', async () => {
    const account = await ingestedAccount(sut, fakeX, 5);
    const run = await waitForRun(sut, await analyse(account.userId));
    expect(run.state).toBe('COMPLETED');

    const erased = await sut.http.post('/api/privacy/delete-my-data').set(bearer(account.userId));
    expect(erased.status).toBe(200);
    expect(await count(sut, 'from analyses where user_id = ?', [account.userId])).toBe(0);
    await connectXAccount(sut, fakeX, { userId: account.userId, subscriptionStatus: null });
    const quota = await sut.http.get('/api/analysis/quota').set(bearer(account.userId));

    expect(quota.body).toMatchObject({ tier: 'basic', used: 1, limit: 100 });
    // The counter names no one: a keyed hash, not the id, and only this month's row.
    const rows = await sut.em().getConnection().execute('select subject, month, used from analysis_quota_usage');
    expect(rows).toEqual([{ subject: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), month: expect.anything(), used: 1 }]);
    expect(JSON.stringify(rows)).not.toContain(account.userId);
  });

  it("should not count last month's analyses, and should count runs still under way", async () => {
    const account = await ingestedAccount(sut, fakeX, 3);
    const month = quotaMonthOf(new Date());
    await plantAnalyses(sut, account.userId, 100, new Date(month.start.getTime() - 60_000));
    await plantAnalyses(sut, account.userId, 98, new Date(month.start.getTime() + 60_000));

    const allowed = await waitForRun(sut, await analyse(account.userId));
    expect(allowed.state).toBe('COMPLETED');
    await sut.app.get(RunsService).createRun(RunFlow.ANALYSIS, 'analysis.sentiment', account.userId, { userId: account.userId });
    const refused = await sut.http.post('/api/analysis/sentiment').set(bearer(account.userId));

    expect(refused.status).toBe(429);
    expect(refused.body.code).toBe('QUOTA_EXCEEDED');
    const quota = await sut.http.get('/api/analysis/quota').set(bearer(account.userId));
    expect(quota.body).toMatchObject({ used: 99, limit: 100 });
  });

  it('should never let concurrent requests take more than the quota', async () => {
    const account = await ingestedAccount(sut, fakeX, 3);
    await plantAnalyses(sut, account.userId, 97, new Date());

    const answers = await Promise.all(Array.from({ length: 8 }, () => sut.http.post('/api/analysis/sentiment').set(bearer(account.userId))));

    const admitted = answers.filter((answer) => answer.status === 202);
    expect(admitted).toHaveLength(3);
    expect(answers.filter((answer) => answer.status === 429)).toHaveLength(5);
    const finished = await Promise.all(admitted.map((answer) => waitForRun(sut, answer.body.runId as string)));
    expect(finished.map((run) => run.state)).toEqual(['COMPLETED', 'COMPLETED', 'COMPLETED']);
    expect(await count(sut, 'from analyses where user_id = ?', [account.userId])).toBe(100);
  });

  it('should refuse without an active subscription and fail a run with nothing to analyse', async () => {
    const cancelled = await connectXAccount(sut, fakeX, { subscriptionStatus: 'canceled' });
    const empty = await connectXAccount(sut, fakeX);

    const refused = await sut.http.post('/api/analysis/sentiment').set(bearer(cancelled.userId));
    const nothing = await waitForRun(sut, await analyse(empty.userId));
    const noSubscription = await sut.http.get('/api/analysis/quota').set(bearer('no-subscription'));

    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('SUBSCRIPTION_INACTIVE');
    expect(nothing).toMatchObject({ state: 'FAILED', errorCode: 'ANALYSIS_NO_TWEETS' });
    expect(noSubscription.body).toMatchObject({ tier: null, used: 0, limit: 0 });
  });

  it("should answer 404 for an unknown or another user's analysis and 400 for a bad page query", async () => {
    const account = await ingestedAccount(sut, fakeX, 3);
    const run = await waitForRun(sut, await analyse(account.userId));
    const analysisId = (run.result as { analysisId: string }).analysisId;

    expect((await sut.http.get(`/api/analysis/${analysisId}`).set(bearer('someone-else'))).status).toBe(404);
    expect((await sut.http.get('/api/analysis/not-a-uuid').set(bearer(account.userId))).status).toBe(404);
    expect((await sut.http.get('/api/analysis').query({ before: randomUUID() }).set(bearer(account.userId))).status).toBe(404);
    expect((await sut.http.get('/api/analysis').query({ limit: 0 }).set(bearer(account.userId))).status).toBe(400);
    expect((await sut.http.get('/api/analysis').set(bearer('someone-else'))).body).toEqual([]);
  });
});

describe('Sync and analysis in embedded mode (PGlite) without ANTHROPIC_API_KEY: the local lexicon', () => {
  const fakeX = new FakeXServer();
  let sut: TestApp;

  beforeAll(async () => {
    await fakeX.start();
    sut = await startTestApp({ mode: 'embedded', env: xEnv(fakeX) });
  });
  afterAll(async () => {
    await sut?.close();
    await fakeX.stop();
  });

  it('should ingest the timeline and analyse it locally, saying provider "local"', async () => {
    expect(sut.config.mode).toBe('embedded');
    expect(sut.config.anthropic.apiKey).toBeUndefined();
    const account = await ingestedAccount(sut, fakeX, 12);
    const bearer = { Authorization: `Bearer ${sut.token(account.userId)}` };

    const started = await sut.http.post('/api/analysis/sentiment').set(bearer);
    const run = await waitForRun(sut, started.body.runId as string);

    expect(run).toMatchObject({ state: 'COMPLETED', result: { provider: 'local', model: 'lexicon-v1', tweetCount: 12 } });
    const [analysis] = (await sut.http.get('/api/analysis').set(bearer)).body as AnalysisBody[];
    expect(analysis).toMatchObject({ provider: 'local', model: 'lexicon-v1', tweetCount: 12 });
    expect(analysis!.summary).toContain('local lexicon analysis');
    const stored = await sut.em().getConnection().execute<{ tweet_id: string; text: string }[]>(
      'select tweet_id, text from twitter_data where user_id = ?',
      [account.userId],
    );
    const textOf = new Map(stored.map((row) => [row.tweet_id, row.text]));
    for (const tweet of analysis!.tweets) {
      expect(textOf.has(tweet.tweetId)).toBe(true);
      if (textOf.get(tweet.tweetId)?.includes('disappointed')) expect(tweet.sentiment).toBe('negative');
      if (textOf.get(tweet.tweetId)?.startsWith('Loving')) expect(tweet.sentiment).toBe('positive');
    }
    const quota = await sut.http.get('/api/analysis/quota').set(bearer);
    expect(quota.body).toMatchObject({ tier: 'basic', used: 1, limit: 100 });
  });
});
