import { Controller, Headers, HttpCode, Post, Req, type RawBodyRequest } from '@nestjs/common';
import type { Request } from 'express';
import { SkipRateLimit } from '../rate-limit/skip-rate-limit.decorator.js';
import { Public } from '../auth/auth.decorator.js';
import { StripeWebhookService, type WebhookReceipt } from './stripe-webhook.service.js';

/** Stripe authenticates with the signature, not a bearer token. */
@SkipRateLimit()
@Public()
@Controller()
export class StripeWebhookController {
  constructor(private readonly webhooks: StripeWebhookService) {}

  @Post(['api/webhooks/stripe', 'api/stripe/webhook'])
  @HttpCode(200)
  receive(
    @Req() request: RawBodyRequest<Request>,
    @Headers('stripe-signature') signature: string | undefined,
  ): Promise<WebhookReceipt> {
    return this.webhooks.receive(request.rawBody, signature);
  }
}
