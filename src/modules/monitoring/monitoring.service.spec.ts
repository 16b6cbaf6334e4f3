import { Logger } from '@nestjs/common';
import { ManualClock } from '../../core/clock/clock';
import { AlertDeliveryService, DispatchReport } from './alert-delivery.service';
import { AlertsService } from './alerts.service';
import { AlertCondition, AlertKind, CheckOutcome, MonitoringCheck } from './checks/alert-condition';
import { ComplianceEventsCheck } from './checks/compliance-events.check';
import { ComplianceEventKind } from './entities/compliance-event.entity';
import { MonitoringService } from './monitoring.service';
import { copyThresholds } from './monitoring.thresholds';
import { InMemoryAlertsRepository } from './testing/in-memory-alerts.repository';
import { InMemoryMonitoringRepository } from './testing/in-memory-monitoring.repository';

const MINUTE = 60_000;
const T0 = new Date('2026-03-01T12:00:00.000Z');

/** The delivery side as the check sees it; its own behaviour is tested end to end against real channels. */
class RecordingDeliveries {
  failPlanning = false;
  readonly calls: string[] = [];
  readonly unstored: AlertCondition[][] = [];

  async planDeliveries(now: Date): Promise<number> {
    this.calls.push(`plan ${now.toISOString()}`);
    if (this.failPlanning) throw new Error('database unavailable');
    return 1;
  }

  async dispatchDue(now: Date): Promise<DispatchReport> {
    this.calls.push(`dispatch ${now.toISOString()}`);
    return { delivered: 1, retrying: 0, failed: 0 };
  }

  async announceUnstored(conditions: readonly AlertCondition[]): Promise<boolean | null> {
    this.unstored.push([...conditions]);
    return true;
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
  const deliveries = new RecordingDeliveries();
  const checks = [new ComplianceEventsCheck(events, copyThresholds()), ...extraChecks];
  const sut = new MonitoringService(checks, new AlertsService(alertsRepository), deliveries as unknown as AlertDeliveryService, clock);
  const violations = (userId: string, count: number) =>
    events.addEvents(ComplianceEventKind.RATE_LIMIT_REJECTED, userId, count, new Date(clock.nowMs() - MINUTE));
  return { sut, clock, events, alertsRepository, deliveries, violations };
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

  it('should plan deliveries from the stored alerts, then dispatch those due, at the check time', async () => {
    const { sut, clock, deliveries, violations } = setup();
    violations('user-alice-0001', 11);
    expect(await sut.runChecks()).toMatchObject({ opened: 1, deliveries: { planned: 1, delivered: 1, retrying: 0, failed: 0 } });
    expect(deliveries.calls).toEqual([`plan ${clock.now().toISOString()}`, `dispatch ${clock.now().toISOString()}`]);
  });

  it('should keep the stored alerts and report no deliveries when planning fails', async () => {
    const { sut, alertsRepository, deliveries, violations } = setup();
    deliveries.failPlanning = true;
    violations('user-alice-0001', 11);
    expect(await sut.runChecks()).toMatchObject({ stored: true, opened: 1, deliveries: null });
    expect(alertsRepository.all()).toHaveLength(1);
  });

  it('should survive a check that throws, and report it', async () => {
    const { sut, violations } = setup([new BrokenCheck()]);
    violations('user-alice-0001', 11);
    const report = await sut.runChecks();
    expect(report).toMatchObject({ failedChecks: ['broken'], opened: 1 });
    expect(report.evaluated).not.toContain(AlertKind.QUEUE_BACKLOG);
  });

  it('should not throw when alerts cannot be stored, and still announce the conditions', async () => {
    const { sut, alertsRepository, deliveries, violations } = setup();
    alertsRepository.failWrites = true;
    violations('user-alice-0001', 11);
    await expect(sut.runChecks()).resolves.toMatchObject({ stored: false, notified: true, deliveries: null });
    expect(deliveries.unstored[0]).toEqual([expect.objectContaining({ subject: '****0001' })]);
  });

  it('should evaluate at the time it is given', async () => {
    const { sut, violations, alertsRepository } = setup();
    violations('user-alice-0001', 11);
    const later = new Date(T0.getTime() + 2 * 60 * MINUTE);
    expect(await sut.runChecks(later)).toMatchObject({ checkedAt: later.toISOString(), opened: 0 });
    expect(alertsRepository.all()).toEqual([]);
  });
});
