// Route-level consent check: `@RequiresConsent()` on any route that touches X or Anthropic data.
// The module declaring such a route imports ConsentModule.
import { applyDecorators, CanActivate, ExecutionContext, Injectable, UseGuards } from '@nestjs/common';
import { ApiForbiddenResponse } from '@nestjs/swagger';
import { UnauthenticatedException } from '../../core/auth/auth.exception';
import { RequestWithUser } from '../../core/auth/authenticated-user';
import { ConsentService } from './consent.service';

@Injectable()
export class ConsentGuard implements CanActivate {
  constructor(private readonly consent: ConsentService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    // Runs after the global AuthGuard, which has set the user on every non-public route.
    const { user } = context.switchToHttp().getRequest<RequestWithUser>();
    if (!user) throw new UnauthenticatedException();
    try {
      await this.consent.assertConsent(user.id);
    } catch (error) {
      // Each refusal is a failed consent verification Monitoring watches (with its reason code).
      await this.consent.reportRequestRefusal(user.id, error);
      throw error;
    }
    return true;
  }
}

/** Requires a live X connection, unexpired consent and an active subscription (403 with a code otherwise). */
export function RequiresConsent() {
  return applyDecorators(
    UseGuards(ConsentGuard),
    ApiForbiddenResponse({
      description: 'No consent (CONSENT_REQUIRED), consent older than 365 days (CONSENT_EXPIRED) or no active subscription (SUBSCRIPTION_INACTIVE)',
    }),
  );
}
