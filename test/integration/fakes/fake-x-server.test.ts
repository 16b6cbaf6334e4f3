// The fake X server driven through the real twitter-api-v2 client, as the app will drive it.
import { ApiResponseError, TweetV2, TwitterApi } from 'twitter-api-v2';
import {
  createTwitterClient,
  getLastXRateLimit,
  withAuthorizeUrl,
  xRateLimitOf,
} from '../../../src/core/providers/twitter-client.factory';
import { FakeXServer } from '../../fakes/fake-x-server';

const REDIRECT_URI = 'http://127.0.0.1:3000/api/twitter/callback';
const SCOPES = ['tweet.read', 'users.read', 'offline.access'];

async function rejectionOf(promise: Promise<unknown>): Promise<ApiResponseError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApiResponseError) {
      return error;
    }
    throw error;
  }
  throw new Error('expected the call to fail');
}

describe(FakeXServer.name, () => {
  const sut = new FakeXServer();
  let baseUrl: string;

  const appClient = (overrides: { clientSecret?: string } = {}): TwitterApi =>
    createTwitterClient({
      clientId: sut.clientId,
      clientSecret: overrides.clientSecret ?? sut.clientSecret,
      baseUrl,
    });
  const userClient = (accessToken: string): TwitterApi => createTwitterClient({ accessToken, baseUrl });

  beforeAll(async () => {
    baseUrl = await sut.start();
  });

  afterAll(async () => {
    await sut.stop();
  });

  beforeEach(() => {
    sut.reset();
  });

  describe('OAuth 2.0', () => {
    it('should complete the PKCE flow, refresh once per refresh token and revoke', async () => {
      const client = appClient();
      const link = client.generateOAuth2AuthLink(REDIRECT_URI, { scope: SCOPES });
      const code = sut.issueAuthorizationCode({
        userId: '2244994945',
        username: 'jane_doe',
        name: 'Jane Doe',
        codeChallenge: link.codeChallenge,
        redirectUri: REDIRECT_URI,
        scopes: SCOPES,
      });

      const login = await client.loginWithOAuth2({ code, codeVerifier: link.codeVerifier, redirectUri: REDIRECT_URI });
      expect(login.expiresIn).toBe(7200);
      expect(login.scope).toEqual(SCOPES);
      expect(login.refreshToken).toEqual(expect.any(String));
      const me = await login.client.v2.me();
      expect(me.data).toEqual({ id: '2244994945', name: 'Jane Doe', username: 'jane_doe' });

      const refreshToken = login.refreshToken ?? '';
      const refreshed = await client.refreshOAuth2Token(refreshToken);
      expect(refreshed.accessToken).not.toBe(login.accessToken);
      expect(refreshed.refreshToken).not.toBe(refreshToken);
      const reused = await rejectionOf(client.refreshOAuth2Token(refreshToken));
      expect(reused.code).toBe(400);
      expect(reused.data).toMatchObject({
        error: 'invalid_request',
        error_description: 'Value passed for the token was invalid.',
      });
      expect(sut.counters.refreshAttempts).toBe(2);
      expect(sut.counters.refreshSuccesses).toBe(1);

      await expect(client.revokeOAuth2Token(refreshed.refreshToken ?? '', 'refresh_token')).resolves.toEqual({
        revoked: true,
      });
      const afterRevoke = await rejectionOf(refreshed.client.v2.me());
      expect(afterRevoke.code).toBe(401);
      expect(afterRevoke.data).toMatchObject({ title: 'Unauthorized', type: 'about:blank', status: 401 });
      expect(sut.isUserRevoked('2244994945')).toBe(true);
      expect(sut.revocations).toEqual([
        expect.objectContaining({ tokenTypeHint: 'refresh_token', userId: '2244994945' }),
      ]);
    });

    it('should receive token calls form-encoded with the client credentials in Basic auth', async () => {
      const { refresh_token: refreshToken } = sut.issueTokens({ userId: '42', username: 'someone' });

      await appClient().refreshOAuth2Token(refreshToken ?? '');

      const [entry] = sut.requestsTo('POST /2/oauth2/token');
      expect(entry?.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
      expect(entry?.headers.authorization).toBe('Basic <redacted>');
      expect(entry?.form).toMatchObject({ grant_type: 'refresh_token', refresh_token: '<redacted>' });
      expect(JSON.stringify(sut.requests)).not.toContain(refreshToken);
    });

    it('should refuse wrong client credentials with unauthorized_client', async () => {
      const { refresh_token: refreshToken } = sut.issueTokens({ userId: '42' });

      const error = await rejectionOf(appClient({ clientSecret: 'wrong' }).refreshOAuth2Token(refreshToken ?? ''));

      expect(error.code).toBe(401);
      expect(error.data).toMatchObject({ error: 'unauthorized_client' });
      expect(sut.isRefreshTokenUsable(refreshToken ?? '')).toBe(true);
    });

    it('should refuse a wrong code verifier and a second use of a code', async () => {
      const client = appClient();
      const link = client.generateOAuth2AuthLink(REDIRECT_URI, { scope: SCOPES });
      const issue = (): string =>
        sut.issueAuthorizationCode({
          userId: '7',
          username: 'seven',
          codeChallenge: link.codeChallenge,
          redirectUri: REDIRECT_URI,
        });

      const wrongVerifier = await rejectionOf(
        client.loginWithOAuth2({ code: issue(), codeVerifier: `${link.codeVerifier}x`, redirectUri: REDIRECT_URI }),
      );
      const code = issue();
      await client.loginWithOAuth2({ code, codeVerifier: link.codeVerifier, redirectUri: REDIRECT_URI });
      const reused = await rejectionOf(
        client.loginWithOAuth2({ code, codeVerifier: link.codeVerifier, redirectUri: REDIRECT_URI }),
      );

      expect(wrongVerifier.code).toBe(400);
      expect(wrongVerifier.data).toMatchObject({ error: 'invalid_request' });
      expect(reused.code).toBe(400);
      expect(sut.counters.authorizationCodeGrants).toBe(1);
    });

    it('should redirect from the authorize URL with a code the app can exchange, or with access_denied', async () => {
      const client = appClient();
      const link = client.generateOAuth2AuthLink(REDIRECT_URI, { scope: SCOPES, state: 'state-123' });
      const authorizeLink = withAuthorizeUrl(link.url, sut.authorizeUrl);
      sut.setAuthorizationDecision({ id: '99', username: 'approver' });

      const approved = await fetch(authorizeLink, { redirect: 'manual' });
      const callback = new URL(approved.headers.get('location') ?? '');
      const login = await client.loginWithOAuth2({
        code: callback.searchParams.get('code') ?? '',
        codeVerifier: link.codeVerifier,
        redirectUri: REDIRECT_URI,
      });
      sut.setAuthorizationDecision('deny');
      const denied = await fetch(authorizeLink, { redirect: 'manual' });

      expect(authorizeLink.startsWith(`${baseUrl}/i/oauth2/authorize?`)).toBe(true);
      expect(approved.status).toBe(302);
      expect(`${callback.origin}${callback.pathname}`).toBe(REDIRECT_URI);
      expect(callback.searchParams.get('state')).toBe('state-123');
      expect((await login.client.v2.me()).data.username).toBe('approver');
      const deniedUrl = new URL(denied.headers.get('location') ?? '');
      expect(deniedUrl.searchParams.get('error')).toBe('access_denied');
      expect(deniedUrl.searchParams.get('state')).toBe('state-123');
    });

    it('should fail the next refresh on demand and keep the token usable unless told to burn it', async () => {
      const { refresh_token: refreshToken } = sut.issueTokens({ userId: '42' });
      const client = appClient();
      sut.failNextRefresh(503);

      const outage = await rejectionOf(client.refreshOAuth2Token(refreshToken ?? ''));
      const retried = await client.refreshOAuth2Token(refreshToken ?? '');
      sut.failNextRefresh(503, { consumeToken: true });
      const lost = await rejectionOf(client.refreshOAuth2Token(retried.refreshToken ?? ''));
      const afterLoss = await rejectionOf(client.refreshOAuth2Token(retried.refreshToken ?? ''));

      expect(outage.code).toBe(503);
      expect(retried.accessToken).toEqual(expect.any(String));
      expect(lost.code).toBe(503);
      expect(afterLoss.code).toBe(400);
      expect(sut.refreshCalls).toBe(4);
      expect(sut.counters.refreshFailures).toBe(3);
    });

    it('should answer 401 for an expired access token and honour a shorter token lifetime', async () => {
      sut.setAccessTokenLifetime(60);
      const tokens = sut.issueTokens({ userId: '42' });
      const client = userClient(tokens.access_token);
      await client.v2.me();

      sut.expireAccessToken(tokens.access_token);
      const error = await rejectionOf(client.v2.me());

      expect(tokens.expires_in).toBe(60);
      expect(error.code).toBe(401);
      expect(error.isAuthError).toBe(true);
    });

    it('should fail revocation while failRevoke is set, leaving the grant alive', async () => {
      const tokens = sut.issueTokens({ userId: '42' });
      sut.failRevoke = true;

      const error = await rejectionOf(appClient().revokeOAuth2Token(tokens.access_token));

      expect(error.code).toBe(503);
      expect(sut.isAccessTokenValid(tokens.access_token)).toBe(true);
      expect(sut.counters.revokeCalls).toBe(1);
    });
  });

  describe('timeline and lookup', () => {
    it('should page through a timeline newest first and fetch only newer tweets with since_id', async () => {
      const userId = '1001';
      const seeded = sut.seedGeneratedTweets(userId, 25);
      const client = userClient(sut.issueTokens({ userId }).access_token);

      const paginator = await client.v2.userTimeline(userId, {
        max_results: 10,
        'tweet.fields': ['created_at', 'lang', 'public_metrics', 'entities'],
      });
      const pages = [paginator.tweets.length];
      while (!paginator.done) {
        const before = paginator.tweets.length;
        await paginator.fetchNext();
        pages.push(paginator.tweets.length - before);
      }
      const sinceId = seeded[19]?.id ?? '';
      const newer = await client.v2.userTimeline(userId, { max_results: 10, since_id: sinceId });

      expect(pages).toEqual([10, 10, 5]);
      expect(paginator.tweets.map((tweet) => tweet.id)).toEqual([...seeded].reverse().map((tweet) => tweet.id));
      const first = paginator.tweets[0] as TweetV2;
      expect(first.created_at).toBe(seeded[24]?.createdAt.toISOString());
      expect(first.edit_history_tweet_ids).toEqual([first.id]);
      expect(first.public_metrics).toEqual(expect.objectContaining({ like_count: expect.any(Number) }));
      const withMention = paginator.tweets.find((tweet) => tweet.text.includes('@friend_'));
      expect(withMention?.entities?.mentions?.[0]?.username).toMatch(/^friend_/);
      expect(newer.tweets.map((tweet) => tweet.id)).toEqual(seeded.slice(20).reverse().map((tweet) => tweet.id));
      expect(newer.meta).toMatchObject({ result_count: 5, newest_id: seeded[24]?.id, oldest_id: seeded[20]?.id });
      expect(newer.meta.next_token).toBeUndefined();
    });

    it('should answer an empty meta when there is nothing newer', async () => {
      const userId = '1002';
      const [only] = sut.seedTweets(userId, [{ text: 'just one' }]);
      const client = userClient(sut.issueTokens({ userId }).access_token);

      const newer = await client.v2.userTimeline(userId, { since_id: only?.id });

      expect(newer.tweets).toEqual([]);
      expect(newer.done).toBe(true);
      expect(newer.data).toEqual({ meta: { result_count: 0 } });
    });

    it('should refuse max_results outside 5..100 in X problem format', async () => {
      const userId = '1003';
      sut.seedGeneratedTweets(userId, 3);
      const client = userClient(sut.issueTokens({ userId }).access_token);

      const error = await rejectionOf(client.v2.userTimeline(userId, { max_results: 3 }));

      expect(error.code).toBe(400);
      expect(error.data).toMatchObject({
        title: 'Invalid Request',
        type: 'https://api.twitter.com/2/problems/invalid-request',
      });
      expect(error.rateLimit).toEqual(expect.objectContaining({ limit: 900 }));
    });

    it('should look up tweets by id and report deleted ones as Not Found errors', async () => {
      const userId = '1004';
      const tweets = sut.seedGeneratedTweets(userId, 3);
      const deletedId = tweets[1]?.id ?? '';
      expect(sut.deleteTweet(deletedId)).toBe(true);
      const client = userClient(sut.issueTokens({ userId }).access_token);

      const result = await client.v2.tweets([tweets[0]?.id ?? '', deletedId, tweets[2]?.id ?? '']);

      expect(result.data.map((tweet) => tweet.id)).toEqual([tweets[0]?.id, tweets[2]?.id]);
      expect(result.errors).toEqual([
        {
          value: deletedId,
          detail: `Could not find tweet with ids: [${deletedId}].`,
          title: 'Not Found Error',
          resource_type: 'tweet',
          parameter: 'ids',
          resource_id: deletedId,
          type: 'https://api.twitter.com/2/problems/resource-not-found',
        },
      ]);
    });

    it('should refuse a lookup of more than 100 ids', async () => {
      const client = userClient(sut.issueTokens({ userId: '1005' }).access_token);
      const ids = Array.from({ length: 101 }, (_, i) => String(1000 + i));

      const error = await rejectionOf(client.v2.tweets(ids));

      expect(error.code).toBe(400);
    });
  });

  describe('rate limits and failures', () => {
    it('should expose x-rate-limit headers through the SDK', async () => {
      const userId = '2001';
      sut.seedGeneratedTweets(userId, 5);
      const client = userClient(sut.issueTokens({ userId }).access_token);

      const timeline = await client.v2.userTimeline(userId, { max_results: 5 });
      const afterTimeline = getLastXRateLimit(client);
      await client.v2.me();
      const afterMe = getLastXRateLimit(client);

      expect(xRateLimitOf(timeline)).toEqual({
        limit: 900,
        remaining: 899,
        reset: expect.any(Number),
      });
      expect(afterTimeline).toEqual(
        expect.objectContaining({ endpoint: 'GET /2/users/:id/tweets', limit: 900, remaining: 899 }),
      );
      expect(afterMe).toEqual(expect.objectContaining({ endpoint: 'GET /2/users/me', limit: 75, remaining: 74 }));
      const nowSeconds = Date.now() / 1000;
      expect(afterMe?.reset).toBeGreaterThan(nowSeconds);
      expect(afterMe?.reset).toBeLessThanOrEqual(Math.ceil(nowSeconds) + 15 * 60);
    });

    it('should answer 429 once the limit is used up, per token', async () => {
      sut.setRateLimit('GET /2/users/me', 2);
      const client = userClient(sut.issueTokens({ userId: '2002' }).access_token);
      const otherClient = userClient(sut.issueTokens({ userId: '2003' }).access_token);
      await client.v2.me();
      await client.v2.me();

      const error = await rejectionOf(client.v2.me());
      await otherClient.v2.me();

      expect(error.code).toBe(429);
      expect(error.rateLimitError).toBe(true);
      expect(error.data).toEqual({ title: 'Too Many Requests', detail: 'Too Many Requests', type: 'about:blank', status: 429 });
      expect(xRateLimitOf(error)).toEqual({ limit: 2, remaining: 0, reset: expect.any(Number) });
      expect(getLastXRateLimit(client)).toEqual(expect.objectContaining({ remaining: 0 }));
      expect(getLastXRateLimit(otherClient)).toEqual(expect.objectContaining({ remaining: 1 }));
    });

    it('should fail the next requests with the given status, then recover', async () => {
      const client = userClient(sut.issueTokens({ userId: '2004' }).access_token);
      sut.failNext(2, 503);

      const first = await rejectionOf(client.v2.me());
      const second = await rejectionOf(client.v2.me());
      const recovered = await client.v2.me();

      expect([first.code, second.code]).toEqual([503, 503]);
      expect(first.data).toMatchObject({ title: 'Service Unavailable', status: 503 });
      expect(recovered.data.id).toBe('2004');
      expect(sut.requestsTo('GET /2/users/me').map((entry) => entry.status)).toEqual([503, 503, 200]);
    });

    it('should route hard-coded api.twitter.com URLs to the base URL as well', async () => {
      const client = userClient(sut.issueTokens({ userId: '2006' }).access_token);

      const me = await client.v2.get<{ data: { id: string } }>('https://api.twitter.com/2/users/me', {}, { prefix: '' });

      expect(me.data.id).toBe('2006');
      expect(sut.requestsTo('GET /2/users/me')).toHaveLength(1);
    });

    it('should log requests without the bearer token', async () => {
      const tokens = sut.issueTokens({ userId: '2005' });
      await userClient(tokens.access_token).v2.me();

      expect(sut.requests).toEqual([
        expect.objectContaining({ method: 'GET', path: '/2/users/me', route: 'GET /2/users/me', status: 200 }),
      ]);
      expect(sut.requests[0]?.headers.authorization).toBe('Bearer <redacted>');
      expect(JSON.stringify(sut.requests)).not.toContain(tokens.access_token);
    });
  });
});
