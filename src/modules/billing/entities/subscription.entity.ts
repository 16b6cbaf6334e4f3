import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';

export type SubscriptionTier = 'basic' | 'pro';

/** A person's subscription as Stripe last reported it. */
@Entity({ tableName: 'subscriptions' })
export class Subscription {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Index()
  @Property({ type: 'text' })
  userId!: string;

  @Property({ type: 'text', unique: true })
  stripeSubscriptionId!: string;

  @Property({ type: 'text', nullable: true })
  stripeCustomerId?: string | null;

  @Property({ type: 'text' })
  tier!: SubscriptionTier;

  /** Stripe's status: active, trialing, past_due, canceled, ... */
  @Property({ type: 'text' })
  status!: string;

  @Property({ type: 'datetime', nullable: true })
  currentPeriodEnd?: Date | null;

  @Property({ type: 'datetime', nullable: true })
  cancelledAt?: Date | null;

  /**
   * `created` of the newest Stripe event applied to this row. Stripe retries for days and out of
   * order: an older event arriving late is stored in `billing_events` but changes nothing here.
   */
  @Property({ type: 'datetime', nullable: true })
  lastEventAt?: Date | null;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', onUpdate: () => new Date() })
  updatedAt: Date = new Date();

  @Property({ type: 'datetime', nullable: true })
  deletedAt?: Date | null;
}
