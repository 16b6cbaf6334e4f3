// Storage of alerts (`alerts` table). Every method works on its own fork of the EntityManager, so
// the monitoring check can call it from a cron tick as well as from a request or a run.
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { AlertSeverity, AlertStatus } from './checks/alert-condition';
import { Alert } from './entities/alert.entity';

export interface AlertListFilter {
  status?: AlertStatus;
  limit: number;
}

export const ALERT_SEVERITIES: readonly AlertSeverity[] = ['info', 'warning', 'critical'];

export abstract class AlertsRepository {
  /** Open alerts of the given kinds. */
  abstract findOpen(kinds: readonly string[]): Promise<Alert[]>;
  /**
   * Inserts new alerts and updates existing ones (by id), all or nothing. A second open alert for
   * an open (kind, subject) is refused by the table; the batch then fails and the next check retries.
   */
  abstract saveAll(alerts: readonly Alert[]): Promise<void>;
  /** Newest activity first. */
  abstract list(filter: AlertListFilter): Promise<Alert[]>;
  abstract countOpenBySeverity(): Promise<Record<AlertSeverity, number>>;
}

@Injectable()
export class MikroOrmAlertsRepository extends AlertsRepository {
  constructor(private readonly em: EntityManager) {
    super();
  }

  findOpen(kinds: readonly string[]): Promise<Alert[]> {
    if (kinds.length === 0) return Promise.resolve([]);
    return this.em.fork().find(Alert, { status: 'open', kind: { $in: [...kinds] } });
  }

  async saveAll(alerts: readonly Alert[]): Promise<void> {
    if (alerts.length === 0) return;
    // One statement (insert ... on conflict (id) do update), so the batch lands whole or not at all.
    await this.em.fork().upsertMany(
      Alert,
      alerts.map((alert) => ({
        id: alert.id,
        kind: alert.kind,
        severity: alert.severity,
        subject: alert.subject,
        status: alert.status,
        message: alert.message,
        count: alert.count,
        firstSeenAt: alert.firstSeenAt,
        lastSeenAt: alert.lastSeenAt,
        resolvedAt: alert.resolvedAt ?? null,
        // Not written here: the delivery dispatcher stamps it, possibly on another instance meanwhile.
      })),
    );
  }

  list({ status, limit }: AlertListFilter): Promise<Alert[]> {
    return this.em.fork().find(Alert, status ? { status } : {}, { orderBy: { lastSeenAt: 'desc', firstSeenAt: 'desc', id: 'asc' }, limit });
  }

  async countOpenBySeverity(): Promise<Record<AlertSeverity, number>> {
    const rows = await this.em
      .getConnection()
      .execute<{ severity: string; count: number }[]>("select severity, count(*)::int as count from alerts where status = 'open' group by severity");
    const counts = Object.fromEntries(ALERT_SEVERITIES.map((severity) => [severity, 0])) as Record<AlertSeverity, number>;
    for (const row of rows) {
      if ((ALERT_SEVERITIES as readonly string[]).includes(row.severity)) counts[row.severity as AlertSeverity] = Number(row.count);
    }
    return counts;
  }
}
