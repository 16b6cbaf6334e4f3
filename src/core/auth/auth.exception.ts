import { DomainException } from '../errors/domain.exception';

export enum AuthErrorCode {
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  FORBIDDEN = 'FORBIDDEN',
  THROTTLED = 'AUTH_THROTTLED',
  REAUTH_REQUIRED = 'REAUTH_REQUIRED',
}

export class UnauthenticatedException extends DomainException {
  constructor(message = 'A valid bearer token is required') {
    super(AuthErrorCode.UNAUTHENTICATED, message, 401, { 'WWW-Authenticate': 'Bearer' });
  }
}

export class ForbiddenRoleException extends DomainException {
  constructor() {
    super(AuthErrorCode.FORBIDDEN, 'This route requires the admin role', 403);
  }
}

/** Too many failed authentications from this client in the last minute (AUTH_FAILURES_PER_MINUTE). */
export class AuthThrottledException extends DomainException {
  constructor(retryAfterMs: number) {
    super(AuthErrorCode.THROTTLED, 'Too many failed authentications from this address; try again later', 429, {
      'Retry-After': String(Math.max(1, Math.ceil(retryAfterMs / 1000))),
    });
  }
}

/**
 * The route cannot be undone and the token's sign-in is older than REAUTH_MAX_AGE_SECONDS (or the
 * token says nothing of when it happened). The challenge is RFC 9470's step-up answer: the client
 * signs the person in again with OIDC `max_age` and retries with the fresh token.
 */
export class ReauthRequiredException extends DomainException {
  constructor(maxAgeSeconds: number) {
    super(
      AuthErrorCode.REAUTH_REQUIRED,
      `This action needs a sign-in from the last ${describeSeconds(maxAgeSeconds)}: sign in again and retry with the new token`,
      401,
      { 'WWW-Authenticate': `Bearer error="insufficient_user_authentication", max_age="${maxAgeSeconds}"` },
    );
  }
}

function describeSeconds(seconds: number): string {
  if (seconds % 60 !== 0) return `${seconds} seconds`;
  return seconds === 60 ? 'minute' : `${seconds / 60} minutes`;
}
