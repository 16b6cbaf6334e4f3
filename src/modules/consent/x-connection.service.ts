// Connecting and disconnecting a person's X account: the OAuth 2.0 authorization-code flow with
// PKCE (start, callback) and revocation, each recorded as a consent decision and audited.
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable, Logger } from '@nestjs/common';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { AuditService } from '../../core/audit/audit.service';
import { Clock } from '../../core/clock/clock';
import { maskUserIdForLog } from '../../core/logging/mask-user-id';
import { OAUTH_STATE_TTL_MS, PRIVACY_NOTICE_VERSION, PRIVACY_SETTINGS_PATH, X_PROVIDER } from './consent.constants';
import { ConsentCallbackError, TwitterNotConfiguredException } from './consent.exception';
import { ConsentRepository } from './consent.repository';
import { AuthorizeUrlDto } from './dto/authorize-url.dto';
import { ConsentAction } from './entities/consent-record.entity';
import { OAuthStateStore, sha256 } from './oauth-state.store';
import { TokenVaultService } from './token-vault.service';
import { XOAuthClient } from './x-oauth.client';

const AUDIT_CATEGORY = 'consent';

export interface CallbackParams {
  state?: string;
  code?: string;
  error?: string;
  /** The nonce from the browser's OAUTH_BROWSER_COOKIE, if it sent one. */
  browserNonce?: string;
}

export interface AuthorizationStart extends AuthorizeUrlDto {
  /** Set as an HttpOnly cookie on the starting browser; only its hash is stored. */
  browserNonce: string;
}

@Injectable()
export class XConnectionService {
  private readonly logger = new Logger('XConnection');

