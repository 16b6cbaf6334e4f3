// The monitoring check (`monitoring_check`, every 5 minutes, and on demand): runs every check
// use case, turns what they found into stored, deduplicated alerts, and sends the webhook for
// alerts that opened or resolved. The cron, the admin job route and the tests all call runChecks.
import { Inject, Injectable, Logger } from '@nestjs/common';
import { Clock } from '../../core/clock/clock';
import { AlertNotice } from './alert-message';
import { AlertNotifier } from './alert-notifier';
import { AlertChanges, AlertsService } from './alerts.service';
import { AlertCondition, AlertKind, CheckOutcome, MONITORING_CHECKS, MonitoringCheck } from './checks/alert-condition';

/** New alerts announced per check; the rest go out with the following checks. */
export const MAX_NOTIFIED_PER_CHECK = 20;

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
  /** Whether a webhook message went out: null when none was needed or no webhook is configured. */
  notified: boolean | null;
}

@Injectable()
export class MonitoringService {
  private readonly logger = new Logger('Monitoring');

  constructor(
    @Inject(MONITORING_CHECKS) private readonly checks: readonly MonitoringCheck[],
    private readonly alerts: AlertsService,
    private readonly notifier: AlertNotifier,
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
      notified: null,
    };
    let changes: AlertChanges;
    try {
      changes = await this.alerts.reconcile(outcome, now);
    } catch (error) {
      this.logger.error({ msg: 'monitoring alerts could not be stored', err: error });
      report.notified = await this.announceUnstored(outcome.conditions, now);
      return report;
    }
    Object.assign(report, { stored: true, opened: changes.opened.length, updated: changes.updated.length, resolved: changes.resolved.length });
    report.notified = await this.announce(changes, now);
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

  /** Announces alerts not announced yet (a failed delivery is retried by the next check) and, for announced ones, their resolution. */
  private async announce(changes: AlertChanges, now: Date): Promise<boolean | null> {
    if (!this.notifier.enabled) return null;
    try {
      const pending = await this.alerts.findUnnotified(MAX_NOTIFIED_PER_CHECK);
      const resolved = changes.resolved.filter((alert) => alert.notifiedAt);
      if (pending.length === 0 && resolved.length === 0) return null;
      const { delivered } = await this.notifier.notify(pending, resolved);
      if (delivered) await this.alerts.markNotified(pending, now);
      return delivered;
    } catch (error) {
      this.logger.warn({ msg: 'monitoring alerts could not be announced', err: error });
      return false;
    }
  }

  /** Without storage there is no deduplication: every condition is announced on every check until the database is back. */
  private async announceUnstored(conditions: AlertCondition[], now: Date): Promise<boolean | null> {
    if (!this.notifier.enabled || conditions.length === 0) return null;
    const notices: AlertNotice[] = conditions.map((condition) => ({ ...condition, count: 1, firstSeenAt: now, lastSeenAt: now }));
    const { delivered } = await this.notifier.notify(notices, []);
    return delivered;
  }
}
