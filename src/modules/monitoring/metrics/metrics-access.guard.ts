// `GET /metrics` is @Public() for the global AuthGuard because it accepts a second credential:
// `Authorization: Bearer <METRICS_TOKEN>` (for Prometheus), or an admin JWT. Anything else is 401
// (a valid JWT without the admin role: 403). With no METRICS_TOKEN configured only admins get in.
import { ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { AuthGuard, IAuthModuleOptions } from '@nestjs/passport';
import { createHash, timingSafeEqual } from 'node:crypto';
import { ForbiddenRoleException, UnauthenticatedException } from '../../../core/auth/auth.exception';
import { AuthenticatedUser, RequestWithUser } from '../../../core/auth/authenticated-user';
import { extractBearerToken } from '../../../core/auth/bearer-token';
import { APP_CONFIG, AppConfig } from '../../../core/config/app-config';
import { MetricsUnauthenticatedException } from '../monitoring.exception';

@Injectable()
export class MetricsAccessGuard extends AuthGuard('jwt') {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const presented = extractBearerToken(context.switchToHttp().getRequest<RequestWithUser>());
    if (presented === null) throw new MetricsUnauthenticatedException();
    const { metricsToken } = this.config;
    if (metricsToken !== undefined && sameSecret(presented, metricsToken)) return true;
    return (await super.canActivate(context)) as boolean;
  }

  override handleRequest<TUser = AuthenticatedUser>(error: unknown, user: AuthenticatedUser | false): TUser {
    if (error && !(error instanceof UnauthenticatedException)) throw error;
    if (error || !user) throw new MetricsUnauthenticatedException();
    if (!user.isAdmin) throw new ForbiddenRoleException();
    return user as TUser;
  }

  /** The admin is checked, not signed in: the route stays public, so `request.user` stays unset. */
  override getAuthenticateOptions(): IAuthModuleOptions {
    return { property: 'metricsCaller' };
  }
}

/** Constant-time comparison of two secrets of any length (hashing first equalises the lengths). */
function sameSecret(presented: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(presented), digest(expected));
}
