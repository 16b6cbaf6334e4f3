// The Consent module through the HTTP API against a fake X: connect (PKCE) -> X's consent screen
// -> callback -> status -> token refresh -> revoke, plus the refusals and the at-rest guarantees.
import { ExecutionContext } from '@nestjs/common';
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Clock, ManualClock } from '../../src/core/clock/clock';
import { TokenCipher } from '../../src/core/crypto/token-cipher';
import { DomainException } from '../../src/core/errors/domain.exception';
import { ConsentRepository } from '../../src/modules/consent/consent.repository';
import { PRIVACY_NOTICE_VERSION } from '../../src/modules/consent/consent.constants';
import { ConsentGuard } from '../../src/modules/consent/consent.guard';
import { ConsentService } from '../../src/modules/consent/consent.service';
import { TokenVaultService } from '../../src/modules/consent/token-vault.service';
import { XOAuthClient } from '../../src/modules/consent/x-oauth.client';
import { ComplianceEventsService } from '../../src/modules/monitoring/compliance-events.service';
import { FakeXServer } from '../fakes/fake-x-server';
import { startTestApp, TestApp } from '../utils/test-app';
import { TEST_DATABASE_URL } from '../utils/test-env';

const X_USER = { id: '2244994945', username: 'jane_doe', name: 'Jane Doe' };
const SCOPES = ['tweet.read', 'users.read', 'offline.access'];
const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

const keyOf = (fill: number) => Buffer.alloc(32, fill).toString('base64');

function xEnv(fakeX: FakeXServer): Record<string, string> {
  return {
    TWITTER_CLIENT_ID: fakeX.clientId,
    TWITTER_CLIENT_SECRET: fakeX.clientSecret,
    TWITTER_API_BASE_URL: fakeX.baseUrl,
    TWITTER_AUTHORIZE_URL: fakeX.authorizeUrl,
  };
}

/** Makes the app's Clock (one instance shared by every service) follow a ManualClock. */
function controlClock(testApp: TestApp): ManualClock {
  const manual = new ManualClock(Date.now());
  testApp.app.get(Clock).now = () => manual.now();
  return manual;
}

interface ConsentFlow {
  /** The callback URL X redirected to (path and query). */
  callbackPath: string;
  /** Where the app's callback redirected the browser. */
  location: string;
}

async function connect(testApp: TestApp, fakeX: FakeXServer, userId: string, decision: typeof X_USER | 'deny' = X_USER): Promise<ConsentFlow> {
  const started = await testApp.http.get('/api/twitter/connect').set('Authorization', `Bearer ${testApp.token(userId)}`);
  expect(started.status).toBe(200);
  fakeX.setAuthorizationDecision(decision);
  const consentScreen = await fetch(started.body.authorizeUrl as string, { redirect: 'manual' });
  expect(consentScreen.status).toBe(302);
  const callback = new URL(consentScreen.headers.get('location') ?? '');
  const callbackPath = `${callback.pathname}${callback.search}`;
  // The same browser comes back: it sends the cookie /connect set.
  const answer = await testApp.http.get(callbackPath).set('Cookie', browserCookie(started));
  expect(answer.status).toBe(302);
  return { callbackPath, location: answer.headers.location as string };
}

/** The `name=value` of the OAuth browser cookie a /connect answer set. */
function browserCookie(started: { headers: Record<string, unknown> }): string {
  const cookies = (started.headers['set-cookie'] as string[] | undefined) ?? [];
  const cookie = cookies.find((header) => header.startsWith('repazoo_x_oauth='));
  if (!cookie) throw new Error('GET /api/twitter/connect set no browser cookie');
  return cookie.split(';')[0];
}

async function tokenRows(testApp: TestApp): Promise<Record<string, unknown>[]> {
  return testApp.em().getConnection().execute('select * from oauth_tokens order by user_id');
}

function plaintextOf(testApp: TestApp, userId: string): Promise<{ accessToken?: string; refreshToken?: string }> {
  const repository = testApp.app.get(ConsentRepository, { strict: false });
  const vault = testApp.app.get(TokenVaultService, { strict: false });
  return repository.findToken(userId).then((row) => (row ? vault.unseal(row) : {}));
}

async function codeOf(promise: Promise<unknown>): Promise<{ code: string; statusCode: number }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DomainException) return { code: error.code, statusCode: error.statusCode };
    throw error;
  }
  throw new Error('expected a DomainException');
}

