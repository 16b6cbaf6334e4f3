// What one person can ask for: one export in progress at a time (a second request answers the
// same ids), a daily cap on exports and on support tickets (429 with a code and Retry-After).
import { startTestApp, TestApp } from '../utils/test-app';

const rows = (sut: TestApp, sql: string, params: unknown[] = []) => sut.em().getConnection().execute(sql, params);

describe('Exports: one in progress per person', () => {
  let sut: TestApp;

  // No worker: a run stays PENDING, so the first export is surely still in progress.
  beforeAll(async () => {
    sut = await startTestApp({ env: { RUN_WORKER: 'false' } });
  });
  beforeEach(() => sut.resetDatabase());
  afterAll(() => sut.close());

  it('should answer a second request, and ten at once, with the export already under way', async () => {
    const auth = { Authorization: `Bearer ${sut.token('hoarder')}` };
    const first = await sut.http.post('/api/privacy/export').set(auth);
    const again = await sut.http.post('/api/privacy/export').set(auth);
    const burst = await Promise.all(Array.from({ length: 10 }, () => sut.http.post('/api/privacy/export').set(auth)));

    expect(first.status).toBe(202);
    for (const response of [again, ...burst]) {
      expect(response.status).toBe(202);
      expect(response.body).toEqual(first.body);
    }
    expect(await rows(sut, 'select id, run_id from data_exports')).toEqual([{ id: first.body.exportId, run_id: first.body.runId }]);
    expect(await rows(sut, "select id from workflow_runs where job_name = 'export.build'")).toEqual([{ id: first.body.runId }]);
  });

  it('should start a new export once the earlier one is no longer under way', async () => {
    const auth = { Authorization: `Bearer ${sut.token('hoarder')}` };
    const first = await sut.http.post('/api/privacy/export').set(auth);
    await rows(sut, "update workflow_runs set state = 'FAILED' where id = ?", [first.body.runId]);

    const second = await sut.http.post('/api/privacy/export').set(auth);

    expect(second.status).toBe(202);
    expect(second.body.exportId).not.toBe(first.body.exportId);
  });

  it('should not let another person see or join someone else’s export', async () => {
    const first = await sut.http.post('/api/privacy/export').set({ Authorization: `Bearer ${sut.token('hoarder')}` });
    const other = await sut.http.post('/api/privacy/export').set({ Authorization: `Bearer ${sut.token('neighbour')}` });

    expect(other.status).toBe(202);
    expect(other.body.exportId).not.toBe(first.body.exportId);
  });
});

describe('Daily caps', () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await startTestApp({ env: { RUN_WORKER: 'false', EXPORTS_PER_DAY: '2', SUPPORT_TICKETS_PER_DAY: '3' } });
  });
  beforeEach(() => sut.resetDatabase());
  afterAll(() => sut.close());

  it('should refuse the export past EXPORTS_PER_DAY in 24 hours with 429 EXPORT_DAILY_LIMIT and write nothing', async () => {
    const auth = { Authorization: `Bearer ${sut.token('hoarder')}` };
    for (let i = 0; i < 2; i += 1) {
      const started = await sut.http.post('/api/privacy/export').set(auth);
      expect(started.status).toBe(202);
      await rows(sut, "update workflow_runs set state = 'COMPLETED' where id = ?", [started.body.runId]);
    }
    const before = await rows(sut, 'select count(*)::int as n from data_exports');

    const refused = await sut.http.post('/api/privacy/export').set(auth);

    expect(refused.status).toBe(429);
    expect(refused.body).toEqual({ statusCode: 429, code: 'EXPORT_DAILY_LIMIT', message: expect.stringContaining('2 exports') });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(23 * 3600);
    expect(await rows(sut, 'select count(*)::int as n from data_exports')).toEqual(before);

    // A day later the oldest no longer counts.
    await rows(sut, "update data_exports set created_at = created_at - interval '25 hours'");
    expect((await sut.http.post('/api/privacy/export').set(auth)).status).toBe(202);
  });

  it('should refuse the support ticket past SUPPORT_TICKETS_PER_DAY with 429 SUPPORT_TICKET_DAILY_LIMIT', async () => {
    const auth = { Authorization: `Bearer ${sut.token('chatty')}` };
    const created = await Promise.all(
      Array.from({ length: 5 }, (_, i) => sut.http.post('/api/support/tickets').set(auth).send({ subject: `Question ${i}`, body: 'Hello' })),
    );

    expect(created.map((response) => response.status).sort()).toEqual([201, 201, 201, 429, 429]);
    const refused = created.find((response) => response.status === 429);
    expect(refused?.body).toEqual({ statusCode: 429, code: 'SUPPORT_TICKET_DAILY_LIMIT', message: expect.any(String) });
    expect(await rows(sut, 'select count(*)::int as n from support_tickets')).toEqual([{ n: 3 }]);
    const someoneElse = await sut.http.post('/api/support/tickets').set({ Authorization: `Bearer ${sut.token('quiet')}` }).send({ subject: 'Hi', body: 'One' });
    expect(someoneElse.status).toBe(201);
  });
});
