import { DomainException } from '../errors/domain.exception';

export enum AuthErrorCode {
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  FORBIDDEN = 'FORBIDDEN',
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
