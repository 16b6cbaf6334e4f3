// The X API v2 calls of this module (a user's timeline, tweet lookup), made with twitter-api-v2 on
// the user's token. Every request goes through the outbound rate limiter (which applies X's
// x-rate-limit-* headers and retries 5xx with backoff) and the circuit breaker, and every failure
// leaves as a job error with a code (twitter.exception.ts) or a rate-limit error that delays the run.
import { Inject, Injectable } from '@nestjs/common';
import { ApiPartialResponseError, ApiRequestError, ApiResponseError, InlineErrorV2, TweetV2UserTimelineParams, TwitterApi, TwitterRateLimit } from 'twitter-api-v2';
import { APP_CONFIG, AppConfig } from '../../core/config/app-config';
import { createTwitterClient, getLastXRateLimit, xRateLimitOf } from '../../core/providers/twitter-client.factory';
import { ProviderResponseError } from '../../core/rate-limit/rate-limit.exception';
import type { ProviderCallResult, ProviderResponseInfo } from '../../core/rate-limit/rate-limit.types';
import { RateLimiterService } from '../rate-limit/rate-limiter.service';
import { XCircuitBreaker } from './x-circuit-breaker';
import { XRequestRejectedError, XTokenRejectedError, XUnavailableError } from './twitter.exception';

/** X's largest timeline page. */
export const TIMELINE_PAGE_SIZE = 100;
/** X's largest `ids` list for `GET /2/tweets`. */
export const TWEET_LOOKUP_BATCH = 100;
/** Requests per call, counting the first: 5xx answers are retried with backoff by the rate limiter. */
const X_CALL_ATTEMPTS = 3;
const X_REQUEST_TIMEOUT_MS = 30_000;

/** Who the calls are made for: the user's (decrypted, fresh) token and their X account id. */
export interface XCredentials {
  accessToken: string;
  providerUserId: string;
}

export interface XTimelineTweet {
  id: string;
  text: string;
  createdAt: Date;
  lang: string | null;
}

export interface XTimelinePage {
  tweets: XTimelineTweet[];
  /** X's `next_token`, when older tweets remain. */
  nextToken: string | undefined;
}

export interface XTweetLookup {
  /** Ids X returned. */
  found: Set<string>;
  /** Ids X reported as not found (deleted, or never existed). */
  notFound: Set<string>;
}

@Injectable()
export class XApiClient {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly rateLimiter: RateLimiterService,
    private readonly breaker: XCircuitBreaker,
  ) {}

  /** One page of the user's timeline, newest first: `GET /2/users/:id/tweets`. */
  async fetchTimelinePage(
    userId: string,
    credentials: XCredentials,
    page: { sinceId?: string; paginationToken?: string },
  ): Promise<XTimelinePage> {
    const client = this.clientFor(credentials);
    const params: Partial<TweetV2UserTimelineParams> = { max_results: TIMELINE_PAGE_SIZE, 'tweet.fields': ['created_at', 'lang'] };
    if (page.sinceId !== undefined) params.since_id = page.sinceId;
    if (page.paginationToken !== undefined) params.pagination_token = page.paginationToken;
    return this.call(userId, async () => {
      const paginator = await client.v2.userTimeline(credentials.providerUserId, params);
      const errors = paginator.errors ?? [];
      if (paginator.tweets.length === 0 && errors.length > 0) throw new XRequestRejectedError(describeInlineError(errors[0]));
      const tweets = paginator.tweets.map((tweet) => ({
        id: tweet.id,
        text: tweet.text,
        createdAt: tweet.created_at ? new Date(tweet.created_at) : new Date(),
        lang: tweet.lang ?? null,
      }));
      // `meta` is absent when X answers with errors only.
      const meta = (paginator.meta as { next_token?: string } | undefined) ?? {};
      return { value: { tweets, nextToken: meta.next_token }, response: okResponse(xRateLimitOf(paginator)) };
    });
  }

  /** Which of `ids` (at most 100) still exist on X: `GET /2/tweets?ids=`. */
  async lookupTweets(userId: string, credentials: XCredentials, ids: readonly string[]): Promise<XTweetLookup> {
    if (ids.length === 0 || ids.length > TWEET_LOOKUP_BATCH) throw new RangeError(`lookupTweets takes 1 to ${TWEET_LOOKUP_BATCH} ids, got ${ids.length}`);
    const client = this.clientFor(credentials);
    return this.call(userId, async () => {
      const result = await client.v2.tweets([...ids]);
      const found = new Set((result.data ?? []).map((tweet) => tweet.id));
      const notFound = new Set(
        (result.errors ?? [])
          .filter((error) => error.type.endsWith('/resource-not-found'))
          .map((error) => error.resource_id ?? error.value ?? '')
          .filter((id) => ids.includes(id) && !found.has(id)),
      );
      return { value: { found, notFound }, response: okResponse(getLastXRateLimit(client)) };
    });
  }

  private clientFor(credentials: XCredentials): TwitterApi {
    return createTwitterClient({
      accessToken: credentials.accessToken,
      baseUrl: this.config.twitter.apiBaseUrl,
      timeoutMs: X_REQUEST_TIMEOUT_MS,
    });
  }

  private async call<T>(userId: string, request: () => Promise<ProviderCallResult<T>>): Promise<T> {
    try {
      return await this.rateLimiter.callWithRateLimit(
        'x',
        userId,
        () => this.breaker.execute(() => reportingResponse(request)),
        { maxAttempts: X_CALL_ATTEMPTS },
      );
    } catch (error) {
      throw asJobError(error);
    }
  }
}

/** The rate limiter reads a failed answer's status and headers from a `ProviderResponseError`. */
async function reportingResponse<T>(request: () => Promise<ProviderCallResult<T>>): Promise<ProviderCallResult<T>> {
  try {
    return await request();
  } catch (error) {
    if (error instanceof ApiResponseError) {
      throw new ProviderResponseError({ status: error.code, headers: error.headers ?? {} }, `X answered ${error.code}`);
    }
    throw error;
  }
}

/**
 * A failure the rate limiter passed through (not a rate limit, not a 5xx it gave up on) becomes a
 * job error with this module's code. Rate-limit, provider-unavailable and circuit errors stay as they are.
 */
function asJobError(error: unknown): unknown {
  if (error instanceof ProviderResponseError) {
    return error.response.status === 401 ? new XTokenRejectedError() : new XRequestRejectedError(`HTTP ${error.response.status}`);
  }
  if (error instanceof ApiRequestError || error instanceof ApiPartialResponseError) {
    return new XUnavailableError(error.message, { cause: error });
  }
  return error;
}

function okResponse(rateLimit: Pick<TwitterRateLimit, 'limit' | 'remaining' | 'reset'> | undefined): ProviderResponseInfo {
  if (rateLimit === undefined) return { status: 200, headers: {} };
  return {
    status: 200,
    headers: {
      'x-rate-limit-limit': String(rateLimit.limit),
      'x-rate-limit-remaining': String(rateLimit.remaining),
      'x-rate-limit-reset': String(rateLimit.reset),
    },
  };
}

function describeInlineError(error: InlineErrorV2 | undefined): string {
  return error ? `${error.title}: ${error.detail}` : 'unknown error';
}