describe('Consent (X connection, server mode)', () => {
  const fakeX = new FakeXServer();
  let sut: TestApp;
  let clock: ManualClock;
  let vault: TokenVaultService;
  const bearer = (userId: string) => ({ Authorization: `Bearer ${sut.token(userId)}` });

  beforeAll(async () => {
    await fakeX.start();
    sut = await startTestApp({ env: xEnv(fakeX) });
    clock = controlClock(sut);
    vault = sut.app.get(TokenVaultService, { strict: false });
  });
  beforeEach(async () => {
    await sut.resetDatabase();
    fakeX.reset();
    clock.set(Date.now());
  });
  afterAll(async () => {
    await sut?.close();
    await fakeX.stop();
  });

  describe('GET /api/twitter/connect', () => {
    it('should answer an S256 PKCE authorize URL on TWITTER_AUTHORIZE_URL without the verifier', async () => {
      const response = await sut.http.get('/api/twitter/connect').set(bearer('alice'));

      expect(response.status).toBe(200);
      expect(Object.keys(response.body)).toEqual(['authorizeUrl']);
      const url = new URL(response.body.authorizeUrl as string);
      expect(`${url.origin}${url.pathname}`).toBe(fakeX.authorizeUrl);
      expect(url.searchParams.get('response_type')).toBe('code');
      expect(url.searchParams.get('client_id')).toBe(fakeX.clientId);
      expect(url.searchParams.get('redirect_uri')).toBe(sut.config.twitter.redirectUri);
      expect(url.searchParams.get('code_challenge_method')?.toUpperCase()).toBe('S256');
      expect(url.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(url.searchParams.get('scope')).toBe('tweet.read users.read offline.access');
      expect(url.searchParams.get('state')).toMatch(/^[A-Za-z0-9_-]{20,}$/);
      expect(url.searchParams.has('code_verifier')).toBe(false);
    });

    it('should answer 401 without a token', async () => {
      expect((await sut.http.get('/api/twitter/connect')).status).toBe(401);
    });
  });

  describe('GET /api/twitter/callback', () => {
    it('should store encrypted tokens, record consent, audit and redirect to the privacy page', async () => {
      const flow = await connect(sut, fakeX, 'alice');

      expect(flow.location).toBe('/settings/privacy?connected=x');
      expect(fakeX.counters.authorizationCodeGrants).toBe(1);
      const [row] = await tokenRows(sut);
      expect(row).toMatchObject({ user_id: 'alice', provider: 'x', provider_user_id: X_USER.id, key_id: 'test1', revoked_at: null });
      expect(row.scopes).toEqual(SCOPES);
      expect(String(row.access_token_ciphertext)).toMatch(/^v1:test1:/);
      expect(String(row.refresh_token_ciphertext)).toMatch(/^v1:test1:/);
      const records = await sut.em().getConnection().execute('select * from consent_records');
      expect(records).toEqual([
        expect.objectContaining({ user_id: 'alice', provider: 'x', action: 'granted', scopes: SCOPES, privacy_notice_version: PRIVACY_NOTICE_VERSION }),
      ]);
      const audit = await sut.em().getConnection().execute("select action, category, details from audit_log where user_id = 'alice'");
      expect(audit).toEqual([
        { action: 'consent.granted', category: 'consent', details: { provider: 'x', scopes: SCOPES, privacyNoticeVersion: PRIVACY_NOTICE_VERSION } },
      ]);
      const { accessToken } = await plaintextOf(sut, 'alice');
      expect(fakeX.isAccessTokenValid(accessToken ?? '')).toBe(true);
    });

    it('should keep every token value out of the oauth_tokens table and out of the logs', async () => {
      const flow = await connect(sut, fakeX, 'alice');
      const issued = await plaintextOf(sut, 'alice');
      clock.advance(3 * HOUR);
      const refreshed = await vault.getAccessToken('alice');
      const current = await plaintextOf(sut, 'alice');
      await sut.http.delete('/api/twitter/connection').set(bearer('alice'));

      const secrets = [issued.accessToken, issued.refreshToken, refreshed.accessToken, current.refreshToken];
      const code = new URL(flow.callbackPath, 'http://x').searchParams.get('code') ?? '';
      expect(secrets.every((secret) => typeof secret === 'string' && secret.length > 20)).toBe(true);
      await connect(sut, fakeX, 'bob');
      const bobs = await plaintextOf(sut, 'bob');
      const rowsText = JSON.stringify(await tokenRows(sut));
      const logsText = sut.logs.join('\n');
      for (const secret of [...secrets, bobs.accessToken, bobs.refreshToken] as string[]) {
        expect(rowsText).not.toContain(secret);
        expect(rowsText).not.toContain(Buffer.from(secret).toString('base64'));
        expect(logsText).not.toContain(secret);
      }
      expect(logsText).not.toContain(code);
      expect(logsText).toContain('/api/twitter/callback');
    });

    it('should bind the state to the browser with an HttpOnly, SameSite=Lax cookie on the callback path', async () => {
      const started = await sut.http.get('/api/twitter/connect').set(bearer('alice'));

      const cookie = ((started.headers['set-cookie'] as unknown as string[]) ?? []).find((header) => header.startsWith('repazoo_x_oauth='));
      expect(cookie).toMatch(/^repazoo_x_oauth=[A-Za-z0-9_-]{43}; Max-Age=600; Path=\/api\/twitter\/callback; Expires=[^;]+; HttpOnly; SameSite=Lax$/);
    });

    it('should refuse a callback finished in another browser (login CSRF) without exchanging the code or storing anything', async () => {
      // The attacker starts a connection for their own account and sends the victim the link;
      // the victim's browser approves on X and comes back without the attacker's cookie.
      const attackers = await sut.http.get('/api/twitter/connect').set(bearer('mallory'));
      fakeX.setAuthorizationDecision(X_USER);
      const consentScreen = await fetch(attackers.body.authorizeUrl as string, { redirect: 'manual' });
      const callback = new URL(consentScreen.headers.get('location') ?? '');
      const victimsOwn = await sut.http.get('/api/twitter/connect').set(bearer('victim'));

      const withoutCookie = await sut.http.get(`${callback.pathname}${callback.search}`);
      const withAnotherCookie = await sut.http.get(`${callback.pathname}${callback.search}`).set('Cookie', browserCookie(victimsOwn));

      expect(withoutCookie.headers.location).toBe('/settings/privacy?error=BROWSER_MISMATCH');
      expect(withAnotherCookie.headers.location).toBe('/settings/privacy?error=STATE_INVALID');
      expect(fakeX.counters.tokenRequests).toBe(0);
      expect(await tokenRows(sut)).toEqual([]);
      expect(await sut.em().getConnection().execute('select * from consent_records')).toEqual([]);
    });

    it('should refuse a forged browser cookie', async () => {
      const started = await sut.http.get('/api/twitter/connect').set(bearer('alice'));
      fakeX.setAuthorizationDecision(X_USER);
      const consentScreen = await fetch(started.body.authorizeUrl as string, { redirect: 'manual' });
      const callback = new URL(consentScreen.headers.get('location') ?? '');

      const forged = await sut.http.get(`${callback.pathname}${callback.search}`).set('Cookie', `repazoo_x_oauth=${'A'.repeat(43)}`);

      expect(forged.headers.location).toBe('/settings/privacy?error=BROWSER_MISMATCH');
      expect(fakeX.counters.tokenRequests).toBe(0);
      expect(await tokenRows(sut)).toEqual([]);
    });

    it('should refuse to connect one X account to a second account while the first holds it', async () => {
      await connect(sut, fakeX, 'alice');

      const second = await connect(sut, fakeX, 'bob');

      expect(second.location).toBe('/settings/privacy?error=X_ACCOUNT_IN_USE');
      expect((await tokenRows(sut)).map((row) => row.user_id)).toEqual(['alice']);
      await sut.http.delete('/api/twitter/connection').set(bearer('alice'));
      expect((await connect(sut, fakeX, 'bob')).location).toBe('/settings/privacy?connected=x');
    });

    it('should refuse a state used twice', async () => {
      const flow = await connect(sut, fakeX, 'alice');

      const replay = await sut.http.get(flow.callbackPath);

      expect(replay.status).toBe(302);
      expect(replay.headers.location).toBe('/settings/privacy?error=STATE_INVALID');
      expect(fakeX.counters.authorizationCodeGrants).toBe(1);
    });

    it('should refuse an unknown or missing state without calling X', async () => {
      const started = await sut.http.get('/api/twitter/connect').set(bearer('alice'));
      fakeX.setAuthorizationDecision(X_USER);
      const redirect = await fetch(started.body.authorizeUrl as string, { redirect: 'manual' });
      const callback = new URL(redirect.headers.get('location') ?? '');
      const code = callback.searchParams.get('code') ?? '';

      const wrong = await sut.http.get('/api/twitter/callback').query({ code, state: 'forged-state-value-0123456789' });
      const missing = await sut.http.get('/api/twitter/callback').query({ code });

      expect(wrong.headers.location).toBe('/settings/privacy?error=STATE_INVALID');
      expect(missing.headers.location).toBe('/settings/privacy?error=STATE_INVALID');
      expect(fakeX.counters.tokenRequests).toBe(0);
      expect(await tokenRows(sut)).toEqual([]);
    });

    it('should refuse a state older than 10 minutes', async () => {
      const started = await sut.http.get('/api/twitter/connect').set(bearer('alice'));
      fakeX.setAuthorizationDecision(X_USER);
      const redirect = await fetch(started.body.authorizeUrl as string, { redirect: 'manual' });
      const callback = new URL(redirect.headers.get('location') ?? '');
      clock.advance(10 * 60 * 1000 + 1);

      const late = await sut.http.get(`${callback.pathname}${callback.search}`);

      expect(late.headers.location).toBe('/settings/privacy?error=STATE_INVALID');
      expect(await tokenRows(sut)).toEqual([]);
    });

    it('should redirect with ACCESS_DENIED when the person declines on X', async () => {
      const flow = await connect(sut, fakeX, 'alice', 'deny');

      expect(flow.location).toBe('/settings/privacy?error=ACCESS_DENIED');
      expect(await tokenRows(sut)).toEqual([]);
      expect(await sut.em().getConnection().execute('select * from consent_records')).toEqual([]);
    });

    it('should redirect with TOKEN_EXCHANGE_FAILED when X refuses the code', async () => {
      const started = await sut.http.get('/api/twitter/connect').set(bearer('alice'));
      const state = new URL(started.body.authorizeUrl as string).searchParams.get('state') ?? '';

      const answer = await sut.http.get('/api/twitter/callback').query({ state, code: 'not-a-code-x-issued' }).set('Cookie', browserCookie(started));

      expect(answer.headers.location).toBe('/settings/privacy?error=TOKEN_EXCHANGE_FAILED');
      expect(await tokenRows(sut)).toEqual([]);
    });
  });

  describe('GET /api/consent', () => {
    it('should answer exactly the documented shape before and after connecting', async () => {
      const before = await sut.http.get('/api/consent').set(bearer('alice'));
      expect(before.body).toEqual({
        twitter: { connected: false, grantedAt: null, expiresAt: null, scopes: [], revokedAt: null },
        subscription: null,
      });

      await connect(sut, fakeX, 'alice');
      const after = await sut.http.get('/api/consent').set(bearer('alice'));

      expect(after.status).toBe(200);
      const grantedAt = new Date(clock.now());
      expect(after.body).toEqual({
        twitter: {
          connected: true,
          grantedAt: grantedAt.toISOString(),
          expiresAt: new Date(grantedAt.getTime() + 365 * DAY).toISOString(),
          scopes: SCOPES,
          revokedAt: null,
        },
        subscription: null,
      });
    });

    it('should show the subscription Stripe reported', async () => {
      await sut.em().getConnection().execute(
        `insert into subscriptions (id, user_id, stripe_subscription_id, tier, status, created_at, updated_at)
         values (gen_random_uuid(), 'alice', 'sub_1', 'pro', 'active', now(), now())`,
      );

      const response = await sut.http.get('/api/consent').set(bearer('alice'));

      expect(response.body.subscription).toEqual({ tier: 'pro', status: 'active', cancelledAt: null });
    });
  });

  describe('TokenVaultService.getAccessToken', () => {
    it('should return the stored token without calling X while it is fresh', async () => {
      await connect(sut, fakeX, 'alice');

      const token = await vault.getAccessToken('alice');

      expect(token.providerUserId).toBe(X_USER.id);
      expect(fakeX.isAccessTokenValid(token.accessToken)).toBe(true);
      expect(fakeX.counters.refreshAttempts).toBe(0);
    });

    it('should refresh an expired token once and store the new single-use pair', async () => {
      await connect(sut, fakeX, 'alice');
      const before = await plaintextOf(sut, 'alice');
      clock.advance(2 * HOUR);

      const refreshed = await vault.getAccessToken('alice');
      const again = await vault.getAccessToken('alice');

      const after = await plaintextOf(sut, 'alice');
      expect(fakeX.counters.refreshSuccesses).toBe(1);
      expect(refreshed.accessToken).not.toBe(before.accessToken);
      expect(again.accessToken).toBe(refreshed.accessToken);
      expect(fakeX.isAccessTokenValid(refreshed.accessToken)).toBe(true);
      expect(after.refreshToken).not.toBe(before.refreshToken);
      expect(fakeX.isRefreshTokenUsable(before.refreshToken ?? '')).toBe(false);
      expect(fakeX.isRefreshTokenUsable(after.refreshToken ?? '')).toBe(true);
      const [row] = await tokenRows(sut);
      expect(new Date(row.refreshed_at as string).getTime()).toBe(clock.nowMs());
      expect(new Date(row.access_token_expires_at as string).getTime()).toBe(clock.nowMs() + 7200 * 1000);
    });

    it('should refresh a token expiring within 60 seconds', async () => {
      await connect(sut, fakeX, 'alice');
      clock.advance(2 * HOUR - 59_000);

      await vault.getAccessToken('alice');

      expect(fakeX.counters.refreshSuccesses).toBe(1);
    });

    it('should make one refresh at X for concurrent calls in one instance', async () => {
      await connect(sut, fakeX, 'alice');
      clock.advance(3 * HOUR);

      const tokens = await Promise.all(Array.from({ length: 8 }, () => vault.getAccessToken('alice')));

      expect(fakeX.counters.refreshAttempts).toBe(1);
      expect(new Set(tokens.map((token) => token.accessToken)).size).toBe(1);
      expect(fakeX.isAccessTokenValid(tokens[0].accessToken)).toBe(true);
    });

    it('should make one refresh at X for concurrent calls from two instances (row lock)', async () => {
      await connect(sut, fakeX, 'alice');
      clock.advance(3 * HOUR);
      // A second vault with its own in-process map stands in for another app instance.
      const otherInstance = new TokenVaultService(
        sut.app.get(ConsentRepository, { strict: false }),
        sut.app.get(TokenCipher, { strict: false }),
        sut.app.get(XOAuthClient, { strict: false }),
        sut.app.get(ComplianceEventsService, { strict: false }),
        sut.app.get(Clock),
      );

      const [a, b, c] = await Promise.all([
        vault.getAccessToken('alice'),
        otherInstance.getAccessToken('alice'),
        otherInstance.getAccessToken('alice'),
      ]);

      expect(fakeX.counters.refreshAttempts).toBe(1);
      expect(fakeX.counters.refreshFailures).toBe(0);
      expect(b.accessToken).toBe(a.accessToken);
      expect(c.accessToken).toBe(a.accessToken);
      expect(fakeX.isAccessTokenValid(a.accessToken)).toBe(true);
    });

    it('should record a failed refresh, raise TOKEN_REFRESH_FAILED and keep the stored pair', async () => {
      await connect(sut, fakeX, 'alice');
      const [before] = await tokenRows(sut);
      clock.advance(3 * HOUR);
      fakeX.failNextRefresh(503);

      const failure = await codeOf(vault.getAccessToken('alice'));

      expect(failure).toEqual({ code: 'TOKEN_REFRESH_FAILED', statusCode: 502 });
      const events = await sut.em().getConnection().execute('select kind, user_id, details from compliance_events');
      expect(events).toEqual([
        { kind: 'token_refresh_failed', user_id: 'alice', details: expect.objectContaining({ provider: 'x', status: 503 }) },
      ]);
      const [after] = await tokenRows(sut);
      expect(after.refresh_token_ciphertext).toBe(before.refresh_token_ciphertext);
      // The pair is intact, so the next attempt succeeds.
      await expect(vault.getAccessToken('alice')).resolves.toEqual(expect.objectContaining({ providerUserId: X_USER.id }));
      expect(fakeX.counters.refreshSuccesses).toBe(1);
    });

    it('should refuse a user without a connection with CONSENT_REQUIRED', async () => {
      expect(await codeOf(vault.getAccessToken('nobody'))).toEqual({ code: 'CONSENT_REQUIRED', statusCode: 403 });
    });
  });

  describe('DELETE /api/twitter/connection', () => {
    it('should revoke at X, wipe the tokens, record the withdrawal and be idempotent', async () => {
      await connect(sut, fakeX, 'alice');
      const { accessToken } = await plaintextOf(sut, 'alice');

      const first = await sut.http.delete('/api/twitter/connection').set(bearer('alice'));
      const second = await sut.http.delete('/api/twitter/connection').set(bearer('alice'));

      expect(first.status).toBe(204);
      expect(second.status).toBe(204);
      expect(fakeX.revocations.length).toBeGreaterThanOrEqual(1);
      expect(fakeX.revocations.every((revocation) => revocation.userId === X_USER.id)).toBe(true);
      expect(fakeX.isUserRevoked(X_USER.id)).toBe(true);
      expect(fakeX.isAccessTokenValid(accessToken ?? '')).toBe(false);
      const revokeCalls = fakeX.counters.revokeCalls;
      const [row] = await tokenRows(sut);
      expect(row).toMatchObject({ access_token_ciphertext: '', refresh_token_ciphertext: null, revoked_at: expect.any(String) });
      const records = await sut.em().getConnection().execute<{ action: string }[]>('select action from consent_records');
      expect(records.map((record) => record.action).sort()).toEqual(['granted', 'withdrawn']);
      const status = await sut.http.get('/api/consent').set(bearer('alice'));
      expect(status.body.twitter).toMatchObject({ connected: false, revokedAt: expect.any(String) });
      await sut.http.delete('/api/twitter/connection').set(bearer('alice'));
      expect(fakeX.counters.revokeCalls).toBe(revokeCalls);
      expect(await codeOf(vault.getAccessToken('alice'))).toEqual({ code: 'CONSENT_REQUIRED', statusCode: 403 });
    });

    it('should still revoke here, and record the failure, when X cannot revoke', async () => {
      await connect(sut, fakeX, 'alice');
      fakeX.failRevoke = true;

      const response = await sut.http.delete('/api/twitter/connection').set(bearer('alice'));

      expect(response.status).toBe(204);
      const [row] = await tokenRows(sut);
      expect(row.revoked_at).toEqual(expect.any(String));
      expect(row.access_token_ciphertext).toBe('');
      const [audit] = await sut.em().getConnection().execute("select details from audit_log where action = 'consent.withdrawn'");
      expect(audit.details).toMatchObject({ provider: 'x', xRevocation: 'failed' });
      expect(sut.logs.some((line) => line.includes('X token revocation failed'))).toBe(true);
    });

    it('should answer 204 for a user who never connected', async () => {
      const response = await sut.http.delete('/api/twitter/connection').set(bearer('carol'));

      expect(response.status).toBe(204);
      expect(fakeX.counters.revokeCalls).toBe(0);
      expect(await sut.em().getConnection().execute('select * from consent_records')).toEqual([]);
    });

    it('should allow connecting again after a revocation, with a new grant time', async () => {
      await connect(sut, fakeX, 'alice');
      await sut.http.delete('/api/twitter/connection').set(bearer('alice'));
      clock.advance(DAY);

      await connect(sut, fakeX, 'alice');

      const status = await sut.http.get('/api/consent').set(bearer('alice'));
      expect(status.body.twitter).toMatchObject({ connected: true, revokedAt: null, grantedAt: new Date(clock.now()).toISOString() });
      expect(await tokenRows(sut)).toHaveLength(1);
    });
  });

  describe('ConsentService.assertConsent and ConsentGuard', () => {
    let consent: ConsentService;
    let guard: ConsentGuard;
    const contextFor = (userId: string) =>
      ({ switchToHttp: () => ({ getRequest: () => ({ user: { id: userId, isAdmin: false } }) }) }) as unknown as ExecutionContext;
    const subscribe = (userId: string, status: string) =>
      sut.em().getConnection().execute(
        `insert into subscriptions (id, user_id, stripe_subscription_id, tier, status, created_at, updated_at)
         values (gen_random_uuid(), ?, ?, 'basic', ?, now(), now())`,
        [userId, `sub_${userId}_${status}`, status],
      );

    beforeAll(() => {
      consent = sut.app.get(ConsentService, { strict: false });
      guard = sut.app.get(ConsentGuard, { strict: false });
    });

    it('should refuse CONSENT_REQUIRED without a connection', async () => {
      await subscribe('alice', 'active');

      expect(await codeOf(consent.assertConsent('alice'))).toEqual({ code: 'CONSENT_REQUIRED', statusCode: 403 });
      expect(await codeOf(guard.canActivate(contextFor('alice')))).toEqual({ code: 'CONSENT_REQUIRED', statusCode: 403 });
    });

    it('should refuse SUBSCRIPTION_INACTIVE without an active or trialing subscription', async () => {
      await connect(sut, fakeX, 'alice');
      expect(await codeOf(consent.assertConsent('alice'))).toEqual({ code: 'SUBSCRIPTION_INACTIVE', statusCode: 403 });

      await subscribe('alice', 'past_due');
      expect(await codeOf(guard.canActivate(contextFor('alice')))).toEqual({ code: 'SUBSCRIPTION_INACTIVE', statusCode: 403 });

      await subscribe('alice', 'trialing');
      await expect(consent.assertConsent('alice')).resolves.toBeUndefined();
      await expect(guard.canActivate(contextFor('alice'))).resolves.toBe(true);
    });

    it('should refuse CONSENT_EXPIRED 365 days after consent was given', async () => {
      await connect(sut, fakeX, 'alice');
      await subscribe('alice', 'active');
      clock.advance(365 * DAY - 1000);
      await expect(guard.canActivate(contextFor('alice'))).resolves.toBe(true);

      clock.advance(1000);

      expect(await codeOf(consent.assertConsent('alice'))).toEqual({ code: 'CONSENT_EXPIRED', statusCode: 403 });
      expect(await codeOf(guard.canActivate(contextFor('alice')))).toEqual({ code: 'CONSENT_EXPIRED', statusCode: 403 });
      expect(await codeOf(vault.getAccessToken('alice'))).toEqual({ code: 'CONSENT_EXPIRED', statusCode: 403 });
      const status = await sut.http.get('/api/consent').set(bearer('alice'));
      expect(status.body.twitter.connected).toBe(false);
    });

    it('should refuse CONSENT_REQUIRED after the connection was revoked', async () => {
      await connect(sut, fakeX, 'alice');
      await subscribe('alice', 'active');
      await expect(consent.assertConsent('alice')).resolves.toBeUndefined();

      await sut.http.delete('/api/twitter/connection').set(bearer('alice'));

      expect(await codeOf(guard.canActivate(contextFor('alice')))).toEqual({ code: 'CONSENT_REQUIRED', statusCode: 403 });
    });
  });
});

describe('Consent without X credentials', () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await startTestApp();
  });
  afterAll(() => sut?.close());

  it('should answer 503 TWITTER_NOT_CONFIGURED on connect', async () => {
    const response = await sut.http.get('/api/twitter/connect').set('Authorization', `Bearer ${sut.token('alice')}`);

    expect(response.status).toBe(503);
    expect(response.body).toEqual({ statusCode: 503, code: 'TWITTER_NOT_CONFIGURED', message: expect.stringContaining('TWITTER_CLIENT_ID') });
  });
});

