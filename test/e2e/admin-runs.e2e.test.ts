// The operator console's API over HTTP (issue 20): every run of every person and schedule, its log,
// cancel and retry, the summary, starting a person's flow under the person's rules, the live event
// stream from every instance, and an audit entry under the operator's id for each call. Server
// mode: real PostgreSQL, Redis (BullMQ and pub/sub) and test-only job handlers.
import { randomUUID } from 'node:crypto';
import { AddressInfo } from 'node:net';
import { RunFlow, RunState, WorkflowRun } from '../../src/core/jobs/entities/workflow-run.entity';
import { PermanentJobError } from '../../src/core/jobs/job-errors';
import { JobHandlerRegistry } from '../../src/core/jobs/job-handler.registry';
import { RunsService } from '../../src/core/jobs/runs.service';
import { FakeXServer } from '../fakes/fake-x-server';
import { openRunEventStream } from '../utils/run-event-stream';
import { startTestApp, TestApp } from '../utils/test-app';
import { connectXAccount, waitForRun, waitUntil } from '../utils/x-account';

declare module '../../src/core/jobs/job-payloads' {
  interface JobPayloads {
    'console.echo': { userId: string | null; value: string };
    'console.flaky': { userId: string; key: string };
    'console.block': { userId: string; key: string };
  }
}

interface RunItem {
  id: string;
  job: string;
  userId: string | null;
  state: string;
  attempts: number;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  nextAttemptAt: string | null;
  error: { code: string; message: string } | null;
}

async function listen(testApp: TestApp): Promise<string> {
  await testApp.app.listen(0, '127.0.0.1');
  const { port } = testApp.app.getHttpServer().address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
}

