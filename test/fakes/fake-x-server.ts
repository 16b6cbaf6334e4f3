// A local X (Twitter) API v2 that speaks X's wire formats (OAuth 2.0 with PKCE, users/me, user
// timelines, tweet lookup, x-rate-limit-* headers, problem-format errors), so the real
// twitter-api-v2 client can be exercised in tests.
import { createHash, timingSafeEqual } from 'node:crypto';
import { IncomingMessage, ServerResponse } from 'node:http';
import {
  compareIdsDescending,
  extractEntities,
  FakeTweet,
  FakeTweetSeed,
  generateFakeTweets,
  GenerateTweetsOptions,
  snowflakeFor,
} from './fake-tweets';
import { FakeHttpServer, HeaderMap, headerValue, randomBase62, redactedHeaders, sendJson } from './fake-http';

export type XApiEndpoint = 'GET /2/users/me' | 'GET /2/users/:id/tweets' | 'GET /2/tweets';
export type XOAuthRoute = 'POST /2/oauth2/token' | 'POST /2/oauth2/revoke' | 'GET /i/oauth2/authorize';
export type XRoute = XApiEndpoint | XOAuthRoute;

export const X_API_ENDPOINTS: readonly XApiEndpoint[] = ['GET /2/users/me', 'GET /2/users/:id/tweets', 'GET /2/tweets'];

export const DEFAULT_X_SCOPES: readonly string[] = ['tweet.read', 'users.read', 'offline.access'];

/** X's published per-user limits per 15-minute window for these endpoints. */
const DEFAULT_RATE_LIMITS: Record<XApiEndpoint, number> = {
  'GET /2/users/me': 75,
  'GET /2/users/:id/tweets': 900,
  'GET /2/tweets': 900,
};

export interface FakeXUser {
  id: string;
  username: string;
  name: string;
}

export interface FakeXServerOptions {
  clientId?: string;
  clientSecret?: string;
  /** `expires_in` of issued access tokens (X: 7200). */
  accessTokenLifetimeSeconds?: number;
  /** X authorization codes are valid for 30 seconds. */
  authorizationCodeLifetimeSeconds?: number;
  rateLimitWindowSeconds?: number;
  /** Source of "now" in ms, for token expiry and rate-limit windows. */
  now?: () => number;
}

export interface IssueAuthorizationCodeInput {
  userId: string;
  username: string;
  name?: string;
  codeChallenge: string;
  codeChallengeMethod?: 'S256' | 'plain';
  redirectUri: string;
  scopes?: readonly string[];
}

export interface IssueTokensInput {
  userId: string;
  username?: string;
  name?: string;
  scopes?: readonly string[];
}

/** The body of X's token endpoint answer. */
export interface XTokenResponse {
  token_type: 'bearer';
  expires_in: number;
  access_token: string;
  scope: string;
  refresh_token?: string;
}

export interface FakeXRequestLogEntry {
  method: string;
  path: string;
  route: XRoute | null;
  query: Record<string, string>;
  /** Request headers with `authorization` reduced to its scheme. */
  headers: HeaderMap;
  /** Form parameters of OAuth calls, credentials and codes replaced by `<redacted>`. */
  form?: Record<string, string>;
  status: number;
  at: Date;
}

export interface FakeXCounters {
  tokenRequests: number;
  authorizationCodeGrants: number;
  refreshAttempts: number;
  refreshSuccesses: number;
  refreshFailures: number;
  revokeCalls: number;
}

export interface FakeXRevocation {
  tokenTypeHint: string | undefined;
  userId: string | undefined;
  at: Date;
}

export interface FailNextRefreshOptions {
  /** Also burn the presented refresh token, like a refresh whose answer was lost on the way back. */
  consumeToken?: boolean;
}

interface AuthorizationCodeRecord {
  userId: string;
  codeChallenge: string;
  codeChallengeMethod: 'S256' | 'plain';
  redirectUri: string;
  scopes: string[];
  expiresAt: number;
  used: boolean;
}