async function dataKeyRows(test: TestApp): Promise<Array<{ user_id: string; wrapped_key: string }>> {
  return test.em().getConnection().execute('select user_id, wrapped_key from data_keys order by user_id');
}

async function sealedTicketOf(test: TestApp, userId: string): Promise<string> {
  const [row] = await test.em().getConnection().execute<Array<{ subject: string }>>('select subject from support_tickets where user_id = ?', [userId]);
  expect(row?.subject).toMatch(/^c1:/);
  return row.subject;
}

describe('Encryption key rotation (npm run cli -- rotate-keys)', () => {
  const fakeX = new FakeXServer();
  const OLD_KEYS = `old:${keyOf(1)}`;
  const NEW_KEYS = `new:${keyOf(2)},old:${keyOf(1)}`;

  beforeAll(() => fakeX.start());
  afterAll(() => fakeX.stop());

  it('should re-encrypt rows made under an old key under the new first key, which still decrypt', async () => {
    const before = await startTestApp({ env: { ...xEnv(fakeX), ENCRYPTION_KEYS: OLD_KEYS } });
    let aliceToken: string | undefined;
    let sealedBefore: string | undefined;
    try {
      await before.resetDatabase();
      await connect(before, fakeX, 'alice');
      await connect(before, fakeX, 'bob', { id: '42', username: 'bob', name: 'Bob' });
      await before.http.delete('/api/twitter/connection').set('Authorization', `Bearer ${before.token('bob')}`);
      await connect(before, fakeX, 'carol', { id: '43', username: 'carol', name: 'Carol' });
      aliceToken = (await plaintextOf(before, 'alice')).accessToken;
      expect((await tokenRows(before)).filter((row) => row.key_id === 'old')).toHaveLength(2);
      // Content sealed under alice's data key, itself wrapped under the old master key.
      await before.http
        .post('/api/support/tickets')
        .set('Authorization', `Bearer ${before.token('alice')}`)
        .send({ subject: 'Rotation subject', body: 'Sealed before the rotation' })
        .expect(201);
      sealedBefore = await sealedTicketOf(before, 'alice');
      expect((await dataKeyRows(before)).map((row) => row.wrapped_key.slice(0, 7))).toEqual(['v1:old:']);
    } finally {
      await before.close();
    }

    const root = join(__dirname, '..', '..');
    const dataDir = mkdtempSync(join(tmpdir(), 'repazoo-rotate-'));
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', join(root, 'src', 'cli.ts'), 'rotate-keys', '--batch-size', '1'],
      {
        cwd: root,
        env: { ...process.env, NODE_ENV: 'test', DATA_DIR: dataDir, DATABASE_URL: TEST_DATABASE_URL, ENCRYPTION_KEYS: NEW_KEYS },
      },
    );

    expect(stdout).toContain('re-encrypting oauth_tokens under key "new" (batches of 1)');
    expect(stdout).toContain('batch 1: 1 rows, 1 re-encrypted, 0 failed');
    expect(stdout).toContain('done: 2 rows needed rotation, 2 re-encrypted, 0 failed');
    expect(stdout).toContain('data_keys batch 1: 1 keys, 1 rewrapped, 0 failed');
    expect(stdout).toContain('done: 1 data keys rewrapped');

    // Only the new key configured: the rows must open without the old one.
    const after = await startTestApp({ env: { ...xEnv(fakeX), ENCRYPTION_KEYS: `new:${keyOf(2)}` } });
    try {
      const rows = await tokenRows(after);
      const live = rows.filter((row) => row.access_token_ciphertext !== '');
      expect(live.map((row) => row.key_id)).toEqual(['new', 'new']);
      for (const row of live) {
        expect(String(row.access_token_ciphertext)).toMatch(/^v1:new:/);
        expect(String(row.refresh_token_ciphertext)).toMatch(/^v1:new:/);
      }
      const token = await after.app.get(TokenVaultService, { strict: false }).getAccessToken('alice');
      expect(token.accessToken).toBe(aliceToken);
      expect(fakeX.isAccessTokenValid(token.accessToken)).toBe(true);
      expect((await plaintextOf(after, 'carol')).refreshToken).toEqual(expect.any(String));
      // The data key was rewrapped; the content under it was not touched, and opens with the new key alone.
      expect((await dataKeyRows(after)).map((row) => row.wrapped_key.slice(0, 7))).toEqual(['v1:new:']);
      expect(await sealedTicketOf(after, 'alice')).toBe(sealedBefore);
      const tickets = await after.http.get('/api/support/tickets').set('Authorization', `Bearer ${after.token('alice')}`).expect(200);
      expect(tickets.body.map((ticket: { subject: string; body: string }) => [ticket.subject, ticket.body])).toEqual([
        ['Rotation subject', 'Sealed before the rotation'],
      ]);
    } finally {
      await after.resetDatabase();
      await after.close();
    }
  });
});

