import { Module } from '@nestjs/common';
import { PlansModule } from '../plans/plans.module.js';
import { BillingAccountsService } from './billing-accounts.service.js';
import { BillingResolver } from './billing.resolver.js';
import { BillingService } from './billing.service.js';

@Module({
  imports: [PlansModule],
  providers: [BillingAccountsService, BillingService, BillingResolver],
  exports: [BillingAccountsService, BillingService],
})
export class BillingModule {}
