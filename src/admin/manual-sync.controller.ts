import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import type { AuthAccount } from '../auth/auth-account.types.js';
import { CurrentAccount } from '../auth/current-account.decorator.js';
import type { BillingAccountModel } from '../billing/billing-account.model.js';
import { ManualSyncService } from './manual-sync.service.js';
import { SyncStripeInput } from './sync-stripe.input.js';

@Controller('api/billing')
export class ManualSyncController {
  constructor(private readonly manualSync: ManualSyncService) {}

  /** The seed's manual sync: re-reads the account from Stripe and answers what the owner now sees. */
  @Post('sync-stripe')
  @HttpCode(200)
  syncStripe(@CurrentAccount() caller: AuthAccount, @Body() body: SyncStripeInput): Promise<BillingAccountModel> {
    return this.manualSync.sync(caller, body.businessId);
  }
}
