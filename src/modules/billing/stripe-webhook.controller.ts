import { Controller, Headers, HttpCode, Post, Req } from '@nestjs/common';
import { ApiBadRequestResponse, ApiHeader, ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { Public } from '../../core/auth/auth.decorators';
import { RequestWithUser } from '../../core/auth/authenticated-user';
import { WebhookAckDto } from './dto/webhook-ack.dto';
import { StripeWebhookService } from './stripe-webhook.service';

@ApiTags('billing')
@Controller('api/billing/stripe')
export class StripeWebhookController {
  constructor(private readonly webhooks: StripeWebhookService) {}

  /** Authenticated by Stripe's signature over the raw body, not by a JWT. */
  @Post('webhook')
  @Public()
  @HttpCode(200)
  @ApiHeader({ name: 'Stripe-Signature', required: true })
  @ApiOkResponse({ type: WebhookAckDto })
  @ApiBadRequestResponse({ description: 'STRIPE_SIGNATURE_MISSING or STRIPE_SIGNATURE_INVALID; nothing is written' })
  @ApiServiceUnavailableResponse({ description: 'STRIPE_NOT_CONFIGURED' })
  receive(@Req() request: RequestWithUser, @Headers('stripe-signature') signature: string | undefined): Promise<WebhookAckDto> {
    return this.webhooks.handleDelivery(request.rawBody, signature);
  }
}
