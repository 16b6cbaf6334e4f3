import { Entity, Index, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';

export type AlertChannelName = 'slack' | 'email' | 'pagerduty';
export const ALERT_CHANNEL_NAMES: readonly AlertChannelName[] = ['slack', 'email', 'pagerduty'];

/** What a delivery tells the channel: the alert opened, is still open (a reminder), or cleared. */
export type AlertDeliveryEvent = 'trigger' | 'reminder' | 'resolve';

/**
 * pending: waiting for its first or next attempt; sending: claimed by one instance until
 * `lockedUntil` (a crashed sender's claim runs out and the row is taken again); delivered;
 * cancelled: a trigger made moot because its alert cleared before the channel took it;
 * failed: given up after the retry window.
 */
export type AlertDeliveryState = 'pending' | 'sending' | 'delivered' | 'cancelled' | 'failed';

/**
 * One message about one alert to one channel. `dedupKey` makes every message a fact of the table:
 * `<alert>:<channel>:trigger`, `:resolve`, `:reminder:<n>`; planning it twice inserts it once.
 */
@Entity({ tableName: 'alert_deliveries' })
@Index({ name: 'alert_deliveries_due', properties: ['state', 'nextAttemptAt'] })
@Index({ properties: ['alertId', 'channel'] })
export class AlertDelivery {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  alertId!: string;

  @Property({ type: 'text' })
  channel!: AlertChannelName;

  @Property({ type: 'text' })
  event!: AlertDeliveryEvent;

  @Unique()
  @Property({ type: 'text' })
  dedupKey!: string;

  @Property({ type: 'text' })
  state: AlertDeliveryState = 'pending';

  @Property({ type: 'integer' })
  attempts = 0;

  /** Why the last attempt failed: a status code or a network error name, never the channel's URL or key. */
  @Property({ type: 'text', nullable: true })
  lastError?: string | null;

  @Property({ type: 'datetime' })
  nextAttemptAt!: Date;

  @Property({ type: 'datetime', nullable: true })
  lockedUntil?: Date | null;

  @Property({ type: 'datetime', nullable: true })
  deliveredAt?: Date | null;

  @Property({ type: 'datetime' })
  createdAt!: Date;

  @Property({ type: 'datetime' })
  updatedAt!: Date;
}
