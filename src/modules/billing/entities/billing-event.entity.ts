import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

/** The Stripe webhook event log: one row per Stripe event id, which makes delivery idempotent. */
@Entity({ tableName: 'billing_events' })
export class BillingEvent {
  /** Stripe's event id (`evt_...`). */
  @PrimaryKey({ type: 'text' })
  id!: string;

  @Property({ type: 'text' })
  type!: string;

  @Index()
  @Property({ type: 'text', nullable: true })
  userId?: string | null;

  /** The event payload, redacted with the `log` profile (Stripe objects carry names and emails). */
  @Property({ type: 'json' })
  payload: Record<string, unknown> = {};

  @Index()
  @Property({ type: 'datetime' })
  receivedAt!: Date;

  @Property({ type: 'datetime', nullable: true })
  deletedAt?: Date | null;
}
