import { Module } from '@nestjs/common';
import { AuditModule } from '../../core/audit/audit.module';
import { BillingRepository } from './billing.repository';
import { SubscriptionsRepository } from './subscriptions.repository';
import { StripeWebhookController } from './stripe-webhook.controller';
import { StripeWebhookService } from './stripe-webhook.service';
import { StripeWebhookVerifier } from './stripe-webhook.verifier';
import { PersonalDataModule } from '../../core/personal-data';
import { BILLING_PERSONAL_DATA } from './billing.personal-data';

/**
 * Subscriptions and billing records, as reported by Stripe's signed webhooks. Other modules ask
 * for a user's current subscription through the exported SubscriptionsRepository.
 */
@Module({
  imports: [PersonalDataModule.declare('billing', BILLING_PERSONAL_DATA), AuditModule],
  controllers: [StripeWebhookController],
  providers: [BillingRepository, SubscriptionsRepository, StripeWebhookService, StripeWebhookVerifier],
  exports: [SubscriptionsRepository],
})
export class BillingModule {}
