import { AlertsService } from './alerts.service';
import { AlertCondition, AlertKind, CheckOutcome } from './checks/alert-condition';
import { InMemoryAlertsRepository } from './testing/in-memory-alerts.repository';

const T0 = new Date('2026-03-01T12:00:00.000Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

function violation(subject = '****0001', observed = 11): AlertCondition {
  return {
    kind: AlertKind.RATE_LIMIT_VIOLATIONS,
    severity: 'warning',
    subject,
    message: `${observed} outbound rate-limit rejections in the last 1 h (threshold 10)`,
    observed,
  };
}

function outcome(conditions: AlertCondition[], evaluated: AlertKind[] = [AlertKind.RATE_LIMIT_VIOLATIONS]): CheckOutcome {
  return { evaluated, conditions };
}

describe(AlertsService.name, () => {
  let repository: InMemoryAlertsRepository;
  let sut: AlertsService;

  beforeEach(() => {
    repository = new InMemoryAlertsRepository();
    sut = new AlertsService(repository);
  });

  it('should store a new open alert for a new condition', async () => {
    const changes = await sut.reconcile(outcome([violation()]), T0);
    expect(changes.opened).toHaveLength(1);
    expect(repository.all()).toEqual([
      expect.objectContaining({
        kind: 'rate_limit_violations',
        severity: 'warning',
        subject: '****0001',
        status: 'open',
        count: 1,
        firstSeenAt: T0,
        lastSeenAt: T0,
        resolvedAt: null,
        message: '11 outbound rate-limit rejections in the last 1 h (threshold 10)',
      }),
    ]);
  });

  it('should update last seen, count and message of the open alert on the next check, without a second row', async () => {
    await sut.reconcile(outcome([violation()]), T0);
    const changes = await sut.reconcile(outcome([violation('****0001', 14)]), at(5));
    expect(changes).toMatchObject({ opened: [], resolved: [] });
    expect(changes.updated).toHaveLength(1);
    expect(repository.all()).toEqual([
      expect.objectContaining({ status: 'open', count: 2, firstSeenAt: T0, lastSeenAt: at(5), message: expect.stringMatching(/^14 /) }),
    ]);
  });

  it('should resolve the alert on the first check that no longer finds the condition', async () => {
    await sut.reconcile(outcome([violation()]), T0);
    await sut.reconcile(outcome([violation()]), at(5));
    const changes = await sut.reconcile(outcome([]), at(10));
    expect(changes.resolved).toHaveLength(1);
    expect(repository.all()).toEqual([expect.objectContaining({ status: 'resolved', resolvedAt: at(10), count: 2, lastSeenAt: at(5) })]);
  });

  it('should open a new alert when a resolved condition comes back', async () => {
    await sut.reconcile(outcome([violation()]), T0);
    await sut.reconcile(outcome([]), at(5));
    await sut.reconcile(outcome([violation()]), at(10));
    const rows = repository.all().sort((a, b) => a.firstSeenAt.getTime() - b.firstSeenAt.getTime());
    expect(rows.map((row) => [row.status, row.firstSeenAt])).toEqual([
      ['resolved', T0],
      ['open', at(10)],
    ]);
  });

  it('should leave alerts of kinds that were not evaluated untouched', async () => {
    await sut.reconcile(outcome([violation()]), T0);
    const changes = await sut.reconcile(outcome([], [AlertKind.QUOTA_EXCEEDED_ATTEMPTS]), at(5));
    expect(changes).toEqual({ opened: [], updated: [], resolved: [] });
    expect(repository.all()).toEqual([expect.objectContaining({ status: 'open', count: 1, lastSeenAt: T0 })]);
  });

  it('should keep subjects apart: one alert per (kind, subject)', async () => {
    await sut.reconcile(outcome([violation('****0001'), violation('****0002')]), T0);
    await sut.reconcile(outcome([violation('****0002')]), at(5));
    const bySubject = Object.fromEntries(repository.all().map((row) => [row.subject, [row.status, row.count]]));
    expect(bySubject).toEqual({ '****0001': ['resolved', 1], '****0002': ['open', 2] });
  });

  it('should list alerts filtered by status', async () => {
    await sut.reconcile(outcome([violation('****0001'), violation('****0002')]), T0);
    await sut.reconcile(outcome([violation('****0002')]), at(5));
    expect((await sut.listAlerts({ status: 'resolved' })).map((alert) => alert.subject)).toEqual(['****0001']);
    expect((await sut.listAlerts({ status: 'open' })).map((alert) => alert.subject)).toEqual(['****0002']);
    expect(await sut.listAlerts()).toHaveLength(2);
  });
});
