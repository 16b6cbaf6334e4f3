import { sign } from 'jsonwebtoken';
import { randomUUID } from 'node:crypto';
import { User } from '../../src/core/users/user.entity';
import { FakeJwksServer } from '../fakes/fake-jwks-server';
import { startTestApp, TestApp } from '../utils/test-app';
import { TEST_JWT_SECRET } from '../utils/test-env';

const AUDIENCE = 'repazoo-api';
const ISSUER = 'https://id.example.test/';
const USER_ROUTE = '/api/support/tickets';
const ADMIN_ROUTE = '/api/admin/audit/verify';

function unsignedToken(claims: Record<string, unknown>): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${encode({ alg: 'none', typ: 'JWT' })}.${encode(claims)}.`;
}

describe('Authentication (HS256)', () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await startTestApp({ env: { JWT_AUDIENCE: AUDIENCE, JWT_ISSUER: ISSUER } });
  });
  beforeEach(() => sut.resetDatabase());
  afterAll(() => sut.close());

  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

  it('should answer 401 with a code when no token is sent', async () => {
    const response = await sut.http.get(USER_ROUTE);
    expect(response.status).toBe(401);
    expect(response.body).toEqual({ statusCode: 401, code: 'UNAUTHENTICATED', message: expect.stringContaining('bearer token') });
    expect(response.headers['www-authenticate']).toBe('Bearer');
  });

  it('should answer 401 to a token signed with another secret', async () => {
    const forged = sign({}, 'another-secret-that-is-long-enough-0123456789', {
      subject: 'mallory',
      audience: AUDIENCE,
      issuer: ISSUER,
    });
    const response = await sut.http.get(USER_ROUTE).set(bearer(forged));
    expect(response.status).toBe(401);
    expect(response.body.message).toContain('invalid signature');
  });

  it('should answer 401 to an expired token', async () => {
    const expired = sign({ exp: Math.floor(Date.now() / 1000) - 60 }, TEST_JWT_SECRET, {
      subject: 'alice',
      audience: AUDIENCE,
      issuer: ISSUER,
    });
    const response = await sut.http.get(USER_ROUTE).set(bearer(expired));
    expect(response.status).toBe(401);
    expect(response.body.message).toContain('expired');
  });

  it('should answer 401 to a token without exp, which would never expire', async () => {
    const forever = sign({}, TEST_JWT_SECRET, { subject: 'alice', audience: AUDIENCE, issuer: ISSUER });
    const response = await sut.http.get(USER_ROUTE).set(bearer(forever));
    expect(response.status).toBe(401);
    expect(response.body).toEqual({ statusCode: 401, code: 'UNAUTHENTICATED', message: 'Invalid token: exp is required' });
  });

  it('should answer 401 to a token that is not valid yet (nbf in the future)', async () => {
    const early = sign({ nbf: Math.floor(Date.now() / 1000) + 600 }, TEST_JWT_SECRET, { subject: 'alice', audience: AUDIENCE, issuer: ISSUER, expiresIn: '1h' });
    const response = await sut.http.get(USER_ROUTE).set(bearer(early));
    expect(response.status).toBe(401);
    expect(response.body.message).toContain('not active');
  });

  it('should answer 401 to a token for another audience', async () => {
    const token = sign({}, TEST_JWT_SECRET, { subject: 'alice', audience: 'another-api', issuer: ISSUER });
    const response = await sut.http.get(USER_ROUTE).set(bearer(token));
    expect(response.status).toBe(401);
    expect(response.body.message).toContain('audience');
  });

  it('should answer 401 to a token from another issuer', async () => {
    const token = sign({}, TEST_JWT_SECRET, { subject: 'alice', audience: AUDIENCE, issuer: 'https://evil.test/' });
    expect((await sut.http.get(USER_ROUTE).set(bearer(token))).status).toBe(401);
  });

  it('should answer 401 to an alg:none token', async () => {
    const token = unsignedToken({ sub: 'alice', aud: AUDIENCE, iss: ISSUER, exp: Math.floor(Date.now() / 1000) + 60 });
    const response = await sut.http.get(USER_ROUTE).set(bearer(token));
    expect(response.status).toBe(401);
  });

  it('should answer 401 to garbage and to a token without a subject', async () => {
    expect((await sut.http.get(USER_ROUTE).set(bearer('not-a-jwt'))).status).toBe(401);
    const noSub = sign({}, TEST_JWT_SECRET, { audience: AUDIENCE, issuer: ISSUER });
    expect((await sut.http.get(USER_ROUTE).set(bearer(noSub))).status).toBe(401);
  });

  it('should let a valid token in and create the user on the first call', async () => {
    const response = await sut.http.get(USER_ROUTE).set(bearer(sut.token('alice-0001')));
    expect(response.status).toBe(200);
    expect(response.body).toEqual([]);
    const user = await sut.em().findOne(User, { id: 'alice-0001' });
    expect(user).not.toBeNull();
  });

  it('should answer 403 to a user token on an admin route and 200 to an admin token', async () => {
    const denied = await sut.http.get(ADMIN_ROUTE).set(bearer(sut.token('alice')));
    expect(denied.status).toBe(403);
    expect(denied.body.code).toBe('FORBIDDEN');
    const allowed = await sut.http.get(ADMIN_ROUTE).set(bearer(sut.token('root', { admin: true })));
    expect(allowed.status).toBe(200);
    expect(allowed.body).toMatchObject({ valid: true, checked: 0, recordedHead: null });
  });

  it('should refuse a token the guard let in once it expires, and keep the route’s role check for a remembered token', async () => {
    // `exp` has whole-second resolution: two seconds ahead leaves at least one full second of validity.
    const exp = Math.floor(Date.now() / 1000) + 2;
    const shortLived = sign({ exp }, TEST_JWT_SECRET, { subject: 'alice', audience: AUDIENCE, issuer: ISSUER });
    expect((await sut.http.get(USER_ROUTE).set(bearer(shortLived))).status).toBe(200);
    // Remembered now: the second call is answered from the verified-token cache, and still refused the admin route.
    expect((await sut.http.get(USER_ROUTE).set(bearer(shortLived))).status).toBe(200);
    expect((await sut.http.get(ADMIN_ROUTE).set(bearer(shortLived))).status).toBe(403);
    await new Promise((resolve) => setTimeout(resolve, exp * 1000 - Date.now() + 50));

    const expired = await sut.http.get(USER_ROUTE).set(bearer(shortLived));
    expect(expired.status).toBe(401);
    expect(expired.body.code).toBe('UNAUTHENTICATED');
    expect(expired.body.message).toContain('expired');
  });

  it('should not let in a token whose signature was changed after the genuine one was remembered', async () => {
    const token = sut.token('alice');
    expect((await sut.http.get(USER_ROUTE).set(bearer(token))).status).toBe(200);
    const [header, payload, signature] = token.split('.');
    const tampered = `${header}.${payload}.${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`;
    expect((await sut.http.get(USER_ROUTE).set(bearer(tampered))).status).toBe(401);
  });

  it('should keep public routes public', async () => {
    expect((await sut.http.get('/api/health')).status).toBe(200);
    expect((await sut.http.get('/docs-json')).status).toBe(200);
  });

  it('should answer 401 to a CLI-minted token when the audience is required but missing', async () => {
    const token = sign({}, TEST_JWT_SECRET, { subject: 'alice' });
    expect((await sut.http.get(USER_ROUTE).set(bearer(token))).status).toBe(401);
  });
});

describe('Authentication (JWKS)', () => {
  const jwks = new FakeJwksServer();
  let sut: TestApp;

  beforeAll(async () => {
    const jwksUrl = await jwks.start();
    sut = await startTestApp({ env: { JWT_JWKS_URL: jwksUrl, JWT_SECRET: undefined, JWT_AUDIENCE: AUDIENCE, JWT_ISSUER: ISSUER } });
  });
  afterAll(async () => {
    await sut.close();
    await jwks.stop();
  });

  const claims = { sub: 'jwks-user-42', aud: AUDIENCE, iss: ISSUER };

  it.each(['RS256', 'ES256'] as const)('should accept a %s token whose key is in the JWKS', async (alg) => {
    const response = await sut.http.get(USER_ROUTE).set('Authorization', `Bearer ${jwks.sign(alg, claims)}`);
    expect(response.status).toBe(200);
  });

  it('should grant the admin routes to role admin', async () => {
    const token = jwks.sign('ES256', { ...claims, role: 'admin' });
    expect((await sut.http.get(ADMIN_ROUTE).set('Authorization', `Bearer ${token}`)).status).toBe(200);
  });

  it('should refuse a token with an unknown key id', async () => {
    const token = jwks.sign('RS256', claims, { kid: 'unknown' });
    expect((await sut.http.get(USER_ROUTE).set('Authorization', `Bearer ${token}`)).status).toBe(401);
  });

  it('should refuse an expired, a wrong-audience and an alg:none token', async () => {
    const expired = jwks.sign('RS256', { ...claims, exp: Math.floor(Date.now() / 1000) - 10 });
    const wrongAudience = jwks.sign('RS256', { ...claims, aud: 'other' });
    for (const token of [expired, wrongAudience, unsignedToken(claims)]) {
      expect((await sut.http.get(USER_ROUTE).set('Authorization', `Bearer ${token}`)).status).toBe(401);
    }
  });

  it('should refuse an HS256 token signed with the public key (algorithm confusion)', async () => {
    const token = sign(claims, jwks.rsaPublicKeyPem(), { algorithm: 'HS256' });
    expect((await sut.http.get(USER_ROUTE).set('Authorization', `Bearer ${token}`)).status).toBe(401);
  });

  // Issue 18: with jwks-rsa's limiter (10 fetches a minute for the whole app), 11 anonymous
  // requests a minute kept every token signed with a new key at 401.
  it('should fetch the JWKS at most once for a flood of made-up key ids, and keep letting known keys in', async () => {
    const known = await sut.http.get(USER_ROUTE).set('Authorization', `Bearer ${jwks.sign('RS256', claims)}`);
    expect(known.status).toBe(200);
    const fetchesBefore = jwks.requestCount;

    for (let wave = 0; wave < 3; wave += 1) {
      const madeUp = Array.from({ length: 15 }, () => jwks.sign('RS256', claims, { kid: randomUUID() }));
      const responses = await Promise.all(madeUp.map((token) => sut.http.get(USER_ROUTE).set('Authorization', `Bearer ${token}`)));
      for (const response of responses) {
        expect(response.status).toBe(401);
        expect(response.body).toEqual({ statusCode: 401, code: 'UNAUTHENTICATED', message: 'Invalid token: unknown signing key' });
      }
    }
    // A token never seen before (another user, so no verified-token cache), signed with a held key.
    const newUser = jwks.sign('ES256', { ...claims, sub: `jwks-user-${randomUUID()}` });
    expect((await sut.http.get(USER_ROUTE).set('Authorization', `Bearer ${newUser}`)).status).toBe(200);

    expect(jwks.requestCount - fetchesBefore).toBeLessThanOrEqual(1);
  });
});
