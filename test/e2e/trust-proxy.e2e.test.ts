// Inbound throttling behind a proxy: with TRUST_PROXY each client (X-Forwarded-For) has its own
// bucket; without it the header is ignored, so a client cannot pick its address. The Stripe
// webhook is never throttled per IP. Embedded mode: its in-memory throttler is this app's alone.
import { randomUUID } from 'node:crypto';
import { startTestApp, TestApp } from '../utils/test-app';

const LIMIT = 3;
const download = (sut: TestApp, forwardedFor: string) =>
  sut.http.get(`/api/privacy/exports/${randomUUID()}/download?expires=1&signature=x`).set('X-Forwarded-For', forwardedFor);

describe.each([
  ['behind one trusted proxy (TRUST_PROXY=1)', '1', true],
  ['with no proxy trusted', undefined, false],
])('Inbound throttling %s', (_label, trustProxy, perClient) => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await startTestApp({
      mode: 'embedded',
      env: { TRUST_PROXY: trustProxy, HTTP_REQUESTS_PER_MINUTE: String(LIMIT), STRIPE_WEBHOOK_SECRET: 'whsec_trust_proxy_test_0123456789' },
    });
  });
  afterAll(() => sut.close());

  it(perClient ? 'should give each forwarded client its own bucket' : 'should ignore X-Forwarded-For and keep one bucket', async () => {
    const first = [];
    for (let i = 0; i < LIMIT; i += 1) first.push((await download(sut, '203.0.113.7')).status);
    const sameClient = await download(sut, '203.0.113.7');
    const otherClient = await download(sut, '198.51.100.9');

    expect(first).toEqual([403, 403, 403]);
    expect(sameClient.status).toBe(429);
    expect(otherClient.status).toBe(perClient ? 403 : 429);
  });

  it('should never throttle the Stripe webhook', async () => {
    const deliveries = [];
    for (let i = 0; i < LIMIT * 3; i += 1) {
      deliveries.push((await sut.http.post('/api/billing/stripe/webhook').set('Content-Type', 'application/json').send('{}')).status);
    }
    expect(deliveries).toEqual(Array(LIMIT * 3).fill(400));
  });
});
