// The X OAuth 2.0 calls the Consent module makes (authorize link, code exchange, refresh, revoke,
// users/me), through twitter-api-v2 pointed at TWITTER_API_BASE_URL.
import { Inject, Injectable } from '@nestjs/common';
import { ApiResponseError, TwitterApi } from 'twitter-api-v2';
import { APP_CONFIG, AppConfig } from '../../core/config/app-config';
import { createTwitterClient, withAuthorizeUrl } from '../../core/providers/twitter-client.factory';
import { X_SCOPES } from './consent.constants';
import { TwitterNotConfiguredException } from './consent.exception';

const X_TIMEOUT_MS = 15_000;

export interface XTokenSet {
  accessToken: string;
  refreshToken: string | undefined;
  /** Seconds, as X sends `expires_in`. */
  expiresIn: number;
  scopes: string[];
}

export interface XAuthorizationLink {
  url: string;
  state: string;
  codeVerifier: string;
}

/** An X OAuth call that failed; `status` is X's HTTP status when it answered. */
export class XOAuthError extends Error {
  constructor(
    message: string,
    readonly status: number | undefined,
  ) {
    super(message);
    this.name = 'XOAuthError';
  }

  /** A short description safe for logs and error bodies (X's error code, never a token). */
  static from(operation: string, error: unknown): XOAuthError {
    if (error instanceof ApiResponseError) {
      const data = error.data as { error?: unknown; title?: unknown } | undefined;
      const reason = typeof data?.error === 'string' ? data.error : typeof data?.title === 'string' ? data.title : 'error';
      return new XOAuthError(`${operation}: X answered ${error.code} ${reason}`, error.code);
    }
    const code = (error as { code?: unknown } | null)?.code;
    return new XOAuthError(`${operation}: X could not be reached${typeof code === 'string' ? ` (${code})` : ''}`, undefined);
  }
}

@Injectable()
export class XOAuthClient {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  isConfigured(): boolean {
    return Boolean(this.config.twitter.clientId);
  }

  /** An S256 PKCE authorize link on TWITTER_AUTHORIZE_URL, with the scopes the app needs. */
  createAuthorizationLink(): XAuthorizationLink {
    const link = this.appClient().generateOAuth2AuthLink(this.config.twitter.redirectUri, { scope: [...X_SCOPES] });
    return {
      url: withAuthorizeUrl(link.url, this.config.twitter.authorizeUrl),
      state: link.state,
      codeVerifier: link.codeVerifier,
    };
  }

  /** Exchanges an authorization code and reads the account it belongs to. */
  async exchangeCode(code: string, codeVerifier: string): Promise<XTokenSet & { providerUserId: string }> {
    let login: Awaited<ReturnType<TwitterApi['loginWithOAuth2']>>;
    try {
      login = await this.appClient().loginWithOAuth2({ code, codeVerifier, redirectUri: this.config.twitter.redirectUri });
    } catch (error) {
      throw XOAuthError.from('code exchange', error);
    }
    try {
      const me = await login.client.v2.me();
      return { ...toTokenSet(login), providerUserId: me.data.id };
    } catch (error) {
      throw XOAuthError.from('users/me', error);
    }
  }

  /** Uses (and so spends: X refresh tokens are single-use) a refresh token. */
  async refresh(refreshToken: string): Promise<XTokenSet> {
    try {
      return toTokenSet(await this.appClient().refreshOAuth2Token(refreshToken));
    } catch (error) {
      throw XOAuthError.from('token refresh', error);
    }
  }

  async revoke(token: string, kind: 'access_token' | 'refresh_token'): Promise<void> {
    try {
      await this.appClient().revokeOAuth2Token(token, kind);
    } catch (error) {
      throw XOAuthError.from('revoke', error);
    }
  }

  private appClient(): TwitterApi {
    const { clientId, clientSecret, apiBaseUrl } = this.config.twitter;
    if (!clientId) throw new TwitterNotConfiguredException();
    return createTwitterClient({ clientId, clientSecret, baseUrl: apiBaseUrl, timeoutMs: X_TIMEOUT_MS });
  }
}

function toTokenSet(result: { accessToken: string; refreshToken?: string; expiresIn: number; scope: string[] }): XTokenSet {
  return { accessToken: result.accessToken, refreshToken: result.refreshToken, expiresIn: result.expiresIn, scopes: result.scope };
}