describe('Consent (embedded mode, PGlite)', () => {
  const fakeX = new FakeXServer();
  let sut: TestApp;

  beforeAll(async () => {
    await fakeX.start();
    sut = await startTestApp({ mode: 'embedded', env: xEnv(fakeX) });
  });
  afterAll(async () => {
    await sut?.close();
    await fakeX.stop();
  });

  it('should connect, refresh under the row lock and revoke on PGlite', async () => {
    const clock = controlClock(sut);
    const flow = await connect(sut, fakeX, 'alice');
    expect(flow.location).toBe('/settings/privacy?connected=x');

    const status = await sut.http.get('/api/consent').set('Authorization', `Bearer ${sut.token('alice')}`);
    expect(status.body.twitter).toMatchObject({ connected: true, scopes: SCOPES, revokedAt: null });

    clock.advance(3 * HOUR);
    const vault = sut.app.get(TokenVaultService, { strict: false });
    const tokens = await Promise.all([vault.getAccessToken('alice'), vault.getAccessToken('alice')]);
    expect(fakeX.counters.refreshSuccesses).toBe(1);
    expect(tokens[1].accessToken).toBe(tokens[0].accessToken);

    const revoked = await sut.http.delete('/api/twitter/connection').set('Authorization', `Bearer ${sut.token('alice')}`);
    expect(revoked.status).toBe(204);
    expect(fakeX.isUserRevoked(X_USER.id)).toBe(true);
    const [row] = await tokenRows(sut);
    expect(row).toMatchObject({ access_token_ciphertext: '', revoked_at: expect.any(String) });
  });
});
