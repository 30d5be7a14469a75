import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AuthAccount } from '../auth/auth-account.types.js';
import type { BillingAccountModel } from '../billing/billing-account.model.js';
import { BillingAccountsService } from '../billing/billing-accounts.service.js';
import { BillingService } from '../billing/billing.service.js';
import { OwnerBillingService } from '../billing/owner-billing.service.js';
import { isOpenSubscriptionStatus } from '../entitlements/subscription-status.constant.js';
import { Clock } from '../clock/clock.js';
import { EntitlementsService } from '../entitlements/entitlements.service.js';
import { PlansService } from '../plans/plans.service.js';
import { saveTrialChange } from './record-trial-change.util.js';
import { TrialEventsService } from './trial-events.service.js';
import { transitionTrial } from './trial-transition.util.js';
import { type TrialSource, type TrialState, type TrialStatus } from './trial.types.js';
import { TrialsErrorCode, TrialsException } from './trials.exception.js';
import { LOCK_ACCOUNT_TRIAL } from './trials.sql.js';

const DAY_MS = 86_400_000;

interface TrialRow {
  trial_status: TrialStatus;
  trial_source: TrialSource;
  trial_plan_key: string | null;
  trial_started_at: Date | null;
  trial_ends_at: Date | null;
  trial_converted_at: Date | null;
}

/** Card-less trials, what billing.trial shows, and who may get trial days at a Stripe checkout. */
@Injectable()
export class TrialsService {

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly plans: PlansService,
    private readonly accounts: BillingAccountsService,
    private readonly billing: BillingService,
    private readonly entitlements: EntitlementsService,
    private readonly events: TrialEventsService,
    private readonly ownerBilling: OwnerBillingService,
    private readonly clock: Clock,
  ) {}

  /**
   * Starts the business's one card-less trial of `planKey`: the plan's limits apply at once, with
   * no Stripe call in the way (the trial commits first). The account row is locked, so two
   * concurrent starts give one trial. Then, best effort, the business's open Checkout Sessions
   * that offer trial days are expired (OwnerBillingService.withdrawTrialOffers).
   */
  async startTrial(caller: AuthAccount, planKey: string): Promise<BillingAccountModel> {
    const plan = this.plans.has(planKey) ? this.plans.get(planKey) : null;
    if (!plan || !plan.active || plan.trialDays <= 0) {
      throw new TrialsException(TrialsErrorCode.TRIAL_NOT_OFFERED, `Plan "${planKey}" offers no trial`, { planKey });
    }
    const { businessId } = await this.accounts.getOrCreate(caller);
    const now = this.clock.now();
    await this.dataSource.transaction(async (manager) => {
      const [row]: (TrialRow & { subscription_status: string | null })[] = await manager.query(LOCK_ACCOUNT_TRIAL, [businessId]);
      // The statuses checkout refuses too (unpaid and paused still bill, or will): no trial then.
      if (isOpenSubscriptionStatus(row.subscription_status)) {
        throw new TrialsException(TrialsErrorCode.ALREADY_SUBSCRIBED, 'The business already has a subscription', {
          subscriptionStatus: row.subscription_status,
        });
      }
      const decision = transitionTrial(stateOf(row), {
        type: 'start',
        planKey,
        at: now,
        endDate: new Date(now.getTime() + plan.trialDays * DAY_MS),
      });
      if (!decision.ok) {
        throw new TrialsException(TrialsErrorCode.TRIAL_ALREADY_USED, 'The business already had a trial', {
          trialStatus: row.trial_status,
        });
      }
      const started = await saveTrialChange(manager, {
        businessId,
        change: { logStatus: decision.logStatus ?? 'trial_started', trial: decision.state },
        source: 'system',
        at: now,
        detail: { startedBy: caller.userId },
      });
      // Delivered with the commit: every instance drops its cached entitlements of the business.
      await this.entitlements.invalidate(businessId, manager);
      await this.events.record(manager, started ? [started] : []);
    });
    await this.ownerBilling.withdrawTrialOffers(businessId);
    return this.billing.getOverview(caller);
  }

  /**
   * Trial days a Stripe checkout of `planKey` may offer this business: the plan's trialDays,
   * or 0 when the business ever had a trial of any kind (card-less, or a Stripe subscription
   * that had one). Throws UNKNOWN_PLAN for a plan the catalog lacks.
   */
  async stripeTrialDaysFor(businessId: string, planKey: string): Promise<number> {
    // Decided where checkout reads it (billing), so the two can never disagree.
    return this.billing.stripeTrialDaysFor(businessId, planKey);
  }
}

function stateOf(row: TrialRow): TrialState {
  return {
    status: row.trial_status,
    source: row.trial_source,
    planKey: row.trial_plan_key,
    startDate: row.trial_started_at,
    endDate: row.trial_ends_at,
    conversionDate: row.trial_converted_at,
  };
}
