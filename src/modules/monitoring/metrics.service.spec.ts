import { Logger } from '@nestjs/common';
import { newTestService } from '../../../test/utils/new-test-service';
import { RateLimitDecisionObserver, RateLimiterService } from '../rate-limit/rate-limiter.service';
import { redactText } from '../../core/redaction';
import { RedactionService } from '../redaction/redaction.service';
import { AlertsService } from './alerts.service';
import { AlertKind } from './checks/alert-condition';
import { MetricsService } from './metrics.service';
import { MonitoringRepository } from './monitoring.repository';
import { QUEUE_DEPTH_PROBE, QueueDepth, QueueDepthProbe } from './queue-depth.probe';
import { InMemoryAlertsRepository } from './testing/in-memory-alerts.repository';
import { InMemoryMonitoringRepository } from './testing/in-memory-monitoring.repository';

class FixedQueue extends QueueDepthProbe {
  async depth(): Promise<QueueDepth> {
    return { waiting: 7, delayed: 3, active: 2 };
  }
}

function setup(queue: QueueDepthProbe | null = null) {
  const redaction = new RedactionService();
  const alertsRepository = new InMemoryAlertsRepository();
  const alerts = new AlertsService(alertsRepository);
  const repository = new InMemoryMonitoringRepository();
  const { sut, mocks } = newTestService(MetricsService, [
    { provide: RedactionService, useValue: redaction },
    { provide: AlertsService, useValue: alerts },
    { provide: MonitoringRepository, useValue: repository },
    { provide: QUEUE_DEPTH_PROBE, useValue: queue },
  ]);
  const observers: RateLimitDecisionObserver[] = [];
  mocks.get(RateLimiterService).observeDecisions.mockImplementation((observer) => {
    observers.push(observer);
  });
  sut.onModuleInit();
  return { sut, rateLimiter: { observers }, redaction, alerts, repository };
}

/** The value of one sample line, e.g. `name{a="b"} 3`. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (.+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = (match[2] ?? '').split(',').filter(Boolean);
    if (wanted.every((label) => present.includes(label))) return Number(match[3]);
  }
  return undefined;
}

describe(MetricsService.name, () => {
  beforeAll(() => Logger.overrideLogger(false));

  it('should count HTTP requests by method, route pattern and status', async () => {
    const { sut } = setup();
    sut.observeHttpRequest('GET', '/api/runs/:id', 200, 0.02);
    sut.observeHttpRequest('GET', '/api/runs/:id', 200, 0.3);
    const text = await sut.render();
    expect(sample(text, 'repazoo_http_request_duration_seconds_count', { method: 'GET', route: '/api/runs/:id', status_code: '200' })).toBe(2);
    expect(sample(text, 'repazoo_http_request_duration_seconds_bucket', { route: '/api/runs/:id', le: '0.025' })).toBe(1);
  });

  it('should count rate-limit decisions by provider and result', async () => {
    const { sut, rateLimiter } = setup();
    const [observe] = rateLimiter.observers;
    observe({ provider: 'x', allowed: true });
    observe({ provider: 'x', allowed: true });
    observe({ provider: 'anthropic', allowed: false, reason: 'user_limit' });
    const text = await sut.render();
    expect(sample(text, 'repazoo_rate_limit_decisions_total', { provider: 'x', result: 'allowed', reason: 'none' })).toBe(2);
    expect(sample(text, 'repazoo_rate_limit_decisions_total', { provider: 'anthropic', result: 'rejected', reason: 'user_limit' })).toBe(1);
  });

  it('should report runs by flow and state and their durations as a histogram, read at scrape time', async () => {
    const { sut, repository } = setup();
    const start = new Date('2026-03-01T12:00:00.000Z');
    const after = (seconds: number) => new Date(start.getTime() + seconds * 1000);
    repository.runs.push(
      { flow: 'analysis', state: 'COMPLETED', startedAt: start, finishedAt: after(3) },
      { flow: 'analysis', state: 'COMPLETED', startedAt: start, finishedAt: after(40) },
      { flow: 'export', state: 'PENDING' },
    );
    const text = await sut.render();
    expect(sample(text, 'repazoo_workflow_runs', { flow: 'analysis', state: 'COMPLETED' })).toBe(2);
    expect(sample(text, 'repazoo_workflow_runs', { flow: 'export', state: 'PENDING' })).toBe(1);
    expect(text).toContain('# TYPE repazoo_workflow_run_duration_seconds histogram');
    expect(sample(text, 'repazoo_workflow_run_duration_seconds_bucket', { flow: 'analysis', state: 'COMPLETED', le: '5' })).toBe(1);
    expect(sample(text, 'repazoo_workflow_run_duration_seconds_bucket', { flow: 'analysis', state: 'COMPLETED', le: '60' })).toBe(2);
    expect(sample(text, 'repazoo_workflow_run_duration_seconds_bucket', { flow: 'analysis', state: 'COMPLETED', le: '+Inf' })).toBe(2);
    expect(sample(text, 'repazoo_workflow_run_duration_seconds_sum', { flow: 'analysis', state: 'COMPLETED' })).toBe(43);
    expect(sample(text, 'repazoo_workflow_run_duration_seconds_count', { flow: 'analysis', state: 'COMPLETED' })).toBe(2);
  });

  it('should report open alerts by severity', async () => {
    const { sut, alerts } = setup();
    await alerts.reconcile(
      {
        evaluated: [AlertKind.DATABASE_ACCESS_ANOMALY],
        conditions: [{ kind: AlertKind.DATABASE_ACCESS_ANOMALY, severity: 'critical', subject: '****0001', message: 'm', observed: 1001 }],
      },
      new Date(),
    );
    const text = await sut.render();
    expect(sample(text, 'repazoo_alerts_open', { severity: 'critical' })).toBe(1);
    expect(sample(text, 'repazoo_alerts_open', { severity: 'warning' })).toBe(0);
  });

  it('should report redacted entities by type and profile, wherever they were redacted', async () => {
    const { sut, redaction } = setup();
    const before = await sut.render();
    const count = (text: string, labels: Record<string, string>) => sample(text, 'repazoo_redacted_entities_total', labels) ?? 0;
    redaction.redactText('mail alice@example.com and bob@example.org');
    redactText('a tweet from carol@example.com', 'log'); // the plain API, as ingestion calls it
    redactText('@dave', 'prompt');
    const text = await sut.render();
    expect(count(text, { entity_type: 'EMAIL', profile: 'log' }) - count(before, { entity_type: 'EMAIL', profile: 'log' })).toBe(3);
    expect(count(text, { entity_type: 'MENTION', profile: 'prompt' }) - count(before, { entity_type: 'MENTION', profile: 'prompt' })).toBe(1);
    expect(sample(text, 'repazoo_redacted_entities_total', { entity_type: 'IBAN', profile: 'prompt' })).toBe(0);
  });

  it('should report the queue depth only when a queue is available', async () => {
    expect(await setup().sut.render()).not.toContain('repazoo_queue_depth');
    const text = await setup(new FixedQueue()).sut.render();
    expect(sample(text, 'repazoo_queue_depth', { state: 'waiting' })).toBe(7);
    expect(sample(text, 'repazoo_queue_depth', { state: 'delayed' })).toBe(3);
  });

  it('should still render when the database cannot be read', async () => {
    const { sut, repository } = setup();
    repository.databaseDown = true;
    const text = await sut.render();
    expect(text).toContain('# TYPE repazoo_workflow_runs gauge');
    expect(sample(text, 'repazoo_workflow_runs')).toBeUndefined();
  });
});
