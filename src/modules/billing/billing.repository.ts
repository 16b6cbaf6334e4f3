// Query code of the Stripe webhook: the event log, subscriptions and billing records. Every write
// takes the transaction's EntityManager, so one delivery commits or rolls back as a whole.
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { BillingRecordRow, SubscriptionRow } from './stripe-event.mapper';

export interface BillingEventRow {
  id: string;
  type: string;
  userId: string | null;
  payload: unknown;
  receivedAt: Date;
}

@Injectable()
export class BillingRepository {
  /** Inserts the event once; false when the event id is already stored (a duplicate delivery). */
  async insertEvent(em: EntityManager, event: BillingEventRow): Promise<boolean> {
    const inserted = await em.execute<{ id: string }[]>(
      'insert into billing_events (id, type, user_id, payload, received_at) values (?, ?, ?, ?, ?) on conflict (id) do nothing returning id',
      [event.id, event.type, event.userId, JSON.stringify(event.payload), event.receivedAt],
    );
    return inserted.length > 0;
  }

  /** Stripe may speak of a user before they ever called the API. */
  async ensureUser(em: EntityManager, userId: string, now: Date): Promise<void> {
    await em.execute('insert into users (id, created_at, last_seen_at) values (?, ?, ?) on conflict (id) do nothing', [userId, now, now]);
  }

  async findUserIdByCustomer(em: EntityManager, customerId: string): Promise<string | null> {
    const [row] = await em.execute<{ user_id: string }[]>(
      'select user_id from subscriptions where stripe_customer_id = ? order by updated_at desc limit 1',
      [customerId],
    );
    return row?.user_id ?? null;
  }

  /**
   * One row per Stripe subscription; false when the event changed nothing. A canceled
   * subscription stays canceled (Stripe never reactivates one), and an event older than the last
   * one applied is ignored: Stripe retries for days and out of order, so a late `updated(active)`
   * after `updated(unpaid)` must not reactivate an unpaid subscription. Events of the same second
   * are applied in arrival order: Stripe's `created` has second resolution, and a checkout's
   * `created(incomplete)` and `updated(active)` often share one.
   */
  async upsertSubscription(em: EntityManager, row: SubscriptionRow, now: Date): Promise<boolean> {
    const applied = await em.execute<{ id: string }[]>(
      `insert into subscriptions (id, user_id, stripe_subscription_id, stripe_customer_id, tier, status, current_period_end, cancelled_at, last_event_at, created_at, updated_at)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       on conflict (stripe_subscription_id) do update set
         user_id = excluded.user_id,
         stripe_customer_id = coalesce(excluded.stripe_customer_id, subscriptions.stripe_customer_id),
         tier = excluded.tier,
         status = excluded.status,
         current_period_end = coalesce(excluded.current_period_end, subscriptions.current_period_end),
         cancelled_at = excluded.cancelled_at,
         last_event_at = excluded.last_event_at,
         updated_at = excluded.updated_at
       where subscriptions.status <> 'canceled'
         and (subscriptions.last_event_at is null or subscriptions.last_event_at <= excluded.last_event_at)
       returning id`,
      [
        randomUUID(),
        row.userId,
        row.stripeSubscriptionId,
        row.stripeCustomerId,
        row.tier,
        row.status,
        row.currentPeriodEnd,
        row.cancelledAt,
        row.eventCreatedAt,
        now,
        now,
      ],
    );
    return applied.length > 0;
  }

  /** Invoices and charges are recorded once per Stripe object and never changed or deleted here. */
  async insertBillingRecord(em: EntityManager, row: BillingRecordRow, userId: string | null, now: Date): Promise<void> {
    await em.execute(
      `insert into billing_records (id, user_id, kind, stripe_object_id, amount_cents, currency, status, occurred_at, created_at)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict (stripe_object_id) do nothing`,
      [randomUUID(), userId, row.kind, row.stripeObjectId, row.amountCents, row.currency, row.status, row.occurredAt, now],
    );
  }
}
