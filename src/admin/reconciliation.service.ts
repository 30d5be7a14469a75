import { Injectable } from '@nestjs/common';
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
import { AdminRepairService, type Operator, type SyncIntent, type UsageDrift } from './admin-repair.service.js';
import {
  type ComparableBilling,
  diffBilling,
  expectedFromStripe,
  type FieldDrift,
  storedCurrentSubscriptionId,
} from './billing-drift.util.js';
import { createPacer } from './rate-limit.util.js';

export interface AccountReconciliation {
  businessId: string;
  customerId: string;
  drifts: FieldDrift[];
  usageDrifts: UsageDrift[];
  /** Set when the account could not be compared (Stripe down, unknown price...). */
  error: string | null;
  fixed: boolean;
}

export interface ReconcileSummary {
  checked: number;
  inSync: number;
  drifted: number;
  fixed: number;
  errors: number;
  usageRecounted: number;
  /** Only the accounts that drifted or failed. */
  accounts: AccountReconciliation[];
}

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
 * from Stripe would store, and with --fix re-syncs the ones that differ. Accounts are read in
 * keyset batches (never all at once) and Stripe calls are paced at RECONCILE_MAX_RPS. Shared
 * by the CLI, the admin API's callers and the scheduled job.
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
  ) {}

  async run(options: ReconcileOptions): Promise<ReconcileSummary> {
    const pace = createPacer(this.config.values.reconcile.maxRps);
    const summary: ReconcileSummary = { checked: 0, inSync: 0, drifted: 0, fixed: 0, errors: 0, usageRecounted: 0, accounts: [] };
    const total = await this.accounts.countWithCustomer(options.businessId);
    for await (const batch of this.accounts.streamWithCustomer(options.businessId)) {
      for (const account of batch) {
        const result = await this.reconcileOne(account, options, pace);
        summary.checked++;
        if (result.error) summary.errors++;
        else if (result.drifts.length > 0) summary.drifted++;
        else summary.inSync++;
        if (result.fixed) summary.fixed++;
        if (options.fix && result.usageDrifts.length > 0) summary.usageRecounted++;
        if (result.error || result.drifts.length > 0 || result.usageDrifts.length > 0) summary.accounts.push(result);
        options.onProgress?.(summary.checked, total, result);
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
    const pace = createPacer(this.config.values.reconcile.maxRps);
    const total = await this.accounts.countWithCustomer();
    const outcomes: SyncOutcome[] = [];
    for await (const batch of this.accounts.streamWithCustomer()) {
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
    const customerId = account.stripeCustomerId!;
    const result: AccountReconciliation = { businessId: account.businessId, customerId, drifts: [], usageDrifts: [], error: null, fixed: false };
    try {
      await pace();
      const subscriptions = await this.stripe.listSubscriptions(customerId);
      result.drifts = diffBilling(await this.ours(account), this.expected(account, subscriptions));
      result.usageDrifts = await this.repair.usageDrifts(account.businessId);
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
      if (options.fix && result.usageDrifts.length > 0) {
        await this.repair.recountUsage(options.operator, account.businessId, 'reconciliation: usage counter differed from the product tables');
      }
    } catch (error) {
      result.error = error instanceof Error ? error.message : String(error);
    }
    return result;
  }

  private async ours(account: BillingAccountEntity): Promise<ComparableBilling> {
    const rows: { id: string; status: string; stripe_created_at: Date }[] = await this.dataSource.query(
      `SELECT id, status, stripe_created_at FROM subscriptions WHERE customer_id = $1`,
      [account.stripeCustomerId],
    );
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
    );
  }
}
