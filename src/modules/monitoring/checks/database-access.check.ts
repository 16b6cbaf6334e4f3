// Anomalous database access: a user whose requests and runs issued more than the threshold of
// queries in one 5-minute bucket. The check looks at the bucket that just ended and the one in
// progress, so a burst is caught whichever side of a bucket boundary the check runs on.
import { Inject, Injectable } from '@nestjs/common';
import { maskUserId } from '../../../core/redaction/mask-user-id';
import { DatabaseQueryCounter } from '../database-query-counter';
import { MONITORING_THRESHOLDS_TOKEN, MonitoringThresholds } from '../monitoring.thresholds';
import { AlertCondition, AlertKind, CheckOutcome, formatWindow, mergeBySubject, MonitoringCheck } from './alert-condition';

@Injectable()
export class DatabaseAccessCheck implements MonitoringCheck {
  readonly name = 'database_access';
  readonly kinds = [AlertKind.DATABASE_ACCESS_ANOMALY];

  constructor(
    private readonly counter: DatabaseQueryCounter,
    @Inject(MONITORING_THRESHOLDS_TOKEN) private readonly thresholds: MonitoringThresholds,
  ) {}

  async run(now: Date): Promise<CheckOutcome> {
    const { max, windowMs } = this.thresholds.databaseQueries;
    const current = this.counter.bucketStart(now.getTime());
    const worst = new Map<string, number>();
    for (const bucketStart of [current - windowMs, current]) {
      for (const [userId, count] of await this.counter.countsFor(bucketStart)) {
        worst.set(userId, Math.max(worst.get(userId) ?? 0, count));
      }
    }
    const conditions: AlertCondition[] = [];
    for (const [userId, count] of worst) {
      if (count <= max) continue;
      conditions.push({
        kind: AlertKind.DATABASE_ACCESS_ANOMALY,
        severity: 'critical',
        subject: maskUserId(userId),
        message: `${count} database queries in one ${formatWindow(windowMs)} interval (threshold ${max})`,
        observed: count,
      });
    }
    return { evaluated: [...this.kinds], conditions: mergeBySubject(conditions) };
  }
}
