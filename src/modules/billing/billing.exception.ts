import { DomainException } from '../../core/errors/domain.exception';

export enum BillingErrorCode {
  STRIPE_NOT_CONFIGURED = 'STRIPE_NOT_CONFIGURED',
  STRIPE_SIGNATURE_MISSING = 'STRIPE_SIGNATURE_MISSING',
  STRIPE_SIGNATURE_INVALID = 'STRIPE_SIGNATURE_INVALID',
  STRIPE_EVENT_INVALID = 'STRIPE_EVENT_INVALID',
}

/** Every refusal of a Stripe webhook delivery. */
export abstract class BillingException extends DomainException {}

export class StripeNotConfiguredException extends BillingException {
  constructor() {
    super(BillingErrorCode.STRIPE_NOT_CONFIGURED, 'Stripe webhooks are not configured on this server: set STRIPE_WEBHOOK_SECRET', 503);
  }
}

export class StripeSignatureMissingException extends BillingException {
  constructor() {
    super(BillingErrorCode.STRIPE_SIGNATURE_MISSING, 'The Stripe-Signature header is required', 400);
  }
}

export class StripeSignatureInvalidException extends BillingException {
  constructor() {
    super(
      BillingErrorCode.STRIPE_SIGNATURE_INVALID,
      'The Stripe-Signature header does not match the request body (or its timestamp is too old)',
      400,
    );
  }
}

export class StripeEventInvalidException extends BillingException {
  constructor() {
    super(BillingErrorCode.STRIPE_EVENT_INVALID, 'The signed body is not a Stripe event (id, type, created and data.object)', 400);
  }
}
