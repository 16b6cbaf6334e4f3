// The queries Monitoring reads its signals with: compliance events per user in a window, run
// outcomes, the database's pulse and the last retention run. Aggregates only, in plain SQL on the
// root connection, so they work from a cron tick (no request context) as well as from a request.
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { ComplianceEventKind } from './entities/compliance-event.entity';
import { RETENTION_COMPLETED_ACTION } from '../retention/retention.service';
import { withTimeout } from '../../core/util/with-timeout';

export interface UserEventCount {
  userId: string;
  count: number;
}

export interface FinishedRunCounts {
  completed: number;
  failed: number;
}

export interface RunDurationBuckets {
  flow: string;
  state: string;
  /** Runs with both timestamps; `cumulative[i]` of them took at most `bounds[i]` seconds. */
  count: number;
  sumSeconds: number;
  cumulative: number[];
}

export interface RunCount {
  flow: string;
  state: string;
  count: number;
}


export abstract class MonitoringRepository {
  /** Users with more than `above` events of `kind` in (`since`, `until`]; events without a user are not counted. */
  abstract countEventsByUser(kind: ComplianceEventKind, since: Date, until: Date, above: number): Promise<UserEventCount[]>;
  /** Events of `kind` in (`since`, `until`], whoever they were about. */
  abstract countEvents(kind: ComplianceEventKind, since: Date, until: Date): Promise<number>;
  /** Runs that ended COMPLETED or FAILED in (`since`, `until`]. */
  abstract countFinishedRuns(since: Date, until: Date): Promise<FinishedRunCounts>;
  /** Throws when the database does not answer within `timeoutMs`. */
  abstract pingDatabase(timeoutMs: number): Promise<void>;
  /** When `retention_cleanup_daily` last succeeded, or null if it never did. */
  abstract lastSuccessfulRetention(): Promise<Date | null>;
  abstract countRunsByFlowAndState(): Promise<RunCount[]>;
  abstract runDurations(bounds: readonly number[]): Promise<RunDurationBuckets[]>;
}

@Injectable()
export class SqlMonitoringRepository extends MonitoringRepository {
  constructor(private readonly em: EntityManager) {
    super();
  }

  async countEventsByUser(kind: ComplianceEventKind, since: Date, until: Date, above: number): Promise<UserEventCount[]> {
    const rows = await this.em.getConnection().execute<{ user_id: string; count: number }[]>(
      `select user_id, count(*)::int as count from compliance_events
        where kind = ? and user_id is not null and occurred_at > ? and occurred_at <= ?
        group by user_id having count(*) > ? order by count desc`,
      [kind, since, until, above],
    );
    return rows.map((row) => ({ userId: row.user_id, count: Number(row.count) }));
  }

  async countEvents(kind: ComplianceEventKind, since: Date, until: Date): Promise<number> {
    const [row] = await this.em
      .getConnection()
      .execute<{ count: number }[]>('select count(*)::int as count from compliance_events where kind = ? and occurred_at > ? and occurred_at <= ?', [kind, since, until]);
    return Number(row?.count ?? 0);
  }

  async countFinishedRuns(since: Date, until: Date): Promise<FinishedRunCounts> {
    const [row] = await this.em.getConnection().execute<{ completed: number; failed: number }[]>(
      `select count(*) filter (where state = 'COMPLETED')::int as completed, count(*) filter (where state = 'FAILED')::int as failed
         from workflow_runs where state in ('COMPLETED', 'FAILED') and finished_at > ? and finished_at <= ?`,
      [since, until],
    );
    return { completed: Number(row?.completed ?? 0), failed: Number(row?.failed ?? 0) };
  }

  async pingDatabase(timeoutMs: number): Promise<void> {
    await withTimeout(this.em.getConnection().execute('select 1'), timeoutMs, 'the database did not answer');
  }

  /**
   * The newest `audit_log` entry (category `retention`, action "Retention cleanup completed") of a
   * real cleanup in which no category failed. `cleanupExpiredRecords` writes it at the end of every
   * non-dry run, whether it came from the cron, the admin route or the CLI; dry runs write none.
   */
  async lastSuccessfulRetention(): Promise<Date | null> {
    const [row] = await this.em.getConnection().execute<{ at_ms: number | null }[]>(
      `select (extract(epoch from max(created_at)) * 1000)::float8 as at_ms from audit_log
        where category = 'retention' and action = ? and coalesce(details -> 'failedCategories', '[]'::jsonb) = '[]'::jsonb`,
      [RETENTION_COMPLETED_ACTION],
    );
    return row?.at_ms === null || row?.at_ms === undefined ? null : new Date(Math.round(Number(row.at_ms)));
  }

  async countRunsByFlowAndState(): Promise<RunCount[]> {
    const rows = await this.em.getConnection().execute<{ flow: string; state: string; count: number }[]>(
      `select flow::text as flow, state::text as state, count(*)::int as count
         from workflow_runs where deleted_at is null group by flow, state order by flow, state`,
    );
    return rows.map((row) => ({ flow: row.flow, state: row.state, count: Number(row.count) }));
  }

  async runDurations(bounds: readonly number[]): Promise<RunDurationBuckets[]> {
    // The bounds are numbers from code, never input: safe to inline as numeric literals.
    const buckets = bounds
      .map((bound, index) => `count(*) filter (where seconds <= ${Number(bound)})::int as b${index}`)
      .join(', ');
    const rows = await this.em.getConnection().execute<Record<string, string | number>[]>(
      `select flow, state, count(*)::int as count, coalesce(sum(seconds), 0)::float8 as sum${buckets ? `, ${buckets}` : ''}
         from (select flow::text as flow, state::text as state, extract(epoch from (finished_at - started_at))::float8 as seconds
                 from workflow_runs
                where deleted_at is null and started_at is not null and finished_at is not null) runs
        group by flow, state order by flow, state`,
    );
    return rows.map((row) => ({
      flow: String(row.flow),
      state: String(row.state),
      count: Number(row.count),
      sumSeconds: Number(row.sum),
      cumulative: bounds.map((_, index) => Number(row[`b${index}`])),
    }));
  }
}
