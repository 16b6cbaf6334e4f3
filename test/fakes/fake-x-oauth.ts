// The OAuth 2.0 side of the fake X server: authorization codes bound to a PKCE challenge, access
// and refresh tokens (single-use refresh tokens, as X's), revocation, and the bearer check the API
// endpoints run. It holds the token state tests assert on.
import { createHash, timingSafeEqual } from 'node:crypto';
import { IncomingMessage } from 'node:http';
import { headerValue, randomBase62 } from './fake-http';
import { FakeXUser } from './fake-x-api';
import { base64Url, oauthError, problem, XHttpError } from './fake-x-errors';

export const DEFAULT_X_SCOPES: readonly string[] = ['tweet.read', 'users.read', 'offline.access'];

/** Scopes every API endpoint here needs; a token without them gets X's 403. */
const REQUIRED_API_SCOPES = ['tweet.read', 'users.read'];

export interface FakeXOAuthOptions {
  clientId: string;
  clientSecret: string;
  accessTokenLifetimeSeconds: number;
  authorizationCodeLifetimeMs: number;
  now: () => number;
  /** Adds the user to the server's users unless it knows them already. */
  ensureUser: (user: { id: string; username: string; name?: string }) => void;
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

/** One authorization of the app by a user: every token issued from it ends with it. */
export interface GrantRecord {
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

export class FakeXOAuth {
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

  private readonly clientId: string;
  private readonly clientSecret: string;
  private readonly now: () => number;
  private readonly ensureUser: FakeXOAuthOptions['ensureUser'];
  private readonly authorizationCodeLifetimeMs: number;
  private readonly initialAccessTokenLifetimeSeconds: number;
  private accessTokenLifetimeSeconds: number;
  private readonly codes = new Map<string, AuthorizationCodeRecord>();
  private readonly accessTokens = new Map<string, AccessTokenRecord>();
  private readonly refreshTokens = new Map<string, RefreshTokenRecord>();
  private readonly refreshFailures: { status: number; consumeToken: boolean }[] = [];
  private authorizationDecision: FakeXUser | 'deny' | undefined;
  private grantSequence = 0;

  constructor(options: FakeXOAuthOptions) {
    this.clientId = options.clientId;
    this.clientSecret = options.clientSecret;
    this.now = options.now;
    this.ensureUser = options.ensureUser;
    this.authorizationCodeLifetimeMs = options.authorizationCodeLifetimeMs;
    this.accessTokenLifetimeSeconds = this.initialAccessTokenLifetimeSeconds = options.accessTokenLifetimeSeconds;
  }

  /** Forgets codes, tokens, counters, revocations and controls. */
  reset(): void {
    this.codes.clear();
    this.accessTokens.clear();
    this.refreshTokens.clear();
    this.refreshFailures.length = 0;
    this.revocations.length = 0;
    for (const key of Object.keys(this.counters) as (keyof FakeXCounters)[]) {
      this.counters[key] = 0;
    }
    this.failRevoke = false;
    this.revokeFailureStatus = 503;
    this.authorizationDecision = undefined;
    this.accessTokenLifetimeSeconds = this.initialAccessTokenLifetimeSeconds;
  }

  // ---- controls ---------------------------------------------------------------------------------

  /**
   * Stands in for the user approving the consent screen: returns a code bound to the PKCE
   * challenge and redirect URI, usable once within the code lifetime.
   */
  issueAuthorizationCode(input: IssueAuthorizationCodeInput): string {
    this.ensureUser({ id: input.userId, username: input.username, name: input.name });
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
    this.ensureUser({ id: input.userId, username: input.username ?? `user_${input.userId}`, name: input.name });
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

  // ---- endpoints --------------------------------------------------------------------------------

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

  token(req: IncomingMessage, form: URLSearchParams): XTokenResponse {
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

  revoke(req: IncomingMessage, form: URLSearchParams): { revoked: true } {
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

  authorize(query: URLSearchParams): string {
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

  authenticate(req: IncomingMessage): GrantRecord {
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
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
