import { Inject, Injectable, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { BillingAccountEntity } from '../billing/billing-account.entity.js';
import { BillingSyncStatus } from '../billing/billing-sync-status.enum.js';
import { resolveSubscriptionPlan } from '../billing/resolve-subscription-plan.util.js';
import { Clock } from '../clock/clock.js';
import { AppConfigService } from '../config/app-config.service.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { PlansService } from '../plans/plans.service.js';
import { StripeClientService } from '../stripe/stripe-client.service.js';
import type { StripeSubscriptionSnapshot } from '../stripe/stripe.types.js';
import { AdminAccountsService } from './admin-accounts.service.js';
import { AdminRepairService, type Operator, type SyncIntent } from './admin-repair.service.js';
import { SUBSCRIPTIONS_OF_CUSTOMER } from './admin.sql.js';
import { type ComparableBilling, diffBilling, expectedFromStripe, storedCurrentSubscriptionId } from './billing-drift.util.js';
import { createPacer, PACER_FACTORY, type PacerFactory } from './rate-limit.util.js';
import { type AccountReconciliation, addToSummary, emptySummary, type ReconcileSummary } from './reconcile-summary.util.js';

export type { AccountReconciliation, ReconcileSummary } from './reconcile-summary.util.js';

export interface ReconcileOptions {
  fix: boolean;
  businessId?: string;
  operator: Operator;
  /** `scheduler` for the job, `admin` for an operator. */
  source: SyncIntent['source'];
  onProgress?: (done: number, total: number, current: AccountReconciliation) => void;
}

export interface SyncOutcome {
  businessId: string;
  planKey: string | null;
  subscriptionStatus: string | null;
  error: string | null;
}

/**
 * verify-entitlements: compares every account that has a Stripe customer with what a sync
 * from Stripe would store, and with --fix re-syncs the ones that differ; compares every
 * account's COUNT usage counters (with a customer or not: free and app-trial accounts reserve
 * too) with the product tables, and with --fix recounts them. Accounts are read in keyset
 * batches (never all at once) and Stripe calls are paced at RECONCILE_MAX_RPS. Shared by the
 * CLI and the scheduled job.
 */
@Injectable()
export class ReconciliationService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly stripe: StripeClientService,
    private readonly plans: PlansService,
    private readonly repair: AdminRepairService,
    private readonly accounts: AdminAccountsService,
    private readonly metrics: MetricsService,
    private readonly config: AppConfigService,
    private readonly clock: Clock,
    @Optional() @Inject(PACER_FACTORY) private readonly pacerFactory: PacerFactory = (perSecond) => createPacer(perSecond),
  ) {}

  async run(options: ReconcileOptions): Promise<ReconcileSummary> {
    const pace = this.pacerFactory(this.config.values.reconcile.maxRps);
    const summary = emptySummary(this.repair.notRecountableMetrics());
    const scope = { businessId: options.businessId, withCustomer: false };
    const total = await this.accounts.countAccounts(scope);
    let done = 0;
    for await (const batch of this.accounts.streamAccounts(scope)) {
      for (const account of batch) {
        const result = await this.reconcileOne(account, options, pace);
        addToSummary(summary, result);
        options.onProgress?.(++done, total, result);
      }
    }
    return summary;
  }

  /** sync-stripe --all: re-syncs every account with a customer, paced like reconciliation. */
  async syncAll(
    operator: Operator,
    reason: string,
    onProgress?: (done: number, total: number, current: SyncOutcome) => void,
  ): Promise<SyncOutcome[]> {
    const pace = this.pacerFactory(this.config.values.reconcile.maxRps);
    const scope = { withCustomer: true };
    const total = await this.accounts.countAccounts(scope);
    const outcomes: SyncOutcome[] = [];
    for await (const batch of this.accounts.streamAccounts(scope)) {
      for (const account of batch) {
        await pace();
        let outcome: SyncOutcome;
        try {
          const synced = await this.repair.syncFromStripe(operator, account.businessId, reason);
          outcome = { businessId: synced.businessId, planKey: synced.planKey, subscriptionStatus: synced.subscriptionStatus, error: null };
        } catch (error) {
          outcome = { businessId: account.businessId, planKey: null, subscriptionStatus: null, error: (error as Error).message };
        }
        outcomes.push(outcome);
        onProgress?.(outcomes.length, total, outcome);
      }
    }
    return outcomes;
  }

  private async reconcileOne(
    account: BillingAccountEntity,
    options: ReconcileOptions,
    pace: () => Promise<void>,
  ): Promise<AccountReconciliation> {
    const customerId = account.stripeCustomerId;
    const result: AccountReconciliation = {
      businessId: account.businessId,
      customerId,
      drifts: [],
      usageDrifts: [],
      error: null,
      fixed: false,
      usageRecounted: false,
      usageError: null,
    };
    if (customerId) {
      try {
        await pace();
        const subscriptions = await this.stripe.listSubscriptions(customerId);
        result.drifts = diffBilling(await this.ours(account), this.expected(account, subscriptions));
        if (result.drifts.length > 0) this.metrics.driftDetected();
        if (options.fix && result.drifts.length > 0) {
          await pace();
          const fields = result.drifts.map((drift) => drift.field).join(', ');
          await this.repair.syncFromStripe(options.operator, account.businessId, `reconciliation: ${fields} differed from Stripe`, {
            status: BillingSyncStatus.RECONCILIATION,
            source: options.source,
          });
          result.fixed = true;
          this.metrics.driftRepaired();
        }
      } catch (error) {
        result.error = errorMessage(error);
      }
    }
    // Usage apart from Stripe: a Stripe outage must not stop the counters being checked.
    try {
      result.usageDrifts = await this.repair.usageDrifts(account.businessId);
      if (options.fix && result.usageDrifts.length > 0) {
        // `settled`: creations may be in flight, and a counter one above its rows is what each
        // looks like between its reservation and its insert; lowering it would lose that count.
        const recount = await this.repair.recountUsage(
          options.operator,
          account.businessId,
          'reconciliation: usage counter differed from the product tables',
          'settled',
        );
        result.usageRecounted = recount.some((r) => r.after !== r.before);
      }
    } catch (error) {
      result.usageError = errorMessage(error);
    }
    return result;
  }

  private async ours(account: BillingAccountEntity): Promise<ComparableBilling> {
    const rows: { id: string; status: string; stripe_created_at: Date }[] = await this.dataSource.query(SUBSCRIPTIONS_OF_CUSTOMER, [
      account.stripeCustomerId,
    ]);
    return {
      subscriptionId: storedCurrentSubscriptionId(rows.map((row) => ({ id: row.id, status: row.status, created: row.stripe_created_at }))),
      planKey: account.planKey,
      subscriptionStatus: account.subscriptionStatus,
      currentPeriodStart: account.currentPeriodStart,
      currentPeriodEnd: account.currentPeriodEnd,
      cancelAtPeriodEnd: account.cancelAtPeriodEnd,
      trialStatus: account.trialStatus,
      trialEndsAt: account.trialEndsAt,
    };
  }

  private expected(account: BillingAccountEntity, subscriptions: StripeSubscriptionSnapshot[]): ComparableBilling {
    return expectedFromStripe(
      subscriptions,
      account,
      (subscription) =>
        resolveSubscriptionPlan(
          subscription,
          (key) => this.plans.has(key),
          (priceId) => this.plans.resolvePriceId(priceId).planKey,
        ),
      this.plans.defaultPlan().key,
      this.clock.now(),
      this.config.values.pastDueGraceDays,
      (priceId) => this.plans.isCatalogPrice(priceId),
    );
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
