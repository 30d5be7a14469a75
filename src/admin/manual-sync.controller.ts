import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import type { AuthAccount } from '../auth/auth-account.types.js';
import { CurrentAccount } from '../auth/current-account.decorator.js';
import type { BillingAccountModel } from '../billing/billing-account.model.js';
import { AdminAccountsService } from './admin-accounts.service.js';
import { AdminRepairService } from './admin-repair.service.js';
import { SyncStripeInput } from './sync-stripe.input.js';

@Controller('api/billing')
export class ManualSyncController {
  constructor(
    private readonly repair: AdminRepairService,
    private readonly accounts: AdminAccountsService,
  ) {}

  /** The seed's manual sync: re-reads the account from Stripe and answers what the owner now sees. */
  @Post('sync-stripe')
  @HttpCode(200)
  async syncStripe(@CurrentAccount() caller: AuthAccount, @Body() body: SyncStripeInput): Promise<BillingAccountModel> {
    const { businessId } = await this.repair.manualSync(caller, body.businessId);
    return this.accounts.ownerView(businessId);
  }
}
