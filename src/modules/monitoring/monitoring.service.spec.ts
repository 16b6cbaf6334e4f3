import { Logger } from '@nestjs/common';
import { ManualClock } from '../../core/clock/clock';
import { AlertNotice } from './alert-message';
import { AlertNotifier, DeliveryResult } from './alert-notifier';
import { AlertsService } from './alerts.service';
import { AlertKind, CheckOutcome, MonitoringCheck } from './checks/alert-condition';
import { ComplianceEventsCheck } from './checks/compliance-events.check';
import { ComplianceEventKind } from './entities/compliance-event.entity';
import { MonitoringService } from './monitoring.service';
import { copyThresholds } from './monitoring.thresholds';
import { InMemoryAlertsRepository } from './testing/in-memory-alerts.repository';
import { InMemoryMonitoringRepository } from './testing/in-memory-monitoring.repository';

const MINUTE = 60_000;
const T0 = new Date('2026-03-01T12:00:00.000Z');

class RecordingNotifier {
  enabled = true;
  deliver = true;
  readonly sent: { opened: AlertNotice[]; resolved: AlertNotice[] }[] = [];

  async notify(opened: readonly AlertNotice[], resolved: readonly AlertNotice[]): Promise<DeliveryResult> {
    this.sent.push({ opened: [...opened], resolved: [...resolved] });
    return { delivered: this.deliver, attempts: 1 };
  }
}

class BrokenCheck implements MonitoringCheck {
  readonly name = 'broken';
  readonly kinds = [AlertKind.QUEUE_BACKLOG];
  async run(): Promise<CheckOutcome> {
    throw new Error('probe exploded');
  }
}

function setup(extraChecks: MonitoringCheck[] = []) {
  const clock = new ManualClock(T0);
  const events = new InMemoryMonitoringRepository();
  const alertsRepository = new InMemoryAlertsRepository();
  const notifier = new RecordingNotifier();
  const checks = [new ComplianceEventsCheck(events, copyThresholds()), ...extraChecks];
  const sut = new MonitoringService(checks, new AlertsService(alertsRepository), notifier as unknown as AlertNotifier, clock);
  const violations = (userId: string, count: number) =>
    events.addEvents(ComplianceEventKind.RATE_LIMIT_REJECTED, userId, count, new Date(clock.nowMs() - MINUTE));
  return { sut, clock, events, alertsRepository, notifier, violations };
}

describe(MonitoringService.name, () => {
  beforeAll(() => Logger.overrideLogger(false));

  it('should raise no alert for 10 rate-limit violations in the hour and one for 11', async () => {
    const { sut, alertsRepository, violations } = setup();
    violations('user-alice-0001', 10);
    expect(await sut.runChecks()).toMatchObject({ stored: true, opened: 0 });
    expect(alertsRepository.all()).toEqual([]);

    violations('user-alice-0001', 1);
    expect(await sut.runChecks()).toMatchObject({ stored: true, opened: 1 });
    expect(alertsRepository.all()).toEqual([expect.objectContaining({ kind: 'rate_limit_violations', subject: '****0001', status: 'open', count: 1 })]);
  });

  it('should deduplicate: a second check updates the open alert instead of adding a row', async () => {
    const { sut, clock, alertsRepository, violations } = setup();
    violations('user-alice-0001', 11);
    await sut.runChecks();
    clock.advance(5 * MINUTE);
    expect(await sut.runChecks()).toMatchObject({ opened: 0, updated: 1, resolved: 0 });
    expect(alertsRepository.all()).toEqual([expect.objectContaining({ count: 2, firstSeenAt: T0, lastSeenAt: clock.now() })]);
  });

  it('should resolve the alert once the violations leave the hour window', async () => {
    const { sut, clock, alertsRepository, violations } = setup();
    violations('user-alice-0001', 11);
    await sut.runChecks();
    clock.advance(60 * MINUTE);
    expect(await sut.runChecks()).toMatchObject({ resolved: 1 });
    expect(alertsRepository.all()).toEqual([expect.objectContaining({ status: 'resolved', resolvedAt: clock.now() })]);
  });

  it('should announce an alert once when it opens and once when it resolves', async () => {
    const { sut, clock, notifier, violations } = setup();
    violations('user-alice-0001', 11);
    await sut.runChecks();
    clock.advance(5 * MINUTE);
    await sut.runChecks();
    clock.advance(60 * MINUTE);
    await sut.runChecks();
    expect(notifier.sent.map(({ opened, resolved }) => [opened.map((a) => a.subject), resolved.map((a) => a.subject)])).toEqual([
      [['****0001'], []],
      [[], ['****0001']],
    ]);
  });

  it('should announce again on the next check when delivery failed', async () => {
    const { sut, clock, notifier, alertsRepository, violations } = setup();
    notifier.deliver = false;
    violations('user-alice-0001', 11);
    expect(await sut.runChecks()).toMatchObject({ notified: false });
    expect(alertsRepository.all()[0].notifiedAt).toBeNull();
    notifier.deliver = true;
    clock.advance(5 * MINUTE);
    expect(await sut.runChecks()).toMatchObject({ notified: true });
    expect(notifier.sent).toHaveLength(2);
    expect(alertsRepository.all()[0].notifiedAt).toEqual(clock.now());
  });

  it('should send nothing and report notified null when no webhook is configured', async () => {
    const { sut, notifier, violations } = setup();
    notifier.enabled = false;
    violations('user-alice-0001', 11);
    expect(await sut.runChecks()).toMatchObject({ opened: 1, notified: null });
    expect(notifier.sent).toEqual([]);
  });

  it('should survive a check that throws, and report it', async () => {
    const { sut, violations } = setup([new BrokenCheck()]);
    violations('user-alice-0001', 11);
    const report = await sut.runChecks();
    expect(report).toMatchObject({ failedChecks: ['broken'], opened: 1 });
    expect(report.evaluated).not.toContain(AlertKind.QUEUE_BACKLOG);
  });

  it('should not throw when alerts cannot be stored, and still announce the conditions', async () => {
    const { sut, alertsRepository, notifier, violations } = setup();
    alertsRepository.failWrites = true;
    violations('user-alice-0001', 11);
    await expect(sut.runChecks()).resolves.toMatchObject({ stored: false, notified: true });
    expect(notifier.sent[0].opened).toEqual([expect.objectContaining({ subject: '****0001' })]);
  });

  it('should evaluate at the time it is given', async () => {
    const { sut, violations, alertsRepository } = setup();
    violations('user-alice-0001', 11);
    const later = new Date(T0.getTime() + 2 * 60 * MINUTE);
    expect(await sut.runChecks(later)).toMatchObject({ checkedAt: later.toISOString(), opened: 0 });
    expect(alertsRepository.all()).toEqual([]);
  });
});
