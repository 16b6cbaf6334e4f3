// The Consent module's error codes. Refusals are 403 with a code clients can act on (spec 3b).
import { DomainException } from '../../core/errors/domain.exception';

export enum ConsentErrorCode {
  /** No X connection, or it was revoked. */
  CONSENT_REQUIRED = 'CONSENT_REQUIRED',
  /** The consent is older than 365 days and must be given again. */
  CONSENT_EXPIRED = 'CONSENT_EXPIRED',
  /** No subscription with status active or trialing. */
  SUBSCRIPTION_INACTIVE = 'SUBSCRIPTION_INACTIVE',
  /** TWITTER_CLIENT_ID is not configured, so no X connection can be made. */
  TWITTER_NOT_CONFIGURED = 'TWITTER_NOT_CONFIGURED',
  /** X refused or failed to refresh the access token; reconnecting X fixes a refused one. */
  TOKEN_REFRESH_FAILED = 'TOKEN_REFRESH_FAILED',
}

/** Codes put in `/settings/privacy?error=<code>` when the OAuth callback is refused. */
export enum ConsentCallbackError {
  STATE_INVALID = 'STATE_INVALID',
  ACCESS_DENIED = 'ACCESS_DENIED',
  AUTHORIZATION_FAILED = 'AUTHORIZATION_FAILED',
  TOKEN_EXCHANGE_FAILED = 'TOKEN_EXCHANGE_FAILED',
  TWITTER_NOT_CONFIGURED = 'TWITTER_NOT_CONFIGURED',
  /** The callback came without the cookie set by GET /api/twitter/connect in this browser (login CSRF). */
  BROWSER_MISMATCH = 'BROWSER_MISMATCH',
  /** This X account is connected to another account here; disconnect it there first. */
  X_ACCOUNT_IN_USE = 'X_ACCOUNT_IN_USE',
}

/** Every refusal of the Consent module; `instanceof ConsentException` catches them all. */
export abstract class ConsentException extends DomainException {}

export class ConsentRequiredException extends ConsentException {
  constructor() {
    super(ConsentErrorCode.CONSENT_REQUIRED, 'Connect your X account (GET /api/twitter/connect) to give consent first', 403);
  }
}

export class ConsentExpiredException extends ConsentException {
  constructor() {
    super(ConsentErrorCode.CONSENT_EXPIRED, 'Your consent is more than 365 days old; reconnect your X account to renew it', 403);
  }
}

export class SubscriptionInactiveException extends ConsentException {
  constructor() {
    super(ConsentErrorCode.SUBSCRIPTION_INACTIVE, 'An active subscription is required', 403);
  }
}

export class TwitterNotConfiguredException extends ConsentException {
  constructor() {
    super(
      ConsentErrorCode.TWITTER_NOT_CONFIGURED,
      'X (Twitter) is not configured on this server: set TWITTER_CLIENT_ID and TWITTER_CLIENT_SECRET',
      503,
    );
  }
}

export class TokenRefreshFailedException extends ConsentException {
  constructor(reason: string) {
    super(
      ConsentErrorCode.TOKEN_REFRESH_FAILED,
      `The X access token could not be refreshed (${reason}); if this persists, reconnect your X account`,
      502,
    );
  }
}
