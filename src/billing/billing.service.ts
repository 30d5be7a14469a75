import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AuthAccount } from '../auth/auth-account.types.js';
import { Clock } from '../clock/clock.js';
import { usageWindow } from '../enforcement/usage-window.util.js';
import { effectivePlan } from '../entitlements/effective-plan.util.js';
import type { PlanDefinition } from '../plans/plan-catalog.types.js';
import { BillingIntervalModel, MetricKindModel } from '../plans/plan.model.js';
import { PlansService } from '../plans/plans.service.js';
import { toSubscriptionDetails } from '../stripe/to-stripe-snapshot.util.js';
import { toTrialModel } from '../trials/to-trial-model.util.js';
import { trialStateOf } from '../trials/trial-columns.util.js';
import type { BillingAccountEntity } from './billing-account.entity.js';
import type { BillingAccountModel, BillingSubscriptionModel, BillingUsageModel } from './billing-account.model.js';
import { BillingAccountsService } from './billing-accounts.service.js';
import { billingWarnings, overLimitOf, type UsageLine } from './billing-warnings.util.js';
import { TRIAL_HISTORY, USAGE_COUNTERS_OF_WINDOWS } from './billing.sql.js';
import { pickCurrentSubscription } from './pick-current-subscription.util.js';
import { planPriceSelector } from './plan-change-items.util.js';
import { SubscriptionEntity } from './subscription.entity.js';

/** Subscriptions that are over: billing.subscription is null rather than showing them. */
const ENDED_STATUSES = new Set(['canceled', 'incomplete_expired']);

/** The `billing` object: one read of the account, its subscriptions and its usage counters. */
@Injectable()
export class BillingService {
  /** Built once: every billing read picks the plan item of the stored Stripe object by it. */
  private readonly planPriceOf = planPriceSelector((priceId) => this.plans.isCatalogPrice(priceId));

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
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
    const plan = this.plans.get(effective.planKey);
    const rows = await this.dataSource.getRepository(SubscriptionEntity).findBy({ businessId: account.businessId });
    const currentRow = pickCurrentSubscription(rows.map((row) => ({ row, status: row.status, created: row.stripeCreatedAt })))?.row ?? null;
    const usage = await this.usageFor(account, plan, now);
    const overLimit = overLimitOf(usage);
    return {
      businessId: account.businessId,
      plan: this.plans.toModel(plan),
      planSource: effective.source,
      subscription: currentRow && !ENDED_STATUSES.has(currentRow.status) ? this.toSubscriptionModel(currentRow) : null,
      usage,
      overLimit,
      // Here rather than only in a GraphQL field resolver, so REST's /api/billing/status is the same object.
      trial: toTrialModel(trialStateOf(account), now),
      warnings: billingWarnings(
        {
          subscriptionStatus: account.subscriptionStatus,
          gracePeriodEndsAt: account.gracePeriodEndsAt,
          cancelAtPeriodEnd: account.cancelAtPeriodEnd,
          cancelAt: currentRow?.cancelAt ?? null,
          currentPeriodEnd: account.currentPeriodEnd,
          overLimit,
        },
        now,
      ),
      billingSyncStatus: account.billingSyncStatus,
      lastSyncedAt: account.lastSyncedAt,
      subscribedPlanKey: account.planKey,
      subscriptionStatus: account.subscriptionStatus,
      trialStatus: account.trialStatus,
      trialEndsAt: account.trialEndsAt,
      currentPeriodEnd: account.currentPeriodEnd,
      cancelAtPeriodEnd: account.cancelAtPeriodEnd,
    };
  }

  /**
   * Trial days a Stripe checkout of `planKey` may offer this business: the plan's trialDays, or 0
   * when the business ever had a trial of any kind (card-less, or a Stripe subscription that had
   * one). Throws UNKNOWN_PLAN for a plan the catalog lacks.
   */
  async stripeTrialDaysFor(businessId: string, planKey: string): Promise<number> {
    const plan = this.plans.get(planKey);
    if (plan.trialDays <= 0) return 0;
    const [row]: { trial_status: string | null; had_stripe_trial: boolean }[] = await this.dataSource.query(TRIAL_HISTORY, [businessId]);
    const hadTrial = (row.trial_status ?? 'inactive') !== 'inactive' || row.had_stripe_trial;
    return hadTrial ? 0 : plan.trialDays;
  }

  /** One stored subscription, as the owner mutations return it. */
  async getSubscription(subscriptionId: string): Promise<BillingSubscriptionModel> {
    return this.toSubscriptionModel(
      await this.dataSource.getRepository(SubscriptionEntity).findOneByOrFail({ id: subscriptionId }),
    );
  }

  /**
   * Use of every catalog metric in the window enforcement counts it in. The ONE place the billing
   * API computes usage windows: it asks the enforcement period helper, so both always agree.
   */
  async usageFor(
    account: Pick<
      BillingAccountEntity,
      'businessId' | 'currentPeriodStart' | 'currentPeriodEnd' | 'billingCycleAnchor' | 'createdAt'
    >,
    plan: Pick<PlanDefinition, 'limits'>,
    now: Date,
  ): Promise<(BillingUsageModel & UsageLine)[]> {
    const windows = this.plans.metrics.map((metric) => {
      const window = usageWindow(metric, { ...account, accountCreatedAt: account.createdAt }, now);
      return { metric, periodStart: window.start, periodEnd: window.end };
    });
    const counters: { metric: string; period_start: Date; used: number }[] = await this.dataSource.query(USAGE_COUNTERS_OF_WINDOWS, [
      account.businessId,
      [...new Set(windows.map((w) => w.periodStart.toISOString()))],
    ]);
    return windows.map(({ metric, periodStart, periodEnd }) => {
      const used =
        counters.find((c) => c.metric === metric.key && c.period_start.getTime() === periodStart.getTime())?.used ?? 0;
      const limit = plan.limits[metric.key] ?? 0;
      const count = metric.kind === 'count';
      return {
        metric: metric.key,
        kind: count ? MetricKindModel.COUNT : MetricKindModel.PERIOD,
        used,
        limit,
        remaining: limit === -1 ? null : Math.max(limit - used, 0),
        periodStart: count ? null : periodStart,
        periodEnd: count ? null : periodEnd,
      };
    });
  }

  private toSubscriptionModel(row: SubscriptionEntity): BillingSubscriptionModel {
    const details = toSubscriptionDetails(row.stripeObject, this.planPriceOf);
    let scheduledChange: BillingSubscriptionModel['scheduledChange'] = null;
    if (details.scheduledChange) {
      try {
        const priced = this.plans.resolvePriceId(details.scheduledChange.priceId);
        scheduledChange = {
          planKey: priced.planKey,
          interval: priced.interval as BillingIntervalModel,
          effectiveAt: details.scheduledChange.effectiveAt,
        };
      } catch {
        // A schedule to a price no plan sells (set up in the dashboard): not ours to describe.
        scheduledChange = null;
      }
    }
    return {
      id: row.id,
      status: row.status,
      planKey: row.planKey,
      interval: row.interval as BillingIntervalModel | null,
      currentPeriodStart: row.currentPeriodStart,
      currentPeriodEnd: row.currentPeriodEnd,
      cancelAtPeriodEnd: row.cancelAtPeriodEnd,
      cancelAt: row.cancelAt,
      trialEnd: row.trialEnd,
      scheduledChange,
    };
  }
}