  constructor(
    private readonly em: EntityManager,
    private readonly repository: ConsentRepository,
    private readonly vault: TokenVaultService,
    private readonly x: XOAuthClient,
    private readonly states: OAuthStateStore,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /**
   * The consent-screen URL; its state and PKCE verifier stay on the server, bound to the user and
   * to the browser (the nonce the controller puts in a cookie).
   */
  async startAuthorization(userId: string): Promise<AuthorizationStart> {
    if (!this.x.isConfigured()) throw new TwitterNotConfiguredException();
    const link = this.x.createAuthorizationLink();
    const browserNonce = randomBytes(32).toString('base64url');
    await this.states.save(
      link.state,
      { userId, codeVerifier: link.codeVerifier, browserNonceHash: sha256(browserNonce), createdAt: this.clock.nowMs() },
      OAUTH_STATE_TTL_MS,
    );
    return { authorizeUrl: link.url, browserNonce };
  }

  /**
   * Handles X's redirect back. Returns where to send the browser: the privacy page with
   * `connected=x`, or with `error=<code>`; nothing secret is ever put in that URL.
   */
  async completeAuthorization({ state, code, error, browserNonce }: CallbackParams): Promise<string> {
    const pending = state ? await this.states.take(state) : undefined;
    if (!pending || pending.createdAt + OAUTH_STATE_TTL_MS <= this.clock.nowMs()) {
      return this.refuse(ConsentCallbackError.STATE_INVALID, undefined);
    }
    const { userId, codeVerifier } = pending;
    // Before anything else, and the state is spent: a link finished in another browser than the
    // one that started it exchanges no code and stores nothing.
    if (!browserNonce || !sameHash(sha256(browserNonce), pending.browserNonceHash)) {
      return this.refuse(ConsentCallbackError.BROWSER_MISMATCH, userId);
    }
    if (error) {
      return this.refuse(error === 'access_denied' ? ConsentCallbackError.ACCESS_DENIED : ConsentCallbackError.AUTHORIZATION_FAILED, userId);
    }
    if (!code) return this.refuse(ConsentCallbackError.AUTHORIZATION_FAILED, userId);
    if (!this.x.isConfigured()) return this.refuse(ConsentCallbackError.TWITTER_NOT_CONFIGURED, userId);

    let granted: Awaited<ReturnType<XOAuthClient['exchangeCode']>>;
    try {
      granted = await this.x.exchangeCode(code, codeVerifier);
    } catch (exchangeError) {
      return this.refuse(ConsentCallbackError.TOKEN_EXCHANGE_FAILED, userId, exchangeError);
    }

    const now = this.clock.now();
    const stored = await this.em.fork().transactional(async (em) => {
      // One X account belongs to one account at a time; the lock makes two connections at once
      // of the same X account decide one after the other.
      if (await this.repository.isXAccountConnectedElsewhere(em, granted.providerUserId, userId)) return false;
      await this.repository.upsertToken(em, {
        userId,
        providerUserId: granted.providerUserId,
        ...this.vault.seal(userId, granted),
        scopes: granted.scopes,
        accessTokenExpiresAt: new Date(now.getTime() + granted.expiresIn * 1000),
        grantedAt: now,
      });
      this.repository.addConsentRecord(em, {
        userId,
        action: ConsentAction.GRANTED,
        scopes: granted.scopes,
        privacyNoticeVersion: PRIVACY_NOTICE_VERSION,
        recordedAt: now,
      });
      return true;
    });
    // The tokens X just issued are dropped, not revoked: where revoking ends the whole grant, that
    // would also end the other account's connection.
    if (!stored) return this.refuse(ConsentCallbackError.X_ACCOUNT_IN_USE, userId);
    await this.audit.audit(userId, 'consent.granted', AUDIT_CATEGORY, {
      provider: X_PROVIDER,
      scopes: granted.scopes,
      privacyNoticeVersion: PRIVACY_NOTICE_VERSION,
    });
    return `${PRIVACY_SETTINGS_PATH}?connected=${X_PROVIDER}`;
  }

  /**
   * Revokes the tokens at X (a failure there is recorded, not fatal), wipes them here and records
   * the withdrawal. Calling it again, or without a connection, changes nothing.
   */
  async disconnect(userId: string): Promise<void> {
    const outcome = await this.repository.withLockedToken(userId, async (em, token) => {
      if (!token || token.revokedAt) return undefined;
      // Revoked while holding the row lock, so no refresh can swap the tokens in between.
      const xRevocation = await this.revokeAtX(token.userId, () => this.vault.unseal(token));
      const now = this.clock.now();
      Object.assign(token, { revokedAt: now, accessTokenCiphertext: '', refreshTokenCiphertext: null, keyId: '' });
      this.repository.addConsentRecord(em, {
        userId,
        action: ConsentAction.WITHDRAWN,
        scopes: token.scopes,
        privacyNoticeVersion: PRIVACY_NOTICE_VERSION,
        recordedAt: now,
      });
      return xRevocation;
    });
    if (!outcome) return;
    await this.audit.audit(userId, 'consent.withdrawn', AUDIT_CATEGORY, { provider: X_PROVIDER, ...outcome });
  }

  private async revokeAtX(
    userId: string,
    unseal: () => { accessToken: string | undefined; refreshToken: string | undefined },
  ): Promise<{ xRevocation: 'revoked' | 'failed'; reason?: string }> {
    try {
      const { accessToken, refreshToken } = unseal();
      if (refreshToken) await this.x.revoke(refreshToken, 'refresh_token');
      if (accessToken) await this.x.revoke(accessToken, 'access_token');
      return { xRevocation: 'revoked' };
    } catch (error) {
      const reason = error instanceof Error ? error.message : 'unknown error';
      this.logger.warn({ msg: 'X token revocation failed; tokens are wiped here anyway', userId: maskUserIdForLog(userId), reason });
      return { xRevocation: 'failed', reason };
    }
  }

  private async refuse(code: ConsentCallbackError, userId: string | undefined, cause?: unknown): Promise<string> {
    const reason = cause instanceof Error ? cause.message : undefined;
    this.logger.warn({ msg: 'X authorization refused', code, userId: userId ? maskUserIdForLog(userId) : undefined, reason });
    if (userId) await this.audit.audit(userId, 'consent.connect_failed', AUDIT_CATEGORY, { provider: X_PROVIDER, code, reason });
    return `${PRIVACY_SETTINGS_PATH}?error=${code}`;
  }
}

function sameHash(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}
