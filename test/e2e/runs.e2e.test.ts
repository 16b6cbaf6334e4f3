// The runs API over HTTP: a user sees their own runs (newest first, paginated) with state,
// attempts, result and redacted error, and gets 404 RUN_NOT_FOUND for another user's run or a
// malformed id. Runs are started through the real engine with test-only handlers.
import { randomUUID } from 'node:crypto';
import { RunFlow, RunState, WorkflowRun } from '../../src/core/jobs/entities/workflow-run.entity';
import { PermanentJobError } from '../../src/core/jobs/job-errors';
import { JobHandlerRegistry } from '../../src/core/jobs/job-handler.registry';
import { RunsService } from '../../src/core/jobs/runs.service';
import { startTestApp, TestApp } from '../utils/test-app';

declare module '../../src/core/jobs/job-payloads' {
  interface JobPayloads {
    'e2e.echo': { userId: string; value: string };
    'e2e.fail': { userId: string };
  }
}

describe('Runs API', () => {
  let sut: TestApp;
  let runs: RunsService;
  let alice: string;
  let bob: string;

  beforeAll(async () => {
    sut = await startTestApp();
    runs = sut.app.get(RunsService);
    sut.app.get(JobHandlerRegistry).register('e2e.echo', async (ctx) => {
      await ctx.log('info', `echo for ${ctx.payload.userId}`);
      return { value: ctx.payload.value };
    });
    sut.app.get(JobHandlerRegistry).register('e2e.fail', async () => {
      throw new PermanentJobError('E2E_REFUSED', 'Refused for dave@example.com');
    });
  });
  afterAll(() => sut.close());
  beforeEach(() => {
    alice = `alice-${randomUUID()}`;
    bob = `bob-${randomUUID()}`;
  });

  const bearer = (userId: string) => ({ Authorization: `Bearer ${sut.token(userId)}` });

  async function finished(id: string): Promise<WorkflowRun> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const run = await sut.em().findOne(WorkflowRun, { id }, { disableIdentityMap: true });
      if (run && [RunState.COMPLETED, RunState.FAILED, RunState.CANCELLED].includes(run.state)) return run;
      if (Date.now() > deadline) throw new Error(`run ${id} did not finish: ${JSON.stringify(run)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it('should list only your own runs, newest first, with their state and result', async () => {
    const first = await runs.startRun(RunFlow.INGESTION, 'e2e.echo', alice, { userId: alice, value: 'one' });
    const second = await runs.startRun(RunFlow.ANALYSIS, 'e2e.echo', alice, { userId: alice, value: 'two' });
    await runs.startRun(RunFlow.INGESTION, 'e2e.echo', bob, { userId: bob, value: 'not yours' });
    await Promise.all([finished(first.id), finished(second.id)]);

    const response = await sut.http.get('/api/runs').set(bearer(alice));

    expect(response.status).toBe(200);
    expect(response.body.map((run: { id: string }) => run.id)).toEqual([second.id, first.id]);
    expect(response.body[0]).toEqual({
      id: second.id,
      flow: 'analysis',
      jobName: 'e2e.echo',
      state: 'COMPLETED',
      attempts: 1,
      maxAttempts: 5,
      nextAttemptAt: null,
      startedAt: expect.any(String),
      finishedAt: expect.any(String),
      result: { value: 'two' },
      error: null,
      createdAt: expect.any(String),
    });
    expect(Object.keys(response.body[0])).not.toContain('input');
  });

  it('should page with limit and before', async () => {
    const ids: string[] = [];
    for (const value of ['a', 'b', 'c']) ids.push((await runs.startRun(RunFlow.INGESTION, 'e2e.echo', alice, { userId: alice, value })).id);

    const page1 = await sut.http.get('/api/runs?limit=2').set(bearer(alice));
    const page2 = await sut.http.get(`/api/runs?limit=2&before=${page1.body[1].id}`).set(bearer(alice));

    expect(page1.body.map((run: { id: string }) => run.id)).toEqual([ids[2], ids[1]]);
    expect(page2.body.map((run: { id: string }) => run.id)).toEqual([ids[0]]);
    await Promise.all(ids.map(finished));
  });

  it('should refuse a bad page query with a message naming the field', async () => {
    const badLimit = await sut.http.get('/api/runs?limit=1000').set(bearer(alice));
    expect(badLimit.status).toBe(400);
    expect(badLimit.body).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED', message: expect.stringContaining('limit') });

    const badBefore = await sut.http.get('/api/runs?before=nope').set(bearer(alice));
    expect(badBefore.status).toBe(400);
    expect(badBefore.body.message).toContain('before');

    const unknown = await sut.http.get('/api/runs?sort=asc').set(bearer(alice));
    expect(unknown.status).toBe(400);

    const notYours = await sut.http.get(`/api/runs?before=${randomUUID()}`).set(bearer(alice));
    expect(notYours.status).toBe(404);
    expect(notYours.body).toMatchObject({ code: 'RUN_NOT_FOUND', message: expect.stringContaining('before') });
  });

  it('should show your own run, with a redacted error when it failed', async () => {
    const started = await runs.startRun(RunFlow.EXPORT, 'e2e.fail', alice, { userId: alice });
    await finished(started.id);

    const response = await sut.http.get(`/api/runs/${started.id}`).set(bearer(alice));

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      id: started.id,
      flow: 'export',
      state: 'FAILED',
      attempts: 1,
      result: null,
      error: { code: 'E2E_REFUSED', message: 'Refused for [EMAIL]' },
    });
  });

  it("should answer 404 RUN_NOT_FOUND for another user's run, an unknown id and a malformed id", async () => {
    const bobs = await runs.startRun(RunFlow.INGESTION, 'e2e.echo', bob, { userId: bob, value: 'private' });
    await finished(bobs.id);

    for (const id of [bobs.id, randomUUID(), 'not-a-uuid', '1%20or%201=1']) {
      const response = await sut.http.get(`/api/runs/${id}`).set(bearer(alice));
      expect(response.status).toBe(404);
      expect(response.body).toEqual({ statusCode: 404, code: 'RUN_NOT_FOUND', message: 'Run not found (id)' });
    }
    expect((await sut.http.get(`/api/runs/${bobs.id}/logs`).set(bearer(alice))).status).toBe(404);
    expect((await sut.http.get(`/api/runs/${bobs.id}`).set(bearer(bob))).status).toBe(200);
  });

  it("should show a run's redacted log to its owner", async () => {
    const userId = `carol-${randomUUID()}@example.com`;
    const started = await runs.startRun(RunFlow.INGESTION, 'e2e.echo', userId, { userId, value: 'x' });
    await finished(started.id);

    const response = await sut.http.get(`/api/runs/${started.id}/logs`).set(bearer(userId));

    expect(response.status).toBe(200);
    expect(response.body.map((line: { message: string }) => line.message)).toEqual([
      'Attempt 1 of 5 started',
      'echo for [EMAIL]',
      'Attempt 1 completed',
    ]);
    expect(JSON.stringify(response.body)).not.toContain('@example.com');
  });

  it('should require a token', async () => {
    expect((await sut.http.get('/api/runs')).status).toBe(401);
  });

  it('should document the runs routes and their schemas in OpenAPI', async () => {
    const document = (await sut.http.get('/docs-json')).body;
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/api/runs', '/api/runs/{id}', '/api/runs/{id}/logs']));
    expect(Object.keys(document.components.schemas.RunDto.properties)).toEqual(
      expect.arrayContaining(['id', 'flow', 'jobName', 'state', 'attempts', 'maxAttempts', 'nextAttemptAt', 'startedAt', 'finishedAt', 'result', 'error', 'createdAt']),
    );
  });
});
