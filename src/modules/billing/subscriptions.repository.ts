// The one query for "the user's current subscription", owned by Billing and used by every module
// that decides on it (consent checks, the analysis tier and quota).
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { Subscription } from './entities/subscription.entity';

/** Subscription statuses (Stripe's) that count as active. */
export const ACTIVE_SUBSCRIPTION_STATUSES: readonly string[] = ['active', 'trialing'];

export function isActiveSubscription(subscription: Subscription | null): subscription is Subscription {
  return subscription !== null && ACTIVE_SUBSCRIPTION_STATUSES.includes(subscription.status);
}

@Injectable()
export class SubscriptionsRepository {
  /**
   * The subscription that speaks for the user: an active one if any, else the latest. Takes the
   * EntityManager of the caller's transaction (or request) so a check inside a transaction reads
   * on its connection.
   */
  async findCurrent(em: EntityManager, userId: string): Promise<Subscription | null> {
    const subscriptions = await em.find(Subscription, { userId, deletedAt: null }, { orderBy: { updatedAt: 'desc' } });
    return subscriptions.find((s) => ACTIVE_SUBSCRIPTION_STATUSES.includes(s.status)) ?? subscriptions[0] ?? null;
  }
}
