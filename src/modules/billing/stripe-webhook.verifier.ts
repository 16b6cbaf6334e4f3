// Stripe's signature check of a webhook delivery, against the raw request bytes.
import { Inject, Injectable } from '@nestjs/common';
import Stripe from 'stripe';
import { APP_CONFIG, AppConfig } from '../../core/config/app-config';
import { StripeEventInvalidException, StripeNotConfiguredException, StripeSignatureInvalidException, StripeSignatureMissingException } from './billing.exception';
import { isStripeEvent } from './dto/stripe-event.schema';

@Injectable()
export class StripeWebhookVerifier {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  verify(rawBody: Buffer | undefined, signature: string | string[] | undefined): Stripe.Event {
    const secret = this.config.stripeWebhookSecret;
    if (!secret) throw new StripeNotConfiguredException();
    if (typeof signature !== 'string' || signature === '') throw new StripeSignatureMissingException();
    if (!rawBody || rawBody.length === 0) throw new StripeSignatureInvalidException();
    let event: unknown;
    try {
      event = Stripe.webhooks.constructEvent(rawBody, signature, secret);
    } catch {
      throw new StripeSignatureInvalidException();
    }
    // Signed by Stripe (or by someone holding the secret) is not yet well formed: `[]` or an event
    // without an id would otherwise reach the insert and fail there with a 500.
    if (!isStripeEvent(event)) throw new StripeEventInvalidException();
    return event;
  }
}