interface GrantRecord {
  id: number;
  userId: string;
  scopes: string[];
  revoked: boolean;
}

interface AccessTokenRecord {
  grant: GrantRecord;
  expiresAt: number;
}

interface RefreshTokenRecord {
  grant: GrantRecord;
  used: boolean;
}

interface RateWindow {
  startedAt: number;
  used: number;
}

interface ForcedFailure {
  status: number;
  route: XRoute | undefined;
}

interface Problem {
  title: string;
  detail: string;
  type: string;
  status?: number;
}

class XHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: HeaderMap = {},
  ) {
    super(`X fake error ${status}`);
  }
}

const REQUIRED_API_SCOPES = ['tweet.read', 'users.read'];

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

const FORM_SECRETS = new Set(['code', 'code_verifier', 'refresh_token', 'token', 'client_secret']);

const STATUS_TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

function problem(status: number): Problem & { status: number } {
  const title = STATUS_TITLES[status] ?? 'Error';
  return { title, detail: title, type: 'about:blank', status };
}

function invalidRequest(message: string, parameter: string, value: string): XHttpError {
  return new XHttpError(400, {
    errors: [{ parameters: { [parameter]: [value] }, message }],
    title: 'Invalid Request',
    detail: 'One or more parameters to your request was invalid.',
    type: 'https://api.twitter.com/2/problems/invalid-request',
  });
}

function oauthError(status: number, error: string, description: string): XHttpError {
  return new XHttpError(status, { error, error_description: description });
}

