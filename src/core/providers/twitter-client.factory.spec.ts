import { TwitterApi } from 'twitter-api-v2';
import {
  createTwitterClient,
  getLastXRateLimit,
  TwitterClientPlugin,
  withAuthorizeUrl,
  xRateLimitOf,
} from './twitter-client.factory';

describe(createTwitterClient.name, () => {
  it('should build a user client from an access token and an app client from a client id', () => {
    const user = createTwitterClient({ accessToken: 'token', clientId: 'ignored' });
    const app = createTwitterClient({ clientId: 'client', clientSecret: 'secret' });

    expect(user.getActiveTokens()).toEqual({ type: 'oauth2', bearerToken: 'token' });
    expect(app.getActiveTokens()).toEqual({ type: 'oauth2-user', clientId: 'client' });
    expect(user.getPluginOfType(TwitterClientPlugin)).toBeInstanceOf(TwitterClientPlugin);
  });

  it('should refuse to build a client without credentials or with a non-http base URL', () => {
    expect(() => createTwitterClient({})).toThrow('accessToken or a clientId');
    expect(() => createTwitterClient({ accessToken: 't', baseUrl: 'ftp://example.com' })).toThrow('http(s)');
    expect(() => createTwitterClient({ accessToken: 't', baseUrl: 'not a url' })).toThrow('Invalid X API base URL');
  });

  it('should know no rate limit before the first answer', () => {
    expect(getLastXRateLimit(createTwitterClient({ accessToken: 'token' }))).toBeUndefined();
    expect(getLastXRateLimit(new TwitterApi('token'))).toBeUndefined();
  });
});

describe(withAuthorizeUrl.name, () => {
  it('should move the generated PKCE query onto the configured authorize URL', () => {
    const { url } = createTwitterClient({ clientId: 'client' }).generateOAuth2AuthLink('https://app.test/cb', {
      scope: ['tweet.read', 'users.read', 'offline.access'],
      state: 'abc',
    });

    const moved = new URL(withAuthorizeUrl(url, 'http://127.0.0.1:9999/i/oauth2/authorize'));

    expect(`${moved.origin}${moved.pathname}`).toBe('http://127.0.0.1:9999/i/oauth2/authorize');
    expect(moved.searchParams.get('state')).toBe('abc');
    expect(moved.searchParams.get('redirect_uri')).toBe('https://app.test/cb');
    expect(moved.searchParams.get('scope')).toBe('tweet.read users.read offline.access');
    expect(moved.searchParams.get('code_challenge')).toEqual(expect.any(String));
  });
});

describe(xRateLimitOf.name, () => {
  it('should read a rate limit from anything carrying one and ignore the rest', () => {
    expect(xRateLimitOf({ rateLimit: { limit: 900, remaining: 3, reset: 1700000000 } })).toEqual({
      limit: 900,
      remaining: 3,
      reset: 1700000000,
    });
    expect(xRateLimitOf({ rateLimit: { limit: 'x' } })).toBeUndefined();
    expect(xRateLimitOf(new Error('boom'))).toBeUndefined();
    expect(xRateLimitOf(undefined)).toBeUndefined();
  });
});
