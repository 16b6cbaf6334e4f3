import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * One entry of the audit log. Entries are appended concurrently, each taking the next value of the
 * id sequence, and are later sealed into Merkle batches (AuditBatch) by the AuditSealer; an entry
 * carries no hash of its own.
 */
@Entity({ tableName: 'audit_log' })
export class AuditEntry {
  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  /** Null for system actions (scheduled jobs). */
  @Index()
  @Property({ type: 'text', nullable: true })
  userId?: string | null;

  @Property({ type: 'text' })
  action!: string;

  @Index()
  @Property({ type: 'text' })
  category!: string;

  /** Already redacted with the `log` profile when written. */
  @Property({ type: 'json' })
  details: Record<string, unknown> = {};

  @Index()
  @Property({ type: 'datetime' })
  createdAt!: Date;
}