function base64Url(buffer: Buffer): string {
  return buffer.toString('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function isNumericId(value: string): boolean {
  return /^\d{1,19}$/.test(value);
}

/**
 * Fake X API v2. Start it with `start()`, point `TWITTER_API_BASE_URL` at the returned URL (and
 * `TWITTER_AUTHORIZE_URL` at `<url>/i/oauth2/authorize`), seed users and tweets, then assert on
 * `requests`, `counters` and the token state.
 */
export class FakeXServer extends FakeHttpServer {
  readonly clientId: string;
  readonly clientSecret: string;
  /** Every request received, oldest first. */
  readonly requests: FakeXRequestLogEntry[] = [];
  readonly counters: FakeXCounters = {
    tokenRequests: 0,
    authorizationCodeGrants: 0,
    refreshAttempts: 0,
    refreshSuccesses: 0,
    refreshFailures: 0,
    revokeCalls: 0,
  };
  readonly revocations: FakeXRevocation[] = [];
  /** When true, `POST /2/oauth2/revoke` answers `revokeFailureStatus` and revokes nothing. */
  failRevoke = false;
  revokeFailureStatus = 503;

  private readonly now: () => number;
  private accessTokenLifetimeSeconds: number;
  private readonly initialAccessTokenLifetimeSeconds: number;
  private readonly authorizationCodeLifetimeMs: number;
  private readonly rateLimitWindowMs: number;
  private readonly users = new Map<string, FakeXUser>();
  private readonly tweetsByUser = new Map<string, FakeTweet[]>();
  private readonly codes = new Map<string, AuthorizationCodeRecord>();
  private readonly accessTokens = new Map<string, AccessTokenRecord>();
  private readonly refreshTokens = new Map<string, RefreshTokenRecord>();
  private readonly rateLimits: Record<XApiEndpoint, number> = { ...DEFAULT_RATE_LIMITS };
  private readonly rateWindows = new Map<string, RateWindow>();
  private readonly forcedFailures: ForcedFailure[] = [];
  private readonly refreshFailures: { status: number; consumeToken: boolean }[] = [];
  private authorizationDecision: FakeXUser | 'deny' | undefined;
  private grantSequence = 0;
  private snowflakeSequence = 0;

  constructor(options: FakeXServerOptions = {}) {
    super();
    this.clientId = options.clientId ?? 'fake-x-client-id';
    this.clientSecret = options.clientSecret ?? 'fake-x-client-secret';
    this.accessTokenLifetimeSeconds = this.initialAccessTokenLifetimeSeconds = options.accessTokenLifetimeSeconds ?? 7200;
    this.authorizationCodeLifetimeMs = (options.authorizationCodeLifetimeSeconds ?? 30) * 1000;
    this.rateLimitWindowMs = (options.rateLimitWindowSeconds ?? 15 * 60) * 1000;
    this.now = options.now ?? Date.now;
  }

  /** The URL to use as `TWITTER_AUTHORIZE_URL`. */
  get authorizeUrl(): string {
    return `${this.baseUrl}/i/oauth2/authorize`;
  }

  get refreshCalls(): number {
    return this.counters.refreshAttempts;
  }

  // ---- users and tweets -------------------------------------------------------------------------

  addUser(user: { id: string; username: string; name?: string }): FakeXUser {
    const record: FakeXUser = { id: user.id, username: user.username, name: user.name ?? user.username };
    this.users.set(user.id, record);
    return record;
  }

  getUser(userId: string): FakeXUser | undefined {
    return this.users.get(userId);
  }

  /** Adds tweets to a user's timeline; ids left out are snowflakes of `createdAt`. */
  seedTweets(userId: string, seeds: readonly FakeTweetSeed[]): FakeTweet[] {
    if (!this.users.has(userId)) {
      this.addUser({ id: userId, username: `user_${userId}` });
    }
    const timeline = this.tweetsByUser.get(userId) ?? [];
    const added = seeds.map((seed) => this.toTweet(userId, seed));
    timeline.push(...added);
    timeline.sort((a, b) => compareIdsDescending(a.id, b.id));
    this.tweetsByUser.set(userId, timeline);
    return added;
  }

  /** Seeds `count` generated tweets (some with PII); returns them oldest first. */
  seedGeneratedTweets(userId: string, count: number, options?: GenerateTweetsOptions): FakeTweet[] {
    return this.seedTweets(userId, generateFakeTweets(count, options));
  }

  /** The user's tweets, newest first. */
  tweetsOf(userId: string): FakeTweet[] {
    return [...(this.tweetsByUser.get(userId) ?? [])];
  }

  /** Deletes a tweet on "X", as its author would; returns whether it existed. */
  deleteTweet(id: string): boolean {
    for (const timeline of this.tweetsByUser.values()) {
      const index = timeline.findIndex((tweet) => tweet.id === id);
      if (index >= 0) {
        timeline.splice(index, 1);
        return true;
      }
    }
    return false;
  }

  // ---- OAuth controls ---------------------------------------------------------------------------

  /**
   * Stands in for the user approving the consent screen: returns a code bound to the PKCE
   * challenge and redirect URI, usable once within the code lifetime.
   */
  issueAuthorizationCode(input: IssueAuthorizationCodeInput): string {
    if (!this.users.has(input.userId)) {
      this.addUser({ id: input.userId, username: input.username, name: input.name });
    }
    const code = base64Url(Buffer.from(`${randomBase62(40)}:${this.now()}:1:ac:1`));
    this.codes.set(code, {
      userId: input.userId,
      codeChallenge: input.codeChallenge,
      codeChallengeMethod: input.codeChallengeMethod ?? 'S256',
      redirectUri: input.redirectUri,
      scopes: [...(input.scopes ?? DEFAULT_X_SCOPES)],
      expiresAt: this.now() + this.authorizationCodeLifetimeMs,
      used: false,
    });
    return code;
  }

  /** Tokens for a user without the code dance, for tests that start from a connected account. */
  issueTokens(input: IssueTokensInput): XTokenResponse {
    if (!this.users.has(input.userId)) {
      this.addUser({ id: input.userId, username: input.username ?? `user_${input.userId}`, name: input.name });
    }
    return this.newGrant(input.userId, [...(input.scopes ?? DEFAULT_X_SCOPES)]);
  }

  /**
   * What `GET /i/oauth2/authorize` does: approve as `user` (302 to the redirect URI with a code)
   * or deny (302 with `error=access_denied`). Unset, the endpoint answers 400.
   */
  setAuthorizationDecision(decision: { id: string; username: string; name?: string } | 'deny' | undefined): void {
    this.authorizationDecision =
      decision === undefined || decision === 'deny'
        ? decision
        : { id: decision.id, username: decision.username, name: decision.name ?? decision.username };
  }

  setAccessTokenLifetime(seconds: number): void {
    this.accessTokenLifetimeSeconds = seconds;
  }

  /** Makes an access token expired now, so the next API call with it gets 401. */
  expireAccessToken(accessToken: string): void {
    const record = this.accessTokens.get(accessToken);
    if (record !== undefined) {
      record.expiresAt = this.now() - 1;
    }
  }

  /** The next refresh_token grant answers `status` (X's bodies) instead of refreshing. */
  failNextRefresh(status: number, options: FailNextRefreshOptions = {}): void {
    this.refreshFailures.push({ status, consumeToken: options.consumeToken ?? false });
  }

  isAccessTokenValid(accessToken: string): boolean {
    const record = this.accessTokens.get(accessToken);
    return record !== undefined && !record.grant.revoked && record.expiresAt > this.now();
  }

  isRefreshTokenUsable(refreshToken: string): boolean {
    const record = this.refreshTokens.get(refreshToken);
    return record !== undefined && !record.grant.revoked && !record.used;
  }

  /** Whether every grant the user ever had is revoked (or they never had one). */
  isUserRevoked(userId: string): boolean {
    for (const record of this.accessTokens.values()) {
      if (record.grant.userId === userId && !record.grant.revoked) {
        return false;
      }
    }
    return true;
  }

  // ---- API controls -----------------------------------------------------------------------------

  /** Requests allowed per token per window for `endpoint` (defaults are X's: 75 or 900). */
  setRateLimit(endpoint: XApiEndpoint, limit: number): void {
    this.rateLimits[endpoint] = limit;
  }

  resetRateLimits(): void {
    this.rateWindows.clear();
    Object.assign(this.rateLimits, DEFAULT_RATE_LIMITS);
  }

  /**
   * The next `count` requests answer `status` in X's problem format, before authentication (as an
   * outage would). Without `route`, only the API endpoints fail, never the OAuth ones.
   */
  failNext(count: number, status: number, route?: XRoute): void {
    for (let i = 0; i < count; i++) {
      this.forcedFailures.push({ status, route });
    }
  }

  requestsTo(route: XRoute): FakeXRequestLogEntry[] {
    return this.requests.filter((entry) => entry.route === route);
  }

  /** Forgets users, tweets, tokens, counters, logs and controls; keeps the server running. */
  reset(): void {
    this.users.clear();
    this.tweetsByUser.clear();
    this.codes.clear();
    this.accessTokens.clear();
    this.refreshTokens.clear();
    this.rateWindows.clear();
    Object.assign(this.rateLimits, DEFAULT_RATE_LIMITS);
    this.forcedFailures.length = 0;
    this.refreshFailures.length = 0;
    this.requests.length = 0;
    this.revocations.length = 0;
    for (const key of Object.keys(this.counters) as (keyof FakeXCounters)[]) {
      this.counters[key] = 0;
    }
    this.failRevoke = false;
    this.revokeFailureStatus = 503;
    this.authorizationDecision = undefined;
    this.accessTokenLifetimeSeconds = this.initialAccessTokenLifetimeSeconds;
  }

  // ---- HTTP -------------------------------------------------------------------------------------

  protected handle(req: IncomingMessage, body: Buffer, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://fake.x');
    const method = (req.method ?? 'GET').toUpperCase();
    const route = matchRoute(method, url.pathname);
    const entry: FakeXRequestLogEntry = {
      method,
      path: url.pathname,
      route: route?.route ?? null,
      query: Object.fromEntries(url.searchParams),
      headers: redactedHeaders(req, []),
      status: 0,
      at: new Date(this.now()),
    };
    this.requests.push(entry);

    let status: number;
    let responseBody: unknown;
    let headers: HeaderMap = {};
    try {
      if (route === undefined) {
        throw new XHttpError(404, { errors: [{ message: 'Sorry, that page does not exist', code: 34 }] });
      }
      this.applyForcedFailure(route.route);
      const result = this.route(route, req, url, body, entry);
      if (result.redirect !== undefined) {
        entry.status = 302;
        res.writeHead(302, { location: result.redirect, 'content-length': 0 });
        res.end();
        return;
      }
      status = 200;
      responseBody = result.body;
      headers = result.headers ?? {};
    } catch (error) {
      if (!(error instanceof XHttpError)) {
        throw error;
      }
      status = error.status;
      responseBody = error.body;
      headers = error.headers;
    }
    entry.status = status;
    const isProblem = typeof responseBody === 'object' && responseBody !== null && 'type' in responseBody;
    sendJson(res, status, responseBody, headers, isProblem ? 'application/problem+json' : undefined);
  }

  private route(
    match: RouteMatch,
    req: IncomingMessage,
    url: URL,
    body: Buffer,
    entry: FakeXRequestLogEntry,
  ): { body?: unknown; headers?: HeaderMap; redirect?: string } {
    switch (match.route) {
      case 'POST /2/oauth2/token': {
        const form = this.readForm(req, body, entry);
        return { body: this.token(req, form) };
      }
      case 'POST /2/oauth2/revoke': {
        const form = this.readForm(req, body, entry);
        return { body: this.revoke(req, form) };
      }
      case 'GET /i/oauth2/authorize':
        return { redirect: this.authorize(url.searchParams) };
      case 'GET /2/users/me':
      case 'GET /2/users/:id/tweets':
      case 'GET /2/tweets': {
        const grant = this.authenticate(req);
        const headers = this.consumeRateLimit(match.route, req);
        try {
          return { body: this.api(match.route, match.userId ?? '', grant, url.searchParams), headers };
        } catch (error) {
          if (error instanceof XHttpError) {
            throw new XHttpError(error.status, error.body, { ...headers, ...error.headers });
          }
          throw error;
        }
      }
    }
  }

  private api(endpoint: XApiEndpoint, userId: string, grant: GrantRecord, query: URLSearchParams): unknown {
    switch (endpoint) {
      case 'GET /2/users/me': {
        checkParams(query, ME_PARAMS);
        const user = this.users.get(grant.userId);
        if (user === undefined) {
          throw new XHttpError(401, problem(401));
        }
        return { data: { id: user.id, name: user.name, username: user.username } };
      }
      case 'GET /2/users/:id/tweets':
        return this.timeline(userId, query);
      case 'GET /2/tweets':
        return this.lookup(query);
    }
  }

  private applyForcedFailure(route: XRoute): void {
    const index = this.forcedFailures.findIndex((failure) =>
      failure.route === undefined ? (X_API_ENDPOINTS as readonly string[]).includes(route) : failure.route === route,
    );
    if (index < 0) {
      return;
    }
    const [failure] = this.forcedFailures.splice(index, 1);
    const status = failure?.status ?? 503;
    throw new XHttpError(status, problem(status));
  }

  // ---- OAuth endpoints --------------------------------------------------------------------------

  private readForm(req: IncomingMessage, body: Buffer, entry: FakeXRequestLogEntry): URLSearchParams {
    const contentType = headerValue(req, 'content-type') ?? '';
    // X documents these endpoints as form-encoded; a JSON body is a client bug worth failing on.
    const form = contentType.startsWith('application/x-www-form-urlencoded')
      ? new URLSearchParams(body.toString('utf8'))
      : new URLSearchParams();
    entry.form = Object.fromEntries([...form].map(([key, value]) => [key, FORM_SECRETS.has(key) ? '<redacted>' : value]));
    return form;
  }

  private checkClientAuth(req: IncomingMessage): void {
    const header = headerValue(req, 'authorization') ?? '';
    const match = /^Basic\s+(.+)$/i.exec(header);
    if (match === null) {
      throw oauthError(401, 'unauthorized_client', 'Missing valid authorization header');
    }
    const decoded = Buffer.from(match[1] ?? '', 'base64').toString('utf8');
    const separator = decoded.indexOf(':');
    const id = separator < 0 ? decoded : safeDecode(decoded.slice(0, separator));
    const secret = separator < 0 ? '' : safeDecode(decoded.slice(separator + 1));
    if (!safeEqual(id, this.clientId) || !safeEqual(secret, this.clientSecret)) {
      throw oauthError(401, 'unauthorized_client', 'Missing valid authorization header');
    }
  }

  private token(req: IncomingMessage, form: URLSearchParams): XTokenResponse {
    this.counters.tokenRequests++;
    const grantType = form.get('grant_type');
    if (grantType === 'refresh_token') {
      this.counters.refreshAttempts++;
    }
    try {
      this.checkClientAuth(req);
      switch (grantType) {
        case 'authorization_code':
          return this.authorizationCodeGrant(form);
        case 'refresh_token':
          return this.refreshTokenGrant(form);
        case null:
          throw oauthError(400, 'invalid_request', 'Missing required parameter [grant_type].');
        default:
          throw oauthError(400, 'unsupported_grant_type', `Value passed for the grant type was invalid.`);
      }
    } catch (error) {
      if (grantType === 'refresh_token') {
        this.counters.refreshFailures++;
      }
      throw error;
    }
  }

  private authorizationCodeGrant(form: URLSearchParams): XTokenResponse {
    const code = form.get('code') ?? '';
    const record = this.codes.get(code);
    const invalid = oauthError(400, 'invalid_request', 'Value passed for the authorization code was invalid.');
    if (record === undefined || record.used || record.expiresAt <= this.now()) {
      throw invalid;
    }
    // A code is spent by any attempt, as X does, so a leaked code cannot be retried.
    record.used = true;
    if (form.get('redirect_uri') !== record.redirectUri) {
      throw invalid;
    }
    const verifier = form.get('code_verifier') ?? '';
    const computed =
      record.codeChallengeMethod === 'S256' ? base64Url(createHash('sha256').update(verifier).digest()) : verifier;
    if (verifier === '' || !safeEqual(computed, record.codeChallenge)) {
      throw oauthError(400, 'invalid_request', 'Value passed for the code verifier was invalid.');
    }
    this.counters.authorizationCodeGrants++;
    return this.newGrant(record.userId, record.scopes);
  }

  private refreshTokenGrant(form: URLSearchParams): XTokenResponse {
    const presented = form.get('refresh_token') ?? '';
    const record = this.refreshTokens.get(presented);
    const forced = this.refreshFailures.shift();
    if (forced !== undefined) {
      if (forced.consumeToken && record !== undefined) {
        record.used = true;
      }
      throw forced.status >= 500
        ? new XHttpError(forced.status, problem(forced.status))
        : forced.status === 401
          ? oauthError(401, 'unauthorized_client', 'Missing valid authorization header')
          : oauthError(forced.status, 'invalid_request', 'Value passed for the token was invalid.');
    }
    if (record === undefined || record.used || record.grant.revoked) {
      throw oauthError(400, 'invalid_request', 'Value passed for the token was invalid.');
    }
    record.used = true;
    const response = this.tokensFor(record.grant);
    this.counters.refreshSuccesses++;
    return response;
  }

  private revoke(req: IncomingMessage, form: URLSearchParams): { revoked: true } {
    this.counters.revokeCalls++;
    this.checkClientAuth(req);
    if (this.failRevoke) {
      throw new XHttpError(this.revokeFailureStatus, problem(this.revokeFailureStatus));
    }
    const token = form.get('token') ?? '';
    const grant = this.accessTokens.get(token)?.grant ?? this.refreshTokens.get(token)?.grant;
    // Revoking either token ends the whole grant, as removing the app's access on X does; unknown
    // tokens still answer `revoked: true` (RFC 7009).
    if (grant !== undefined) {
      grant.revoked = true;
    }
    this.revocations.push({
      tokenTypeHint: form.get('token_type_hint') ?? undefined,
      userId: grant?.userId,
      at: new Date(this.now()),
    });
    return { revoked: true };
  }

  private authorize(query: URLSearchParams): string {
    const redirectUri = query.get('redirect_uri');
    const badRequest = (reason: string): XHttpError =>
      new XHttpError(400, { error: 'invalid_request', error_description: reason });
    if (query.get('client_id') !== this.clientId) {
      throw badRequest('Unknown client_id.');
    }
    if (redirectUri === null || !/^https?:\/\//.test(redirectUri)) {
      throw badRequest('Missing or invalid redirect_uri.');
    }
    if (query.get('response_type') !== 'code') {
      throw badRequest('response_type must be code.');
    }
    const challenge = query.get('code_challenge');
    const method = (query.get('code_challenge_method') ?? '').toUpperCase();
    if (challenge === null || challenge === '' || (method !== 'S256' && method !== 'PLAIN')) {
      throw badRequest('PKCE code_challenge with code_challenge_method S256 or plain is required.');
    }
    const decision = this.authorizationDecision;
    if (decision === undefined) {
      throw badRequest('FakeXServer: call setAuthorizationDecision() before using the authorize endpoint.');
    }
    const target = new URL(redirectUri);
    const state = query.get('state');
    if (decision === 'deny') {
      target.searchParams.set('error', 'access_denied');
    } else {
      const code = this.issueAuthorizationCode({
        userId: decision.id,
        username: decision.username,
        name: decision.name,
        codeChallenge: challenge,
        codeChallengeMethod: method === 'S256' ? 'S256' : 'plain',
        redirectUri,
        scopes: (query.get('scope') ?? '').split(' ').filter((scope) => scope !== ''),
      });
      target.searchParams.set('code', code);
    }
    if (state !== null) {
      target.searchParams.set('state', state);
    }
    return target.toString();
  }

  private newGrant(userId: string, scopes: string[]): XTokenResponse {
    const grant: GrantRecord = { id: ++this.grantSequence, userId, scopes, revoked: false };
    return this.tokensFor(grant);
  }

  private tokensFor(grant: GrantRecord): XTokenResponse {
    // Shaped like X's tokens (base64 of "<random>:<ms>:1:0:at:1"), so redaction sees realistic values.
    const accessToken = base64Url(Buffer.from(`${randomBase62(43)}:${this.now()}:1:0:at:1`));
    this.accessTokens.set(accessToken, { grant, expiresAt: this.now() + this.accessTokenLifetimeSeconds * 1000 });
    const response: XTokenResponse = {
      token_type: 'bearer',
      expires_in: this.accessTokenLifetimeSeconds,
      access_token: accessToken,
      scope: grant.scopes.join(' '),
    };
    if (grant.scopes.includes('offline.access')) {
      const refreshToken = base64Url(Buffer.from(`${randomBase62(43)}:${this.now()}:1:0:rt:1`));
      this.refreshTokens.set(refreshToken, { grant, used: false });
      response.refresh_token = refreshToken;
    }
    return response;
  }

  // ---- API endpoints ----------------------------------------------------------------------------

  private authenticate(req: IncomingMessage): GrantRecord {
    const header = headerValue(req, 'authorization') ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header);
    const record = match === null ? undefined : this.accessTokens.get(match[1] ?? '');
    if (record === undefined || record.grant.revoked || record.expiresAt <= this.now()) {
      throw new XHttpError(401, problem(401));
    }
    if (!REQUIRED_API_SCOPES.every((scope) => record.grant.scopes.includes(scope))) {
      throw new XHttpError(403, {
        title: 'Unsupported Authentication',
        detail: 'Your client app is not configured with the appropriate oauth1 app permissions for this endpoint.',
        type: 'https://api.twitter.com/2/problems/unsupported-authentication',
        status: 403,
      });
    }
    return record.grant;
  }

  private consumeRateLimit(endpoint: XApiEndpoint, req: IncomingMessage): HeaderMap {
    const key = `${endpoint} ${headerValue(req, 'authorization') ?? ''}`;
    const now = this.now();
    let window = this.rateWindows.get(key);
    if (window === undefined || window.startedAt + this.rateLimitWindowMs <= now) {
      window = { startedAt: now, used: 0 };
      this.rateWindows.set(key, window);
    }
    const limit = this.rateLimits[endpoint];
    const reset = Math.ceil((window.startedAt + this.rateLimitWindowMs) / 1000);
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

  private timeline(userId: string, query: URLSearchParams): unknown {
    checkParams(query, TIMELINE_PARAMS);
    if (!isNumericId(userId)) {
      throw invalidRequest(`The \`id\` query parameter value [${userId}] does not match ^[0-9]{1,19}$`, 'id', userId);
    }
    if (!this.users.has(userId)) {
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

    const matching = (this.tweetsByUser.get(userId) ?? []).filter((tweet) => {
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

  private lookup(query: URLSearchParams): unknown {
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
    for (const timeline of this.tweetsByUser.values()) {
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

  private toTweet(userId: string, seed: FakeTweetSeed): FakeTweet {
    if (seed.id !== undefined && !isNumericId(seed.id)) {
      throw new Error(`FakeXServer: tweet id must be a numeric string, got ${seed.id}`);
    }
    const createdAt =
      seed.createdAt === undefined
        ? new Date(this.now())
        : seed.createdAt instanceof Date
          ? seed.createdAt
          : new Date(seed.createdAt);
    return {
      id: seed.id ?? snowflakeFor(createdAt, ++this.snowflakeSequence),
      authorId: userId,
      text: seed.text,
      createdAt,
      lang: seed.lang ?? 'en',
      publicMetrics: {
        retweet_count: 0,
        reply_count: 0,
        like_count: 0,
        quote_count: 0,
        bookmark_count: 0,
        impression_count: 0,
        ...seed.publicMetrics,
      },
      pii: seed.pii ?? [],
    };
  }
}

interface RouteMatch {
  route: XRoute;
  userId?: string;
}

function matchRoute(method: string, path: string): RouteMatch | undefined {
  const normalized = path.replace(/\/+$/, '');
  if (method === 'POST' && normalized === '/2/oauth2/token') return { route: 'POST /2/oauth2/token' };
  if (method === 'POST' && normalized === '/2/oauth2/revoke') return { route: 'POST /2/oauth2/revoke' };
  if (method === 'GET' && normalized === '/i/oauth2/authorize') return { route: 'GET /i/oauth2/authorize' };
  if (method === 'GET' && normalized === '/2/users/me') return { route: 'GET /2/users/me' };
  if (method === 'GET' && normalized === '/2/tweets') return { route: 'GET /2/tweets' };
  const timeline = /^\/2\/users\/([^/]+)\/tweets$/.exec(normalized);
  if (method === 'GET' && timeline !== null) {
    return { route: 'GET /2/users/:id/tweets', userId: decodeURIComponent(timeline[1] ?? '') };
  }
  return undefined;
}

function rateLimitHeaders(limit: number, remaining: number, reset: number): HeaderMap {
  return {
    'x-rate-limit-limit': String(limit),
    'x-rate-limit-remaining': String(remaining),
    'x-rate-limit-reset': String(reset),
  };
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

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
