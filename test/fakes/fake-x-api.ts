// The X API v2 read endpoints the app calls (users/me, a user's timeline, tweet lookup) over the
// fake server's users and tweets, with X's parameter checks, pagination and x-rate-limit-* limits.
import { FakeTweet, extractEntities } from './fake-tweets';
import { base64Url, invalidRequest, isNumericId, problem, XHttpError } from './fake-x-errors';
import { HeaderMap } from './fake-http';

export type XApiEndpoint = 'GET /2/users/me' | 'GET /2/users/:id/tweets' | 'GET /2/tweets';

export const X_API_ENDPOINTS: readonly XApiEndpoint[] = ['GET /2/users/me', 'GET /2/users/:id/tweets', 'GET /2/tweets'];

export interface FakeXUser {
  id: string;
  username: string;
  name: string;
}

/** What the endpoints read: the fake server's users and their timelines (newest first). */
export interface FakeXStore {
  readonly users: ReadonlyMap<string, FakeXUser>;
  readonly tweetsByUser: ReadonlyMap<string, readonly FakeTweet[]>;
}

/** Every `tweet.fields` value X accepts; the fake renders a subset and ignores the rest. */
const KNOWN_TWEET_FIELDS = new Set([
  'article', 'attachments', 'author_id', 'card_uri', 'community_id', 'context_annotations', 'conversation_id',
  'created_at', 'display_text_range', 'edit_controls', 'edit_history_tweet_ids', 'entities', 'geo', 'id',
  'in_reply_to_user_id', 'lang', 'media_metadata', 'non_public_metrics', 'note_tweet', 'organic_metrics',
  'possibly_sensitive', 'promoted_metrics', 'public_metrics', 'referenced_tweets', 'reply_settings', 'scopes',
  'source', 'text', 'withheld',
]);

const TIMELINE_PARAMS = new Set([
  'end_time', 'exclude', 'expansions', 'max_results', 'media.fields', 'pagination_token', 'place.fields',
  'poll.fields', 'since_id', 'start_time', 'tweet.fields', 'until_id', 'user.fields',
]);
const LOOKUP_PARAMS = new Set(['ids', 'expansions', 'media.fields', 'place.fields', 'poll.fields', 'tweet.fields', 'user.fields']);
const ME_PARAMS = new Set(['expansions', 'tweet.fields', 'user.fields']);

/** GET /2/users/me for the user the access token was granted by. */
export function usersMe(store: FakeXStore, grantUserId: string, query: URLSearchParams): unknown {
  checkParams(query, ME_PARAMS);
  const user = store.users.get(grantUserId);
  if (user === undefined) {
    throw new XHttpError(401, problem(401));
  }
  return { data: { id: user.id, name: user.name, username: user.username } };
}

/** GET /2/users/:id/tweets: newest first, `max_results` per page, `next_token` while more match. */
export function userTimeline(store: FakeXStore, userId: string, query: URLSearchParams): unknown {
  checkParams(query, TIMELINE_PARAMS);
  if (!isNumericId(userId)) {
    throw invalidRequest(`The \`id\` query parameter value [${userId}] does not match ^[0-9]{1,19}$`, 'id', userId);
  }
  if (!store.users.has(userId)) {
    return {
      errors: [
        {
          value: userId,
          detail: `Could not find user with id: [${userId}].`,
          title: 'Not Found Error',
          resource_type: 'user',
          parameter: 'id',
          resource_id: userId,
          type: 'https://api.twitter.com/2/problems/resource-not-found',
        },
      ],
    };
  }
  const maxResultsRaw = query.get('max_results');
  const maxResults = maxResultsRaw === null ? 10 : Number(maxResultsRaw);
  if (!Number.isInteger(maxResults) || maxResults < 5 || maxResults > 100) {
    throw invalidRequest(
      `The \`max_results\` query parameter value [${maxResultsRaw ?? ''}] is not between 5 and 100`,
      'max_results',
      maxResultsRaw ?? '',
    );
  }
  const sinceId = optionalId(query, 'since_id');
  const untilId = optionalId(query, 'until_id');
  const startTime = optionalTime(query, 'start_time');
  const endTime = optionalTime(query, 'end_time');
  const fields = tweetFields(query);
  const paginationToken = query.get('pagination_token');
  const cursor = paginationToken === null ? undefined : decodePaginationToken(paginationToken);

  const matching = (store.tweetsByUser.get(userId) ?? []).filter((tweet) => {
    const id = BigInt(tweet.id);
    return (
      (sinceId === undefined || id > sinceId) &&
      (untilId === undefined || id < untilId) &&
      (startTime === undefined || tweet.createdAt.getTime() >= startTime) &&
      (endTime === undefined || tweet.createdAt.getTime() <= endTime) &&
      (cursor === undefined || id < cursor)
    );
  });
  const page = matching.slice(0, maxResults);
  if (page.length === 0) {
    return { meta: { result_count: 0 } };
  }
  const newest = page[0] as FakeTweet;
  const oldest = page[page.length - 1] as FakeTweet;
  const meta: Record<string, string | number> = {
    result_count: page.length,
    newest_id: newest.id,
    oldest_id: oldest.id,
  };
  if (matching.length > page.length) {
    meta.next_token = encodePaginationToken(oldest.id);
  }
  return { data: page.map((tweet) => renderTweet(tweet, fields)), meta };
}

