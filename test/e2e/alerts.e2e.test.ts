// Alert delivery against real servers on this machine: a Slack-compatible webhook, an in-process
// SMTP server receiving what nodemailer sends, and a local PagerDuty Events v2 endpoint. Routing
// by severity and kind, retries with backoff while a channel is down, deduplication of open
// alerts, reminders, resolve messages, a failing channel raising its own alert, concurrent
// dispatchers, the consent-failure threshold (refusals made through the real ConsentGuard), and
// GET /api/admin/alerts/routes. Time is passed to the check explicitly; the background timers are off.
import { SchedulerRegistry } from '@nestjs/schedule';
import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { REDIS_CLIENT } from '../../src/core/redis/redis.module';
import { JobName } from '../../src/core/jobs/job-payloads';
import { AlertDeliveryService } from '../../src/modules/monitoring/alert-delivery.service';
import { ALERT_DELIVERY_INTERVAL_NAME } from '../../src/modules/monitoring/alert-delivery.scheduler';
import { ComplianceEventKind } from '../../src/modules/monitoring/entities/compliance-event.entity';
import { MonitoringService } from '../../src/modules/monitoring/monitoring.service';
import { FakeChatWebhook } from '../fakes/fake-chat-webhook';
import { FakePagerDutyServer } from '../fakes/fake-pagerduty-server';
import { FakeSmtpServer } from '../fakes/fake-smtp-server';
import { startTestApp, TestApp } from '../utils/test-app';

const ROUTING_KEY = 'R0ut1ngKeyE2eTest0123456789abcdef';
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

interface DeliveryRow {
  alert_id: string;
  channel: string;
  event: string;
  state: string;
  attempts: number;
  last_error: string | null;
}

