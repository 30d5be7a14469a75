import { Injectable } from '@nestjs/common';
import type { AuthAccount } from '../auth/auth-account.types.js';
import { Clock } from '../clock/clock.js';
import { effectivePlan } from '../entitlements/effective-plan.util.js';
import { PlansService } from '../plans/plans.service.js';
import type { BillingAccountModel } from './billing-account.model.js';
import { BillingAccountsService } from './billing-accounts.service.js';

@Injectable()
export class BillingService {
  constructor(
    private readonly accounts: BillingAccountsService,
    private readonly plans: PlansService,
    private readonly clock: Clock,
  ) {}

  async getOverview(caller: AuthAccount): Promise<BillingAccountModel> {
    const now = this.clock.now();
    const account = await this.accounts.getOrCreate(caller);
    const subscription = account.subscriptionStatus
      ? { status: account.subscriptionStatus, planKey: account.planKey }
      : null;
    const effective = effectivePlan(account, subscription, now, this.plans.defaultPlan().key);
    return {
      businessId: account.businessId,
      plan: this.plans.toModel(this.plans.get(effective.planKey)),
      planSource: effective.source,
      warnings: effective.warnings,
      subscribedPlanKey: account.planKey,
      subscriptionStatus: account.subscriptionStatus,
      trialStatus: account.trialStatus,
      trialEndsAt: account.trialEndsAt,
      currentPeriodEnd: account.currentPeriodEnd,
      cancelAtPeriodEnd: account.cancelAtPeriodEnd,
      billingSyncStatus: account.billingSyncStatus,
      lastSyncedAt: account.lastSyncedAt,
    };
  }
}
