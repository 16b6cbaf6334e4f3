// Builds twitter-api-v2 clients that can be pointed at any X API base URL (a local fake in tests)
// and remembers the x-rate-limit-* headers of each client's last answer for the rate limiter.
import { createHash } from 'node:crypto';
import { Agent } from 'node:http';
import {
  ApiResponseError,
  IClientSettings,
  IGetHttpRequestArgs,
  ITwitterApiAfterRequestHookArgs,
  ITwitterApiBeforeRequestConfigHookArgs,
  ITwitterApiBeforeRequestHookArgs,
  ITwitterApiClientPlugin,
  ITwitterApiResponseErrorHookArgs,
  TClientTokens,
  TwitterApi,
  TwitterRateLimit,
} from 'twitter-api-v2';

export const DEFAULT_TWITTER_API_BASE_URL = 'https://api.x.com';

/** The hosts twitter-api-v2 1.29 hard-codes (`api.x.com`) or older code paths still use. */
const X_API_ORIGINS = ['https://api.x.com', 'https://api.twitter.com'];

/** Keeps the per-token memory of rate limits bounded in a long-running worker. */
const MAX_TRACKED_TOKENS = 1000;

// twitter-api-v2 sends through `https.request`, which only accepts a plain-http URL when handed an
// http.Agent. One shared agent without keep-alive leaves no idle sockets behind for tests to leak.
const plainHttpAgent = new Agent({ keepAlive: false });

export interface TwitterClientOptions {
  /** A user's OAuth 2.0 access token: the client calls the API on their behalf. */
  accessToken?: string;
  /** The app's OAuth 2.0 client id, for the authorize link, code exchange, refresh and revoke. */
  clientId?: string;
  clientSecret?: string;
  /** `TWITTER_API_BASE_URL`; defaults to the public X API. */
  baseUrl?: string;
  /** Socket idle timeout per request. */
  timeoutMs?: number;
}

/** The x-rate-limit-* headers of one answer, with the endpoint they belong to. */
export interface XRateLimitInfo {
  /** Method and path template, e.g. `GET /2/users/:id/tweets`. */
  endpoint: string;
  limit: number;
  remaining: number;
  /** Unix seconds at which the window resets, as X sends it. */
  reset: number;
}

/**
 * The plugin every factory-made client carries. twitter-api-v2 has no base-URL option, so
 * `onBeforeRequestConfig` rewrites each request URL; it also sends the OAuth 2.0 calls
 * form-encoded and records rate-limit headers.
 */
export class TwitterClientPlugin implements ITwitterApiClientPlugin {
  private readonly baseUrl: string;
  private readonly basePath: string;
  private readonly lastRateLimits = new Map<string, XRateLimitInfo>();

  constructor(
    baseUrl: string = DEFAULT_TWITTER_API_BASE_URL,
    private readonly timeoutMs?: number,
  ) {
    this.baseUrl = normalizeBaseUrl(baseUrl);
    this.basePath = new URL(this.baseUrl).pathname.replace(/\/+$/, '');
  }

  onBeforeRequestConfig(args: ITwitterApiBeforeRequestConfigHookArgs): void {
    this.prepare(args.params);
  }

  onBeforeStreamRequestConfig(args: ITwitterApiBeforeRequestConfigHookArgs): void {
    this.prepare(args.params);
  }

  onAfterRequest(args: ITwitterApiAfterRequestHookArgs): void {
    this.remember(args, args.response.rateLimit);
  }

  onResponseError(args: ITwitterApiResponseErrorHookArgs): void {
    // Returning nothing lets the SDK rethrow the error; a 429 still teaches us the reset time.
    this.remember(args, args.error.rateLimit);
  }

  /** Rate-limit headers of the last answer to a client holding `tokens`. */
  lastRateLimitFor(tokens: TClientTokens): XRateLimitInfo | undefined {
    return this.lastRateLimits.get(tokenKey(tokens));
  }

  private prepare(params: IGetHttpRequestArgs): void {
    params.url = this.rewrite(params.url);
    if (this.pathOf(params.url).startsWith('/2/oauth2/')) {
      // twitter-api-v2 1.29's body-type detection tests `url.password` instead of the path, so it
      // would send these as JSON; X documents them as application/x-www-form-urlencoded.
      params.forceBodyMode = 'url';
    }
    if (this.timeoutMs !== undefined && params.timeout === undefined) {
      params.timeout = this.timeoutMs;
    }
  }

  private rewrite(url: string): string {
    for (const origin of X_API_ORIGINS) {
      if (url === origin || url.startsWith(`${origin}/`)) {
        return this.baseUrl + url.slice(origin.length);
      }
    }
    return url;
  }

  private pathOf(url: string): string {
    const path = new URL(url).pathname;
    return path.startsWith(this.basePath) ? path.slice(this.basePath.length) : path;
  }

