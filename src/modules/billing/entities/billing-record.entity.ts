import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';

/**
 * An invoice or a charge. Kept for tax and accounting law: nothing in this system deletes these
 * rows (not retention, not delete-my-data), which is why the table has no `deleted_at`.
 */
@Entity({ tableName: 'billing_records' })
export class BillingRecord {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Index()
  @Property({ type: 'text', nullable: true })
  userId?: string | null;

  @Property({ type: 'text' })
  kind!: 'invoice' | 'charge';

  @Property({ type: 'text', unique: true })
  stripeObjectId!: string;

  @Property({ type: 'bigint' })
  amountCents!: string;

  @Property({ type: 'text' })
  currency!: string;

  @Property({ type: 'text' })
  status!: string;

  @Property({ type: 'datetime' })
  occurredAt!: Date;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();
}
