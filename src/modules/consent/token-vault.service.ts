// The only way to a user's X access token: decrypts it, refreshes it when it is about to expire,
// and stores the new pair atomically. X refresh tokens are single-use, so refreshes of one user's
// token are serialised: in process by sharing one in-flight promise per user, across instances
// by the row lock taken in ConsentRepository.withLockedToken.
import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../../core/clock/clock';
import { TokenCipher } from '../../core/crypto/token-cipher';
import { maskUserIdForLog } from '../../core/logging/mask-user-id';
import { ComplianceEventsService } from '../monitoring/compliance-events.service';
import { ComplianceEventKind } from '../monitoring/entities/compliance-event.entity';
import { ACCESS_TOKEN_REFRESH_MARGIN_MS, consentExpiresAt } from './consent.constants';
import { ConsentExpiredException, ConsentRequiredException, TokenRefreshFailedException } from './consent.exception';
import { ConsentRepository } from './consent.repository';
import { OAuthToken } from './entities/oauth-token.entity';
import { XOAuthClient, XOAuthError, XTokenSet } from './x-oauth.client';

export interface XAccessToken {
  accessToken: string;
  /** The person's X account id (for timeline calls). */
  providerUserId: string;
  expiresAt: Date;
  scopes: string[];
}

export interface SealedTokens {
  accessTokenCiphertext: string;
  refreshTokenCiphertext: string | null;
  keyId: string;
}

/** The authenticated context of each ciphertext: a value moved to another row or field will not open. */
export function tokenContext(userId: string, field: 'access' | 'refresh'): string {
  return `oauth_tokens:${userId}:${field}`;
}

@Injectable()
export class TokenVaultService {
  private readonly logger = new Logger('TokenVault');
  private readonly refreshing = new Map<string, Promise<XAccessToken>>();

  constructor(
    private readonly repository: ConsentRepository,
    private readonly cipher: TokenCipher,
    private readonly x: XOAuthClient,
    private readonly complianceEvents: ComplianceEventsService,
    private readonly clock: Clock,
  ) {}

  /**
   * A usable access token for the user. Refuses (403) when there is no connection, it was revoked
   * or consent expired; raises TOKEN_REFRESH_FAILED (502) when X would not refresh it.
   */
  async getAccessToken(userId: string): Promise<XAccessToken> {
    const token = this.usable(await this.repository.findToken(userId));
    if (!this.isExpiring(token)) return this.open(token);
    let inFlight = this.refreshing.get(userId);
    if (!inFlight) {
      inFlight = this.refresh(userId).finally(() => this.refreshing.delete(userId));
      this.refreshing.set(userId, inFlight);
    }
    return inFlight;
  }

  seal(userId: string, tokens: Pick<XTokenSet, 'accessToken' | 'refreshToken'>): SealedTokens {
    return {
      accessTokenCiphertext: this.cipher.encrypt(tokens.accessToken, tokenContext(userId, 'access')),
      refreshTokenCiphertext: tokens.refreshToken
        ? this.cipher.encrypt(tokens.refreshToken, tokenContext(userId, 'refresh'))
        : null,
      keyId: this.cipher.currentKeyId,
    };
  }

  /** Both plaintexts of a stored row (for revocation at X). */
  unseal(token: OAuthToken): { accessToken: string | undefined; refreshToken: string | undefined } {
    return {
      accessToken: token.accessTokenCiphertext
        ? this.cipher.decrypt(token.accessTokenCiphertext, tokenContext(token.userId, 'access'))
        : undefined,
      refreshToken: token.refreshTokenCiphertext
        ? this.cipher.decrypt(token.refreshTokenCiphertext, tokenContext(token.userId, 'refresh'))
        : undefined,
    };
  }

  private async refresh(userId: string): Promise<XAccessToken> {
    try {
      return await this.repository.withLockedToken(userId, async (_em, locked) => {
        const token = this.usable(locked);
        // Another instance may have refreshed while this one waited for the lock: use its result.
        if (!this.isExpiring(token)) return this.open(token);
        const { refreshToken } = this.unseal(token);
        if (!refreshToken) throw new XOAuthError('token refresh: no refresh token is stored (offline.access not granted)', undefined);
        const fresh = await this.x.refresh(refreshToken);
        const now = this.clock.now();
        // Flushed with the commit that releases the lock: the spent refresh token is never kept.
        Object.assign(token, this.seal(userId, fresh), {
          accessTokenExpiresAt: new Date(now.getTime() + fresh.expiresIn * 1000),
          refreshedAt: now,
          scopes: fresh.scopes.length > 0 ? fresh.scopes : token.scopes,
        });
        return { accessToken: fresh.accessToken, providerUserId: token.providerUserId, expiresAt: token.accessTokenExpiresAt, scopes: token.scopes };
      });
    } catch (error) {
      if (!(error instanceof XOAuthError)) throw error;
      // Recorded after the rollback, outside the transaction (Monitoring counts these).
      await this.complianceEvents.record(ComplianceEventKind.TOKEN_REFRESH_FAILED, userId, {
        provider: 'x',
        status: error.status ?? null,
        reason: error.message,
      });
      this.logger.warn({ msg: 'X token refresh failed', userId: maskUserIdForLog(userId), reason: error.message });
      throw new TokenRefreshFailedException(error.message);
    }
  }

  private usable(token: OAuthToken | null): OAuthToken {
    if (!token || token.revokedAt || !token.accessTokenCiphertext) throw new ConsentRequiredException();
    if (consentExpiresAt(token.grantedAt).getTime() <= this.clock.nowMs()) throw new ConsentExpiredException();
    return token;
  }

  private isExpiring(token: OAuthToken): boolean {
    return token.accessTokenExpiresAt.getTime() - ACCESS_TOKEN_REFRESH_MARGIN_MS <= this.clock.nowMs();
  }

  private open(token: OAuthToken): XAccessToken {
    return {
      accessToken: this.cipher.decrypt(token.accessTokenCiphertext, tokenContext(token.userId, 'access')),
      providerUserId: token.providerUserId,
      expiresAt: token.accessTokenExpiresAt,
      scopes: token.scopes,
    };
  }
}
