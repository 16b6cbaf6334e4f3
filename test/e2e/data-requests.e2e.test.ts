// Data subject requests with their legal deadlines, operators' answers, and legal holds, through
// the HTTP API against PostgreSQL.
import { ManualClock } from '../../src/core/clock/clock';
import { MonitoringService } from '../../src/modules/monitoring/monitoring.service';
import { RetentionService } from '../../src/modules/retention/retention.service';
import { plantPersonalData } from '../utils/plant-personal-data';
import { startTestApp, TestApp } from '../utils/test-app';
import { waitForRun } from '../utils/x-account';

const DAY = 24 * 60 * 60 * 1000;

describe('Data subject requests', () => {
  const clock = new ManualClock(new Date('2026-01-31T10:00:00Z'));
  let sut: TestApp;
  const as = (userId: string, admin = false) => ({ Authorization: `Bearer ${sut.token(userId, { admin })}` });
  const admin = () => as('privacy-officer', true);
  const rows = (query: string, params: unknown[] = []) => sut.em().getConnection().execute(query, params);
  const file = (userId: string, body: Record<string, unknown>) => sut.http.post('/api/privacy/requests').set(as(userId)).send(body);

  beforeAll(async () => {
    sut = await startTestApp({ clock });
  });
  beforeEach(async () => {
    clock.set(new Date('2026-01-31T10:00:00Z'));
    await sut.resetDatabase();
  });
  afterAll(() => sut.close());

  describe('filed by the person', () => {
    it('should record a GDPR request due one calendar month later (the month’s last day when shorter) and list it only to its owner', async () => {
      const filed = await file('alice', { type: 'rectification', message: 'My name is spelled wrong' });
      expect(filed.status).toBe(201);
      expect(filed.body).toEqual({
        id: expect.any(String),
        type: 'rectification',
        regime: 'gdpr',
        status: 'received',
        receivedAt: '2026-01-31T10:00:00.000Z',
        dueAt: '2026-02-28T10:00:00.000Z',
        extendedUntil: null,
        completedAt: null,
        reason: null,
        message: 'My name is spelled wrong',
      });
      expect((await sut.http.get('/api/privacy/requests').set(as('alice'))).body).toEqual([filed.body]);
      expect((await sut.http.get('/api/privacy/requests').set(as('mallory'))).body).toEqual([]);
    });

    it('should give a CCPA request 45 days', async () => {
      const filed = await file('carol', { type: 'objection', message: 'Stop analysing my tweets', regime: 'ccpa' });
      expect(filed.body).toMatchObject({ regime: 'ccpa', dueAt: '2026-03-17T10:00:00.000Z' });
    });

    it('should refuse self-service types, unknown fields and oversized messages with a 400 naming the problem, and write nothing', async () => {
      const access = await file('alice', { type: 'access', message: 'Send me everything' });
      expect(access.status).toBe(400);
      expect(JSON.stringify(access.body)).toContain('type must be one of: rectification, restriction, objection');
      expect((await file('alice', { type: 'objection', message: 'x'.repeat(5001) })).status).toBe(400);
      expect((await file('alice', { type: 'objection', message: 'ok', regime: 'lgpd' })).status).toBe(400);
      expect((await file('alice', { type: 'objection', message: 'ok', userId: 'bob' })).status).toBe(400);
      expect(await rows('select * from data_requests')).toEqual([]);
    });

    it('should cap filed requests at 10 per rolling day with 429 and Retry-After', async () => {
      for (let i = 0; i < 10; i += 1) expect((await file('busy', { type: 'restriction', message: `request ${i}` })).status).toBe(201);
      const capped = await file('busy', { type: 'restriction', message: 'one more' });
      expect(capped.status).toBe(429);
      expect(capped.body.code).toBe('DATA_REQUEST_DAILY_LIMIT');
      expect(Number(capped.headers['retry-after'])).toBeGreaterThan(0);
      clock.advance(DAY + 1000);
      expect((await file('busy', { type: 'restriction', message: 'next day' })).status).toBe(201);
    });
  });

  describe('self-service requests', () => {
    it('should record an export as an access request in progress, completed when the file is ready', async () => {
      const started = await sut.http.post('/api/privacy/export').set(as('reader'));
      expect(started.status).toBe(202);
      expect((await waitForRun(sut, started.body.runId as string)).state).toBe('COMPLETED');
      const [request] = (await sut.http.get('/api/privacy/requests').set(as('reader'))).body;
      expect(request).toMatchObject({ type: 'access', regime: 'gdpr', status: 'completed', completedAt: '2026-01-31T10:00:00.000Z' });
    });

    it('should record delete-my-data as a completed erasure that outlives the erasure', async () => {
      await plantPersonalData(sut, 'leaver');
      expect((await sut.http.post('/api/privacy/delete-my-data').set(as('leaver'))).status).toBe(200);
      const kept = await rows("select type, status, completed_at from data_requests where user_id = ? and type = 'erasure'", ['leaver']);
      expect(kept).toEqual([{ type: 'erasure', status: 'completed', completed_at: '2026-01-31 10:00:00+00' }]);
    });
  });

  describe('answered by an operator', () => {
    it('should be for admins only', async () => {
      expect((await sut.http.get('/api/admin/requests').set(as('alice'))).status).toBe(403);
      const filed = await file('alice', { type: 'objection', message: 'Please stop' });
      expect((await sut.http.post(`/api/admin/requests/${filed.body.id}/complete`).set(as('alice')).send({ reason: 'mine' })).status).toBe(403);
      expect((await sut.http.post('/api/admin/legal-holds').set(as('alice')).send({ userId: 'alice', reason: 'no' })).status).toBe(403);
    });

    it('should list with filters (status, type, overdue) and keyset pages, newest first', async () => {
      const first = await file('a', { type: 'rectification', message: 'one' });
      clock.advance(1000);
      const second = await file('b', { type: 'objection', message: 'two' });
      clock.advance(1000);
      const third = await file('c', { type: 'objection', message: 'three', regime: 'ccpa' });
      const list = async (query: string) => (await sut.http.get(`/api/admin/requests${query}`).set(admin())).body.map((r: { id: string }) => r.id);

      expect(await list('')).toEqual([third.body.id, second.body.id, first.body.id]);
      expect(await list('?type=objection')).toEqual([third.body.id, second.body.id]);
      expect(await list('?limit=2')).toEqual([third.body.id, second.body.id]);
      expect(await list(`?limit=2&before=${second.body.id}`)).toEqual([first.body.id]);
      expect(await list('?overdue=true')).toEqual([]);

      clock.set(new Date('2026-03-01T00:00:00Z')); // past the GDPR ones' 28 February, before CCPA's 17 March
      const overdue = (await sut.http.get('/api/admin/requests?overdue=true').set(admin())).body;
      expect(overdue.map((r: { id: string }) => r.id)).toEqual([second.body.id, first.body.id]);
      expect(overdue[0]).toMatchObject({ userId: 'b', overdue: true });
      await sut.http.post(`/api/admin/requests/${first.body.id}/complete`).set(admin()).send({ reason: 'Corrected' });
      expect(await list('?status=completed')).toEqual([first.body.id]);
      expect(await list('?overdue=true')).toEqual([second.body.id]);
      expect((await sut.http.get('/api/admin/requests?status=done').set(admin())).status).toBe(400);
      expect((await sut.http.get('/api/admin/requests?limit=0x10').set(admin())).status).toBe(400);
    });

    it('should extend once, before the deadline, to two more months, and refuse a second or late extension', async () => {
      const filed = await file('slow', { type: 'restriction', message: 'Restrict processing' });
      const extended = await sut.http.post(`/api/admin/requests/${filed.body.id}/extend`).set(admin()).send({ reason: 'Needs records from the payment provider' });
      expect(extended.status).toBe(200);
      expect(extended.body).toMatchObject({ status: 'extended', dueAt: '2026-02-28T10:00:00.000Z', extendedUntil: '2026-04-28T10:00:00.000Z', reason: 'Needs records from the payment provider' });

      const [notice] = (await sut.http.get('/api/notifications').set(as('slow'))).body;
      expect(notice).toMatchObject({
        kind: 'request_answered',
        title: 'Your restriction request needs more time',
        message: 'Your restriction request needs more time. Reason given by our privacy team: Needs records from the payment provider. We will answer by 2026-04-28.',
        read: false,
      });

      const again = await sut.http.post(`/api/admin/requests/${filed.body.id}/extend`).set(admin()).send({ reason: 'More time' });
      expect(again.status).toBe(409);
      expect(again.body.code).toBe('DATA_REQUEST_ALREADY_EXTENDED');

      const late = await file('late', { type: 'restriction', message: 'Restrict' });
      clock.set(new Date('2026-03-01T00:00:00Z'));
      const tooLate = await sut.http.post(`/api/admin/requests/${late.body.id}/extend`).set(admin()).send({ reason: 'Oops' });
      expect(tooLate.status).toBe(409);
      expect(tooLate.body.code).toBe('DATA_REQUEST_EXTENSION_TOO_LATE');
      expect((await rows('select status from data_requests where id = ?', [late.body.id]))[0].status).toBe('received');
    });

    it('should complete or refuse once, with a reason, and audit the operator', async () => {
      const one = await file('p1', { type: 'objection', message: 'Stop' });
      const two = await file('p2', { type: 'objection', message: 'Stop' });
      expect((await sut.http.post(`/api/admin/requests/${one.body.id}/complete`).set(admin()).send({})).status).toBe(400);
      const completed = await sut.http.post(`/api/admin/requests/${one.body.id}/complete`).set(admin()).send({ reason: 'Processing stopped' });
      expect(completed.body).toMatchObject({ status: 'completed', completedAt: '2026-01-31T10:00:00.000Z', reason: 'Processing stopped' });
      const refused = await sut.http.post(`/api/admin/requests/${two.body.id}/refuse`).set(admin()).send({ reason: 'Manifestly unfounded' });
      expect(refused.body).toMatchObject({ status: 'refused', reason: 'Manifestly unfounded' });

      const noticeOf = async (userId: string) => (await sut.http.get('/api/notifications').set(as(userId))).body.map((n: { title: string }) => n.title);
      expect(await noticeOf('p1')).toEqual(['Your objection request was completed']);
      expect(await noticeOf('p2')).toEqual(['Your objection request was refused']);

      const closed = await sut.http.post(`/api/admin/requests/${one.body.id}/refuse`).set(admin()).send({ reason: 'Changed my mind' });
      expect(closed.status).toBe(409);
      expect(closed.body.code).toBe('DATA_REQUEST_CLOSED');
      expect(await noticeOf('p1')).toEqual(['Your objection request was completed']);
      expect((await sut.http.post('/api/admin/requests/00000000-0000-4000-8000-000000000000/complete').set(admin()).send({ reason: 'x' })).status).toBe(404);
      expect((await sut.http.post('/api/admin/requests/not-a-uuid/complete').set(admin()).send({ reason: 'x' })).status).toBe(404);

      const audit = await rows("select action, details from audit_log where category = 'data_requests' and user_id = ? order by id", ['p1']);
      expect(audit.map((entry) => entry.action)).toEqual(['Data subject request received', 'Data subject request completed']);
      expect(audit[1].details).toMatchObject({ requestId: one.body.id, by: 'privacy-officer' });
    });

    it('should let only one of two operators answer a request at the same instant', async () => {
      const filed = await file('contested', { type: 'objection', message: 'Stop' });
      const answers = await Promise.all([
        sut.http.post(`/api/admin/requests/${filed.body.id}/complete`).set(admin()).send({ reason: 'Done' }),
        sut.http.post(`/api/admin/requests/${filed.body.id}/refuse`).set(admin()).send({ reason: 'No' }),
      ]);
      expect(answers.map((answer) => answer.status).sort()).toEqual([200, 409]);
    });
  });

  describe('deadline alerts', () => {
    const deadlineAlerts = async () =>
      (await sut.http.get('/api/admin/alerts').set(admin())).body
        .filter((alert: { kind: string }) => alert.kind.startsWith('data_requests_'))
        .map(({ kind, severity, status, message }: Record<string, string>) => ({ kind, severity, status, message }));

    it('should warn of requests due within 3 days, raise a critical alert once one is overdue, and resolve both when answered', async () => {
      const monitoring = sut.app.get(MonitoringService);
      const due = await file('waiting', { type: 'objection', message: 'Stop' }); // due 2026-02-28T10:00Z
      await file('later', { type: 'objection', message: 'Stop', regime: 'ccpa' }); // due 2026-03-17T10:00Z
      await monitoring.runChecks(new Date('2026-02-24T10:00:00Z'));
      expect(await deadlineAlerts()).toEqual([]);

      await monitoring.runChecks(new Date('2026-02-26T10:00:00Z'));
      expect(await deadlineAlerts()).toEqual([
        { kind: 'data_requests_due_soon', severity: 'warning', status: 'open', message: '1 open data subject request(s) due within 3 days' },
      ]);

      await monitoring.runChecks(new Date('2026-03-01T10:00:00Z'));
      const alerts = await deadlineAlerts();
      expect(alerts).toEqual(
        expect.arrayContaining([
          { kind: 'data_requests_overdue', severity: 'critical', status: 'open', message: '1 data subject request(s) past their legal deadline (the oldest was due 2026-02-28T10:00:00.000Z)' },
          { kind: 'data_requests_due_soon', severity: 'warning', status: 'resolved', message: expect.any(String) },
        ]),
      );
      expect(JSON.stringify(alerts)).not.toContain('waiting');

      await sut.http.post(`/api/admin/requests/${due.body.id}/complete`).set(admin()).send({ reason: 'Processing stopped' });
      await monitoring.runChecks(new Date('2026-03-01T10:05:00Z'));
      expect((await deadlineAlerts()).filter((alert: { status: string }) => alert.status === 'open')).toEqual([]);
    });
  });

  describe('legal hold', () => {
    const placeHold = (body: Record<string, unknown>) => sut.http.post('/api/admin/legal-holds').set(admin()).send(body);
    const tweetsOf = async (userId: string) => Number((await rows('select count(*)::int as n from twitter_data where user_id = ?', [userId]))[0].n);

    it('should refuse delete-my-data with 409 LEGAL_HOLD while held, record the refusal, delete nothing, and erase once lifted', async () => {
      await plantPersonalData(sut, 'held');
      const hold = await placeHold({ userId: 'held', reason: 'Litigation hold, case 2026-CV-1234' });
      expect(hold.status).toBe(201);
      expect(hold.body).toMatchObject({ userId: 'held', placedBy: 'privacy-officer', active: true, until: null, liftedAt: null });

      const refused = await sut.http.post('/api/privacy/delete-my-data').set(as('held'));
      expect(refused.status).toBe(409);
      expect(refused.body.code).toBe('LEGAL_HOLD');
      expect(refused.body.message).toContain('legal obligation');
      expect(await tweetsOf('held')).toBe(2);
      expect(Number((await rows("select count(*)::int as n from oauth_tokens where user_id = 'held'"))[0].n)).toBe(1);
      const request = (await sut.http.get('/api/privacy/requests').set(as('held'))).body.find((r: { type: string }) => r.type === 'erasure');
      expect(request).toMatchObject({ type: 'erasure', status: 'refused', reason: expect.stringContaining('legal hold') });

      const lifted = await sut.http.delete(`/api/admin/legal-holds/${hold.body.id}`).set(admin());
      expect(lifted.status).toBe(200);
      expect(lifted.body).toMatchObject({ active: false, liftedBy: 'privacy-officer' });
      expect((await sut.http.delete(`/api/admin/legal-holds/${hold.body.id}`).set(admin())).body.code).toBe('LEGAL_HOLD_ALREADY_LIFTED');

      expect((await sut.http.post('/api/privacy/delete-my-data').set(as('held'))).status).toBe(200);
      expect(await tweetsOf('held')).toBe(0);
      const actions = (await rows("select action, details from audit_log where user_id = 'held' and category in ('legal_holds', 'privacy') and action <> 'Planted for a test' order by id")).map(
        (entry) => entry.action,
      );
      expect(actions).toEqual(['Legal hold placed', 'Erasure refused: legal hold', 'Legal hold lifted', 'User requested full data deletion']);
    });

    it('should end by itself at `until`', async () => {
      await plantPersonalData(sut, 'until');
      const hold = await placeHold({ userId: 'until', reason: 'Investigation', until: '2026-02-10T00:00:00Z' });
      expect((await sut.http.post('/api/privacy/delete-my-data').set(as('until'))).status).toBe(409);
      clock.set(new Date('2026-02-10T00:00:01Z'));
      const holds = (await sut.http.get('/api/admin/legal-holds').set(admin())).body as Array<{ id: string; active: boolean }>;
      expect(holds.find((listed) => listed.id === hold.body.id)).toMatchObject({ active: false });
      expect((await sut.http.post('/api/privacy/delete-my-data').set(as('until'))).status).toBe(200);
    });

    it('should make retention skip a held person\u2019s rows, expired or soft-deleted, and expire them once lifted', async () => {
      const retention = sut.app.get(RetentionService);
      const old = new Date('2025-06-01T00:00:00Z'); // far past every period at the test clock's 2026-01-31
      for (const userId of ['kept-by-hold', 'not-held']) {
        await rows("insert into run_logs (run_id, user_id, level, message, created_at) values (gen_random_uuid(), ?, 'info', 'old line', ?)", [userId, old]);
        await rows(
          "insert into workflow_runs (id, user_id, flow, job_name, state, attempts, max_attempts, created_at, updated_at, finished_at, deleted_at) values (gen_random_uuid(), ?, 'ingestion', 'twitter.ingest', 'COMPLETED', 1, 5, ?, ?, ?, ?)",
          [userId, old, old, old, old],
        );
      }
      const hold = await placeHold({ userId: 'kept-by-hold', reason: 'Regulator inquiry' });
      await retention.cleanupExpiredRecords(clock.now());
      const left = async (table: string, userId: string) => Number((await rows(`select count(*)::int as n from ${table} where user_id = ? and deleted_at is null`, [userId]))[0].n);
      const present = async (table: string, userId: string) => Number((await rows(`select count(*)::int as n from ${table} where user_id = ?`, [userId]))[0].n);
      expect({ logs: await left('run_logs', 'kept-by-hold'), runs: await present('workflow_runs', 'kept-by-hold') }).toEqual({ logs: 1, runs: 1 });
      expect({ logs: await left('run_logs', 'not-held'), runs: await present('workflow_runs', 'not-held') }).toEqual({ logs: 0, runs: 0 });

      await sut.http.delete(`/api/admin/legal-holds/${hold.body.id}`).set(admin());
      await retention.cleanupExpiredRecords(clock.now());
      expect({ logs: await left('run_logs', 'kept-by-hold'), runs: await present('workflow_runs', 'kept-by-hold') }).toEqual({ logs: 0, runs: 0 });
    });

    it('should refuse a bad hold with a 400 naming the field', async () => {
      const badUser = await placeHold({ userId: 'a b', reason: 'x' });
      expect(badUser.status).toBe(400);
      expect(JSON.stringify(badUser.body)).toContain('userId must be');
      expect((await placeHold({ userId: 'ok', reason: '' })).status).toBe(400);
      expect((await placeHold({ userId: 'ok', reason: 'x', until: 'tomorrow' })).status).toBe(400);
      expect((await sut.http.delete('/api/admin/legal-holds/not-a-uuid').set(admin())).status).toBe(404);
      expect(await rows('select * from legal_holds')).toEqual([]);
    });
  });
});
