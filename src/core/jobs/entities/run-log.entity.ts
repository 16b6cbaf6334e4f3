import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

/** A log line of a run, redacted with the `log` profile before it is stored. */
@Entity({ tableName: 'run_logs' })
@Index({ properties: ['runId', 'id'] })
export class RunLog {
  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @Property({ type: 'uuid' })
  runId!: string;

  @Index()
  @Property({ type: 'text', nullable: true })
  userId?: string | null;

  @Property({ type: 'text' })
  level!: 'debug' | 'info' | 'warn' | 'error';

  @Property({ type: 'text' })
  message!: string;

  @Index()
  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', nullable: true })
  deletedAt?: Date | null;
}
