// Applies verified Stripe webhook deliveries: each event is stored once (idempotent by event id)
// and its change to subscriptions or billing records commits in the same transaction.
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable, Logger } from '@nestjs/common';
import { AuditService } from '../../core/audit/audit.service';
import { Clock } from '../../core/clock/clock';
import { redactForLog } from '../../core/logging/redact-for-log';
import { BillingRepository } from './billing.repository';
import { WebhookAckDto } from './dto/webhook-ack.dto';
import { mapStripeEvent } from './stripe-event.mapper';
import { StripeWebhookVerifier } from './stripe-webhook.verifier';

@Injectable()
export class StripeWebhookService {
  private readonly logger = new Logger('StripeWebhook');

  constructor(
    private readonly em: EntityManager,
    private readonly verifier: StripeWebhookVerifier,
    private readonly repository: BillingRepository,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async handleDelivery(rawBody: Buffer | undefined, signature: string | string[] | undefined): Promise<WebhookAckDto> {
    const event = this.verifier.verify(rawBody, signature);
    const change = mapStripeEvent(event);
    const now = this.clock.now();

    const applied = await this.em.fork().transactional(async (em) => {
      const userId = change.userId ?? (change.customerId ? await this.repository.findUserIdByCustomer(em, change.customerId) : null);
      const stored = await this.repository.insertEvent(em, {
        id: event.id,
        type: event.type,
        userId,
        payload: redactForLog(event),
        receivedAt: now,
      });
      if (!stored) return undefined;
      if (userId) await this.repository.ensureUser(em, userId, now);
      switch (change.kind) {
        case 'subscription':
          return { subscriptionChanged: await this.repository.upsertSubscription(em, change.subscription, now) };
        case 'billing_record':
          await this.repository.insertBillingRecord(em, change.record, userId, now);
          return { subscriptionChanged: false };
        case 'none':
          return { subscriptionChanged: false };
      }
    });

    if (!applied) return { received: true, duplicate: true };
    if (change.kind === 'none') this.logger.log({ msg: 'Stripe event stored without changes', type: event.type, reason: change.reason });
    if (change.kind === 'subscription' && !applied.subscriptionChanged) {
      this.logger.log({ msg: 'Stripe event stored without changes', type: event.type, reason: 'older than the last event applied, or the subscription is canceled' });
    }
    if (change.kind === 'subscription' && applied.subscriptionChanged) {
      const { stripeSubscriptionId, tier, status } = change.subscription;
      await this.audit.audit(change.userId, 'billing.subscription_changed', 'billing', { eventType: event.type, stripeSubscriptionId, tier, status });
    }
    return { received: true };
  }
}
