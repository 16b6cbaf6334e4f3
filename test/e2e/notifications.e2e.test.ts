// Notices to the person through the HTTP API, against PostgreSQL: consent expiring in 30 and 7
// days and expired (the daily job, run twice: no duplicates), a run refused for consent or
// subscription, an export ready, and the erasure's confirmation (the only notice left after it);
// own notices only, newest first, read flags; exported with the person's data.
import { randomUUID } from 'node:crypto';
import { ManualClock } from '../../src/core/clock/clock';
import { RunFlow } from '../../src/core/jobs/entities/workflow-run.entity';
import { JobName } from '../../src/core/jobs/job-payloads';
import { RunsService } from '../../src/core/jobs/runs.service';
import { ConsentNoticesService } from '../../src/modules/consent/consent-notices.service';
import { plantPersonalData } from '../utils/plant-personal-data';
import { startTestApp, TestApp } from '../utils/test-app';
import { waitForRun } from '../utils/x-account';

const DAY = 24 * 60 * 60 * 1000;

interface NoticeBody {
  id: string;
  kind: string;
  title: string;
  message: string;
  data: Record<string, string | number | null>;
  read: boolean;
  createdAt: string;
  readAt: string | null;
}

describe('Notifications (e2e)', () => {
  const clock = new ManualClock(new Date('2026-11-22T10:00:00Z'));
  let sut: TestApp;
  const auth = (userId: string) => ({ Authorization: `Bearer ${sut.token(userId)}` });

  beforeAll(async () => {
    sut = await startTestApp({ clock });
  });
  beforeEach(async () => {
    clock.set(new Date('2026-11-22T10:00:00Z'));
    await sut.resetDatabase();
  });
  afterAll(() => sut.close());

  async function notices(userId: string, query = ''): Promise<NoticeBody[]> {
    const response = await sut.http.get(`/api/notifications${query}`).set(auth(userId));
    expect(response.status).toBe(200);
    return response.body as NoticeBody[];
  }

  /** An X connection granted `ageDays` ago (consent lasts 365 days). */
  async function plantConnection(userId: string, ageDays: number, { subscription = true } = {}): Promise<void> {
    const now = clock.now();
    const grantedAt = new Date(now.getTime() - ageDays * DAY);
    const sql = (query: string, params: unknown[]) => sut.em().getConnection().execute(query, params);
    await sql('insert into users (id, created_at, last_seen_at) values (?, ?, ?) on conflict do nothing', [userId, now, now]);
    await sql(
      "insert into oauth_tokens (id, user_id, provider, provider_user_id, access_token_ciphertext, refresh_token_ciphertext, key_id, scopes, access_token_expires_at, granted_at, created_at, updated_at) values (?, ?, 'x', ?, 'v1:sealed-access', 'v1:sealed-refresh', 'test1', '{tweet.read}', ?, ?, ?, ?)",
      [randomUUID(), userId, `x-${userId}`, now, grantedAt, grantedAt, grantedAt],
    );
    if (subscription) {
      await sql("insert into subscriptions (id, user_id, stripe_subscription_id, tier, status, created_at, updated_at) values (?, ?, ?, 'pro', 'active', ?, ?)", [
        randomUUID(), userId, `sub_${randomUUID()}`, now, now,
      ]);
    }
  }

  describe('consent expiry (the daily job)', () => {
    it('should tell each person once: 30 days before, 7 days before, and when it expired', async () => {
      await plantConnection('expires-in-20-days', 345);
      await plantConnection('expires-in-3-days', 362);
      await plantConnection('expired-2-days-ago', 367);
      await plantConnection('expires-in-100-days', 265);
      await plantConnection('expired-long-ago', 365 + 60);
      const job = sut.app.get(ConsentNoticesService);

      expect(await job.sendExpiryNotices()).toEqual({ expiringIn30Days: 1, expiringIn7Days: 1, expired: 1 });
      expect(await job.sendExpiryNotices()).toEqual({ expiringIn30Days: 0, expiringIn7Days: 0, expired: 0 });

      const in20 = await notices('expires-in-20-days');
      expect(in20).toEqual([
        expect.objectContaining({ kind: 'consent_expiring', title: 'Your consent expires in 30 days', read: false, data: { days: 30, expiresAt: '2026-12-12T10:00:00.000Z' } }),
      ]);
      expect(in20[0].message).toContain('expires on 2026-12-12');
      expect(await notices('expires-in-3-days')).toEqual([expect.objectContaining({ kind: 'consent_expiring', data: expect.objectContaining({ days: 7 }) })]);
      expect(await notices('expired-2-days-ago')).toEqual([expect.objectContaining({ kind: 'consent_expired', title: 'Your consent has expired' })]);
      expect(await notices('expires-in-100-days')).toEqual([]);
      expect(await notices('expired-long-ago')).toEqual([]);

      // 14 days later the first one is within 7 days: its 7-day notice comes, newest first.
      clock.advance(14 * DAY);
      expect(await job.sendExpiryNotices()).toMatchObject({ expiringIn7Days: 1 });
      expect((await notices('expires-in-20-days')).map((notice) => `${notice.kind}:${notice.data.days}`)).toEqual(['consent_expiring:7', 'consent_expiring:30']);
    });

    it('should be the consent_expiry_notices scheduled job, daily at 09:00 UTC', async () => {
      const admin = { Authorization: `Bearer ${sut.token('ops-notices-0001', { admin: true })}` };
      const jobs = await sut.http.get('/api/admin/jobs').set(admin);
      expect(jobs.body).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'consent_expiry_notices', cron: '0 9 * * *' })]));
      await plantConnection('expires-in-3-days', 362);
      const started = await sut.http.post('/api/admin/jobs/consent_expiry_notices/run').set(admin);
      expect(started.status).toBe(202);
      const run = await waitForRun(sut, started.body.runId as string);
      expect(run).toMatchObject({ state: 'COMPLETED', result: { expiringIn30Days: 0, expiringIn7Days: 1, expired: 0 } });
    });
  });

  describe('runs refused for consent or subscription', () => {
    it('should tell the person why the run failed, once per run, and record the refusal', async () => {
      const runs = sut.app.get(RunsService);
      await sut.http.get('/api/notifications').set(auth('never-connected')); // creates the user
      const ingest = await runs.startRun(RunFlow.INGESTION, JobName.TwitterIngest, 'never-connected', { userId: 'never-connected' });
      expect(await waitForRun(sut, ingest.id)).toMatchObject({ state: 'FAILED', errorCode: 'CONSENT_REQUIRED' });

      await plantConnection('no-subscription', 10, { subscription: false });
      const analysis = await runs.startRun(RunFlow.ANALYSIS, JobName.AnalysisSentiment, 'no-subscription', { userId: 'no-subscription' });
      expect(await waitForRun(sut, analysis.id)).toMatchObject({ state: 'FAILED', errorCode: 'SUBSCRIPTION_INACTIVE' });

      expect(await notices('never-connected')).toEqual([
        expect.objectContaining({
          kind: 'run_failed',
          title: 'Your X sync could not run',
          data: { runId: ingest.id, job: 'twitter.ingest', reason: 'CONSENT_REQUIRED' },
        }),
      ]);
      const [refused] = await notices('no-subscription');
      expect(refused).toMatchObject({ kind: 'run_failed', title: 'Your sentiment analysis could not run', data: { runId: analysis.id, reason: 'SUBSCRIPTION_INACTIVE' } });
      expect(refused.message).toBe('Your sentiment analysis stopped because it needs an active subscription.');

      const events = await sut.em().getConnection().execute<{ user_id: string; details: Record<string, unknown> }[]>(
        "select user_id, details from compliance_events where kind = 'consent_check_failed' order by user_id",
      );
      expect(events).toEqual([
        { user_id: 'never-connected', details: { reason: 'CONSENT_REQUIRED', source: 'run', job: 'twitter.ingest' } },
        { user_id: 'no-subscription', details: { reason: 'SUBSCRIPTION_INACTIVE', source: 'run', job: 'analysis.sentiment' } },
      ]);
    });
  });

  describe('export ready and deletion completed', () => {
    it('should tell the person their export is ready, and include notices in the export', async () => {
      const userId = 'exporting-person';
      await plantPersonalData(sut, userId);
      const started = await sut.http.post('/api/privacy/export').set(auth(userId));
      expect(started.status).toBe(202);
      expect((await waitForRun(sut, started.body.runId as string)).state).toBe('COMPLETED');
      // The planted notice and this export's, written at the same (frozen) time.
      const list = await notices(userId);
      expect(list).toHaveLength(2);
      expect(list).toContainEqual(
        expect.objectContaining({ kind: 'export_ready', title: 'Your data export is ready', data: { exportId: started.body.exportId, expiresAt: '2026-11-23T10:00:00.000Z' } }),
      );

      const status = await sut.http.get(`/api/privacy/exports/${started.body.exportId}`).set(auth(userId));
      const url = new URL(status.body.url as string);
      const download = await sut.http.get(url.pathname + url.search).buffer(true);
      const document = JSON.parse(download.text || download.body.toString()) as { notifications: { kind: string; title: string }[] };
      // The planted notice (the export's own notice is written when the file is complete).
      expect(document.notifications).toEqual([expect.objectContaining({ kind: 'export_ready', title: 'Your data export is ready' })]);
    });

    it('should erase earlier notices with the person’s data and leave one confirmation', async () => {
      const userId = 'erasing-person';
      await plantPersonalData(sut, userId);
      await plantPersonalData(sut, 'bystander-person');
      await sut.app.get(ConsentNoticesService).sendExpiryNotices(new Date(clock.nowMs() + 360 * DAY));
      expect((await notices(userId)).length).toBeGreaterThan(1);

      const erased = await sut.http.post('/api/privacy/delete-my-data').set(auth(userId));
      expect(erased.body.ok).toBe(true);
      const left = await notices(userId);
      expect(left).toEqual([
        expect.objectContaining({ kind: 'deletion_completed', title: 'Your data was deleted', read: false, data: { deletedAt: '2026-11-22T10:00:00.000Z' } }),
      ]);
      expect(left[0].message).toContain('We keep what the law requires');
      expect((await notices('bystander-person')).length).toBeGreaterThan(0);
    });
  });

  describe('GET /api/notifications and POST /api/notifications/:id/read', () => {
    it('should list own notices newest first, mark one read, filter unread, and hide other people’s', async () => {
      await plantPersonalData(sut, 'reader');
      await plantConnection('reader-2', 362);
      await sut.app.get(ConsentNoticesService).sendExpiryNotices();
      clock.advance(1000);
      const started = await sut.http.post('/api/privacy/export').set(auth('reader'));
      await waitForRun(sut, started.body.runId as string);

      const list = await notices('reader');
      expect(list.map((notice) => notice.createdAt)).toEqual([...list.map((notice) => notice.createdAt)].sort().reverse());
      expect(list.every((notice) => !notice.read)).toBe(true);
      const [newest] = list;

      const read = await sut.http.post(`/api/notifications/${newest.id}/read`).set(auth('reader'));
      expect(read.status).toBe(200);
      expect(read.body).toMatchObject({ id: newest.id, read: true, readAt: clock.now().toISOString() });
      clock.advance(1000);
      const again = await sut.http.post(`/api/notifications/${newest.id}/read`).set(auth('reader'));
      expect(again.body.readAt).toBe(read.body.readAt);
      expect((await notices('reader', '?unread=true')).map((notice) => notice.id)).not.toContain(newest.id);
      expect(await notices('reader', '?limit=1')).toHaveLength(1);

      // Another person's notice, a malformed id and an unknown one all look the same.
      const [othersNotice] = await notices('reader-2');
      for (const id of [othersNotice.id, 'not-a-uuid', randomUUID()]) {
        const refused = await sut.http.post(`/api/notifications/${id}/read`).set(auth('reader'));
        expect(refused.status).toBe(404);
        expect(refused.body.code).toBe('NOTIFICATION_NOT_FOUND');
      }
      expect((await notices('reader-2'))[0].read).toBe(false);
      expect((await sut.http.get('/api/notifications')).status).toBe(401);
      expect((await sut.http.get('/api/notifications?unread=maybe').set(auth('reader'))).status).toBe(400);
      expect((await sut.http.get('/api/notifications?limit=0').set(auth('reader'))).status).toBe(400);
    });
  });

  describe('in embedded mode (PGlite: one connection)', () => {
    let embedded: TestApp;
    beforeAll(async () => {
      embedded = await startTestApp({ mode: 'embedded' });
    });
    afterAll(() => embedded.close());

    it('should write the notices of a refused run, a ready export and an erasure without waiting on a second connection', async () => {
      const token = (userId: string) => ({ Authorization: `Bearer ${embedded.token(userId)}` });
      await embedded.http.get('/api/notifications').set(token('embedded-person'));
      const runs = embedded.app.get(RunsService);
      const refused = await runs.startRun(RunFlow.INGESTION, JobName.TwitterIngest, 'embedded-person', { userId: 'embedded-person' });
      expect(await waitForRun(embedded, refused.id)).toMatchObject({ state: 'FAILED', errorCode: 'CONSENT_REQUIRED' });

      const started = await embedded.http.post('/api/privacy/export').set(token('embedded-person'));
      expect((await waitForRun(embedded, started.body.runId as string)).state).toBe('COMPLETED');
      const kinds = ((await embedded.http.get('/api/notifications').set(token('embedded-person'))).body as NoticeBody[]).map((notice) => notice.kind);
      expect(kinds.sort()).toEqual(['export_ready', 'run_failed']);

      expect((await embedded.http.post('/api/privacy/delete-my-data').set(token('embedded-person'))).body.ok).toBe(true);
      expect(((await embedded.http.get('/api/notifications').set(token('embedded-person'))).body as NoticeBody[]).map((notice) => notice.kind)).toEqual(['deletion_completed']);
    });
  });
});

