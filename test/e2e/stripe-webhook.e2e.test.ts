// POST /api/billing/stripe/webhook with deliveries signed the way Stripe signs them.
import Stripe from 'stripe';
import { startTestApp, TestApp } from '../utils/test-app';

const SECRET = 'whsec_test_secret_0123456789abcdefghijklmnop';
const WEBHOOK = '/api/billing/stripe/webhook';
const NOW_S = () => Math.floor(Date.now() / 1000);

interface StripeEventInput {
  id: string;
  type: string;
  object: Record<string, unknown>;
  /** Unix seconds; now by default. */
  created?: number;
}

function eventBody({ id, type, object, created = NOW_S() }: StripeEventInput): string {
  return JSON.stringify({
    id,
    object: 'event',
    api_version: '2025-10-29.clover',
    created,
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
    data: { object },
  });
}

function subscription(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'sub_1',
    object: 'subscription',
    customer: 'cus_1',
    status: 'active',
    canceled_at: null,
    ended_at: null,
    metadata: { user_id: 'alice', tier: 'pro' },
    items: { object: 'list', data: [{ id: 'si_1', current_period_end: NOW_S() + 30 * 86400 }] },
    ...overrides,
  };
}

describe('Stripe webhook', () => {
  let sut: TestApp;

  const deliver = (body: string, signature = Stripe.webhooks.generateTestHeaderString({ payload: body, secret: SECRET })) =>
    sut.http.post(WEBHOOK).set('Content-Type', 'application/json').set('Stripe-Signature', signature).send(body);
  const rows = (sql: string, params: unknown[] = []) => sut.em().getConnection().execute(sql, params);

  beforeAll(async () => {
    sut = await startTestApp({ env: { STRIPE_WEBHOOK_SECRET: SECRET } });
  });
  beforeEach(() => sut.resetDatabase());
  afterAll(() => sut?.close());

  it('should create the subscription, the user and the event log entry from a signed delivery', async () => {
    const response = await deliver(eventBody({ id: 'evt_1', type: 'customer.subscription.created', object: subscription() }));

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ received: true });
    expect(await rows('select user_id, stripe_subscription_id, stripe_customer_id, tier, status, cancelled_at from subscriptions')).toEqual([
      { user_id: 'alice', stripe_subscription_id: 'sub_1', stripe_customer_id: 'cus_1', tier: 'pro', status: 'active', cancelled_at: null },
    ]);
    expect(await rows('select id from users')).toEqual([{ id: 'alice' }]);
    expect(await rows('select id, type, user_id from billing_events')).toEqual([
      { id: 'evt_1', type: 'customer.subscription.created', user_id: 'alice' },
    ]);
    const status = await sut.http.get('/api/consent').set('Authorization', `Bearer ${sut.token('alice')}`);
    expect(status.body.subscription).toEqual({ tier: 'pro', status: 'active', cancelledAt: null });
  });

  it('should refuse a bad signature with 400 and write nothing', async () => {
    const body = eventBody({ id: 'evt_1', type: 'customer.subscription.created', object: subscription() });
    const forged = Stripe.webhooks.generateTestHeaderString({ payload: body, secret: 'whsec_another_secret_0123456789' });

    const response = await deliver(body, forged);
    const tampered = await deliver(body.replace('"pro"', '"basic"'), Stripe.webhooks.generateTestHeaderString({ payload: body, secret: SECRET }));

    expect(response.status).toBe(400);
    expect(response.body).toEqual({ statusCode: 400, code: 'STRIPE_SIGNATURE_INVALID', message: expect.any(String) });
    expect(tampered.status).toBe(400);
    for (const table of ['billing_events', 'subscriptions', 'users', 'billing_records']) {
      expect(await rows(`select * from ${table}`)).toEqual([]);
    }
  });

  it('should refuse a missing signature and a signature older than the tolerance', async () => {
    const body = eventBody({ id: 'evt_1', type: 'customer.subscription.created', object: subscription() });
    const old = Stripe.webhooks.generateTestHeaderString({ payload: body, secret: SECRET, timestamp: NOW_S() - 3600 });

    const missing = await sut.http.post(WEBHOOK).set('Content-Type', 'application/json').send(body);
    const stale = await deliver(body, old);

    expect(missing.status).toBe(400);
    expect(missing.body.code).toBe('STRIPE_SIGNATURE_MISSING');
    expect(stale.status).toBe(400);
    expect(stale.body.code).toBe('STRIPE_SIGNATURE_INVALID');
    expect(await rows('select * from billing_events')).toEqual([]);
  });

  it('should acknowledge a duplicate delivery once more and change nothing', async () => {
    const body = eventBody({ id: 'evt_1', type: 'customer.subscription.created', object: subscription() });
    await deliver(body);
    // Same event id, different content: still the same event, so it must not apply.
    const altered = eventBody({ id: 'evt_1', type: 'customer.subscription.created', object: subscription({ status: 'past_due' }) });

    const again = await deliver(body);
    const replayed = await deliver(altered);

    expect(again.body).toEqual({ received: true, duplicate: true });
    expect(replayed.body).toEqual({ received: true, duplicate: true });
    expect(await rows('select id from billing_events')).toHaveLength(1);
    expect(await rows('select status from subscriptions')).toEqual([{ status: 'active' }]);
  });

  it('should upsert by subscription id through updated and deleted, and never revive a canceled one', async () => {
    const canceledAt = NOW_S();
    await deliver(eventBody({ id: 'evt_1', type: 'customer.subscription.created', object: subscription({ status: 'trialing' }) }));
    await deliver(
      eventBody({ id: 'evt_2', type: 'customer.subscription.updated', object: subscription({ metadata: { user_id: 'alice', tier: 'basic' } }) }),
    );
    expect(await rows('select tier, status from subscriptions')).toEqual([{ tier: 'basic', status: 'active' }]);

    await deliver(
      eventBody({ id: 'evt_3', type: 'customer.subscription.deleted', object: subscription({ status: 'canceled', canceled_at: canceledAt }) }),
    );
    await deliver(eventBody({ id: 'evt_4', type: 'customer.subscription.updated', object: subscription({ status: 'active' }) }));

    const [row] = await rows('select tier, status, cancelled_at from subscriptions');
    expect(await rows('select id from subscriptions')).toHaveLength(1);
    expect(row).toMatchObject({ status: 'canceled' });
    expect(new Date(row.cancelled_at as string).getTime()).toBe(canceledAt * 1000);
    const status = await sut.http.get('/api/consent').set('Authorization', `Bearer ${sut.token('alice')}`);
    expect(status.body.subscription).toEqual({ tier: 'pro', status: 'canceled', cancelledAt: new Date(canceledAt * 1000).toISOString() });
    expect(await rows('select id from billing_events order by id')).toHaveLength(4);
  });

  it('should store a late, older event without letting it roll the subscription back', async () => {
    const now = NOW_S();
    await deliver(eventBody({ id: 'evt_1', type: 'customer.subscription.created', object: subscription(), created: now - 300 }));
    await deliver(eventBody({ id: 'evt_3', type: 'customer.subscription.updated', object: subscription({ status: 'unpaid' }), created: now - 100 }));

    // Stripe retried the earlier `updated(active)` and delivered it last.
    const late = await deliver(eventBody({ id: 'evt_2', type: 'customer.subscription.updated', object: subscription({ status: 'active' }), created: now - 200 }));

    expect(late.status).toBe(200);
    expect(late.body).toEqual({ received: true });
    const [row] = await rows('select status, last_event_at from subscriptions');
    expect(row.status).toBe('unpaid');
    expect(new Date(row.last_event_at as string).getTime()).toBe((now - 100) * 1000);
    expect(await rows('select id from billing_events order by id')).toEqual([{ id: 'evt_1' }, { id: 'evt_2' }, { id: 'evt_3' }]);
    const status = await sut.http.get('/api/consent').set('Authorization', `Bearer ${sut.token('alice')}`);
    expect(status.body.subscription.status).toBe('unpaid');
    const audited = await rows("select details from audit_log where action = 'billing.subscription_changed' order by id");
    expect(audited.map((entry) => (entry.details as { status: string }).status)).toEqual(['active', 'unpaid']);
  });

  it('should apply events of the same second in the order they arrive', async () => {
    const now = NOW_S();
    await deliver(eventBody({ id: 'evt_1', type: 'customer.subscription.created', object: subscription({ status: 'incomplete' }), created: now }));
    await deliver(eventBody({ id: 'evt_2', type: 'customer.subscription.updated', object: subscription({ status: 'active' }), created: now }));

    expect(await rows('select status from subscriptions')).toEqual([{ status: 'active' }]);
  });

  it('should record invoice.paid and charge.succeeded as billing records, with a redacted payload', async () => {
    await deliver(eventBody({ id: 'evt_1', type: 'customer.subscription.created', object: subscription() }));
    const paidAt = NOW_S() - 60;
    const invoice = {
      id: 'in_1',
      object: 'invoice',
      customer: 'cus_1',
      customer_email: 'jane.doe@example.com',
      amount_paid: 1900,
      currency: 'eur',
      status: 'paid',
      created: paidAt - 10,
      status_transitions: { paid_at: paidAt },
      metadata: {},
      parent: { type: 'subscription_details', subscription_details: { subscription: 'sub_1', metadata: { user_id: 'alice', tier: 'pro' } } },
    };
    // A charge carries no user id: it is matched through the customer of a known subscription.
    const charge = { id: 'ch_1', object: 'charge', customer: 'cus_1', amount: 1900, currency: 'eur', status: 'succeeded', created: paidAt, metadata: {} };

    const first = await deliver(eventBody({ id: 'evt_2', type: 'invoice.paid', object: invoice }));
    const second = await deliver(eventBody({ id: 'evt_3', type: 'charge.succeeded', object: charge }));

    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    const records = await rows('select user_id, kind, stripe_object_id, amount_cents, currency, status, occurred_at from billing_records order by kind');
    expect(records).toEqual([
      { user_id: 'alice', kind: 'charge', stripe_object_id: 'ch_1', amount_cents: '1900', currency: 'eur', status: 'succeeded', occurred_at: expect.anything() },
      { user_id: 'alice', kind: 'invoice', stripe_object_id: 'in_1', amount_cents: '1900', currency: 'eur', status: 'paid', occurred_at: expect.anything() },
    ]);
    expect(new Date(records[1].occurred_at as string).getTime()).toBe(paidAt * 1000);
    const [stored] = await rows("select payload from billing_events where id = 'evt_2'");
    expect(JSON.stringify(stored.payload)).not.toContain('jane.doe@example.com');
    expect(stored.payload).toMatchObject({ id: 'evt_2', type: 'invoice.paid', data: { object: { id: 'in_1', amount_paid: 1900 } } });
  });

  it('should create an unknown user named by a billing record and keep records of unknown customers', async () => {
    const charge = { id: 'ch_9', object: 'charge', customer: 'cus_unknown', amount: 500, currency: 'usd', status: 'succeeded', created: NOW_S(), metadata: { user_id: 'dave' } };
    const orphan = { ...charge, id: 'ch_10', metadata: {} };

    await deliver(eventBody({ id: 'evt_1', type: 'charge.succeeded', object: charge }));
    await deliver(eventBody({ id: 'evt_2', type: 'charge.succeeded', object: orphan }));

    expect(await rows('select id from users')).toEqual([{ id: 'dave' }]);
    expect(await rows('select stripe_object_id, user_id from billing_records order by stripe_object_id')).toEqual([
      { stripe_object_id: 'ch_10', user_id: null },
      { stripe_object_id: 'ch_9', user_id: 'dave' },
    ]);
  });

  it('should store and acknowledge event types it does not act on', async () => {
    const response = await deliver(eventBody({ id: 'evt_1', type: 'customer.created', object: { id: 'cus_1', object: 'customer', email: 'x@example.com' } }));

    expect(response.body).toEqual({ received: true });
    expect(await rows('select id, type, user_id from billing_events')).toEqual([{ id: 'evt_1', type: 'customer.created', user_id: null }]);
    expect(await rows('select * from subscriptions')).toEqual([]);
  });

  it('should store, without applying, a subscription that lacks its metadata', async () => {
    const response = await deliver(
      eventBody({ id: 'evt_1', type: 'customer.subscription.created', object: subscription({ metadata: { tier: 'gold', user_id: 'alice' } }) }),
    );

    expect(response.body).toEqual({ received: true });
    expect(await rows('select id from billing_events')).toEqual([{ id: 'evt_1' }]);
    expect(await rows('select * from subscriptions')).toEqual([]);
  });
});

describe('Stripe webhook without STRIPE_WEBHOOK_SECRET', () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await startTestApp();
    await sut.resetDatabase();
  });
  afterAll(() => sut?.close());

  it('should answer 503 STRIPE_NOT_CONFIGURED and write nothing', async () => {
    const body = eventBody({ id: 'evt_1', type: 'customer.subscription.created', object: subscription() });

    const response = await sut.http
      .post(WEBHOOK)
      .set('Content-Type', 'application/json')
      .set('Stripe-Signature', Stripe.webhooks.generateTestHeaderString({ payload: body, secret: SECRET }))
      .send(body);

    expect(response.status).toBe(503);
    expect(response.body).toEqual({ statusCode: 503, code: 'STRIPE_NOT_CONFIGURED', message: expect.stringContaining('STRIPE_WEBHOOK_SECRET') });
    expect(await sut.em().getConnection().execute("select * from billing_events where id = 'evt_1'")).toEqual([]);
  });
});
