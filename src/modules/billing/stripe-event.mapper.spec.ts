import { mapStripeEvent } from './stripe-event.mapper';

const CREATED = 1_790_000_000;
const event = (type: string, object: Record<string, unknown>) => ({ type, created: CREATED, data: { object } }) as unknown as Parameters<typeof mapStripeEvent>[0];

describe(mapStripeEvent.name, () => {
  const subscription = {
    id: 'sub_1',
    customer: { id: 'cus_1', object: 'customer' },
    status: 'active',
    canceled_at: null,
    metadata: { user_id: 'alice', tier: 'basic' },
    items: { data: [{ current_period_end: CREATED + 100 }] },
  };

  it('should map a subscription event by its metadata, taking the period end from the items', () => {
    const sut = mapStripeEvent(event('customer.subscription.updated', subscription));

    expect(sut).toEqual({
      kind: 'subscription',
      userId: 'alice',
      customerId: 'cus_1',
      subscription: {
        stripeSubscriptionId: 'sub_1',
        stripeCustomerId: 'cus_1',
        userId: 'alice',
        tier: 'basic',
        status: 'active',
        currentPeriodEnd: new Date((CREATED + 100) * 1000),
        cancelledAt: null,
        eventCreatedAt: new Date(CREATED * 1000),
      },
    });
  });

  it('should mark a deleted subscription canceled, falling back to the event time for cancelled_at', () => {
    const sut = mapStripeEvent(event('customer.subscription.deleted', { ...subscription, status: 'active' }));

    expect(sut).toMatchObject({ kind: 'subscription', subscription: { status: 'canceled', cancelledAt: new Date(CREATED * 1000) } });
  });

  it('should apply nothing when user_id or a valid tier is missing', () => {
    expect(mapStripeEvent(event('customer.subscription.created', { ...subscription, metadata: { tier: 'pro' } }))).toMatchObject({
      kind: 'none',
      reason: expect.stringContaining('user_id'),
    });
    expect(mapStripeEvent(event('customer.subscription.created', { ...subscription, metadata: { user_id: 'a', tier: 'gold' } }))).toMatchObject({
      kind: 'none',
      reason: expect.stringContaining('tier'),
    });
  });

  it('should map invoice.paid with the user from the subscription details and the paid time', () => {
    const sut = mapStripeEvent(
      event('invoice.paid', {
        id: 'in_1',
        customer: 'cus_1',
        amount_paid: 1234,
        currency: 'eur',
        status: 'paid',
        status_transitions: { paid_at: CREATED - 5 },
        subscription_details: { metadata: { user_id: 'alice' } },
      }),
    );

    expect(sut).toEqual({
      kind: 'billing_record',
      userId: 'alice',
      customerId: 'cus_1',
      record: { kind: 'invoice', stripeObjectId: 'in_1', amountCents: '1234', currency: 'eur', status: 'paid', occurredAt: new Date((CREATED - 5) * 1000) },
    });
  });

  it('should map charge.succeeded without a user id, leaving the customer for lookup', () => {
    const sut = mapStripeEvent(event('charge.succeeded', { id: 'ch_1', customer: 'cus_2', amount: 50, currency: 'usd', status: 'succeeded', created: CREATED }));

    expect(sut).toMatchObject({ kind: 'billing_record', userId: null, customerId: 'cus_2', record: { kind: 'charge', amountCents: '50' } });
  });

  it('should apply nothing for a charge without an amount and for other event types', () => {
    expect(mapStripeEvent(event('charge.succeeded', { id: 'ch_1', created: CREATED })).kind).toBe('none');
    expect(mapStripeEvent(event('payment_intent.created', { id: 'pi_1' }))).toMatchObject({ kind: 'none', reason: expect.stringContaining('payment_intent.created') });
  });
});
