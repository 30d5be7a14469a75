import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { BillingModule } from '../billing/billing.module.js';
import { EntitlementsModule } from '../entitlements/entitlements.module.js';
import { PlansModule } from '../plans/plans.module.js';
import { StripeModule } from '../stripe/stripe.module.js';
import { WebhooksModule } from '../webhooks/webhooks.module.js';
import { AdminAccountsService } from './admin-accounts.service.js';
import { AdminAuditLogEntity } from './admin-audit-log.entity.js';
import { AdminRepairService } from './admin-repair.service.js';
import { ReconciliationService } from './reconciliation.service.js';

/**
 * The admin services without a transport: the admin GraphQL API, the operator CLI and the
 * scheduled reconciliation all call these (one implementation, three transports).
 */
@Module({
  imports: [TypeOrmModule.forFeature([AdminAuditLogEntity]), BillingModule, EntitlementsModule, PlansModule, StripeModule, WebhooksModule],
  providers: [AdminAccountsService, AdminRepairService, ReconciliationService],
  exports: [AdminAccountsService, AdminRepairService, ReconciliationService],
})
export class AdminCoreModule {}