describe('Alert delivery (e2e)', () => {
  const webhook = new FakeChatWebhook();
  const smtp = new FakeSmtpServer();
  const pagerDuty = new FakePagerDutyServer(ROUTING_KEY);
  let sut: TestApp;
  let monitoring: MonitoringService;
  let deliveries: AlertDeliveryService;
  const admin = () => ({ Authorization: `Bearer ${sut.token('ops-alerts-0001', { admin: true })}` });

  beforeAll(async () => {
    await webhook.start();
    await smtp.start();
    await pagerDuty.start();
    sut = await startTestApp({
      env: {
        ALERT_WEBHOOK_URL: webhook.webhookUrl,
        SMTP_URL: smtp.url,
        ALERT_EMAIL_FROM: 'alerts@repazoo.test',
        ALERT_EMAIL_TO: 'oncall@repazoo.test, privacy@repazoo.test',
        PAGERDUTY_ROUTING_KEY: ROUTING_KEY,
        PAGERDUTY_EVENTS_URL: pagerDuty.eventsUrl,
      },
    });
    // The test drives time: no background dispatch or check may run in between.
    const scheduler = sut.app.get(SchedulerRegistry);
    scheduler.deleteInterval(ALERT_DELIVERY_INTERVAL_NAME);
    void scheduler.getCronJob(JobName.MonitoringCheck).stop();
    monitoring = sut.app.get(MonitoringService);
    deliveries = sut.app.get(AlertDeliveryService);
  });
  beforeEach(async () => {
    await sut.resetDatabase();
    // Per-user query counts are shared through Redis by every app of the test run: other suites'
    // users would show up here as database-access anomalies. Start each test from none.
    const redis = sut.app.get<Redis>(REDIS_CLIENT);
    const counters = await redis.keys('monitoring:db-queries:*');
    if (counters.length > 0) await redis.del(...counters);
    webhook.messages.length = 0;
    webhook.requests = 0;
    webhook.statuses = [];
    smtp.mails.length = 0;
    pagerDuty.events.length = 0;
    pagerDuty.statuses = [];
    if (!smtp.running) await smtp.start();
  });
  afterAll(async () => {
    await sut.close();
    await Promise.all([webhook.stop(), smtp.stop(), pagerDuty.stop()]);
  });

  async function plantEvents(kind: ComplianceEventKind, userId: string, count: number, at: Date): Promise<void> {
    for (let i = 0; i < count; i++) {
      await sut.em().getConnection().execute('insert into compliance_events (kind, user_id, details, occurred_at) values (?, ?, ?, ?)', [kind, userId, '{}', at]);
    }
  }

  /** An open alert as a check would have stored it (for kinds the test cannot provoke, like Redis down). */
  async function plantOpenAlert(kind: string, severity: string, subject: string, at: Date): Promise<string> {
    const id = randomUUID();
    await sut
      .em()
      .getConnection()
      .execute("insert into alerts (id, kind, severity, subject, status, message, count, first_seen_at, last_seen_at) values (?, ?, ?, ?, 'open', ?, 1, ?, ?)", [
        id, kind, severity, subject, `${kind} planted by the test`, at, at,
      ]);
    return id;
  }

  function deliveryRows(): Promise<DeliveryRow[]> {
    return sut.em().getConnection().execute<DeliveryRow[]>('select alert_id, channel, event, state, attempts, last_error from alert_deliveries order by created_at, channel');
  }

  async function planAndDispatch(at: Date): Promise<void> {
    await deliveries.planDeliveries(at);
    await deliveries.dispatchDue(at);
  }

  describe('routing', () => {
    it('should send a warning to Slack only, with masked subjects and no user id', async () => {
      const t0 = new Date();
      await plantEvents(ComplianceEventKind.RATE_LIMIT_REJECTED, 'e2e-route-user-ab12', 11, new Date(t0.getTime() - MINUTE));
      const report = await monitoring.runChecks(t0);
      expect(report).toMatchObject({ opened: 1, deliveries: { planned: 1, delivered: 1, retrying: 0, failed: 0 } });
      expect(webhook.messages).toHaveLength(1);
      expect(webhook.messages[0].text).toContain('WARNING rate_limit_violations ****ab12');
      expect(webhook.messages[0].raw).not.toContain('e2e-route-user');
      expect(smtp.mails).toEqual([]);
      expect(pagerDuty.events).toEqual([]);
      expect(await deliveryRows()).toEqual([expect.objectContaining({ channel: 'slack', event: 'trigger', state: 'delivered', attempts: 1, last_error: null })]);
      const [alert] = (await sut.http.get('/api/admin/alerts').set(admin())).body as { notifiedAt: string | null }[];
      expect(alert.notifiedAt).toBe(t0.toISOString());
    });

    it('should send a critical alert by email and to PagerDuty, not to Slack', async () => {
      const t0 = new Date();
      const alertId = await plantOpenAlert('redis_unavailable', 'critical', 'redis', t0);
      await planAndDispatch(t0);
      expect(webhook.messages).toEqual([]);
      expect(smtp.mails).toHaveLength(1);
      const [mail] = smtp.mails;
      expect(mail).toMatchObject({ from: 'alerts@repazoo.test', to: ['oncall@repazoo.test', 'privacy@repazoo.test'], subject: '[Repazoo CRITICAL] redis_unavailable for redis' });
      expect(mail.text).toContain('A new alert opened.');
      expect(mail.text).toContain('What: redis_unavailable planted by the test');
      expect(pagerDuty.events).toEqual([
        {
          routing_key: ROUTING_KEY,
          event_action: 'trigger',
          dedup_key: `repazoo-${alertId}`,
          payload: {
            summary: 'redis_unavailable for redis: redis_unavailable planted by the test',
            source: 'repazoo',
            severity: 'critical',
            timestamp: t0.toISOString(),
            component: 'redis',
            class: 'redis_unavailable',
            custom_details: { count: 1, lastSeenAt: t0.toISOString(), message: 'redis_unavailable planted by the test' },
          },
        },
      ]);
    });

    it('should page a compliance incident (failed consent checks over threshold) on PagerDuty only', async () => {
      const userId = 'e2e-consent-refused-cd34';
      for (let i = 0; i < 6; i++) {
        const refused = await sut.http.post('/api/twitter/sync').set('Authorization', `Bearer ${sut.token(userId)}`);
        expect(refused.status).toBe(403);
        expect(refused.body.code).toBe('CONSENT_REQUIRED');
      }
      await monitoring.runChecks(new Date());
      expect(pagerDuty.events).toEqual([
        expect.objectContaining({ event_action: 'trigger', payload: expect.objectContaining({ class: 'consent_check_failures', component: '****cd34', severity: 'critical' }) }),
      ]);
      expect(smtp.mails).toEqual([]);
      expect(webhook.messages).toEqual([]);
    });

    it('should show the routing table in force to admins only', async () => {
      const response = await sut.http.get('/api/admin/alerts/routes').set(admin());
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({
        source: 'default',
        reminderIntervalMinutes: 240,
        channels: [
          { name: 'slack', configured: true },
          { name: 'email', configured: true },
          { name: 'pagerduty', configured: true },
        ],
      });
      expect(response.body.severities).toEqual([
        { severity: 'info', channels: [], deliveredTo: [] },
        { severity: 'warning', channels: ['slack'], deliveredTo: ['slack'] },
        { severity: 'critical', channels: ['email', 'pagerduty'], deliveredTo: ['email', 'pagerduty'] },
      ]);
      expect(response.body.kinds).toEqual(
        expect.arrayContaining([
          { kind: 'audit_chain_broken', channels: ['pagerduty'], deliveredTo: ['pagerduty'] },
          { kind: 'prompt_pii_found', channels: ['pagerduty'], deliveredTo: ['pagerduty'] },
          { kind: 'consent_check_failures', channels: ['pagerduty'], deliveredTo: ['pagerduty'] },
        ]),
      );
      expect((await sut.http.get('/api/admin/alerts/routes').set('Authorization', `Bearer ${sut.token('plain-user-0001')}`)).status).toBe(403);
      expect((await sut.http.get('/api/admin/alerts/routes')).status).toBe(401);
    });
  });

  describe('deduplication, reminders and resolve', () => {
    it('should announce an open alert once, remind after the interval (not PagerDuty), and resolve it everywhere it went', async () => {
      const t0 = new Date();
      const before = (at: Date) => new Date(at.getTime() - MINUTE);
      await plantEvents(ComplianceEventKind.RATE_LIMIT_REJECTED, 'e2e-dedup-user-ef56', 11, before(t0));
      await plantEvents(ComplianceEventKind.CONSENT_CHECK_FAILED, 'e2e-dedup-user-gh78', 6, before(t0));
      await monitoring.runChecks(t0);
      const t5 = new Date(t0.getTime() + 5 * MINUTE);
      expect(await monitoring.runChecks(t5)).toMatchObject({ opened: 0, updated: 2, deliveries: { planned: 0, delivered: 0 } });
      expect(webhook.messages).toHaveLength(1);
      expect(pagerDuty.events).toHaveLength(1);
      const [trigger] = pagerDuty.events;

      // Still open 4 hours later (the conditions hold again): one reminder on Slack, none to PagerDuty.
      const t241 = new Date(t0.getTime() + 241 * MINUTE);
      await plantEvents(ComplianceEventKind.RATE_LIMIT_REJECTED, 'e2e-dedup-user-ef56', 11, before(t241));
      await plantEvents(ComplianceEventKind.CONSENT_CHECK_FAILED, 'e2e-dedup-user-gh78', 6, before(t241));
      await monitoring.runChecks(t241);
      await monitoring.runChecks(new Date(t241.getTime() + 5 * MINUTE));
      expect(webhook.messages.map((message) => message.text.split('\n')[1])).toEqual([
        expect.stringMatching(/^WARNING rate_limit_violations \*\*\*\*ef56: 11 /),
        expect.stringMatching(/^WARNING rate_limit_violations \*\*\*\*ef56: Still open: 11 /),
      ]);
      expect(pagerDuty.events).toHaveLength(1);

      // Cleared: one resolve per channel that heard the trigger, with PagerDuty's dedup key.
      const cleared = new Date(t241.getTime() + 2 * HOUR);
      expect(await monitoring.runChecks(cleared)).toMatchObject({ resolved: 2, deliveries: { planned: 2, delivered: 2 } });
      await monitoring.runChecks(new Date(cleared.getTime() + 5 * MINUTE));
      expect(webhook.messages).toHaveLength(3);
      expect(webhook.messages[2].text).toContain('RESOLVED rate_limit_violations ****ef56');
      expect(pagerDuty.events).toEqual([trigger, { routing_key: ROUTING_KEY, event_action: 'resolve', dedup_key: trigger.dedup_key }]);
      expect((await deliveryRows()).map((row) => `${row.channel}:${row.event}:${row.state}`)).toEqual([
        'pagerduty:trigger:delivered',
        'slack:trigger:delivered',
        'slack:reminder:delivered',
        'pagerduty:resolve:delivered',
        'slack:resolve:delivered',
      ]);
    });
  });

  describe('retries', () => {
    it('should keep an email while the SMTP server is down and deliver it exactly once when it is back', async () => {
      const t0 = new Date();
      await smtp.stop();
      await plantOpenAlert('database_unavailable', 'critical', 'database', t0);
      await planAndDispatch(t0);
      expect(pagerDuty.events).toHaveLength(1);
      expect(await deliveryRows()).toEqual(
        // Connection refused: nodemailer reports ECONNECTION or ESOCKET depending on when it notices.
        expect.arrayContaining([expect.objectContaining({ channel: 'email', state: 'pending', attempts: 1, last_error: expect.stringMatching(/^SMTP E(CONNECTION|SOCKET)$/) })]),
      );

      // Not due again before its backoff (30 s), then retried and still failing (next in 60 s).
      await deliveries.dispatchDue(new Date(t0.getTime() + 10_000));
      await deliveries.dispatchDue(new Date(t0.getTime() + 31_000));
      expect((await deliveryRows()).find((row) => row.channel === 'email')).toMatchObject({ state: 'pending', attempts: 2 });

      await smtp.start();
      await deliveries.dispatchDue(new Date(t0.getTime() + 60_000));
      expect(smtp.mails).toEqual([]);
      const back = new Date(t0.getTime() + 92_000);
      await Promise.all([deliveries.dispatchDue(back), deliveries.dispatchDue(back)]);
      await deliveries.dispatchDue(new Date(t0.getTime() + 2 * HOUR));
      expect(smtp.mails).toHaveLength(1);
      expect(smtp.mails[0].subject).toBe('[Repazoo CRITICAL] database_unavailable for database');
      expect((await deliveryRows()).find((row) => row.channel === 'email')).toMatchObject({ state: 'delivered', attempts: 3, last_error: null });
      expect(pagerDuty.events).toHaveLength(1);
    });

    it('should retry PagerDuty after a 500 and a 429, then deliver once', async () => {
      const t0 = new Date();
      pagerDuty.statuses = [500, 429];
      await plantOpenAlert('redis_unavailable', 'critical', 'redis', t0);
      await planAndDispatch(t0);
      await deliveries.dispatchDue(new Date(t0.getTime() + 31_000));
      await deliveries.dispatchDue(new Date(t0.getTime() + 92_000));
      expect(pagerDuty.requests).toBeGreaterThanOrEqual(3);
      expect(pagerDuty.events).toHaveLength(1);
      expect((await deliveryRows()).find((row) => row.channel === 'pagerduty')).toMatchObject({ state: 'delivered', attempts: 3 });
    });

    it('should give up at once on an answer no retry can fix (the webhook is gone), keeping the reason', async () => {
      webhook.statuses = [404];
      const t0 = new Date();
      await plantEvents(ComplianceEventKind.RATE_LIMIT_REJECTED, 'e2e-gone-user-ij90', 11, new Date(t0.getTime() - MINUTE));
      expect(await monitoring.runChecks(t0)).toMatchObject({ deliveries: { failed: 1 } });
      expect(await deliveryRows()).toEqual([expect.objectContaining({ channel: 'slack', state: 'failed', attempts: 1, last_error: 'webhook answered 404' })]);
    });

    it('should raise alert_channel_failing on the other channels when a channel keeps failing', async () => {
      webhook.statuses = Array.from({ length: 10 }, () => 500);
      const t0 = new Date();
      await plantEvents(ComplianceEventKind.RATE_LIMIT_REJECTED, 'e2e-down-user-kl12', 11, new Date(t0.getTime() - MINUTE));
      await monitoring.runChecks(t0);
      await deliveries.dispatchDue(new Date(t0.getTime() + 31_000));
      await deliveries.dispatchDue(new Date(t0.getTime() + 92_000));
      expect((await deliveryRows())[0]).toMatchObject({ channel: 'slack', state: 'pending', attempts: 3, last_error: 'webhook answered 500' });

      await plantEvents(ComplianceEventKind.RATE_LIMIT_REJECTED, 'e2e-down-user-kl12', 11, new Date(t0.getTime() + 2 * MINUTE));
      await monitoring.runChecks(new Date(t0.getTime() + 3 * MINUTE));
      expect(smtp.mails.map((mail) => mail.subject)).toEqual(['[Repazoo CRITICAL] alert_channel_failing for slack']);
      expect(smtp.mails[0].text).toContain('last error: webhook answered 500');
      expect(pagerDuty.events).toEqual([expect.objectContaining({ payload: expect.objectContaining({ class: 'alert_channel_failing', component: 'slack' }) })]);
      expect(webhook.messages).toEqual([]);
      expect(webhook.requests).toBe(3);
    });

    it('should hand each due delivery to exactly one of several concurrent dispatchers', async () => {
      const t0 = new Date();
      for (const suffix of ['aa01', 'aa02', 'aa03', 'aa04', 'aa05']) {
        await plantEvents(ComplianceEventKind.RATE_LIMIT_REJECTED, `e2e-many-user-${suffix}`, 11, new Date(t0.getTime() - MINUTE));
      }
      await monitoring.runChecks(new Date(t0.getTime() - 1));
      // The check above already sent them; plan the same alerts again from a second "instance".
      expect(await deliveries.planDeliveries(t0)).toBe(0);
      webhook.messages.length = 0;
      await sut.em().getConnection().execute("update alert_deliveries set state = 'pending', delivered_at = null, next_attempt_at = ?", [t0]);
      const reports = await Promise.all([deliveries.dispatchDue(t0), deliveries.dispatchDue(t0), deliveries.dispatchDue(t0)]);
      expect(reports.reduce((sum, report) => sum + report.delivered, 0)).toBe(5);
      expect(webhook.messages).toHaveLength(5);
    });
  });

  describe('failed consent verifications', () => {
    it('should record each ConsentGuard refusal with its reason and alert only above 5 per user per hour', async () => {
      const userId = 'e2e-threshold-user-mn34';
      for (let i = 0; i < 5; i++) {
        expect((await sut.http.post('/api/twitter/sync').set('Authorization', `Bearer ${sut.token(userId)}`)).status).toBe(403);
      }
      const events = await sut.em().getConnection().execute<{ user_id: string; details: Record<string, unknown> }[]>(
        "select user_id, details from compliance_events where kind = 'consent_check_failed'",
      );
      expect(events).toEqual(Array.from({ length: 5 }, () => ({ user_id: userId, details: { reason: 'CONSENT_REQUIRED', source: 'request' } })));
      expect(await monitoring.runChecks(new Date())).toMatchObject({ opened: 0 });

      expect((await sut.http.post('/api/twitter/sync').set('Authorization', `Bearer ${sut.token(userId)}`)).status).toBe(403);
      await monitoring.runChecks(new Date());
      const alerts = (await sut.http.get('/api/admin/alerts').set(admin())).body as { kind: string; subject: string; severity: string }[];
      expect(alerts).toEqual([expect.objectContaining({ kind: 'consent_check_failures', subject: '****mn34', severity: 'critical' })]);
    });

    it('should alert on more than 50 failed consent verifications across all users in an hour', async () => {
      const t0 = new Date();
      for (let i = 0; i < 51; i++) await plantEvents(ComplianceEventKind.CONSENT_CHECK_FAILED, `e2e-many-refused-${String(i).padStart(4, '0')}`, 1, new Date(t0.getTime() - MINUTE));
      await monitoring.runChecks(t0);
      const alerts = (await sut.http.get('/api/admin/alerts').set(admin())).body as { kind: string; subject: string; message: string }[];
      expect(alerts).toEqual([expect.objectContaining({ kind: 'consent_check_failures', subject: 'all users', message: '51 failed consent verifications across all users in the last 1 h (threshold 50)' })]);
      expect(pagerDuty.events).toHaveLength(1);
    });
  });

  describe('in embedded mode (PGlite)', () => {
    it('should plan, claim and deliver through the same tables, once', async () => {
      const embedded = await startTestApp({ mode: 'embedded', env: { ALERT_WEBHOOK_URL: webhook.webhookUrl } });
      try {
        embedded.app.get(SchedulerRegistry).deleteInterval(ALERT_DELIVERY_INTERVAL_NAME);
        const t0 = new Date();
        await embedded
          .em()
          .getConnection()
          .execute("insert into compliance_events (kind, user_id, details, occurred_at) select 'rate_limit_rejected', 'e2e-embedded-op12', '{}', ? from generate_series(1, 11)", [
            new Date(t0.getTime() - MINUTE),
          ]);
        const checks = embedded.app.get(MonitoringService);
        expect(await checks.runChecks(t0)).toMatchObject({ opened: 1, deliveries: { planned: 1, delivered: 1 } });
        await checks.runChecks(new Date(t0.getTime() + 5 * MINUTE));
        expect(webhook.messages.map((message) => message.text.split('\n')[1])).toEqual([expect.stringContaining('rate_limit_violations ****op12')]);
      } finally {
        await embedded.close();
      }
    });
  });
});

