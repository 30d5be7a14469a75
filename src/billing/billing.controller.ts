import { Body, Controller, Get, HttpCode, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import type { AuthAccount } from '../auth/auth-account.types.js';
import { Public, Roles } from '../auth/auth.decorator.js';
import { CurrentAccount } from '../auth/current-account.decorator.js';
import { IdempotencyKey } from '../idempotency/idempotency-key.decorator.js';
import type { BillingAccountModel } from './billing-account.model.js';
import { CreateCheckoutSessionInput } from './billing-checkout.input.js';
import type { CheckoutSessionModel } from './billing-checkout.model.js';
import { BillingService } from './billing.service.js';
import { OwnerBillingService } from './owner-billing.service.js';

/** REST form of the owner billing API, on the same services and guards as GraphQL. */
@Controller('api/billing')
export class BillingController {
  constructor(
    private readonly billing: BillingService,
    private readonly owner: OwnerBillingService,
  ) {}

  /** `{ planKey, interval: "monthly" | "yearly" }` -> `{ id, url }`; honours Idempotency-Key. */
  @Roles('owner')
  @Post('checkout')
  @HttpCode(200)
  checkout(
    @CurrentAccount() caller: AuthAccount,
    @Body() input: CreateCheckoutSessionInput,
    @IdempotencyKey() key: string | undefined,
  ): Promise<CheckoutSessionModel> {
    return this.owner.createCheckoutSession(caller, input, key);
  }

  /** The `billing` object as JSON. */
  @Roles('owner', 'member')
  @Get('status')
  status(@CurrentAccount() caller: AuthAccount): Promise<BillingAccountModel> {
    return this.billing.getOverview(caller);
  }
}

/** Where Stripe sends the browser back after Checkout: no token (the browser carries none). */
@Controller('billing/checkout')
export class CheckoutReturnController {
  constructor(private readonly owner: OwnerBillingService) {}

  /** 303 to APP_URL + BILLING_RETURN_PATH with ?checkout=success|pending|cancel|error; never a 500. */
  @Public()
  @Get('return')
  async checkoutReturn(@Query('session_id') sessionId: unknown, @Res() res: Response): Promise<void> {
    res.redirect(303, await this.owner.completeCheckoutReturn(sessionId));
  }
}
