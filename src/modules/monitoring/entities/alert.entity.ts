import { Entity, Index, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';

/**
 * A compliance or health alert, deduplicated by (kind, subject) while it is open: the monitoring
 * check keeps to that under a lock, and the partial unique index makes it a fact of the table.
 */
@Entity({ tableName: 'alerts' })
@Index({ properties: ['kind', 'subject', 'status'] })
@Unique({
  name: 'alerts_one_open_per_kind_subject',
  expression: `create unique index "alerts_one_open_per_kind_subject" on "alerts" ("kind", "subject") where "status" = 'open'`,
})
export class Alert {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'text' })
  kind!: string;

  @Property({ type: 'text' })
  severity!: 'info' | 'warning' | 'critical';

  /** What the alert is about; user ids are masked to their last 4 characters. */
  @Property({ type: 'text' })
  subject!: string;

  @Property({ type: 'text' })
  status: 'open' | 'resolved' = 'open';

  @Property({ type: 'text' })
  message!: string;

  @Property({ type: 'integer' })
  count = 1;

  @Property({ type: 'datetime' })
  firstSeenAt!: Date;

  @Property({ type: 'datetime' })
  lastSeenAt!: Date;

  @Property({ type: 'datetime', nullable: true })
  resolvedAt?: Date | null;

  @Property({ type: 'datetime', nullable: true })
  notifiedAt?: Date | null;
}
