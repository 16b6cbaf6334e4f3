// A local X (Twitter) API v2 that speaks X's wire formats (OAuth 2.0 with PKCE, users/me, user
// timelines, tweet lookup, x-rate-limit-* headers, problem-format errors), so the real
// twitter-api-v2 client can be exercised in tests. This file is the server and the controls tests
// use; the OAuth side is in fake-x-oauth.ts, the API endpoints in fake-x-api.ts.
import { IncomingMessage, ServerResponse } from 'node:http';
import { compareIdsDescending, FakeTweet, FakeTweetSeed, generateFakeTweets, GenerateTweetsOptions, snowflakeFor } from './fake-tweets';
import { FakeHttpServer, HeaderMap, headerValue, redactedHeaders, sendJson } from './fake-http';
import { FakeXRateLimits, FakeXStore, FakeXUser, tweetLookup, userTimeline, usersMe, XApiEndpoint, X_API_ENDPOINTS } from './fake-x-api';
import { isNumericId, problem, XHttpError } from './fake-x-errors';
import {
  FailNextRefreshOptions,
  FakeXCounters,
  FakeXOAuth,
  FakeXRevocation,
  IssueAuthorizationCodeInput,
  IssueTokensInput,
  XTokenResponse,
} from './fake-x-oauth';

export type XOAuthRoute = 'POST /2/oauth2/token' | 'POST /2/oauth2/revoke' | 'GET /i/oauth2/authorize';
export type XRoute = XApiEndpoint | XOAuthRoute;

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

interface ForcedFailure {
  status: number;
  route: XRoute | undefined;
}

interface HeldRequest {
  route: XRoute;
  arrived: () => void;
  released: Promise<void>;
  release: () => void;
}

