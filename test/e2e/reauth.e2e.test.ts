// Re-authentication before erasure: delete-my-data cannot be undone, so it needs a recent sign-in
// (the token's OIDC `auth_time`, else its `iat`), else 401 REAUTH_REQUIRED and nothing is deleted.
import { sign } from 'jsonwebtoken';
import { mintToken } from '../../src/core/auth/token-issuer';
import { plantPersonalData } from '../utils/plant-personal-data';
import { startTestApp, TestApp } from '../utils/test-app';
import { TEST_JWT_SECRET } from '../utils/test-env';

const nowSeconds = () => Math.floor(Date.now() / 1000);
const minutesAgo = (minutes: number) => nowSeconds() - minutes * 60;

/** A token issued `iatMinutesAgo` (as a token refreshed long after sign-in would not be). */
const tokenIssuedAgo = (userId: string, iatMinutesAgo: number, extra: Record<string, unknown> = {}) =>
  sign({ sub: userId, iat: minutesAgo(iatMinutesAgo), exp: nowSeconds() + 3600, ...extra }, TEST_JWT_SECRET, { algorithm: 'HS256' });

const tweetsOf = async (sut: TestApp, userId: string) =>
  Number((await sut.em().getConnection().execute('select count(*)::int as n from twitter_data where user_id = ?', [userId]))[0].n);

describe('Delete my data: re-authentication', () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await startTestApp();
  });
  beforeEach(() => sut.resetDatabase());
  afterAll(() => sut.close());

  const deleteWith = (token: string) => sut.http.post('/api/privacy/delete-my-data').set('Authorization', `Bearer ${token}`);

  it('should answer 401 REAUTH_REQUIRED with a step-up challenge and delete nothing when the sign-in is 11 minutes old', async () => {
    await plantPersonalData(sut, 'old-sign-in');
    const response = await deleteWith(mintToken(TEST_JWT_SECRET, { userId: 'old-sign-in', authTime: minutesAgo(11) }));

    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({ code: 'REAUTH_REQUIRED', message: expect.stringContaining('sign in again') });
    expect(response.headers['www-authenticate']).toBe('Bearer error="insufficient_user_authentication", max_age="600"');
    expect(await tweetsOf(sut, 'old-sign-in')).toBe(2);
  });

  it('should go by iat when the token has no auth_time', async () => {
    await plantPersonalData(sut, 'old-iat');
    const stale = await deleteWith(tokenIssuedAgo('old-iat', 15));
    expect(stale.status).toBe(401);
    expect(stale.body.code).toBe('REAUTH_REQUIRED');
    expect(await tweetsOf(sut, 'old-iat')).toBe(2);

    const fresh = await deleteWith(tokenIssuedAgo('old-iat', 1));
    expect(fresh.status).toBe(200);
    expect(fresh.body.deleted.tweets).toBe(2);
    expect(await tweetsOf(sut, 'old-iat')).toBe(0);
  });

  it('should prefer auth_time to iat: a token refreshed just now from an old sign-in is not a fresh sign-in', async () => {
    await plantPersonalData(sut, 'refreshed');
    const refreshed = await deleteWith(tokenIssuedAgo('refreshed', 0, { auth_time: minutesAgo(30) }));
    expect(refreshed.status).toBe(401);
    expect(await tweetsOf(sut, 'refreshed')).toBe(2);

    const signedInAgain = await deleteWith(tokenIssuedAgo('refreshed', 20, { auth_time: minutesAgo(2) }));
    expect(signedInAgain.status).toBe(200);
    expect(await tweetsOf(sut, 'refreshed')).toBe(0);
  });

  it('should refuse a token that says nothing of its sign-in, and one signed in far in the future', async () => {
    await plantPersonalData(sut, 'no-times');
    const timeless = sign({ sub: 'no-times', exp: nowSeconds() + 3600 }, TEST_JWT_SECRET, { algorithm: 'HS256', noTimestamp: true });
    expect((await deleteWith(timeless)).body.code).toBe('REAUTH_REQUIRED');
    const future = mintToken(TEST_JWT_SECRET, { userId: 'no-times', authTime: nowSeconds() + 3600 });
    expect((await deleteWith(future)).body.code).toBe('REAUTH_REQUIRED');
    expect(await tweetsOf(sut, 'no-times')).toBe(2);
  });

  it('should let the same old sign-in use every other route', async () => {
    const token = mintToken(TEST_JWT_SECRET, { userId: 'reader', authTime: minutesAgo(120) });
    const tickets = await sut.http.get('/api/support/tickets').set('Authorization', `Bearer ${token}`);
    expect(tickets.status).toBe(200);
  });
});

describe('Delete my data: REAUTH_MAX_AGE_SECONDS', () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await startTestApp({ env: { REAUTH_MAX_AGE_SECONDS: '60' } });
  });
  afterAll(() => sut.close());

  it('should apply the configured window and name it in the challenge', async () => {
    await sut.resetDatabase();
    await plantPersonalData(sut, 'strict');
    const twoMinutes = await sut.http
      .post('/api/privacy/delete-my-data')
      .set('Authorization', `Bearer ${mintToken(TEST_JWT_SECRET, { userId: 'strict', authTime: minutesAgo(2) })}`);
    expect(twoMinutes.status).toBe(401);
    expect(twoMinutes.headers['www-authenticate']).toContain('max_age="60"');
    expect(await tweetsOf(sut, 'strict')).toBe(2);
  });
});
