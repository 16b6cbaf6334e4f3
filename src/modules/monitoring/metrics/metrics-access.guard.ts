// `GET /metrics` is @Public() for the global AuthGuard because it accepts a second credential:
// `Authorization: Bearer <METRICS_TOKEN>` (for Prometheus), or an admin JWT. Anything else is 401
// (a valid JWT without the admin role: 403). With no METRICS_TOKEN configured only admins get in.
import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import { ForbiddenRoleException, UnauthenticatedException } from '../../../core/auth/auth.exception';
import { RequestWithUser } from '../../../core/auth/authenticated-user';
import { JwtVerifier } from '../../../core/auth/jwt-verifier.service';
import { APP_CONFIG, AppConfig } from '../../../core/config/app-config';
import { MetricsUnauthenticatedException } from '../monitoring.exception';

@Injectable()
export class MetricsAccessGuard implements CanActivate {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly verifier: JwtVerifier,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<RequestWithUser>();
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer ([^\s]+)$/i.exec(header.trim()) : null;
    if (!match) throw new MetricsUnauthenticatedException();
    const presented = match[1];
    const { metricsToken } = this.config;
    if (metricsToken !== undefined && sameSecret(presented, metricsToken)) return true;
    try {
      const user = await this.verifier.verify(presented);
      if (!user.isAdmin) throw new ForbiddenRoleException();
      return true;
    } catch (error) {
      if (error instanceof UnauthenticatedException) throw new MetricsUnauthenticatedException();
      throw error;
    }
  }
}

/** Constant-time comparison of two secrets of any length (hashing first equalises the lengths). */
function sameSecret(presented: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(presented), digest(expected));
}
