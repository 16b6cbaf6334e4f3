// Compliance events and runs in memory, with the same window semantics as the SQL: an event
// counts when `since < occurredAt <= until`.
import type { ComplianceEventKind } from '../entities/compliance-event.entity';
import { FinishedRunCounts, MonitoringRepository, RunCount, RunDurationBuckets, UserEventCount } from '../monitoring.repository';

export interface StoredEvent {
  kind: ComplianceEventKind;
  userId: string | null;
  occurredAt: Date;
}

export interface StoredRun {
  flow: string;
  state: 'PENDING' | 'RUNNING' | 'COMPLETED' | 'FAILED' | 'CANCELLED';
  startedAt?: Date;
  finishedAt?: Date;
}

export class InMemoryMonitoringRepository extends MonitoringRepository {
  readonly events: StoredEvent[] = [];
  readonly runs: StoredRun[] = [];
  databaseDown = false;
  lastRetention: Date | null = null;

  addEvents(kind: ComplianceEventKind, userId: string | null, count: number, occurredAt: Date): void {
    for (let i = 0; i < count; i++) this.events.push({ kind, userId, occurredAt });
  }

  async countEvents(kind: ComplianceEventKind, since: Date, until: Date): Promise<number> {
    this.assertUp();
    return this.events.filter((event) => event.kind === kind && event.occurredAt > since && event.occurredAt <= until).length;
  }

  async countEventsByUser(kind: ComplianceEventKind, since: Date, until: Date, above: number): Promise<UserEventCount[]> {
    this.assertUp();
    const counts = new Map<string, number>();
    for (const event of this.events) {
      if (event.kind !== kind || event.userId === null) continue;
      if (event.occurredAt <= since || event.occurredAt > until) continue;
      counts.set(event.userId, (counts.get(event.userId) ?? 0) + 1);
    }
    return [...counts].filter(([, count]) => count > above).map(([userId, count]) => ({ userId, count }));
  }

  async countFinishedRuns(since: Date, until: Date): Promise<FinishedRunCounts> {
    this.assertUp();
    const inWindow = this.runs.filter((run) => run.finishedAt && run.finishedAt > since && run.finishedAt <= until);
    return {
      completed: inWindow.filter((run) => run.state === 'COMPLETED').length,
      failed: inWindow.filter((run) => run.state === 'FAILED').length,
    };
  }

  async pingDatabase(): Promise<void> {
    this.assertUp();
  }

  async lastSuccessfulRetention(): Promise<Date | null> {
    this.assertUp();
    return this.lastRetention;
  }

  async countRunsByFlowAndState(): Promise<RunCount[]> {
    this.assertUp();
    const counts = new Map<string, RunCount>();
    for (const run of this.runs) {
      const key = `${run.flow}/${run.state}`;
      const entry = counts.get(key) ?? { flow: run.flow, state: run.state, count: 0 };
      entry.count++;
      counts.set(key, entry);
    }
    return [...counts.values()];
  }

  async runDurations(bounds: readonly number[]): Promise<RunDurationBuckets[]> {
    this.assertUp();
    const series = new Map<string, RunDurationBuckets>();
    for (const run of this.runs) {
      if (!run.startedAt || !run.finishedAt) continue;
      const seconds = (run.finishedAt.getTime() - run.startedAt.getTime()) / 1000;
      const key = `${run.flow}/${run.state}`;
      const entry = series.get(key) ?? { flow: run.flow, state: run.state, count: 0, sumSeconds: 0, cumulative: bounds.map(() => 0) };
      entry.count++;
      entry.sumSeconds += seconds;
      bounds.forEach((bound, index) => {
        if (seconds <= bound) entry.cumulative[index]++;
      });
      series.set(key, entry);
    }
    return [...series.values()];
  }

  private assertUp(): void {
    if (this.databaseDown) throw new Error('connect ECONNREFUSED');
  }
}
