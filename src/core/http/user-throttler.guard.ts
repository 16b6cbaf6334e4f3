import { Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import { RequestWithUser } from '../auth/authenticated-user';

/**
 * Inbound throttling per authenticated user (per client IP for public routes). Registered after
 * the AuthGuard so `request.user` is known.
 */
@Injectable()
export class UserThrottlerGuard extends ThrottlerGuard {
  protected override async getTracker(request: Record<string, unknown>): Promise<string> {
    const { user, ip } = request as unknown as RequestWithUser;
    return user ? `user:${user.id}` : `ip:${ip ?? 'unknown'}`;
  }
}
