import { Module } from '@nestjs/common';
import { EntitlementsModule } from '../entitlements/entitlements.module.js';
import { PlansModule } from '../plans/plans.module.js';
import { StripeModule } from '../stripe/stripe.module.js';
import { BillingAccountsService } from './billing-accounts.service.js';
import { BillingSyncService } from './billing-sync.service.js';
import { BillingResolver } from './billing.resolver.js';
import { BillingService } from './billing.service.js';

@Module({
  imports: [PlansModule, StripeModule, EntitlementsModule],
  providers: [BillingAccountsService, BillingService, BillingSyncService, BillingResolver],
  exports: [BillingAccountsService, BillingService, BillingSyncService],
})
export class BillingModule {}
