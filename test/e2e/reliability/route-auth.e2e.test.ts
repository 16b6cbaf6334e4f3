// Every route of the app, found from the controllers' metadata: each non-@Public route answers 401
// to no token, a forged token, an expired token and `alg: none`; each admin route answers 403 to a
// user token. A new route is covered without editing this file.
import { NestExpressApplication } from '@nestjs/platform-express';
import { sign } from 'jsonwebtoken';
import { randomUUID } from 'node:crypto';
import { startTestApp, TestApp } from '../../utils/test-app';
import { TEST_JWT_SECRET } from '../../utils/test-env';
import { AppRoute, endStreams, fillPath, listRoutes, STREAMING_ROUTES } from './routes';

/**
 * Every route that answers without a JWT, and why. Exact: a route wrongly marked `@Public()` (or a
 * public one that lost it) fails the test until this list is changed on purpose.
 */
const PUBLIC_ROUTES = [
  'GET /api/health', // load balancers and orchestrators probe it without credentials
  'POST /api/billing/stripe/webhook', // authenticated by Stripe's signature over the body
  'GET /api/privacy/exports/:id/download', // authenticated by the signed, expiring link
  'GET /api/twitter/callback', // X redirects the browser here; the one-time state authenticates it
  'GET /metrics', // checks METRICS_TOKEN or an admin JWT itself
  'GET /privacy', // the public privacy notice
  'GET /data-requests', // how to make a data request, for people without an account too
  'GET /settings/privacy', // the page itself; its API calls carry the token
  'GET /terms', // the terms of service
  'GET /assets/privacy/privacy.css',
  'GET /assets/shared/api-client.js',
  'GET /assets/privacy/privacy-settings.js',
  'GET /admin/runs', // the operator console page; its API calls carry an admin token
  'GET /assets/admin/console.css',
  'GET /assets/admin/runs-console.js',
];

interface ExpressLayer {
  route?: { path: string; methods: Record<string, boolean> };
}

describe('Route table: authentication on every route', () => {
  let sut: TestApp;
  let routes: AppRoute[];
  const someId = randomUUID();

  beforeAll(async () => {
    sut = await startTestApp();
    routes = listRoutes(sut.app);
  });
  afterAll(() => sut.close());

  const call = (route: AppRoute, authorization?: string) => {
    const http = sut.http;
    const path = fillPath(route, () => someId);
    const verb = route.method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete';
    const pending = http[verb](path);
    if (STREAMING_ROUTES.has(`${route.method} ${route.path}`)) endStreams(pending);
    if (authorization !== undefined) void pending.set('Authorization', authorization);
    return route.method === 'GET' ? pending : pending.send({});
  };

  function badTokens(): Record<string, string | undefined> {
    const claims = { iss: sut.config.jwt.issuer, aud: sut.config.jwt.audience };
    const defined = Object.fromEntries(Object.entries(claims).filter(([, value]) => value !== undefined));
    const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    return {
      'no token': undefined,
      'an empty bearer': 'Bearer ',
      'a forged token (wrong secret)': `Bearer ${sign({ ...defined, role: 'admin' }, 'not-the-secret-but-just-as-long-0123456789abcdef', { subject: 'mallory', expiresIn: '1h' })}`,
      'an expired token': `Bearer ${sign({ ...defined, role: 'admin', exp: now - 120, iat: now - 3720 }, TEST_JWT_SECRET, { subject: 'mallory' })}`,
      'alg: none': `Bearer ${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ ...defined, sub: 'mallory', role: 'admin', iat: now, exp: now + 3600 })}.`,
      'garbage': 'Bearer not.a.jwt',
    };
  }

  it('should find every route the HTTP server serves, and a plausible number of them', () => {
    const found = new Set(routes.map((route) => `${route.method} ${route.path}`));
    const express = (sut.app as NestExpressApplication).getHttpAdapter().getInstance() as { router: { stack: ExpressLayer[] } };
    const served = express.router.stack
      .flatMap((layer) => (layer.route ? Object.keys(layer.route.methods).map((m) => `${m.toUpperCase()} ${layer.route?.path}`) : []))
      .filter((route) => !/ \/docs|\{\*all\}/.test(route));
    expect(served.filter((route) => !found.has(route))).toEqual([]);
    expect(routes.length).toBeGreaterThanOrEqual(20);
    expect(routes.filter((route) => route.admin).length).toBeGreaterThanOrEqual(4);
  });

  it('should have exactly the listed public routes', () => {
    const isPublic = routes.filter((route) => route.isPublic).map((route) => `${route.method} ${route.path}`);
    expect(isPublic.sort()).toEqual([...PUBLIC_ROUTES].sort());
  });

  it('should require an admin on every /api/admin route, and refuse a user token with 403', async () => {
    const adminRoutes = routes.filter((route) => route.path.startsWith('/api/admin/'));
    expect(adminRoutes.length).toBeGreaterThanOrEqual(5);
    const notAdmin = adminRoutes.filter((route) => !route.admin || route.isPublic).map((route) => `${route.method} ${route.path}`);
    expect(notAdmin).toEqual([]);
    const failures: string[] = [];
    for (const route of adminRoutes) {
      const response = await call(route, `Bearer ${sut.token(`user-${randomUUID()}`)}`);
      if (response.status !== 403 || response.body?.statusCode !== 403) failures.push(`${route.method} ${route.path}: ${response.status} ${JSON.stringify(response.body)}`);
    }
    expect(failures).toEqual([]);
  });

  it('should answer 401 to a missing, forged, expired or unsigned token on every protected route', async () => {
    const failures: string[] = [];
    for (const route of routes.filter((candidate) => !candidate.isPublic)) {
      for (const [kind, authorization] of Object.entries(badTokens())) {
        const response = await call(route, authorization);
        if (response.status !== 401 || response.body?.statusCode !== 401) {
          failures.push(`${route.method} ${route.path} with ${kind}: ${response.status} ${JSON.stringify(response.body)}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('should answer 403 to a user token on every admin route', async () => {
    const failures: string[] = [];
    const admin = routes.filter((route) => route.admin && !route.isPublic);
    for (const route of admin) {
      const response = await call(route, `Bearer ${sut.token(`user-${randomUUID()}`)}`);
      if (response.status !== 403) failures.push(`${route.method} ${route.path}: ${response.status} ${JSON.stringify(response.body)}`);
    }
    expect(failures).toEqual([]);
  });

  it('should let an admin token through the auth layer of every admin route', async () => {
    const failures: string[] = [];
    for (const route of routes.filter((candidate) => candidate.admin && candidate.method === 'GET')) {
      const response = await call(route, `Bearer ${sut.token(`admin-${randomUUID()}`, { admin: true })}`);
      if (response.status === 401 || response.status === 403 || response.status >= 500) failures.push(`${route.method} ${route.path}: ${response.status}`);
    }
    expect(failures).toEqual([]);
  });
});