describe('Operator console API (/api/admin/runs)', () => {
  let sut: TestApp;
  let baseUrl: string;
  let runs: RunsService;
  const fakeX = new FakeXServer();
  const adminId = `operator-${randomUUID()}`;
  const admin = () => ({ Authorization: `Bearer ${sut.token(adminId, { admin: true })}` });
  const person = (userId: string) => ({ Authorization: `Bearer ${sut.token(userId)}` });
  /** How often each flaky key has been tried. */
  const flakyCalls = new Map<string, number>();
  /** Blocked handlers, released by key; `stored` records what got past the store gate. */
  const blocked = new Map<string, () => void>();
  const stored: string[] = [];

  beforeAll(async () => {
    await fakeX.start();
    sut = await startTestApp({
      env: {
        TWITTER_CLIENT_ID: fakeX.clientId,
        TWITTER_CLIENT_SECRET: fakeX.clientSecret,
        TWITTER_API_BASE_URL: fakeX.baseUrl,
        TWITTER_AUTHORIZE_URL: fakeX.authorizeUrl,
        EXPORTS_PER_DAY: '1',
      },
    });
    await sut.resetDatabase();
    baseUrl = await listen(sut);
    runs = sut.app.get(RunsService);
    const registry = sut.app.get(JobHandlerRegistry);
    registry.register('console.echo', async (ctx) => {
      await ctx.log('info', `echo ${ctx.payload.value}`);
      return { value: ctx.payload.value };
    });
    registry.register('console.flaky', async (ctx) => {
      const calls = (flakyCalls.get(ctx.payload.key) ?? 0) + 1;
      flakyCalls.set(ctx.payload.key, calls);
      if (calls === 1) throw new PermanentJobError('CONSOLE_REFUSED', 'Refused the first time');
      return { calls };
    });
    registry.register('console.block', async (ctx) => {
      await new Promise<void>((resolve) => {
        blocked.set(ctx.payload.key, resolve);
        ctx.signal.addEventListener('abort', () => resolve());
      });
      // Past the abort on purpose: the store gate alone must keep a cancelled run from writing.
      await ctx.storeResults(async () => {
        stored.push(ctx.payload.key);
      });
      return { stored: true };
    });
  });
  afterAll(async () => {
    await sut?.close();
    await fakeX.stop();
  });

  const echo = (userId: string | null, value = 'v', options = {}) =>
    runs.startRun(RunFlow.INGESTION, 'console.echo', userId, { userId, value }, options);

  describe('access', () => {
    it('should refuse every operator route to a person (403) and to no token (401)', async () => {
      const run = await echo(`p-${randomUUID()}`);
      const someone = `p-${randomUUID()}`;
      const routes: Array<['get' | 'post', string]> = [
        ['get', '/api/admin/runs'],
        ['get', '/api/admin/runs/summary'],
        ['get', '/api/admin/runs/events'],
        ['get', `/api/admin/runs/${run.id}`],
        ['get', `/api/admin/runs/${run.id}/logs`],
        ['post', `/api/admin/runs/${run.id}/cancel`],
        ['post', `/api/admin/runs/${run.id}/retry`],
        ['post', `/api/admin/users/${someone}/runs`],
      ];
      for (const [method, path] of routes) {
        const refused = await sut.http[method](path).set(person(someone)).send(method === 'post' ? { job: 'export.build' } : undefined);
        expect({ path, status: refused.status }).toEqual({ path, status: 403 });
        expect((await sut.http[method](path)).status).toBe(401);
      }
      await waitForRun(sut, run.id);
      // Nothing was started or cancelled by the refused calls.
      expect(await sut.em().count(WorkflowRun, { userId: someone })).toBe(0);
    });
  });

  describe('GET /api/admin/runs', () => {
    it('should list every run, scheduled ones included, newest first, with the documented fields', async () => {
      const alice = `alice-${randomUUID()}`;
      const mine = await echo(alice, 'a');
      await waitForRun(sut, mine.id);
      const started = await sut.http.post('/api/admin/jobs/monitoring_check/run').set(admin());
      expect(started.status).toBe(202);
      const scheduled = await waitForRun(sut, started.body.runId as string);

      const response = await sut.http.get('/api/admin/runs?limit=100').set(admin());

      expect(response.status).toBe(200);
      const items = response.body.items as RunItem[];
      const ids = items.map((item) => item.id);
      expect(ids.indexOf(scheduled.id)).toBeLessThan(ids.indexOf(mine.id));
      const created = items.map((item) => item.createdAt);
      expect([...created].sort().reverse()).toEqual(created);
      expect(items.find((item) => item.id === mine.id)).toEqual({
        id: mine.id,
        job: 'console.echo',
        userId: alice,
        state: 'COMPLETED',
        attempts: 1,
        createdAt: mine.createdAt.toISOString(),
        startedAt: expect.any(String),
        finishedAt: expect.any(String),
        nextAttemptAt: null,
        error: null,
      });
      expect(items.find((item) => item.id === scheduled.id)).toMatchObject({ job: 'monitoring_check', userId: null });
    });

    it('should read a scheduled run started by POST /api/admin/jobs/:name/run at GET /api/admin/runs/:id (a person’s route says 404)', async () => {
      const started = await sut.http.post('/api/admin/jobs/monitoring_check/run').set(admin());
      const runId = started.body.runId as string;
      await waitForRun(sut, runId);

      const response = await sut.http.get(`/api/admin/runs/${runId}`).set(admin());

      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ id: runId, job: 'monitoring_check', userId: null, flow: 'scheduled', maxAttempts: 1, state: 'COMPLETED' });
      expect((await sut.http.get(`/api/runs/${runId}`).set(person(adminId))).status).toBe(404);
      const logs = await sut.http.get(`/api/admin/runs/${runId}/logs`).set(admin());
      expect(logs.status).toBe(200);
      expect(logs.body.map((line: { message: string }) => line.message)).toEqual(expect.arrayContaining(['Attempt 1 of 1 started', 'Attempt 1 completed']));
    });

    it('should filter by state, job, user and creation time', async () => {
      const bob = `bob-${randomUUID()}`;
      const carol = `carol-${randomUUID()}`;
      const bobs = await echo(bob, 'b');
      const failing = await runs.startRun(RunFlow.ANALYSIS, 'console.flaky', bob, { userId: bob, key: randomUUID() });
      const carols = await echo(carol, 'c');
      await Promise.all([bobs, failing, carols].map((run) => waitForRun(sut, run.id)));

      const byUser = await sut.http.get(`/api/admin/runs?userId=${bob}`).set(admin());
      expect((byUser.body.items as RunItem[]).map((item) => item.id).sort()).toEqual([bobs.id, failing.id].sort());

      const byState = await sut.http.get(`/api/admin/runs?userId=${bob}&state=FAILED`).set(admin());
      expect(byState.body.items).toEqual([expect.objectContaining({ id: failing.id, state: 'FAILED', error: { code: 'CONSOLE_REFUSED', message: 'Refused the first time' } })]);

      const byJob = await sut.http.get('/api/admin/runs?job=export.build&limit=100').set(admin());
      expect((byJob.body.items as RunItem[]).every((item) => item.job === 'export.build')).toBe(true);

      const from = new Date(carols.createdAt.getTime()).toISOString();
      const afterBob = await sut.http.get(`/api/admin/runs?from=${encodeURIComponent(from)}&limit=100`).set(admin());
      const afterIds = (afterBob.body.items as RunItem[]).map((item) => item.id);
      expect(afterIds).toContain(carols.id);
      expect(afterIds).not.toContain(bobs.id);
      const beforeCarol = await sut.http.get(`/api/admin/runs?userId=${carol}&to=${encodeURIComponent(from)}`).set(admin());
      expect(beforeCarol.body.items).toEqual([]);
    });

    it('should page with limit, next and before, without gaps or repeats', async () => {
      const dave = `dave-${randomUUID()}`;
      const created: string[] = [];
      for (let i = 0; i < 5; i += 1) created.push((await echo(dave, String(i))).id);
      const seen: string[] = [];
      let before: string | null = null;
      for (let page = 0; page < 5; page += 1) {
        const response = await sut.http.get(`/api/admin/runs?userId=${dave}&limit=2${before ? `&before=${before}` : ''}`).set(admin());
        expect(response.status).toBe(200);
        seen.push(...(response.body.items as RunItem[]).map((item) => item.id));
        before = response.body.next as string | null;
        if (!before) break;
      }
      expect(seen).toEqual([...created].reverse());
      expect(before).toBeNull();
    });

    it('should refuse bad filters with a 400 naming the field, and an unknown cursor with 404', async () => {
      const cases: Array<[string, string]> = [
        ['state=DONE', 'state'],
        ['job=rm -rf', 'job'],
        ['from=yesterday', 'from'],
        ['to=1969-12-31T00:00:00Z', 'to'],
        ['limit=0', 'limit'],
        ['limit=101', 'limit'],
        ['before=not-a-uuid', 'before'],
        [`userId=${'x'.repeat(256)}`, 'userId'],
        ['role=admin', 'role'],
      ];
      for (const [query, field] of cases) {
        const response = await sut.http.get(`/api/admin/runs?${query}`).set(admin());
        expect({ query, status: response.status, code: response.body.code }).toEqual({ query, status: 400, code: 'VALIDATION_FAILED' });
        expect(response.body.message).toContain(field);
      }
      const unknown = await sut.http.get(`/api/admin/runs?before=${randomUUID()}`).set(admin());
      expect(unknown.status).toBe(404);
      expect(unknown.body).toMatchObject({ code: 'RUN_NOT_FOUND', message: 'Run not found (before)' });
      for (const id of ['nope', randomUUID()]) {
        expect((await sut.http.get(`/api/admin/runs/${id}`).set(admin())).body.code).toBe('RUN_NOT_FOUND');
        expect((await sut.http.get(`/api/admin/runs/${id}/logs`).set(admin())).status).toBe(404);
      }
    });
  });

  describe('cancel and retry', () => {
    it('should cancel a PENDING run: it ends CANCELLED, leaves the queue and never runs', async () => {
      const erin = `erin-${randomUUID()}`;
      const delayed = await echo(erin, 'later', { delayMs: 60_000 });

      const response = await sut.http.post(`/api/admin/runs/${delayed.id}/cancel`).set(admin());

      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ id: delayed.id, state: 'CANCELLED', attempts: 0, userId: erin });
      const row = await sut.em().findOneOrFail(WorkflowRun, { id: delayed.id }, { disableIdentityMap: true });
      expect(row.state).toBe(RunState.CANCELLED);
      expect(row.finishedAt).toBeInstanceOf(Date);
      const logs = await sut.http.get(`/api/admin/runs/${delayed.id}/logs`).set(admin());
      expect(logs.body.map((line: { message: string }) => line.message)).toContain('The run was cancelled by an operator');
    });

    it('should cancel a RUNNING run through the store gate: the handler, even past the abort, stores nothing', async () => {
      const frank = `frank-${randomUUID()}`;
      const key = randomUUID();
      const run = await runs.startRun(RunFlow.EXPORT, 'console.block', frank, { userId: frank, key });
      await waitUntil('the handler is running', () => blocked.has(key));

      const response = await sut.http.post(`/api/admin/runs/${run.id}/cancel`).set(admin());

      expect(response.status).toBe(200);
      expect(response.body.state).toBe('CANCELLED');
      const ended = await waitForRun(sut, run.id);
      expect(ended.state).toBe(RunState.CANCELLED);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(stored).not.toContain(key);
      expect(ended.result ?? null).toBeNull();
    });

    it('should answer 409 RUN_NOT_CANCELLABLE naming the state of a run that already ended', async () => {
      const run = await echo(`g-${randomUUID()}`);
      await waitForRun(sut, run.id);
      const response = await sut.http.post(`/api/admin/runs/${run.id}/cancel`).set(admin());
      expect(response.status).toBe(409);
      expect(response.body).toEqual({ statusCode: 409, code: 'RUN_NOT_CANCELLABLE', message: 'Only a PENDING or RUNNING run can be cancelled; this one is COMPLETED' });
    });

    it('should retry a FAILED run with one more attempt, under the same id, to COMPLETED', async () => {
      const hana = `hana-${randomUUID()}`;
      const run = await runs.startRun(RunFlow.ANALYSIS, 'console.flaky', hana, { userId: hana, key: randomUUID() });
      const failed = await waitForRun(sut, run.id);
      expect(failed.state).toBe(RunState.FAILED);

      const response = await sut.http.post(`/api/admin/runs/${run.id}/retry`).set(admin());

      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ id: run.id, state: 'PENDING', attempts: 1, maxAttempts: 2, error: null, finishedAt: null });
      const done = await waitForRun(sut, run.id);
      expect(done).toMatchObject({ state: RunState.COMPLETED, attempts: 2, result: { calls: 2 } });
      const again = await sut.http.post(`/api/admin/runs/${run.id}/retry`).set(admin());
      expect(again.status).toBe(409);
      expect(again.body).toEqual({ statusCode: 409, code: 'RUN_NOT_RETRYABLE', message: 'Only a FAILED or CANCELLED run can be retried; this one is COMPLETED' });
    });

    it('should retry a CANCELLED run, and refuse to retry a PENDING one', async () => {
      const ivan = `ivan-${randomUUID()}`;
      const pending = await echo(ivan, 'x', { delayMs: 60_000 });
      const refused = await sut.http.post(`/api/admin/runs/${pending.id}/retry`).set(admin());
      expect(refused.status).toBe(409);
      expect(refused.body.message).toContain('this one is PENDING');

      expect((await sut.http.post(`/api/admin/runs/${pending.id}/cancel`).set(admin())).status).toBe(200);
      const retried = await sut.http.post(`/api/admin/runs/${pending.id}/retry`).set(admin());
      expect(retried.status).toBe(200);
      const done = await waitForRun(sut, pending.id);
      expect(done).toMatchObject({ state: RunState.COMPLETED, attempts: 1, result: { value: 'x' } });
    });

    it('should answer 404 to cancel or retry an unknown or malformed id', async () => {
      for (const id of ['nope', randomUUID()]) {
        for (const action of ['cancel', 'retry']) {
          const response = await sut.http.post(`/api/admin/runs/${id}/${action}`).set(admin());
          expect({ action, status: response.status, code: response.body.code }).toEqual({ action, status: 404, code: 'RUN_NOT_FOUND' });
        }
      }
    });
  });

  describe('GET /api/admin/runs/summary', () => {
    it('should count runs by job and state over the last hour and day, with the queue depth, oldest pending age and failure rate', async () => {
      const before = await sut.http.get('/api/admin/runs/summary').set(admin());
      expect(before.status).toBe(200);
      const jane = `jane-${randomUUID()}`;
      const ok = await echo(jane);
      const bad = await runs.startRun(RunFlow.ANALYSIS, 'console.flaky', jane, { userId: jane, key: randomUUID() });
      const waiting = await echo(jane, 'w', { delayMs: 60_000 });
      await waitForRun(sut, ok.id);
      await waitForRun(sut, bad.id);

      const response = await sut.http.get('/api/admin/runs/summary').set(admin());

      expect(response.status).toBe(200);
      const count = (body: typeof response.body, window: 'lastHour' | 'lastDay', job: string, state: string): number =>
        (body[window].counts as Array<{ job: string; state: string; count: number }>).find((row) => row.job === job && row.state === state)?.count ?? 0;
      for (const window of ['lastHour', 'lastDay'] as const) {
        expect(count(response.body, window, 'console.echo', 'COMPLETED') - count(before.body, window, 'console.echo', 'COMPLETED')).toBe(1);
        expect(count(response.body, window, 'console.flaky', 'FAILED') - count(before.body, window, 'console.flaky', 'FAILED')).toBe(1);
        expect(count(response.body, window, 'console.echo', 'PENDING') - count(before.body, window, 'console.echo', 'PENDING')).toBe(1);
        const { completed, failed, failureRate } = response.body[window];
        expect(failureRate).toBeCloseTo(failed / (completed + failed), 4);
        expect(failed).toBeGreaterThanOrEqual(1);
      }
      expect(response.body.queue.depth).toBeGreaterThanOrEqual(1);
      expect(response.body.queue.oldestPendingAgeSeconds).toBeGreaterThanOrEqual(0);
      await runs.cancelRun(waiting.id);
    });
  });

  describe('POST /api/admin/users/:userId/runs', () => {
    it('should start a person’s export as the person would, and answer the export daily limit with the same 429', async () => {
      const kim = `kim-${randomUUID()}`;
      await sut.http.get('/api/consent').set(person(kim));

      const response = await sut.http.post(`/api/admin/users/${kim}/runs`).set(admin()).send({ job: 'export.build' });

      expect(response.status).toBe(202);
      const run = await waitForRun(sut, response.body.runId as string);
      expect(run).toMatchObject({ userId: kim, jobName: 'export.build', state: RunState.COMPLETED });
      const limited = await sut.http.post(`/api/admin/users/${kim}/runs`).set(admin()).send({ job: 'export.build' });
      const asPerson = await sut.http.post('/api/privacy/export').set(person(kim));
      expect(limited.status).toBe(429);
      expect({ status: limited.status, code: limited.body.code }).toEqual({ status: asPerson.status, code: asPerson.body.code });
    });

    it('should refuse X and analysis work without consent or subscription with the person’s 403 and code', async () => {
      const lee = `lee-${randomUUID()}`;
      await sut.http.get('/api/consent').set(person(lee));
      for (const job of ['twitter.ingest', 'analysis.sentiment']) {
        const response = await sut.http.post(`/api/admin/users/${lee}/runs`).set(admin()).send({ job });
        expect({ job, status: response.status, code: response.body.code }).toEqual({ job, status: 403, code: 'CONSENT_REQUIRED' });
      }
      const unsubscribed = await connectXAccount(sut, fakeX, { subscriptionStatus: null });
      await sut.http.get('/api/consent').set(person(unsubscribed.userId));
      const analysis = await sut.http.post(`/api/admin/users/${unsubscribed.userId}/runs`).set(admin()).send({ job: 'analysis.sentiment' });
      const asPerson = await sut.http.post('/api/analysis/sentiment').set(person(unsubscribed.userId));
      expect({ status: analysis.status, code: analysis.body.code }).toEqual({ status: asPerson.status, code: asPerson.body.code });
      expect(analysis.status).toBe(403);
      expect(await sut.em().count(WorkflowRun, { userId: { $in: [lee, unsubscribed.userId] } })).toBe(0);
    });

    it('should start an ingestion for a connected person, owned by that person', async () => {
      const account = await connectXAccount(sut, fakeX);
      fakeX.seedGeneratedTweets(account.xUserId, 3);
      await sut.http.get('/api/consent').set(person(account.userId));

      const first = await sut.http.post(`/api/admin/users/${account.userId}/runs`).set(admin()).send({ job: 'twitter.ingest' });

      expect(first.status).toBe(202);
      const run = await waitForRun(sut, first.body.runId as string);
      expect(run).toMatchObject({ userId: account.userId, jobName: 'twitter.ingest', state: RunState.COMPLETED });
    });

    it('should answer 404 USER_NOT_FOUND for an unknown person and 400 for an unknown job, starting nothing', async () => {
      const nobody = `nobody-${randomUUID()}`;
      const unknown = await sut.http.post(`/api/admin/users/${nobody}/runs`).set(admin()).send({ job: 'export.build' });
      expect(unknown.status).toBe(404);
      expect(unknown.body.code).toBe('USER_NOT_FOUND');
      await sut.http.get('/api/consent').set(person(nobody));
      for (const body of [{ job: 'retention_cleanup_daily' }, { job: 'export.build', userId: 'x' }, {}]) {
        const refused = await sut.http.post(`/api/admin/users/${nobody}/runs`).set(admin()).send(body);
        expect({ body, status: refused.status, code: refused.body.code }).toEqual({ body, status: 400, code: 'VALIDATION_FAILED' });
      }
      expect(await sut.em().count(WorkflowRun, { userId: nobody })).toBe(0);
    });
  });

  describe('GET /api/admin/runs/events', () => {
    it('should stream a run’s state changes to an operator, and refuse a person with 403', async () => {
      const refused = await openRunEventStream(baseUrl, sut.token(`p-${randomUUID()}`));
      expect(refused.status).toBe(403);
      const stream = await openRunEventStream(baseUrl, sut.token(adminId, { admin: true }));
      try {
        expect(stream.status).toBe(200);
        const run = await echo(`m-${randomUUID()}`, 'live');
        const completed = await stream.waitFor((event) => event.runId === run.id && event.state === 'COMPLETED');
        expect(completed).toEqual({ runId: run.id, job: 'console.echo', state: 'COMPLETED', attempts: 1, at: expect.any(String) });
        const states = stream.events.filter((event) => event.runId === run.id).map((event) => event.state);
        expect(states).toEqual(['PENDING', 'RUNNING', 'COMPLETED']);
        // No personal data rides on the events (they cross Redis).
        expect(JSON.stringify(stream.events)).not.toContain('m-');
      } finally {
        stream.close();
      }
    });

    it('should deliver changes made by another instance sharing the run queue (Redis pub/sub)', async () => {
      const other = await startTestApp({ env: { RUNS_QUEUE_NAME: sut.config.jobs.queueName, RUN_WORKER: 'false' } });
      const stream = await openRunEventStream(baseUrl, sut.token(adminId, { admin: true }));
      try {
        // Started on the other instance; executed by whichever worker takes it (only this one runs workers).
        other.app.get(JobHandlerRegistry).register('console.echo', async () => ({ value: 'elsewhere' }));
        const run = await other.app.get(RunsService).startRun(RunFlow.INGESTION, 'console.echo', null, { userId: null, value: 'far' });
        await stream.waitFor((event) => event.runId === run.id && event.state === 'PENDING');
        await stream.waitFor((event) => event.runId === run.id && event.state === 'COMPLETED');
        const cancelled = await echo(null, 'c', { delayMs: 60_000 });
        const otherStream = await openRunEventStream(await listen(other), other.token(adminId, { admin: true }));
        try {
          expect((await other.http.post(`/api/admin/runs/${cancelled.id}/cancel`).set({ Authorization: `Bearer ${other.token(adminId, { admin: true })}` })).status).toBe(200);
          await stream.waitFor((event) => event.runId === cancelled.id && event.state === 'CANCELLED');
          await otherStream.waitFor((event) => event.runId === cancelled.id && event.state === 'CANCELLED');
        } finally {
          otherStream.close();
        }
      } finally {
        stream.close();
        await other.close();
      }
    });
  });

  describe('audit and logs', () => {
    it('should audit each operator call under the operator’s id, with the person’s id masked', async () => {
      const nora = `nora-${randomUUID()}`;
      const run = await echo(nora, 'audited');
      await waitForRun(sut, run.id);
      await sut.http.get(`/api/admin/runs/${run.id}`).set(admin());
      await sut.http.get(`/api/admin/runs/${run.id}/logs`).set(admin());
      await sut.http.get(`/api/admin/runs?userId=${nora}`).set(admin());

      const entries = await sut
        .em()
        .getConnection()
        .execute<Array<{ user_id: string; action: string; details: Record<string, unknown> }>>(
          `select user_id, action, details from audit_log where category = 'operator' and details->>'runId' = ? order by id`,
          [run.id],
        );
      expect(entries.map((entry) => [entry.user_id, entry.action])).toEqual([
        [adminId, 'operator.run.viewed'],
        [adminId, 'operator.run.logs_read'],
      ]);
      expect(JSON.stringify(entries)).not.toContain(nora);
      expect(sut.logs.join('\n')).not.toContain(nora);
    });
  });
});
