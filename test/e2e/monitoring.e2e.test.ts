// Monitoring against the real app (PostgreSQL, Redis): alerts from planted compliance events,
// deduplicated and resolved, listed for admins, announced to a local fake webhook; Prometheus
// metrics behind the metrics token; the per-user database query counter fed by real requests;
// and Monitoring's parts of the health route.
import { SchedulerRegistry } from '@nestjs/schedule';
import type Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { AuditService } from '../../src/core/audit/audit.service';
import { JobName } from '../../src/core/jobs/job-payloads';
import { LockService } from '../../src/core/locks/lock.service';
import { REDIS_CLIENT } from '../../src/core/redis/redis.module';
import { DatabaseQueryCounter } from '../../src/modules/monitoring/database-query-counter';
import { AlertDeliveryService } from '../../src/modules/monitoring/alert-delivery.service';
import { ComplianceEventKind } from '../../src/modules/monitoring/entities/compliance-event.entity';
import { MonitoringScheduler } from '../../src/modules/monitoring/monitoring.scheduler';
import { MonitoringService } from '../../src/modules/monitoring/monitoring.service';
import { MONITORING_THRESHOLDS_TOKEN, MonitoringThresholds } from '../../src/modules/monitoring/monitoring.thresholds';
import { RateLimiterService } from '../../src/modules/rate-limit/rate-limiter.service';
import { maskUserId } from '../../src/core/redaction/mask-user-id';
import { RedactionService } from '../../src/modules/redaction/redaction.service';
import { RETENTION_COMPLETED_ACTION } from '../../src/modules/retention/retention.service';
import { startTestApp, TestApp } from '../utils/test-app';

const METRICS_TOKEN = 'e2e-metrics-token-0123456789abcdef';
const QUEUE_NAME = `monitoring-e2e-${randomBytes(4).toString('hex')}`;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

interface WebhookCall {
  contentType: string | undefined;
  raw: string;
  body: { text?: unknown; blocks?: unknown };
}