/** Form parameters the request log never shows. */
const FORM_SECRETS = new Set(['code', 'code_verifier', 'refresh_token', 'token', 'client_secret']);

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
  private readonly users = new Map<string, FakeXUser>();
  /** Each user's timeline, newest first. */
  private readonly tweetsByUser = new Map<string, FakeTweet[]>();
  /** What the API endpoints read. */
  private readonly store: FakeXStore = { users: this.users, tweetsByUser: this.tweetsByUser };
  private readonly now: () => number;
  private readonly oauth: FakeXOAuth;
  private readonly rateLimits: FakeXRateLimits;
  private readonly forcedFailures: ForcedFailure[] = [];
  private readonly holds: HeldRequest[] = [];
  private snowflakeSequence = 0;

  constructor(options: FakeXServerOptions = {}) {
    super();
    this.clientId = options.clientId ?? 'fake-x-client-id';
    this.clientSecret = options.clientSecret ?? 'fake-x-client-secret';
    this.now = options.now ?? Date.now;
    this.oauth = new FakeXOAuth({
      clientId: this.clientId,
      clientSecret: this.clientSecret,
      accessTokenLifetimeSeconds: options.accessTokenLifetimeSeconds ?? 7200,
      authorizationCodeLifetimeMs: (options.authorizationCodeLifetimeSeconds ?? 30) * 1000,
      now: this.now,
      ensureUser: (user) => {
        if (!this.users.has(user.id)) this.addUser(user);
      },
    });
    this.rateLimits = new FakeXRateLimits((options.rateLimitWindowSeconds ?? 15 * 60) * 1000, this.now);
  }

  /** The URL to use as `TWITTER_AUTHORIZE_URL`. */
  get authorizeUrl(): string {
    return `${this.baseUrl}/i/oauth2/authorize`;
  }

  get counters(): FakeXCounters {
    return this.oauth.counters;
  }

  get refreshCalls(): number {
    return this.oauth.counters.refreshAttempts;
  }

  get revocations(): readonly FakeXRevocation[] {
    return this.oauth.revocations;
  }

  /** When true, `POST /2/oauth2/revoke` answers `revokeFailureStatus` and revokes nothing. */
  get failRevoke(): boolean {
    return this.oauth.failRevoke;
  }

  set failRevoke(fail: boolean) {
    this.oauth.failRevoke = fail;
  }

  get revokeFailureStatus(): number {
    return this.oauth.revokeFailureStatus;
  }

  set revokeFailureStatus(status: number) {
    this.oauth.revokeFailureStatus = status;
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

  // ---- OAuth controls: FakeXOAuth's, described there ---------------------------------------------

  issueAuthorizationCode(input: IssueAuthorizationCodeInput): string {
    return this.oauth.issueAuthorizationCode(input);
  }

  issueTokens(input: IssueTokensInput): XTokenResponse {
    return this.oauth.issueTokens(input);
  }

  setAuthorizationDecision(decision: { id: string; username: string; name?: string } | 'deny' | undefined): void {
    this.oauth.setAuthorizationDecision(decision);
  }

  setAccessTokenLifetime(seconds: number): void {
    this.oauth.setAccessTokenLifetime(seconds);
  }

  expireAccessToken(accessToken: string): void {
    this.oauth.expireAccessToken(accessToken);
  }

  failNextRefresh(status: number, options: FailNextRefreshOptions = {}): void {
    this.oauth.failNextRefresh(status, options);
  }

  isAccessTokenValid(accessToken: string): boolean {
    return this.oauth.isAccessTokenValid(accessToken);
  }

  isRefreshTokenUsable(refreshToken: string): boolean {
    return this.oauth.isRefreshTokenUsable(refreshToken);
  }

  isUserRevoked(userId: string): boolean {
    return this.oauth.isUserRevoked(userId);
  }

  // ---- API controls -----------------------------------------------------------------------------

  /** Requests allowed per token per window for `endpoint` (defaults are X's: 75 or 900). */
  setRateLimit(endpoint: XApiEndpoint, limit: number): void {
    this.rateLimits.set(endpoint, limit);
  }

  resetRateLimits(): void {
    this.rateLimits.reset();
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

  /**
   * The answer to the next request to `route` is sent only once `release()` is called; `arrived`
   * resolves when X has answered it (tokens checked, the page read). For doing something while
   * the client waits for an answer X has already given.
   */
  holdNext(route: XRoute): { arrived: Promise<void>; release: () => void } {
    let arrived!: () => void;
    let release!: () => void;
    const arrival = new Promise<void>((resolve) => (arrived = resolve));
    const released = new Promise<void>((resolve) => (release = resolve));
    this.holds.push({ route, arrived, released, release });
    return { arrived: arrival, release };
  }

  /** Forgets users, tweets, tokens, counters, logs and controls; keeps the server running. */
  reset(): void {
    for (const hold of this.holds.splice(0)) hold.release();
    this.users.clear();
    this.tweetsByUser.clear();
    this.oauth.reset();
    this.rateLimits.reset();
    this.forcedFailures.length = 0;
    this.requests.length = 0;
  }

  // ---- HTTP -------------------------------------------------------------------------------------

  protected async handle(req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> {
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
    await this.heldUntilReleased(route?.route);
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
      case 'POST /2/oauth2/token':
        return { body: this.oauth.token(req, this.readForm(req, body, entry)) };
      case 'POST /2/oauth2/revoke':
        return { body: this.oauth.revoke(req, this.readForm(req, body, entry)) };
      case 'GET /i/oauth2/authorize':
        return { redirect: this.oauth.authorize(url.searchParams) };
      case 'GET /2/users/me':
      case 'GET /2/users/:id/tweets':
      case 'GET /2/tweets': {
        const grant = this.oauth.authenticate(req);
        const headers = this.rateLimits.consume(match.route, headerValue(req, 'authorization') ?? '');
        try {
          return { body: this.api(match.route, match.userId ?? '', grant.userId, url.searchParams), headers };
        } catch (error) {
          if (error instanceof XHttpError) {
            throw new XHttpError(error.status, error.body, { ...headers, ...error.headers });
          }
          throw error;
        }
      }
    }
  }

  private api(endpoint: XApiEndpoint, userId: string, grantUserId: string, query: URLSearchParams): unknown {
    switch (endpoint) {
      case 'GET /2/users/me':
        return usersMe(this.store, grantUserId, query);
      case 'GET /2/users/:id/tweets':
        return userTimeline(this.store, userId, query);
      case 'GET /2/tweets':
        return tweetLookup(this.store, query);
    }
  }

  private async heldUntilReleased(route: XRoute | undefined): Promise<void> {
    const index = this.holds.findIndex((hold) => hold.route === route);
    if (index < 0) return;
    const [hold] = this.holds.splice(index, 1);
    hold.arrived();
    await hold.released;
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

  private readForm(req: IncomingMessage, body: Buffer, entry: FakeXRequestLogEntry): URLSearchParams {
    const contentType = headerValue(req, 'content-type') ?? '';
    // X documents these endpoints as form-encoded; a JSON body is a client bug worth failing on.
    const form = contentType.startsWith('application/x-www-form-urlencoded')
      ? new URLSearchParams(body.toString('utf8'))
      : new URLSearchParams();
    entry.form = Object.fromEntries([...form].map(([key, value]) => [key, FORM_SECRETS.has(key) ? '<redacted>' : value]));
    return form;
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
