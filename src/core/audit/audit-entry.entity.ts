import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * One entry of the hash-chained audit log. `hash` covers this entry's content and `prevHash`, so
 * changing or removing an entry breaks the chain at that point (see AuditService.verifyAuditChain).
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

  @Property({ type: 'text' })
  prevHash!: string;

  @Property({ type: 'text' })
  hash!: string;
}
