// Turns a verified Stripe event into the one change it makes to our tables. Pure, and defensive
// about the payload's shape: fields moved between Stripe API versions (e.g. current_period_end
// onto subscription items, invoice.subscription_details onto invoice.parent).
import type Stripe from 'stripe';
import { SubscriptionTier } from './entities/subscription.entity';

export interface SubscriptionRow {
  stripeSubscriptionId: string;
  stripeCustomerId: string | null;
  userId: string;
  tier: SubscriptionTier;
  status: string;
  currentPeriodEnd: Date | null;
  cancelledAt: Date | null;
  /** When Stripe created the event that reported this state: orders deliveries. */
  eventCreatedAt: Date;
}

export interface BillingRecordRow {
  kind: 'invoice' | 'charge';
  stripeObjectId: string;
  amountCents: string;
  currency: string;
  status: string;
  occurredAt: Date;
}

export type BillingChange =
  | { kind: 'subscription'; userId: string; customerId: string | null; subscription: SubscriptionRow }
  | { kind: 'billing_record'; userId: string | null; customerId: string | null; record: BillingRecordRow }
  | { kind: 'none'; userId: string | null; customerId: string | null; reason: string };

const TIERS: readonly SubscriptionTier[] = ['basic', 'pro'];
const MAX_USER_ID_LENGTH = 255;

type Json = Record<string, unknown>;

export function mapStripeEvent(event: Pick<Stripe.Event, 'type' | 'created' | 'data'>): BillingChange {
  const object = asObject(event.data.object) ?? {};
  const customerId = idOf(object.customer);
  // A plain string: Stripe's union of event types is open-ended, and only these few matter here.
  const type: string = event.type;
  switch (type) {
    case 'customer.subscription.created':
    case 'customer.subscription.updated':
    case 'customer.subscription.deleted':
      return mapSubscription(object, event.type === 'customer.subscription.deleted', event.created, customerId);
    case 'invoice.paid': {
      const metadata = asObject(object.metadata);
      const details = asObject(asObject(object.parent)?.subscription_details) ?? asObject(object.subscription_details);
      const userId = userIdOf(metadata) ?? userIdOf(asObject(details?.metadata));
      const paidAt = asObject(object.status_transitions)?.paid_at;
      return billingRecord(object, 'invoice', userId, customerId, object.amount_paid, seconds(paidAt) ?? seconds(object.created) ?? seconds(event.created));
    }
    case 'charge.succeeded':
      return billingRecord(object, 'charge', userIdOf(asObject(object.metadata)), customerId, object.amount, seconds(object.created) ?? seconds(event.created));
    default:
      return { kind: 'none', userId: userIdOf(asObject(object.metadata)), customerId, reason: `event type ${type} is only logged` };
  }
}

function mapSubscription(object: Json, deleted: boolean, eventCreated: number, customerId: string | null): BillingChange {
  const metadata = asObject(object.metadata);
  const userId = userIdOf(metadata);
  const tier = metadata?.tier;
  const id = typeof object.id === 'string' ? object.id : undefined;
  if (!id) return { kind: 'none', userId, customerId, reason: 'subscription without an id' };
  if (!userId) return { kind: 'none', userId, customerId, reason: 'subscription without metadata.user_id' };
  if (typeof tier !== 'string' || !TIERS.includes(tier as SubscriptionTier)) {
    return { kind: 'none', userId, customerId, reason: 'subscription without a metadata.tier of basic or pro' };
  }
  const items = asObject(object.items)?.data;
  const firstItem = Array.isArray(items) ? asObject(items[0]) : undefined;
  const status = deleted ? 'canceled' : typeof object.status === 'string' ? object.status : 'incomplete';
  return {
    kind: 'subscription',
    userId,
    customerId,
    subscription: {
      stripeSubscriptionId: id,
      stripeCustomerId: customerId,
      userId,
      tier: tier as SubscriptionTier,
      status,
      currentPeriodEnd: seconds(object.current_period_end) ?? seconds(firstItem?.current_period_end) ?? null,
      cancelledAt: seconds(object.canceled_at) ?? (deleted ? (seconds(object.ended_at) ?? seconds(eventCreated) ?? null) : null),
      eventCreatedAt: seconds(eventCreated) ?? new Date(0),
    },
  };
}

function billingRecord(
  object: Json,
  kind: 'invoice' | 'charge',
  userId: string | null,
  customerId: string | null,
  amount: unknown,
  occurredAt: Date | undefined,
): BillingChange {
  const id = typeof object.id === 'string' ? object.id : undefined;
  if (!id || typeof amount !== 'number' || !Number.isInteger(amount) || !occurredAt) {
    return { kind: 'none', userId, customerId, reason: `${kind} without an id, an amount or a date` };
  }
  return {
    kind: 'billing_record',
    userId,
    customerId,
    record: {
      kind,
      stripeObjectId: id,
      amountCents: String(amount),
      currency: typeof object.currency === 'string' ? object.currency : 'unknown',
      status: typeof object.status === 'string' ? object.status : kind === 'invoice' ? 'paid' : 'succeeded',
      occurredAt,
    },
  };
}

function asObject(value: unknown): Json | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : undefined;
}

function idOf(value: unknown): string | null {
  if (typeof value === 'string' && value !== '') return value;
  const id = asObject(value)?.id;
  return typeof id === 'string' && id !== '' ? id : null;
}

function userIdOf(metadata: Json | undefined): string | null {
  const value = metadata?.user_id;
  return typeof value === 'string' && value.trim() !== '' && value.length <= MAX_USER_ID_LENGTH ? value : null;
}

/** Stripe timestamps are Unix seconds. */
function seconds(value: unknown): Date | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? new Date(value * 1000) : undefined;
}