  private remember(
    args: ITwitterApiBeforeRequestHookArgs,
    rateLimit: TwitterRateLimit | undefined,
  ): void {
    if (rateLimit === undefined) {
      return;
    }
    const key = tokenKey(args.client.getActiveTokens());
    this.lastRateLimits.delete(key);
    if (this.lastRateLimits.size >= MAX_TRACKED_TOKENS) {
      const oldest = this.lastRateLimits.keys().next();
      if (oldest.done !== true) {
        this.lastRateLimits.delete(oldest.value);
      }
    }
    this.lastRateLimits.set(key, {
      endpoint: `${args.computedParams.method} ${this.pathOf(args.url.toString())}`,
      limit: rateLimit.limit,
      remaining: rateLimit.remaining,
      reset: rateLimit.reset,
    });
  }
}

/**
 * A twitter-api-v2 client. With `accessToken` it acts for that user; otherwise with `clientId`
 * (and `clientSecret` for a confidential client, sent as HTTP Basic auth) it runs the OAuth 2.0
 * calls. Clients returned by `loginWithOAuth2`/`refreshOAuth2Token` inherit the same settings.
 */
export function createTwitterClient(options: TwitterClientOptions): TwitterApi {
  const baseUrl = normalizeBaseUrl(options.baseUrl ?? DEFAULT_TWITTER_API_BASE_URL);
  const settings: Partial<IClientSettings> = {
    plugins: [new TwitterClientPlugin(baseUrl, options.timeoutMs)],
  };
  if (baseUrl.startsWith('http:')) {
    settings.httpAgent = plainHttpAgent;
  }
  if (options.accessToken !== undefined && options.accessToken !== '') {
    return new TwitterApi(options.accessToken, settings);
  }
  if (options.clientId !== undefined && options.clientId !== '') {
    return new TwitterApi({ clientId: options.clientId, clientSecret: options.clientSecret }, settings);
  }
  throw new Error('createTwitterClient needs an accessToken or a clientId');
}

/**
 * `generateOAuth2AuthLink` always builds on https://x.com/i/oauth2/authorize; this moves its query
 * onto the configured `TWITTER_AUTHORIZE_URL`.
 */
export function withAuthorizeUrl(generatedLink: string, authorizeUrl: string): string {
  const target = new URL(authorizeUrl);
  for (const [key, value] of new URL(generatedLink).searchParams) {
    target.searchParams.set(key, value);
  }
  return target.toString();
}

/** Rate-limit headers of the last answer this client (or a client sharing its token) received. */
export function getLastXRateLimit(
  client: Pick<TwitterApi, 'getPluginOfType' | 'getActiveTokens'>,
): XRateLimitInfo | undefined {
  return client.getPluginOfType(TwitterClientPlugin)?.lastRateLimitFor(client.getActiveTokens());
}

/**
 * Rate-limit headers carried by an SDK result: an `ApiResponseError` (a 429 included), a full
 * response or a paginator (`.rateLimit`). Undefined when there were none.
 */
export function xRateLimitOf(source: unknown): TwitterRateLimit | undefined {
  if (source instanceof ApiResponseError) {
    return source.rateLimit ?? rateLimitFromHeaders(source.headers);
  }
  if (typeof source === 'object' && source !== null && 'rateLimit' in source) {
    const candidate: unknown = source.rateLimit;
    if (isRateLimit(candidate)) {
      return candidate;
    }
  }
  return undefined;
}

function rateLimitFromHeaders(headers: Record<string, string | string[] | undefined>): TwitterRateLimit | undefined {
  const read = (name: string): number => Number(headers[name]);
  const rateLimit = {
    limit: read('x-rate-limit-limit'),
    remaining: read('x-rate-limit-remaining'),
    reset: read('x-rate-limit-reset'),
  };
  return isRateLimit(rateLimit) ? rateLimit : undefined;
}

function isRateLimit(value: unknown): value is TwitterRateLimit {
  if (typeof value !== 'object' || value === null) {
    return false;
  }
  const record = value as Record<string, unknown>;
  return ['limit', 'remaining', 'reset'].every(
    (key) => typeof record[key] === 'number' && Number.isFinite(record[key]),
  );
}

function normalizeBaseUrl(baseUrl: string): string {
  let parsed: URL;
  try {
    parsed = new URL(baseUrl);
  } catch {
    throw new Error(`Invalid X API base URL: ${baseUrl}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new Error(`X API base URL must be http(s): ${baseUrl}`);
  }
  return `${parsed.origin}${parsed.pathname.replace(/\/+$/, '')}`;
}

/** Rate limits are per token; the key is a hash so no token value sits in the map. */
function tokenKey(tokens: TClientTokens): string {
  return createHash('sha256').update(JSON.stringify(tokens)).digest('hex');
}
