import { Module } from '@nestjs/common';
import { AuditModule } from '../../core/audit/audit.module';
import { BillingRepository } from './billing.repository';
import { StripeWebhookController } from './stripe-webhook.controller';
import { StripeWebhookService } from './stripe-webhook.service';
import { StripeWebhookVerifier } from './stripe-webhook.verifier';

/** Subscriptions and billing records, as reported by Stripe's signed webhooks. */
@Module({
  imports: [AuditModule],
  controllers: [StripeWebhookController],
  providers: [BillingRepository, StripeWebhookService, StripeWebhookVerifier],
})
export class BillingModule {}