/** GET /2/tweets?ids=: found tweets in `data`, missing ones in `errors`, as X answers. */
export function tweetLookup(store: FakeXStore, query: URLSearchParams): unknown {
  checkParams(query, LOOKUP_PARAMS);
  const raw = query.get('ids');
  if (raw === null || raw === '') {
    throw invalidRequest('The `ids` query parameter can not be empty', 'ids', '');
  }
  const ids = raw.split(',');
  if (ids.length > 100) {
    throw invalidRequest(`The number of values in the \`ids\` query parameter list [${ids.length}] is not between 1 and 100`, 'ids', raw);
  }
  for (const id of ids) {
    if (!isNumericId(id)) {
      throw invalidRequest(`The \`ids\` query parameter value [${id}] does not match ^[0-9]{1,19}$`, 'ids', id);
    }
  }
  const fields = tweetFields(query);
  const byId = new Map<string, FakeTweet>();
  for (const timeline of store.tweetsByUser.values()) {
    for (const tweet of timeline) {
      byId.set(tweet.id, tweet);
    }
  }
  const data: unknown[] = [];
  const errors: unknown[] = [];
  for (const id of ids) {
    const tweet = byId.get(id);
    if (tweet !== undefined) {
      data.push(renderTweet(tweet, fields));
    } else {
      errors.push({
        value: id,
        detail: `Could not find tweet with ids: [${id}].`,
        title: 'Not Found Error',
        resource_type: 'tweet',
        parameter: 'ids',
        resource_id: id,
        type: 'https://api.twitter.com/2/problems/resource-not-found',
      });
    }
  }
  const body: Record<string, unknown[]> = {};
  if (data.length > 0) {
    body.data = data;
  }
  if (errors.length > 0) {
    body.errors = errors;
  }
  return body;
}

function checkParams(query: URLSearchParams, allowed: ReadonlySet<string>): void {
  for (const name of query.keys()) {
    if (!allowed.has(name)) {
      throw invalidRequest(
        `The query parameter [${name}] is not one of [${[...allowed].join(',')}]`,
        name,
        query.get(name) ?? '',
      );
    }
  }
}

function optionalId(query: URLSearchParams, name: string): bigint | undefined {
  const value = query.get(name);
  if (value === null) {
    return undefined;
  }
  if (!isNumericId(value)) {
    throw invalidRequest(`The \`${name}\` query parameter value [${value}] does not match ^[0-9]{1,19}$`, name, value);
  }
  return BigInt(value);
}

function optionalTime(query: URLSearchParams, name: string): number | undefined {
  const value = query.get(name);
  if (value === null) {
    return undefined;
  }
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) {
    throw invalidRequest(`Invalid ${name} value [${value}]; expected an ISO 8601 timestamp`, name, value);
  }
  return ms;
}

