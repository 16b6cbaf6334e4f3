import { Entity, Enum, Index, PrimaryKey, Property } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';

export enum RunState {
  PENDING = 'PENDING',
  RUNNING = 'RUNNING',
  COMPLETED = 'COMPLETED',
  FAILED = 'FAILED',
  CANCELLED = 'CANCELLED',
}

export enum RunFlow {
  INGESTION = 'ingestion',
  ANALYSIS = 'analysis',
  EXPORT = 'export',
  SCHEDULED = 'scheduled',
}

/** An on-demand workflow (the replacement for a Prefect flow run); the source of truth for its state. */
@Entity({ tableName: 'workflow_runs' })
@Index({ properties: ['userId', 'createdAt'] })
@Index({ properties: ['state', 'finishedAt'] })
// The operators' list of every run (GET /api/admin/runs): newest first, keyset-paged.
@Index({ properties: ['createdAt', 'id'] })
export class WorkflowRun {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  /** Null for system runs (scheduled jobs started by an operator). */
  @Property({ type: 'text', nullable: true })
  userId?: string | null;

  @Enum({ items: () => RunFlow, nativeEnumName: 'run_flow' })
  flow!: RunFlow;

  /** The job name within the flow, e.g. `twitter.ingest` or `retention_cleanup_daily`. */
  @Property({ type: 'text' })
  jobName!: string;

  @Enum({ items: () => RunState, nativeEnumName: 'run_state' })
  state: RunState = RunState.PENDING;

  @Property({ type: 'integer' })
  attempts = 0;

  @Property({ type: 'integer' })
  maxAttempts = 5;

  @Property({ type: 'json', nullable: true })
  input?: Record<string, unknown> | null;

  @Property({ type: 'json', nullable: true })
  result?: Record<string, unknown> | null;

  @Property({ type: 'text', nullable: true })
  errorCode?: string | null;

  /** Redacted with the `log` profile before it is stored. */
  @Property({ type: 'text', nullable: true })
  errorMessage?: string | null;

  @Property({ type: 'datetime', nullable: true })
  nextAttemptAt?: Date | null;

  @Property({ type: 'datetime', nullable: true })
  startedAt?: Date | null;

  @Property({ type: 'datetime', nullable: true })
  finishedAt?: Date | null;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', onUpdate: () => new Date() })
  updatedAt: Date = new Date();

  @Property({ type: 'datetime', nullable: true })
  deletedAt?: Date | null;
}
