// The alerts table in memory, for unit tests of the alert lifecycle. Stores copies, like a database.
import { AlertListFilter, ALERT_SEVERITIES, AlertsRepository } from '../alerts.repository';
import type { AlertSeverity } from '../checks/alert-condition';
import { Alert } from '../entities/alert.entity';

export class InMemoryAlertsRepository extends AlertsRepository {
  readonly rows = new Map<string, Alert>();
  /** Makes the next write fail, as a database outage would. */
  failWrites = false;

  all(): Alert[] {
    return [...this.rows.values()].map(copy);
  }

  async findOpen(kinds: readonly string[]): Promise<Alert[]> {
    return this.all().filter((alert) => alert.status === 'open' && kinds.includes(alert.kind));
  }

  async saveAll(alerts: readonly Alert[]): Promise<void> {
    if (this.failWrites) throw new Error('database unavailable');
    for (const alert of alerts) this.rows.set(alert.id, copy(alert));
  }

  async list({ status, limit }: AlertListFilter): Promise<Alert[]> {
    return this.all()
      .filter((alert) => status === undefined || alert.status === status)
      .sort((a, b) => b.lastSeenAt.getTime() - a.lastSeenAt.getTime())
      .slice(0, limit);
  }

  async countOpenBySeverity(): Promise<Record<AlertSeverity, number>> {
    const counts = Object.fromEntries(ALERT_SEVERITIES.map((severity) => [severity, 0])) as Record<AlertSeverity, number>;
    for (const alert of this.all()) if (alert.status === 'open') counts[alert.severity]++;
    return counts;
  }
}

function copy(alert: Alert): Alert {
  return Object.assign(new Alert(), alert);
}
