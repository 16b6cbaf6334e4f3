// Export (GDPR Art. 20) and delete-my-data (Art. 17) through the HTTP API, against PostgreSQL.
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ManualClock } from '../../src/core/clock/clock';
import { ContentOpenerPool } from '../../src/core/crypto/content-opener-pool';
import { DataKeys } from '../../src/core/crypto/data-keys';
import { EXPORT_BATCH_SIZE } from '../../src/modules/export/export-sections';
import { PersonalDataMap } from '../../src/core/personal-data';
import { plantPersonalData, PLANTED_TWEET_IDS } from '../utils/plant-personal-data';
import { startTestApp, TestApp } from '../utils/test-app';
import { waitForRun } from '../utils/x-account';

const HOUR = 60 * 60 * 1000;

async function waitForExport(sut: TestApp, auth: Record<string, string>, exportId: string) {
  for (let i = 0; i < 100; i += 1) {
    const response = await sut.http.get(`/api/privacy/exports/${exportId}`).set(auth);
    if (response.body.status !== 'pending') return response;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('export did not finish');
}

const count = async (sut: TestApp, table: string, userId: string) =>
  Number((await sut.em().getConnection().execute(`select count(*)::int as n from ${table} where user_id = ?`, [userId]))[0].n);

describe('Data export', () => {
  const clock = new ManualClock(new Date('2026-11-22T10:00:00Z'));
  let sut: TestApp;

  beforeAll(async () => {
    sut = await startTestApp({ clock });
  });
  beforeEach(() => sut.resetDatabase());
  afterAll(() => sut.close());

  it('should build one JSON document with every section and no token values, behind a signed link', async () => {
    const auth = { Authorization: `Bearer ${sut.token('exporter-1')}` };
    await plantPersonalData(sut, 'exporter-1');
    await plantPersonalData(sut, 'someone-else');
    await sut.http.post('/api/support/tickets').set(auth).send({ subject: 'Hello', body: 'A question' });

    const started = await sut.http.post('/api/privacy/export').set(auth);
    expect(started.status).toBe(202);
    expect(started.body).toEqual({ runId: expect.any(String), exportId: expect.any(String) });
    const status = await waitForExport(sut, auth, started.body.exportId);
    expect(status.body).toEqual({ status: 'ready', url: expect.stringContaining('/download?expires='), expiresAt: '2026-11-23T10:00:00.000Z' });

    const url = new URL(status.body.url);
    const download = await sut.http.get(url.pathname + url.search).buffer(true);
    expect(download.status).toBe(200);
    expect(download.headers['content-disposition']).toContain('attachment');
    const text = download.text || download.body.toString();
    const document = JSON.parse(text);
    // One section per table of the personal-data map, the account first.
    expect(Object.keys(document)).toEqual(
      expect.arrayContaining(['exportedAt', 'user', 'consent', 'oauthHistory', 'subscriptions', 'billingRecords', 'tweets', 'analyses', 'runs', 'auditLog', 'supportTickets', 'complianceEvents', 'billingEvents']),
    );
    expect(Object.keys(document)).toHaveLength(1 + sut.app.get(PersonalDataMap).tables().length);
    expect(Object.keys(document).slice(0, 2)).toEqual(['exportedAt', 'user']);
    expect(document.user.id).toBe('exporter-1');
    expect(document.tweets.map((tweet: { tweet_id: string }) => tweet.tweet_id).sort()).toEqual([...PLANTED_TWEET_IDS]);
    expect(document.billingRecords).toHaveLength(1);
    expect(document.supportTickets).toHaveLength(2); // the planted one and the one sent above
    expect(document.oauthHistory).toHaveLength(1);
    expect(text).not.toContain('sealed-access');
    expect(text).not.toContain('sealed-refresh');
    expect(text).not.toContain('someone-else');
    const actions = (await sut.http.get('/api/privacy/audit').set(auth)).body.map((entry: { action: string }) => entry.action);
    expect(actions).toEqual(expect.arrayContaining(['Data export requested', 'Data export downloaded']));
  });

  it('should export every one of thousands of sealed tweets, opened on the opener thread batch by batch, in order', async () => {
    const userId = 'exporter-many';
    const auth = { Authorization: `Bearer ${sut.token(userId)}` };
    const key = await sut.app.get(DataKeys, { strict: false }).forWrite(sut.em(), userId);
    // More than two export batches (2,000 rows each), each above the opener thread's threshold.
    const tweets = Array.from({ length: 2 * EXPORT_BATCH_SIZE + 345 }, (_, i) => ({ id: randomUUID(), tweetId: String(1_600_000_000_000 + i), text: `tweet number ${i} ✓` }));
    for (let start = 0; start < tweets.length; start += 1000) {
      const rows = tweets.slice(start, start + 1000);
      await sut.em().getConnection().execute(
        `insert into twitter_data (id, user_id, tweet_id, text, lang, tweet_created_at, fetched_at) values ${rows.map(() => "(?, ?, ?, ?, 'en', now(), now())").join(', ')}`,
        rows.flatMap((tweet) => [tweet.id, userId, tweet.tweetId, key.seal('twitter_data', 'text', tweet.id, tweet.text)]),
      );
    }
    const before = sut.app.get(ContentOpenerPool, { strict: false }).threadCount;

    const started = await sut.http.post('/api/privacy/export').set(auth);
    const status = await waitForExport(sut, auth, started.body.exportId);
    const url = new URL(status.body.url);
    const download = await sut.http.get(url.pathname + url.search).buffer(true);
    const document = JSON.parse(download.text || download.body.toString());

    expect(before).toBe(0);
    expect(sut.app.get(ContentOpenerPool, { strict: false }).threadCount).toBeGreaterThan(0);
    const byId = [...tweets].sort((a, b) => (a.id < b.id ? -1 : 1));
    expect(document.tweets.map((tweet: { id: string; text: string }) => [tweet.id, tweet.text])).toEqual(byId.map((tweet) => [tweet.id, tweet.text]));
  });

  it('should refuse a tampered link with 403 and an expired one with 410', async () => {
    const auth = { Authorization: `Bearer ${sut.token('exporter-2')}` };
    const started = await sut.http.post('/api/privacy/export').set(auth);
    const { body } = await waitForExport(sut, auth, started.body.exportId);
    const url = new URL(body.url);
    const signature = url.searchParams.get('signature')!;
    const tampered = new URL(url);
    tampered.searchParams.set('expires', String(Number(url.searchParams.get('expires')) + 1000));
    expect((await sut.http.get(tampered.pathname + tampered.search)).status).toBe(403);
    const badSignature = new URL(url);
    badSignature.searchParams.set('signature', signature.replace(/^./, signature[0] === 'A' ? 'B' : 'A'));
    expect((await sut.http.get(badSignature.pathname + badSignature.search)).status).toBe(403);
    expect((await sut.http.get(url.pathname)).status).toBe(403);

    clock.advance(24 * HOUR - 1000);
    expect((await sut.http.get(url.pathname + url.search)).status).toBe(200);
    clock.advance(2000);
    const expired = await sut.http.get(url.pathname + url.search);
    expect(expired.status).toBe(410);
    expect(expired.body.code).toBe('EXPORT_LINK_EXPIRED');
  });

  it('should answer 404 to another user’s export id and to a malformed id', async () => {
    const started = await sut.http.post('/api/privacy/export').set({ Authorization: `Bearer ${sut.token('owner')}` });
    const other = { Authorization: `Bearer ${sut.token('intruder')}` };
    expect((await sut.http.get(`/api/privacy/exports/${started.body.exportId}`).set(other)).status).toBe(404);
    expect((await sut.http.get('/api/privacy/exports/not-a-uuid').set(other)).status).toBe(404);
  });
});

describe('Delete my data', () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await startTestApp();
  });
  beforeEach(() => sut.resetDatabase());
  afterAll(() => sut.close());

  it('should delete the person’s data, keep billing, report counts, and be idempotent', async () => {
    const userId = 'erase-me';
    const auth = { Authorization: `Bearer ${sut.token(userId)}` };
    await plantPersonalData(sut, userId);
    await plantPersonalData(sut, 'bystander');
    await sut.http.post('/api/support/tickets').set(auth).send({ subject: 'Bye', body: 'Please erase me' });
    const started = await sut.http.post('/api/privacy/export').set(auth);
    await waitForExport(sut, auth, started.body.exportId);
    const exportFile = join(sut.config.dataDir, 'exports', `${started.body.exportId}.json`);
    expect(existsSync(exportFile)).toBe(true);

    // The export run wrote run logs of its own, some after the export was marked ready: wait for
    // the run to end, then count what is there right before.
    expect((await waitForRun(sut, started.body.runId as string)).state).toBe('COMPLETED');
    const logsBefore = await count(sut, 'run_logs', userId);
    expect(logsBefore).toBeGreaterThan(1);
    const response = await sut.http.post('/api/privacy/delete-my-data').set(auth);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      ok: true,
      deleted: {
        workflows: 2, jobs: 0, logs: logsBefore, support_tickets: 2, tokens: 1, dsar_exports: 2, tweets: 2, analyses: 1, compliance_events: 1,
        // The planted notice and the export's.
        notifications: 2,
      },
    });
    for (const table of ['workflow_runs', 'run_logs', 'support_tickets', 'oauth_tokens', 'data_exports', 'twitter_data', 'analyses', 'compliance_events']) {
      expect({ table, rows: await count(sut, table, userId) }).toEqual({ table, rows: 0 });
      expect({ table, bystander: (await count(sut, table, 'bystander')) > 0 }).toEqual({ table, bystander: true });
    }
    expect(existsSync(exportFile)).toBe(false);
    expect(await count(sut, 'billing_records', userId)).toBe(1);
    expect(await count(sut, 'subscriptions', userId)).toBe(1);
    expect(Number((await sut.em().getConnection().execute('select count(*)::int as n from users where id = ?', [userId]))[0].n)).toBe(1);
    const audit = (await sut.http.get('/api/privacy/audit').set(auth)).body;
    expect(audit.map((entry: { action: string }) => entry.action)).toContain('User requested full data deletion');

    const again = await sut.http.post('/api/privacy/delete-my-data').set(auth);
    expect(again.body).toEqual({
      ok: true,
      // Nothing more, but the first erasure's confirmation notice, which this one replaces with its own.
      deleted: { workflows: 0, jobs: 0, logs: 0, support_tickets: 0, tokens: 0, dsar_exports: 0, tweets: 0, analyses: 0, compliance_events: 0, notifications: 1 },
    });
  });

  it('should remove the person’s queued jobs and count them', async () => {
    const userId = 'queued-user';
    const auth = { Authorization: `Bearer ${sut.token(userId)}` };
    const { RunsService } = await import('../../src/core/jobs/runs.service');
    const { RunFlow } = await import('../../src/core/jobs/entities/workflow-run.entity');
    const runs = sut.app.get(RunsService);
    await sut.http.get('/api/support/tickets').set(auth); // creates the user
    await runs.startRun(RunFlow.INGESTION, 'twitter.ingest', userId, { userId }, { delayMs: 10 * 60_000 });
    const response = await sut.http.post('/api/privacy/delete-my-data').set(auth);
    expect(response.body.deleted).toMatchObject({ jobs: 1, workflows: 1 });
    expect(await count(sut, 'workflow_runs', userId)).toBe(0);
  });

  it('should leave nothing half-deleted when a step fails mid-way, and succeed on retry', async () => {
    const userId = 'fault-user';
    const auth = { Authorization: `Bearer ${sut.token(userId)}` };
    await plantPersonalData(sut, userId);
    const sql = (query: string) => sut.em().getConnection().execute(query);
    // Tables are erased in the map's order (by name): workflow_runs comes after every other
    // erased table, so breaking it fails the transaction late.
    await sql('alter table workflow_runs rename to workflow_runs_unavailable');
    let failed;
    try {
      failed = await sut.http.post('/api/privacy/delete-my-data').set(auth);
    } finally {
      await sql('alter table workflow_runs_unavailable rename to workflow_runs');
    }
    expect(failed.status).toBe(500);
    expect(failed.body).toEqual({ ok: false, error: expect.stringContaining('nothing was removed') });
    for (const table of ['workflow_runs', 'run_logs', 'twitter_data', 'analyses', 'compliance_events', 'support_tickets']) {
      expect({ table, rows: await count(sut, table, userId) }).toEqual({ table, rows: table === 'twitter_data' ? 2 : 1 });
    }
    const [event] = await sut.em().getConnection().execute('select user_id from billing_events');
    expect(event.user_id).toBe(userId); // not pseudonymised either
    const logged = sut.logs.find((line) => line.includes('delete-my-data failed'));
    expect(logged).toContain('stack');
    // The database error is logged by its code and location, never with the SQL's values.
    expect(logged).toContain('database error 42P01');
    expect(logged).not.toContain('fault-user');

    const retried = await sut.http.post('/api/privacy/delete-my-data').set(auth);
    expect(retried.body.ok).toBe(true);
    expect(retried.body.deleted.tweets).toBe(2);
  });
});
