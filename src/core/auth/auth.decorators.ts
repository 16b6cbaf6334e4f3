// One decorator per access level. A route with neither decorator is still protected by the
// global AuthGuard, so a new route is never public by accident.
import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { AuthenticatedUser, RequestWithUser } from './authenticated-user';

export const IS_PUBLIC_KEY = 'repazoo:public';
export const AUTH_OPTIONS_KEY = 'repazoo:auth';
export const RECENT_SIGN_IN_KEY = 'repazoo:recent-sign-in';

export interface AuthenticatedOptions {
  /** Only tokens with `role: "admin"` may call the route. */
  admin?: boolean;
}

/** Marks a route (or controller) as reachable without a JWT. Use sparingly and on purpose. */
export const Public = () => SetMetadata(IS_PUBLIC_KEY, true);

/** Requires a valid JWT (and the admin role when asked), and documents that in Swagger. */
export function Authenticated(options: AuthenticatedOptions = {}) {
  const decorators = [
    SetMetadata(AUTH_OPTIONS_KEY, options),
    ApiBearerAuth(),
    ApiUnauthorizedResponse({ description: 'Missing, invalid or expired token' }),
  ];
  if (options.admin) decorators.push(ApiForbiddenResponse({ description: 'The token has no admin role' }));
  return applyDecorators(...decorators);
}

/**
 * For a route that cannot be undone: the token's sign-in (`auth_time`, else `iat`) must be within
 * REAUTH_MAX_AGE_SECONDS, so a stolen or long-lived token cannot do it. Else 401 REAUTH_REQUIRED.
 */
export function RequiresRecentSignIn() {
  return applyDecorators(
    SetMetadata(RECENT_SIGN_IN_KEY, true),
    ApiUnauthorizedResponse({ description: 'Missing, invalid or expired token, or `REAUTH_REQUIRED`: the sign-in is too old for this action' }),
  );
}

/** The authenticated caller, as set by the AuthGuard. */
export const CurrentUser = createParamDecorator((_data: unknown, context: ExecutionContext): AuthenticatedUser => {
  const request = context.switchToHttp().getRequest<RequestWithUser>();
  if (!request.user) throw new Error('CurrentUser used on a route without authentication');
  return request.user;
});
