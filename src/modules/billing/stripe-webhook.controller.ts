import { Controller, Headers, HttpCode, Post, Req } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBody, ApiHeader, ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { Public } from '../../core/auth/auth.decorators';
import { RequestWithUser } from '../../core/auth/authenticated-user';
import { STRIPE_EVENT_SCHEMA } from './dto/stripe-event.schema';
import { WebhookAckDto } from './dto/webhook-ack.dto';
import { StripeWebhookService } from './stripe-webhook.service';

@ApiTags('billing')
@Controller('api/billing/stripe')
export class StripeWebhookController {
  constructor(private readonly webhooks: StripeWebhookService) {}

  /** Authenticated by Stripe's signature over the raw body, not by a JWT. */
  @Post('webhook')
  @Public()
  // Stripe delivers from a few shared addresses, retries on any non-2xx and is authenticated by
  // its signature: a per-IP bucket would throttle every delivery at once and lose nothing to abuse.
  @SkipThrottle()
  @HttpCode(200)
  @ApiHeader({ name: 'Stripe-Signature', required: true, description: "Stripe's signature over the raw body (t=<timestamp>,v1=<HMAC-SHA256>)" })
  @ApiBody({ schema: STRIPE_EVENT_SCHEMA, description: 'A Stripe event, exactly as Stripe sent it' })
  @ApiOkResponse({ type: WebhookAckDto })
  @ApiBadRequestResponse({ description: 'STRIPE_SIGNATURE_MISSING, STRIPE_SIGNATURE_INVALID or STRIPE_EVENT_INVALID; nothing is written' })
  @ApiServiceUnavailableResponse({ description: 'STRIPE_NOT_CONFIGURED' })
  receive(@Req() request: RequestWithUser, @Headers('stripe-signature') signature: string | undefined): Promise<WebhookAckDto> {
    return this.webhooks.handleDelivery(request.rawBody, signature);
  }
}
