// The monitoring check (`monitoring_check`, every 5 minutes, and on demand): runs every check
// use case, turns what they found into stored, deduplicated alerts, plans their deliveries
// (trigger, reminder, resolve) and dispatches what is due. The cron, the admin job route and the
// tests all call runChecks; deliveries that fail are retried by AlertDeliveryScheduler between checks.
import { Inject, Injectable, Logger } from '@nestjs/common';
import { Clock } from '../../core/clock/clock';
import { AlertDeliveryService, DispatchReport } from './alert-delivery.service';
import { AlertChanges, AlertsService } from './alerts.service';
import { AlertKind, CheckOutcome, MONITORING_CHECKS, MonitoringCheck } from './checks/alert-condition';

export interface MonitoringReport {
  checkedAt: string;
  /** Alert kinds that were evaluated (a failed check's kinds are missing). */
  evaluated: AlertKind[];
  /** Checks that could not run; their open alerts were left as they were. */
  failedChecks: string[];
  /** False when the alerts could not be stored (the database is down). */
  stored: boolean;
  opened: number;
  updated: number;
  resolved: number;
  /** Deliveries planned by this check and the outcome of those dispatched; null when the alerts could not be stored. */
  deliveries: ({ planned: number } & DispatchReport) | null;
  /** Without storage: whether the direct announcement went out (null when there was nothing to announce). */
  notified: boolean | null;
}

@Injectable()
export class MonitoringService {
  private readonly logger = new Logger('Monitoring');

  constructor(
    @Inject(MONITORING_CHECKS) private readonly checks: readonly MonitoringCheck[],
    private readonly alerts: AlertsService,
    private readonly deliveries: AlertDeliveryService,
    private readonly clock: Clock,
  ) {}

  async runChecks(now: Date = this.clock.now()): Promise<MonitoringReport> {
    const { outcome, failedChecks } = await this.evaluate(now);
    const report: MonitoringReport = {
      checkedAt: now.toISOString(),
      evaluated: outcome.evaluated,
      failedChecks,
      stored: false,
      opened: 0,
      updated: 0,
      resolved: 0,
      deliveries: null,
      notified: null,
    };
    let changes: AlertChanges;
    try {
      changes = await this.alerts.reconcile(outcome, now);
    } catch (error) {
      this.logger.error({ msg: 'monitoring alerts could not be stored', err: error });
      report.notified = await this.deliveries.announceUnstored(outcome.conditions, now);
      return report;
    }
    Object.assign(report, { stored: true, opened: changes.opened.length, updated: changes.updated.length, resolved: changes.resolved.length });
    report.deliveries = await this.deliver(now);
    this.logger.log({ msg: 'monitoring check done', ...report });
    return report;
  }

  private async evaluate(now: Date): Promise<{ outcome: CheckOutcome; failedChecks: string[] }> {
    const results = await Promise.all(
      this.checks.map(async (check) => {
        try {
          return await check.run(now);
        } catch (error) {
          this.logger.warn({ msg: 'a monitoring check could not run', check: check.name, err: error });
          return null;
        }
      }),
    );
    const outcome: CheckOutcome = { evaluated: [], conditions: [] };
    const failedChecks: string[] = [];
    results.forEach((result, index) => {
      if (result === null) {
        failedChecks.push(this.checks[index].name);
        return;
      }
      outcome.evaluated.push(...result.evaluated);
      outcome.conditions.push(...result.conditions);
    });
    return { outcome, failedChecks };
  }

  /** A failure here loses nothing: the next check plans from the alert table again, and the scheduler retries. */
  private async deliver(now: Date): Promise<({ planned: number } & DispatchReport) | null> {
    try {
      const planned = await this.deliveries.planDeliveries(now);
      return { planned, ...(await this.deliveries.dispatchDue(now)) };
    } catch (error) {
      this.logger.warn({ msg: 'monitoring alerts could not be delivered now; they stay planned', err: error });
      return null;
    }
  }
}
