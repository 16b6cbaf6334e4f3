import { DomainException } from '../errors/domain.exception';

export enum AuthErrorCode {
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  FORBIDDEN = 'FORBIDDEN',
  THROTTLED = 'AUTH_THROTTLED',
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
