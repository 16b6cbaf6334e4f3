// Turns what the checks found into stored alerts: one open alert per (kind, subject), updated
// (last seen, count) while its condition holds and resolved on the first check that no longer
// finds it. Also the read side of `GET /api/admin/alerts`.
import { Injectable } from '@nestjs/common';
import { AlertsRepository } from './alerts.repository';
import { AlertCondition, alertKey, AlertSeverity, AlertStatus, CheckOutcome, mergeBySubject } from './checks/alert-condition';
import { Alert } from './entities/alert.entity';

export interface AlertChanges {
  /** New alerts (conditions that had no open alert). */
  opened: Alert[];
  /** Open alerts whose condition still holds: `lastSeenAt` and `count` moved on. */
  updated: Alert[];
  /** Open alerts of an evaluated kind whose condition no longer holds. */
  resolved: Alert[];
}

export const DEFAULT_ALERT_LIST_LIMIT = 100;
export const MAX_ALERT_LIST_LIMIT = 500;

@Injectable()
export class AlertsService {
  constructor(private readonly repository: AlertsRepository) {}

  /**
   * Applies one check's outcome at `now`. Only kinds in `outcome.evaluated` are touched: a check
   * that could not run leaves its alerts open (neither refreshed nor resolved).
   */
  async reconcile(outcome: CheckOutcome, now: Date): Promise<AlertChanges> {
    const evaluated = new Set<string>(outcome.evaluated);
    const conditions = mergeBySubject(outcome.conditions.filter((condition) => evaluated.has(condition.kind)));
    const open = await this.repository.findOpen([...evaluated]);

    const changes: AlertChanges = { opened: [], updated: [], resolved: [] };
    const openByKey = new Map<string, Alert>();
    for (const alert of sortOldestFirst(open)) {
      // Two open alerts for one key cannot exist in the table (partial unique index; the check also
      // runs under a lock). Other stores, like the tests' in-memory one, get the same rule: the oldest stays.
      if (openByKey.has(alertKey(alert))) changes.resolved.push(resolve(alert, now));
      else openByKey.set(alertKey(alert), alert);
    }

    for (const condition of conditions) {
      const existing = openByKey.get(alertKey(condition));
      if (existing) {
        openByKey.delete(alertKey(condition));
        changes.updated.push(refresh(existing, condition, now));
      } else {
        changes.opened.push(openAlert(condition, now));
      }
    }
    for (const alert of openByKey.values()) changes.resolved.push(resolve(alert, now));

    await this.repository.saveAll([...changes.opened, ...changes.updated, ...changes.resolved]);
    return changes;
  }

  listAlerts(filter: { status?: AlertStatus; limit?: number } = {}): Promise<Alert[]> {
    return this.repository.list({ status: filter.status, limit: filter.limit ?? DEFAULT_ALERT_LIST_LIMIT });
  }

  countOpenBySeverity(): Promise<Record<AlertSeverity, number>> {
    return this.repository.countOpenBySeverity();
  }
}

function openAlert(condition: AlertCondition, now: Date): Alert {
  const alert = new Alert();
  alert.kind = condition.kind;
  alert.severity = condition.severity;
  alert.subject = condition.subject;
  alert.message = condition.message;
  alert.status = 'open';
  alert.count = 1;
  alert.firstSeenAt = now;
  alert.lastSeenAt = now;
  alert.resolvedAt = null;
  alert.notifiedAt = null;
  return alert;
}

function refresh(alert: Alert, condition: AlertCondition, now: Date): Alert {
  alert.count += 1;
  alert.lastSeenAt = now;
  alert.message = condition.message;
  alert.severity = condition.severity;
  return alert;
}

function resolve(alert: Alert, now: Date): Alert {
  alert.status = 'resolved';
  alert.resolvedAt = now;
  return alert;
}

function sortOldestFirst(alerts: Alert[]): Alert[] {
  return [...alerts].sort((a, b) => a.firstSeenAt.getTime() - b.firstSeenAt.getTime() || a.id.localeCompare(b.id));
}
