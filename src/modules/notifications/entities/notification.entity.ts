import { Entity, Index, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';

export enum NotificationKind {
  CONSENT_EXPIRING = 'consent_expiring',
  CONSENT_EXPIRED = 'consent_expired',
  RUN_FAILED = 'run_failed',
  EXPORT_READY = 'export_ready',
  DELETION_COMPLETED = 'deletion_completed',
  /** A data subject request was extended, completed or refused by the privacy team. */
  REQUEST_ANSWERED = 'request_answered',
}

/**
 * A notice to the person, shown in the app (`GET /api/notifications`, the privacy page). It is
 * the person's data: exported with it, and erased with it (the erasure then leaves one notice, the
 * deletion's own confirmation). `dedupKey` makes a notice about one thing (a consent record's
 * 7-day warning, a run's failure) a fact of the table, however often the job that writes it runs.
 */
@Entity({ tableName: 'notifications' })
@Index({ properties: ['userId', 'createdAt'] })
@Unique({ properties: ['userId', 'dedupKey'] })
export class Notification {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'text' })
  userId!: string;

  @Property({ type: 'text' })
  kind!: NotificationKind;

  @Property({ type: 'text' })
  title!: string;

  /** Written by the app from fixed templates and counts: never text a person or a provider supplied. */
  @Property({ type: 'text' })
  message!: string;

  /** Ids and codes the client can act on (`runId`, `exportId`, `reason`, `expiresAt`). */
  @Property({ type: 'json' })
  data: Record<string, string | number | null> = {};

  @Property({ type: 'text' })
  dedupKey!: string;

  @Property({ type: 'datetime' })
  createdAt!: Date;

  @Property({ type: 'datetime', nullable: true })
  readAt?: Date | null;
}