function tweetFields(query: URLSearchParams): Set<string> {
  const raw = query.get('tweet.fields');
  const fields = new Set((raw ?? '').split(',').filter((field) => field !== ''));
  for (const field of fields) {
    if (!KNOWN_TWEET_FIELDS.has(field)) {
      throw invalidRequest(
        `The \`tweet.fields\` query parameter value [${field}] is not one of [${[...KNOWN_TWEET_FIELDS].join(',')}]`,
        'tweet.fields',
        field,
      );
    }
  }
  return fields;
}

function renderTweet(tweet: FakeTweet, fields: ReadonlySet<string>): Record<string, unknown> {
  // X always sends id, text and edit_history_tweet_ids; other fields only when asked for.
  const rendered: Record<string, unknown> = {
    id: tweet.id,
    text: tweet.text,
    edit_history_tweet_ids: [tweet.id],
  };
  if (fields.has('created_at')) rendered.created_at = tweet.createdAt.toISOString();
  if (fields.has('lang')) rendered.lang = tweet.lang;
  if (fields.has('author_id')) rendered.author_id = tweet.authorId;
  if (fields.has('conversation_id')) rendered.conversation_id = tweet.id;
  if (fields.has('public_metrics')) rendered.public_metrics = { ...tweet.publicMetrics };
  if (fields.has('possibly_sensitive')) rendered.possibly_sensitive = false;
  if (fields.has('entities')) {
    const entities = extractEntities(tweet.text);
    if (Object.keys(entities).length > 0) {
      rendered.entities = entities;
    }
  }
  return rendered;
}

function encodePaginationToken(oldestId: string): string {
  return base64Url(Buffer.from(`before:${oldestId}`));
}

function decodePaginationToken(token: string): bigint {
  const decoded = Buffer.from(token, 'base64url').toString('utf8');
  const match = /^before:(\d{1,19})$/.exec(decoded);
  if (match === null) {
    throw invalidRequest(
      `The \`pagination_token\` query parameter value [${token}] is not valid`,
      'pagination_token',
      token,
    );
  }
  return BigInt(match[1] ?? '0');
}

/** X's published per-user limits per 15-minute window for these endpoints. */
const DEFAULT_RATE_LIMITS: Record<XApiEndpoint, number> = {
  'GET /2/users/me': 75,
  'GET /2/users/:id/tweets': 900,
  'GET /2/tweets': 900,
};

interface RateWindow {
  startedAt: number;
  used: number;
}

/** Fixed windows per endpoint and access token, answered with X's `x-rate-limit-*` headers. */
export class FakeXRateLimits {
  private readonly limits: Record<XApiEndpoint, number> = { ...DEFAULT_RATE_LIMITS };
  private readonly windows = new Map<string, RateWindow>();

  constructor(
    private readonly windowMs: number,
    private readonly now: () => number,
  ) {}

  set(endpoint: XApiEndpoint, limit: number): void {
    this.limits[endpoint] = limit;
  }

  reset(): void {
    this.windows.clear();
    Object.assign(this.limits, DEFAULT_RATE_LIMITS);
  }

  /** Counts one call with `authorization`: the headers to send, or a 429 (with them) past the limit. */
  consume(endpoint: XApiEndpoint, authorization: string): HeaderMap {
    const key = `${endpoint} ${authorization}`;
    const now = this.now();
    let window = this.windows.get(key);
    if (window === undefined || window.startedAt + this.windowMs <= now) {
      window = { startedAt: now, used: 0 };
      this.windows.set(key, window);
    }
    const limit = this.limits[endpoint];
    const reset = Math.ceil((window.startedAt + this.windowMs) / 1000);
    if (window.used >= limit) {
      throw new XHttpError(
        429,
        { title: 'Too Many Requests', detail: 'Too Many Requests', type: 'about:blank', status: 429 },
        rateLimitHeaders(limit, 0, reset),
      );
    }
    window.used++;
    return rateLimitHeaders(limit, limit - window.used, reset);
  }
}

function rateLimitHeaders(limit: number, remaining: number, reset: number): HeaderMap {
  return {
    'x-rate-limit-limit': String(limit),
    'x-rate-limit-remaining': String(remaining),
    'x-rate-limit-reset': String(reset),
  };
}
