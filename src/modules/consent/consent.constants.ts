// The facts of consent that other code and the privacy page rely on, kept in one place.

/** Version of the privacy notice shown on the consent screen; recorded with every consent decision. */
export const PRIVACY_NOTICE_VERSION = '2026-11-01';

/** Consent older than this counts as expired (spec section 3, Consent). */
export const CONSENT_VALIDITY_DAYS = 365;
export const CONSENT_VALIDITY_MS = CONSENT_VALIDITY_DAYS * 24 * 60 * 60 * 1000;

/** The scopes asked for on X's consent screen. `offline.access` yields a refresh token. */
export const X_SCOPES = ['tweet.read', 'users.read', 'offline.access'] as const;

/** How long a `state` from /api/twitter/connect stays usable. */
export const OAUTH_STATE_TTL_MS = 10 * 60 * 1000;
/**
 * HttpOnly cookie that binds a pending authorization to the browser that started it: the state
 * alone is tied to a user, so an attacker could send a victim their own callback link and land the
 * victim's X account in the attacker's account (login CSRF).
 */
export const OAUTH_BROWSER_COOKIE = 'repazoo_x_oauth';
export const OAUTH_CALLBACK_PATH = '/api/twitter/callback';

/** An access token expiring within this margin is refreshed before use. */
export const ACCESS_TOKEN_REFRESH_MARGIN_MS = 60 * 1000;

/** The `provider` column value of X rows in oauth_tokens and consent_records. */
export const X_PROVIDER = 'x';

/** Where the OAuth callback sends the browser back to. */
export const PRIVACY_SETTINGS_PATH = '/settings/privacy';

export function consentExpiresAt(grantedAt: Date): Date {
  return new Date(grantedAt.getTime() + CONSENT_VALIDITY_MS);
}
