import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { EntitlementsModule } from '../entitlements/entitlements.module.js';
import { IdempotencyModule } from '../idempotency/idempotency.module.js';
import { PlansModule } from '../plans/plans.module.js';
import { StripeModule } from '../stripe/stripe.module.js';
import { BillingAccountEntity } from './billing-account.entity.js';
import { BillingAccountsService } from './billing-accounts.service.js';
import { BillingSyncLogEntity } from './billing-sync-log.entity.js';
import { BillingSyncService } from './billing-sync.service.js';
import { BillingController, CheckoutReturnController } from './billing.controller.js';
import { BillingResolver } from './billing.resolver.js';
import { BillingService } from './billing.service.js';
import { CheckoutSessionsService } from './checkout-sessions.service.js';
import { OwnerBillingService } from './owner-billing.service.js';
import { SubscriptionEntity } from './subscription.entity.js';

@Module({
  imports: [
    TypeOrmModule.forFeature([BillingAccountEntity, SubscriptionEntity, BillingSyncLogEntity]),
    PlansModule,
    StripeModule,
    EntitlementsModule,
    IdempotencyModule,
  ],
  controllers: [BillingController, CheckoutReturnController],
  providers: [BillingAccountsService, BillingService, BillingSyncService, CheckoutSessionsService, OwnerBillingService, BillingResolver],
  exports: [BillingAccountsService, BillingService, BillingSyncService, OwnerBillingService],
})
export class BillingModule {}