/** A chat webhook: records every POST and answers the queued statuses first, then 200. */
class FakeWebhook {
  readonly calls: WebhookCall[] = [];
  statuses: number[] = [];
  private server: Server | undefined;

  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      void readBody(request).then((raw) => {
        this.calls.push({ contentType: request.headers['content-type'], raw, body: JSON.parse(raw) as WebhookCall['body'] });
        response.statusCode = this.statuses.shift() ?? 200;
        response.end(response.statusCode === 200 ? 'ok' : 'upstream error');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/services/T000/B000/webhook-secret`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

/** Prometheus text format -> samples, e.g. `{ name, labels: { method: 'GET' }, value }`. */
function parseMetrics(text: string): { name: string; labels: Record<string, string>; value: number }[] {
  const samples: { name: string; labels: Record<string, string>; value: number }[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`not a Prometheus sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const label of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[label[1]] = label[2];
    samples.push({ name: match[1], labels, value: Number(match[3]) });
  }
  return samples;
}

function valueOf(samples: ReturnType<typeof parseMetrics>, name: string, labels: Record<string, string>): number | undefined {
  return samples.find((sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value))?.value;
}

interface AlertBody {
  kind: string;
  severity: string;
  subject: string;
  status: string;
  count: number;
  message: string;
  firstSeenAt: string;
  lastSeenAt: string;
  resolvedAt: string | null;
  notifiedAt: string | null;
}

describe('Monitoring (e2e)', () => {
  const webhook = new FakeWebhook();
  let sut: TestApp;
  let monitoring: MonitoringService;
  const admin = () => ({ Authorization: `Bearer ${sut.token('ops-root-9001', { admin: true })}` });

  beforeAll(async () => {
    const webhookUrl = await webhook.start();
    // A queue of its own: workers of other suites' apps share this Redis and would take our runs.
    sut = await startTestApp({ env: { ALERT_WEBHOOK_URL: webhookUrl, METRICS_TOKEN, RUNS_QUEUE_NAME: QUEUE_NAME } });
    monitoring = sut.app.get(MonitoringService);
  });
  beforeEach(async () => {
    await sut.resetDatabase();
    // Query counts are shared through Redis by every app of the test run (other suites' users
    // would show up as anomalies): start each test from none.
    const redis = sut.app.get<Redis>(REDIS_CLIENT);
    const counters = await redis.keys('monitoring:db-queries:*');
    if (counters.length > 0) await redis.del(...counters);
    webhook.calls.length = 0;
    webhook.statuses = [];
  });
  afterAll(async () => {
    const redis = sut.app.get<Redis>(REDIS_CLIENT);
    const keys = await redis.keys(`bull:${QUEUE_NAME}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await sut.close();
    await webhook.stop();
  });

  async function plantEvents(kind: ComplianceEventKind, userId: string, count: number, ageMs: number): Promise<void> {
    const occurredAt = new Date(Date.now() - ageMs);
    for (let i = 0; i < count; i++) {
      await sut
        .em()
        .getConnection()
        .execute('insert into compliance_events (kind, user_id, details, occurred_at) values (?, ?, ?, ?)', [kind, userId, '{}', occurredAt]);
    }
  }

  async function listAlerts(query = ''): Promise<AlertBody[]> {
    const response = await sut.http.get(`/api/admin/alerts${query}`).set(admin());
    expect(response.status).toBe(200);
    return response.body as AlertBody[];
  }

  const userAlerts = (alerts: AlertBody[]) => alerts.filter((alert) => alert.subject.startsWith('****'));

  it('should raise alerts from recorded events over their thresholds, and only those', async () => {
    await plantEvents(ComplianceEventKind.RATE_LIMIT_REJECTED, 'e2e-violator-ab12', 11, 10 * MINUTE);
    await plantEvents(ComplianceEventKind.RATE_LIMIT_REJECTED, 'e2e-violator-ab12', 30, HOUR + MINUTE);
    await plantEvents(ComplianceEventKind.RATE_LIMIT_REJECTED, 'e2e-borderline-cd34', 10, 10 * MINUTE);
    await plantEvents(ComplianceEventKind.RATE_LIMIT_REJECTED, 'e2e-stale-zz99', 40, 2 * HOUR);
    await plantEvents(ComplianceEventKind.TOKEN_REFRESH_FAILED, 'e2e-refresh-ef56', 4, 20 * HOUR);
    await plantEvents(ComplianceEventKind.TOKEN_REFRESH_FAILED, 'e2e-refresh-ok-mn01', 3, 20 * HOUR);
    await plantEvents(ComplianceEventKind.QUOTA_EXCEEDED, 'e2e-quota-gh78', 6, 11 * HOUR);
    await plantEvents(ComplianceEventKind.QUOTA_EXCEEDED, 'e2e-quota-ok-op02', 5, 11 * HOUR);

    const report = await monitoring.runChecks();
    expect(report).toMatchObject({ stored: true, failedChecks: [] });

    const alerts = userAlerts(await listAlerts());
    expect(alerts.map(({ kind, subject, severity, status, count }) => ({ kind, subject, severity, status, count })).sort((a, b) => a.kind.localeCompare(b.kind))).toEqual([
      { kind: 'quota_exceeded_attempts', subject: '****gh78', severity: 'warning', status: 'open', count: 1 },
      { kind: 'rate_limit_violations', subject: '****ab12', severity: 'warning', status: 'open', count: 1 },
      { kind: 'token_refresh_failures', subject: '****ef56', severity: 'warning', status: 'open', count: 1 },
    ]);
    const violation = alerts.find((alert) => alert.kind === 'rate_limit_violations')!;
    expect(violation.message).toBe('11 outbound rate-limit rejections in the last 1 h (threshold 10)');
    expect(JSON.stringify(alerts)).not.toMatch(/e2e-/);
  });

  it('should deduplicate open alerts and resolve them when the condition clears', async () => {
    await plantEvents(ComplianceEventKind.RATE_LIMIT_REJECTED, 'e2e-violator-ab12', 11, 10 * MINUTE);
    await monitoring.runChecks();
    await monitoring.runChecks();
    const rows = await sut
      .em()
      .getConnection()
      .execute<{ subject: string; count: number; status: string; resolved_at: Date | null }[]>(
        "select subject, count, status, resolved_at from alerts where kind = 'rate_limit_violations'",
      );
    expect(rows).toEqual([{ subject: '****ab12', count: 2, status: 'open', resolved_at: null }]);

    await sut.em().getConnection().execute("delete from compliance_events where user_id = 'e2e-violator-ab12'");
    const report = await monitoring.runChecks();
    expect(report.resolved).toBeGreaterThanOrEqual(1);

    const resolved = userAlerts(await listAlerts('?status=resolved'));
    expect(resolved).toEqual([expect.objectContaining({ kind: 'rate_limit_violations', subject: '****ab12', status: 'resolved', count: 2, resolvedAt: expect.any(String) })]);
    expect(userAlerts(await listAlerts('?status=open'))).toEqual([]);
  });

  it('should list alerts most recently seen first', async () => {
    await plantEvents(ComplianceEventKind.QUOTA_EXCEEDED, 'e2e-first-0001', 6, MINUTE);
    await monitoring.runChecks(new Date(Date.now() - 1000));
    await plantEvents(ComplianceEventKind.TOKEN_REFRESH_FAILED, 'e2e-second-0002', 4, MINUTE);
    await sut.em().getConnection().execute("delete from compliance_events where user_id = 'e2e-first-0001'");
    await monitoring.runChecks();
    const subjects = userAlerts(await listAlerts()).map((alert) => [alert.subject, alert.status]);
    expect(subjects).toEqual([
      ['****0002', 'open'],
      ['****0001', 'resolved'],
    ]);
  });

  it('should answer 403 to a non-admin, 401 without a token and 400 to a bad status', async () => {
    const forbidden = await sut.http.get('/api/admin/alerts').set('Authorization', `Bearer ${sut.token('e2e-plain-user')}`);
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.code).toBe('FORBIDDEN');
    expect((await sut.http.get('/api/admin/alerts')).status).toBe(401);
    const bad = await sut.http.get('/api/admin/alerts?status=closed').set(admin());
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('status');
  });

  it('should announce new alerts to the webhook as Slack JSON without personal data, retrying after a 500', async () => {
    webhook.statuses = [500];
    await plantEvents(ComplianceEventKind.RATE_LIMIT_REJECTED, 'alice.smith@example.com', 12, 5 * MINUTE);
    const now = new Date();
    expect(await monitoring.runChecks(now)).toMatchObject({ deliveries: { planned: 1, delivered: 0, retrying: 1 } });
    expect(webhook.calls).toHaveLength(1);
    // The retry waits for its backoff (30 s), then goes out with the same body.
    await sut.app.get(AlertDeliveryService).dispatchDue(new Date(now.getTime() + 31_000));

    expect(webhook.calls).toHaveLength(2);
    expect(webhook.calls[0].raw).toBe(webhook.calls[1].raw);
    const [, delivered] = webhook.calls;
    expect(delivered.contentType).toBe('application/json');
    expect(delivered.body).toEqual({ text: expect.any(String), blocks: expect.any(Array) });
    expect(delivered.body.text).toContain('rate_limit_violations ****.com: 12 outbound rate-limit rejections in the last 1 h (threshold 10)');
    expect(delivered.raw).not.toMatch(/alice|smith|example/);

    const [row] = await sut.em().getConnection().execute<{ notified_at: string | null }[]>("select notified_at from alerts where subject = '****.com'");
    expect(row.notified_at).not.toBeNull();

    // Deduplicated: the next check does not announce it again.
    await monitoring.runChecks(new Date(now.getTime() + 2 * MINUTE));
    expect(webhook.calls).toHaveLength(2);
  });

  it('should keep the check alive when the webhook fails, log no URL, and deliver on a later check', async () => {
    webhook.statuses = [500];
    await plantEvents(ComplianceEventKind.QUOTA_EXCEEDED, 'e2e-quota-gh78', 6, MINUTE);
    const now = new Date();
    await expect(monitoring.runChecks(now)).resolves.toMatchObject({ stored: true, deliveries: { retrying: 1 } });
    expect(webhook.calls).toHaveLength(1);
    expect(sut.logs.some((line) => line.includes('alert delivery failed') && line.includes('webhook answered 500') && !line.includes('webhook-secret'))).toBe(true);

    await monitoring.runChecks(new Date(now.getTime() + 5 * MINUTE));
    expect(webhook.calls).toHaveLength(2);
    expect(webhook.calls[1].body.text).toContain('****gh78');
  });

  it('should count database queries per user from real requests and alert over the threshold', async () => {
    const thresholds = sut.app.get<MonitoringThresholds>(MONITORING_THRESHOLDS_TOKEN);
    const original = thresholds.databaseQueries.max;
    thresholds.databaseQueries.max = 5;
    try {
      // Fresh ids: counts of earlier runs of this suite in the same 5-minute bucket live on in Redis.
      const suffix = randomBytes(4).toString('hex');
      const [heavyUser, lightUser] = [`e2e-heavy-${suffix}`, `e2e-light-${suffix}x`];
      const heavy = sut.token(heavyUser);
      for (let i = 0; i < 12; i++) {
        expect((await sut.http.get('/api/support/tickets').set('Authorization', `Bearer ${heavy}`)).status).toBe(200);
      }
      expect((await sut.http.get('/api/support/tickets').set('Authorization', `Bearer ${sut.token(lightUser)}`)).status).toBe(200);

      const counter = sut.app.get(DatabaseQueryCounter);
      const now = Date.now();
      const buckets = [counter.bucketStart(now), counter.bucketStart(now) - 5 * MINUTE];
      let heavyQueries = 0;
      for (const bucket of buckets) heavyQueries += (await counter.countsFor(bucket)).get(heavyUser) ?? 0;
      expect(heavyQueries).toBeGreaterThanOrEqual(12);

      await monitoring.runChecks();
      // Every instance flushes to the shared Redis, so other apps' users (in other suites) may show up too.
      const anomalies = (await listAlerts()).filter((alert) => alert.kind === 'database_access_anomaly');
      const mine = anomalies.filter((alert) => [maskUserId(heavyUser), maskUserId(lightUser)].includes(alert.subject));
      expect(mine.map((alert) => [alert.subject, alert.severity])).toEqual([[maskUserId(heavyUser), 'critical']]);
      expect(mine[0].message).toMatch(/^\d+ database queries in one 5 min interval \(threshold 5\)$/);
    } finally {
      thresholds.databaseQueries.max = original;
    }
  });

  describe('GET /metrics', () => {
    async function scrape(): Promise<ReturnType<typeof parseMetrics>> {
      const response = await sut.http.get('/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}`);
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toMatch(/^text\/plain;.*version=0\.0\.4/);
      return parseMetrics(response.text);
    }

    it('should answer 401 without a token or with a wrong one, and 403 to a user token', async () => {
      const none = await sut.http.get('/metrics');
      expect(none.status).toBe(401);
      expect(none.body).toEqual({ statusCode: 401, code: 'METRICS_UNAUTHENTICATED', message: expect.stringContaining('METRICS_TOKEN') });
      expect((await sut.http.get('/metrics').set('Authorization', 'Bearer e2e-metrics-token-wrong-0123456789')).status).toBe(401);
      expect((await sut.http.get('/metrics').set('Authorization', `Bearer ${sut.token('e2e-plain-user')}`)).status).toBe(403);
    });

    it('should accept an admin token', async () => {
      const response = await sut.http.get('/metrics').set(admin());
      expect(response.status).toBe(200);
      expect(response.text).toContain('# TYPE repazoo_http_request_duration_seconds histogram');
    });

    it('should time HTTP requests by route pattern and status', async () => {
      const before = await scrape();
      const labels = { method: 'GET', route: '/api/admin/alerts', status_code: '200' };
      const countBefore = valueOf(before, 'repazoo_http_request_duration_seconds_count', labels) ?? 0;
      await listAlerts();
      await sut.http.get('/api/runs/7b0c2a54-6f1e-4a55-9d7c-1f0a2b3c4d5e').set('Authorization', `Bearer ${sut.token('e2e-plain-user')}`);
      await sut.http.get('/no/such/route/4711');

      const after = await scrape();
      expect(valueOf(after, 'repazoo_http_request_duration_seconds_count', labels)).toBe(countBefore + 1);
      expect(valueOf(after, 'repazoo_http_request_duration_seconds_bucket', { ...labels, le: '+Inf' })).toBe(countBefore + 1);
      expect(valueOf(after, 'repazoo_http_request_duration_seconds_count', { method: 'GET', route: '/api/runs/:id', status_code: '404' })).toBeGreaterThanOrEqual(1);
      expect(valueOf(after, 'repazoo_http_request_duration_seconds_count', { method: 'GET', route: '<unmatched>', status_code: '404' })).toBeGreaterThanOrEqual(1);
      expect(after.some((sample) => Object.values(sample.labels).some((value) => value.includes('7b0c2a54') || value.includes('4711')))).toBe(false);
    });

    it('should report runs, rate-limit decisions, open alerts, queue depth and redactions', async () => {
      await sut
        .em()
        .getConnection()
        .execute(
          `insert into workflow_runs (id, user_id, flow, job_name, state, attempts, max_attempts, started_at, finished_at, created_at, updated_at)
           values (gen_random_uuid(), 'e2e-runner', 'analysis', 'analysis.sentiment', 'COMPLETED', 1, 5, now() - interval '3 seconds', now(), now(), now()),
                  (gen_random_uuid(), 'e2e-runner', 'analysis', 'analysis.sentiment', 'FAILED', 1, 5, now() - interval '100 seconds', now(), now(), now())`,
        );
      await plantEvents(ComplianceEventKind.RATE_LIMIT_REJECTED, 'e2e-violator-ab12', 11, MINUTE);
      await monitoring.runChecks();
      await sut.app.get(RateLimiterService).acquire('x', `e2e-metrics-${Date.now()}`);
      sut.app.get(RedactionService).redactText('write to someone@example.com');

      const samples = await scrape();
      expect(valueOf(samples, 'repazoo_workflow_runs', { flow: 'analysis', state: 'COMPLETED' })).toBe(1);
      expect(valueOf(samples, 'repazoo_workflow_runs', { flow: 'analysis', state: 'FAILED' })).toBe(1);
      expect(valueOf(samples, 'repazoo_workflow_run_duration_seconds_bucket', { flow: 'analysis', state: 'COMPLETED', le: '5' })).toBe(1);
      expect(valueOf(samples, 'repazoo_workflow_run_duration_seconds_bucket', { flow: 'analysis', state: 'FAILED', le: '60' })).toBe(0);
      expect(valueOf(samples, 'repazoo_workflow_run_duration_seconds_count', { flow: 'analysis', state: 'FAILED' })).toBe(1);
      expect(valueOf(samples, 'repazoo_rate_limit_decisions_total', { provider: 'x', result: 'allowed' })).toBeGreaterThanOrEqual(1);
      expect(valueOf(samples, 'repazoo_alerts_open', { severity: 'warning' })).toBeGreaterThanOrEqual(1);
      expect(valueOf(samples, 'repazoo_redacted_entities_total', { entity_type: 'EMAIL' })).toBeGreaterThanOrEqual(1);
      expect(valueOf(samples, 'repazoo_queue_depth', { state: 'waiting' })).toEqual(expect.any(Number));
      expect(samples.some((sample) => sample.name === 'repazoo_process_cpu_seconds_total')).toBe(true);
    });
  });

  describe('GET /api/health', () => {
    it('should stay public and report the last successful retention run (never yet) and the run queue', async () => {
      const response = await sut.http.get('/api/health');
      expect(response.status).toBe(200);
      expect(response.body.status).toBe('ok');
      expect(response.body.info).toMatchObject({
        database: { status: 'up' },
        redis: { status: 'up' },
        retention_cleanup_daily: { status: 'up', lastSuccessAt: null },
        queue: { status: 'up', waiting: expect.any(Number), delayed: expect.any(Number), active: expect.any(Number) },
      });
    });

    it('should report the newest retention run in which no category failed', async () => {
      const audit = sut.app.get(AuditService);
      await audit.audit(null, RETENTION_COMPLETED_ACTION, 'retention', { failedCategories: [] });
      const [{ created_at: succeededAt }] = await sut
        .em()
        .getConnection()
        .execute<{ created_at: string }[]>('select created_at from audit_log order by id desc limit 1');
      await audit.audit(null, RETENTION_COMPLETED_ACTION, 'retention', { failedCategories: ['logs'] });

      const response = await sut.http.get('/api/health');
      expect(response.body.info.retention_cleanup_daily).toEqual({ status: 'up', lastSuccessAt: new Date(succeededAt).toISOString() });
    });
  });

  describe('the monitoring_check job', () => {
    async function waitForRun(where: string): Promise<{ state: string; result: Record<string, unknown> | null; input: Record<string, unknown> }> {
      const deadline = Date.now() + 20_000;
      for (;;) {
        const [run] = await sut
          .em()
          .getConnection()
          .execute<{ state: string; result: Record<string, unknown> | null; input: Record<string, unknown> }[]>(
            `select state, result, input from workflow_runs where job_name = 'monitoring_check' and ${where} order by created_at desc limit 1`,
          );
        if (run && ['COMPLETED', 'FAILED', 'CANCELLED'].includes(run.state)) return run;
        if (Date.now() > deadline) throw new Error(`monitoring_check run did not finish: ${JSON.stringify(run)}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }

    it('should be registered every 5 minutes and listed with the scheduled jobs', async () => {
      const job = sut.app.get(SchedulerRegistry).getCronJob(JobName.MonitoringCheck);
      expect(String(job.cronTime.source)).toBe('*/5 * * * *');
      const jobs = await sut.http.get('/api/admin/jobs').set(admin());
      expect(jobs.body).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'monitoring_check', cron: '*/5 * * * *' })]));
    });

    it('should run the check as a scheduled run when the cron ticks', async () => {
      await plantEvents(ComplianceEventKind.RATE_LIMIT_REJECTED, 'e2e-cron-qr34', 11, MINUTE);
      await sut.app.get(MonitoringScheduler).runScheduledCheck();
      const run = await waitForRun('true');
      expect(run).toMatchObject({ state: 'COMPLETED', input: { trigger: 'cron' }, result: expect.objectContaining({ stored: true, opened: expect.any(Number) }) });
      expect(userAlerts(await listAlerts()).map((alert) => alert.subject)).toEqual(['****qr34']);
    });

    it('should skip the check while another instance holds the job’s lock', async () => {
      await plantEvents(ComplianceEventKind.RATE_LIMIT_REJECTED, 'e2e-cron-st56', 11, MINUTE);
      await sut.app.get(LockService).withLock(`scheduled:${JobName.MonitoringCheck}`, 10_000, async () => {
        const started = await sut.http.post('/api/admin/jobs/monitoring_check/run').set(admin());
        expect(started.status).toBe(202);
        const run = await waitForRun(`id = '${String(started.body.runId)}'`);
        expect(run.result).toEqual({ skipped: expect.any(String) });
      });
      expect(userAlerts(await listAlerts())).toEqual([]);

      const started = await sut.http.post('/api/admin/jobs/monitoring_check/run').set(admin());
      await waitForRun(`id = '${String(started.body.runId)}'`);
      expect(userAlerts(await listAlerts()).map((alert) => alert.subject)).toEqual(['****st56']);
    });
  });
});

describe('Monitoring (e2e, embedded mode)', () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await startTestApp({ mode: 'embedded', env: { METRICS_TOKEN } });
  });
  afterAll(() => sut.close());

  it('should check, count queries in memory and serve metrics and health without Redis or a queue', async () => {
    const thresholds = sut.app.get<MonitoringThresholds>(MONITORING_THRESHOLDS_TOKEN);
    thresholds.databaseQueries.max = 2;
    const user = 'embedded-heavy-uv78';
    for (let i = 0; i < 4; i++) {
      expect((await sut.http.get('/api/support/tickets').set('Authorization', `Bearer ${sut.token(user)}`)).status).toBe(200);
    }
    const report = await sut.app.get(MonitoringService).runChecks();
    expect(report).toMatchObject({ stored: true, failedChecks: [], notified: null });
    expect(report.evaluated).not.toContain('redis_unavailable');
    expect(report.evaluated).not.toContain('queue_backlog');
    const alerts = await sut.http.get('/api/admin/alerts?status=open').set('Authorization', `Bearer ${sut.token('embedded-admin', { admin: true })}`);
    expect((alerts.body as AlertBody[]).map((alert) => [alert.kind, alert.subject])).toContainEqual(['database_access_anomaly', '****uv78']);

    const metrics = await sut.http.get('/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}`);
    expect(metrics.status).toBe(200);
    expect(metrics.text).toContain('repazoo_alerts_open{severity="critical"} 1');
    expect(metrics.text).not.toContain('repazoo_queue_depth');

    const health = await sut.http.get('/api/health');
    expect(health.status).toBe(200);
    expect(health.body.info).toEqual({ database: { status: 'up' }, retention_cleanup_daily: { status: 'up', lastSuccessAt: null } });
  });
});
