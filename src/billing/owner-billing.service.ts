import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { AuthAccount } from '../auth/auth-account.types.js';
import { Clock } from '../clock/clock.js';
import { RequestErrorCode, RequestException } from '../common/exceptions/request.exception.js';
import { AppConfigService } from '../config/app-config.service.js';
import { IdempotencyService, type StripeKeyFor } from '../idempotency/idempotency.service.js';
import type { BillingInterval } from '../plans/plan-catalog.dto.js';
import type { PlanDefinition } from '../plans/plan-catalog.types.js';
import { PlansService } from '../plans/plans.service.js';
import { StripeClientService } from '../stripe/stripe-client.service.js';
import { StripeErrorCode, StripeException } from '../stripe/stripe.exception.js';
import type { StripeSubscriptionSnapshot } from '../stripe/stripe.types.js';
import { toSubscriptionDetails } from '../stripe/to-stripe-snapshot.util.js';
import type { BillingAccountEntity } from './billing-account.entity.js';
import type { BillingAccountModel, BillingSubscriptionModel } from './billing-account.model.js';
import { BillingAccountsService } from './billing-accounts.service.js';
import type { ChangePlanInput, CreateCheckoutSessionInput, PreviewPlanChangeInput } from './billing-checkout.input.js';
import { PlanChangeTimingModel } from './billing-checkout.input.js';
import type { BillingPortalSessionModel, CheckoutSessionModel, PlanChangePreviewModel } from './billing-checkout.model.js';
import type { BillingSyncSource } from './billing-sync-log.entity.js';
import { BillingSyncStatus } from './billing-sync-status.enum.js';
import { BillingSyncService } from './billing-sync.service.js';
import { overLimitOf } from './billing-warnings.util.js';
import { BillingService } from './billing.service.js';
import { BillingErrorCode, BillingException } from './billing.exception.js';
import {
  billingReturnUrl,
  checkoutOutcome,
  type CheckoutOutcome,
  LIVE_SUBSCRIPTION_STATUSES,
} from './checkout-outcome.util.js';
import { pickCurrentSubscription } from './pick-current-subscription.util.js';
import { classifyPlanChange, planChangeWhen, type PricedChoice } from './plan-change.util.js';

// Namespace of the two-int advisory locks that serialise checkout creation per business.
const CHECKOUT_LOCK_NAMESPACE = 7_305;
/** An open session this close to its expiry is not handed out again. */
const SESSION_REUSE_MARGIN_MS = 10 * 60 * 1000;
/** Subscriptions whose plan can be changed, cancelled or resumed here. */
const CHANGEABLE_STATUSES = new Set(['active', 'trialing', 'past_due']);

interface CheckoutRow {
  id: string;
  plan_key: string;
  interval: string;
  url: string | null;
  expires_at: Date;
}

/**
 * The owner's side of billing: Checkout, the billing portal, plan changes, cancel and resume, and
 * the Checkout return route. Every change is made in Stripe first and then synced back from
 * Stripe in the same request, so the answer is the state after the change.
 */
@Injectable()
export class OwnerBillingService {
  private readonly logger = new Logger(OwnerBillingService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly accounts: BillingAccountsService,
    private readonly billing: BillingService,
    private readonly sync: BillingSyncService,
    private readonly stripe: StripeClientService,
    private readonly plans: PlansService,
    private readonly idempotency: IdempotencyService,
    private readonly config: AppConfigService,
    private readonly clock: Clock,
  ) {}

  // ---- Checkout -------------------------------------------------------------------------------

  /**
   * A Checkout Session for a paid plan. Per business, creation is serialised by an advisory lock
   * and an open, unexpired session for the same price is handed out again, so concurrent calls
   * (with or without an Idempotency-Key) leave at most one open session.
   */
  async createCheckoutSession(
    caller: AuthAccount,
    input: CreateCheckoutSessionInput,
    idempotencyKey?: string,
  ): Promise<CheckoutSessionModel> {
    const { plan, priceId } = this.purchasable(input.planKey, input.interval);
    const account = await this.accounts.getOrCreate(caller);
    return this.idempotency.run(
      { businessId: account.businessId, key: idempotencyKey, operation: 'createCheckoutSession', input },
      (stripeKey) =>
        this.dataSource.transaction(async (manager) => {
          await manager.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [
            CHECKOUT_LOCK_NAMESPACE,
            account.businessId,
          ]);
          const customerId = await this.customerFor(manager, account, caller);
          const subscriptions = await this.stripe.listSubscriptions(customerId);
          const live = subscriptions.find((s) => LIVE_SUBSCRIPTION_STATUSES.has(s.status));
          if (live) {
            throw new BillingException(
              BillingErrorCode.ALREADY_SUBSCRIBED,
              `This business already has a ${live.status} subscription: change its plan instead`,
              { subscriptionStatus: live.status },
            );
          }
          const reused = await this.reuseOpenSession(manager, account.businessId, plan.key, input.interval, stripeKey);
          if (reused) return reused;
          const session = await this.stripe.createCheckoutSession(
            {
              customerId,
              priceId,
              businessId: account.businessId,
              planKey: plan.key,
              successUrl: `${this.config.values.billing.publicUrl}/billing/checkout/return?session_id={CHECKOUT_SESSION_ID}`,
              cancelUrl: this.returnUrl('cancel'),
              trialDays: input.withTrial === false ? 0 : await this.billing.stripeTrialDaysFor(account.businessId, plan.key),
            },
            stripeKey('session'),
          );
          if (!session.url) {
            throw new StripeException(StripeErrorCode.STRIPE_UNAVAILABLE, 'Stripe returned a Checkout Session without a URL');
          }
          await manager.query(
            `INSERT INTO checkout_sessions (id, business_id, plan_key, interval, url, status, expires_at, created_at)
             VALUES ($1, $2, $3, $4, $5, 'open', $6, $7) ON CONFLICT (id) DO NOTHING`,
            [
              session.id,
              account.businessId,
              plan.key,
              input.interval,
              session.url,
              session.expiresAt ?? new Date(this.clock.now().getTime() + 24 * 3600_000),
              this.clock.now(),
            ],
          );
          return { id: session.id, url: session.url };
        }),
    );
  }

  /**
   * GET /billing/checkout/return: where Stripe sends the browser after Checkout. Syncs the
   * customer from Stripe at once (the owner sees the paid plan even before the webhook) and
   * answers the URL to redirect to. Never throws: a bad session gives `checkout=error`.
   */
  async completeCheckoutReturn(sessionId: unknown): Promise<string> {
    return this.returnUrl(await this.checkoutReturnOutcome(sessionId));
  }

  private async checkoutReturnOutcome(sessionId: unknown): Promise<CheckoutOutcome> {
    if (typeof sessionId !== 'string' || !/^cs_[A-Za-z0-9_]{1,250}$/.test(sessionId)) return 'error';
    let session;
    try {
      session = await this.stripe.retrieveCheckoutSession(sessionId);
    } catch (error) {
      this.logger.warn({ err: error, sessionId }, 'checkout return: session not retrievable');
      // Stripe down: the payment may well have gone through; the webhook will tell.
      return error instanceof StripeException && error.code === StripeErrorCode.STRIPE_UNAVAILABLE ? 'pending' : 'error';
    }
    const businessId = session.clientReferenceId ?? session.metadata.businessId ?? null;
    const rows: Pick<BillingAccountEntity, 'stripeCustomerId'>[] = businessId
      ? await this.dataSource.query(
          'SELECT stripe_customer_id AS "stripeCustomerId" FROM billing_accounts WHERE business_id = $1',
          [businessId],
        )
      : [];
    const account = rows[0];
    if (!businessId || !account || (account.stripeCustomerId && session.customerId && account.stripeCustomerId !== session.customerId)) {
      this.logger.warn({ sessionId, businessId }, 'checkout return: session of no business we know');
      return 'error';
    }
    const outcome = checkoutOutcome(session);
    await this.dataSource.query(`UPDATE checkout_sessions SET status = $2 WHERE id = $1 AND status = 'open'`, [
      session.id,
      session.status === 'complete' ? 'complete' : session.status === 'expired' ? 'expired' : 'open',
    ]);
    if (session.status !== 'complete' || !session.customerId) return outcome;
    try {
      await this.syncNow(session.customerId, BillingSyncStatus.CHECKOUT_RETURN, 'checkout-return', businessId);
    } catch (error) {
      // Paid but not synced (e.g. Stripe timed out): the webhook will apply it; say so.
      this.logger.warn({ err: error, sessionId }, 'checkout return: sync failed, the webhook will catch up');
      return 'pending';
    }
    return outcome;
  }

  // ---- Billing portal -------------------------------------------------------------------------

  async createBillingPortalSession(caller: AuthAccount, idempotencyKey?: string): Promise<BillingPortalSessionModel> {
    const account = await this.accounts.getOrCreate(caller);
    if (!account.stripeCustomerId) {
      throw new BillingException(BillingErrorCode.NO_STRIPE_CUSTOMER, 'This business has no Stripe customer yet: buy a plan first');
    }
    const customerId = account.stripeCustomerId;
    return this.idempotency.run(
      { businessId: account.businessId, key: idempotencyKey, operation: 'createBillingPortalSession', input: {} },
      async (stripeKey) => {
        const session = await this.stripe.createBillingPortalSession(customerId, this.returnUrl(), stripeKey('portal'));
        return { url: session.url };
      },
    );
  }

  // ---- Plan changes ---------------------------------------------------------------------------

  async previewPlanChange(caller: AuthAccount, input: PreviewPlanChangeInput): Promise<PlanChangePreviewModel> {
    const { plan, priceId } = this.purchasable(input.planKey, input.interval);
    const account = await this.accounts.getOrCreate(caller);
    const current = await this.changeableSubscription(account);
    const itemId = toSubscriptionDetails(current.raw).itemId!;
    const now = this.clock.now();
    const when = this.decideWhen(current, plan, input.interval, null);
    const base = { subscriptionId: current.id, itemId, priceId };
    // The next regular invoice at the new price (no proration): what the owner pays from then on.
    const next = await this.stripe.previewPriceChange({ ...base, proration: 'none', prorationDate: now });
    const dueNow = when === 'now' ? await this.stripe.previewPriceChange({ ...base, proration: 'always_invoice', prorationDate: now }) : null;
    const usage = await this.billing.usageFor(account, plan, now);
    return {
      amountDueNow: dueNow?.amountDue ?? 0,
      currency: (dueNow ?? next).currency,
      nextInvoiceAmount: next.amountDue,
      effectiveAt: when === 'now' ? now : (current.currentPeriodEnd ?? now),
      overLimit: overLimitOf(usage),
    };
  }

  /**
   * Upgrade now with proration (charged at once; not applied if the charge fails), downgrade at
   * the period end through a subscription schedule (visible as subscription.scheduledChange).
   * Changing to the free plan is cancelSubscription (at the period end unless `when` is NOW).
   */
  async changePlan(caller: AuthAccount, input: ChangePlanInput, idempotencyKey?: string): Promise<BillingAccountModel> {
    const target = this.plans.has(input.planKey) ? this.plans.get(input.planKey) : null;
    if (target?.isFree) {
      await this.cancelSubscription(caller, input.when !== PlanChangeTimingModel.NOW, idempotencyKey);
      return this.billing.getOverview(caller);
    }
    const { plan, priceId } = this.purchasable(input.planKey, input.interval);
    const account = await this.accounts.getOrCreate(caller);
    return this.idempotency.run(
      { businessId: account.businessId, key: idempotencyKey, operation: 'changePlan', input },
      async (stripeKey) => {
        const current = await this.changeableSubscription(account);
        const details = toSubscriptionDetails(current.raw);
        const now = this.clock.now();
        const when = this.decideWhen(current, plan, input.interval, input.when ?? null);
        if (when === 'now') {
          const prorationDate = this.prorationDate(input.prorationDate ?? null, current, now);
          // A pending scheduled change would undo this one at the period end.
          if (details.scheduleId) await this.stripe.releaseSchedule(details.scheduleId, stripeKey('release-schedule'));
          await this.stripe.changeSubscriptionPrice(
            { subscriptionId: current.id, itemId: details.itemId!, priceId, proration: 'always_invoice', prorationDate },
            stripeKey('change-price'),
          );
        } else {
          // A schedule cannot be combined with cancel_at_period_end: the newer wish (keep paying, on another plan) wins.
          if (current.cancelAtPeriodEnd) await this.stripe.setCancelAtPeriodEnd(current.id, false, stripeKey('uncancel'));
          await this.stripe.schedulePriceChange(
            {
              subscriptionId: current.id,
              scheduleId: details.scheduleId,
              currentPriceId: current.priceId!,
              priceId,
              periodEnd: current.currentPeriodEnd!,
            },
            stripeKey('schedule'),
          );
        }
        await this.syncNow(current.customerId, BillingSyncStatus.OWNER_PLAN_CHANGE, 'owner', account.businessId);
        return this.billing.getOverview(caller);
      },
    );
  }

  /** Drops a scheduled change (the schedule is released; the current plan carries on). A no-op without one. */
  async cancelScheduledPlanChange(caller: AuthAccount, idempotencyKey?: string): Promise<BillingAccountModel> {
    const account = await this.accounts.getOrCreate(caller);
    return this.idempotency.run(
      { businessId: account.businessId, key: idempotencyKey, operation: 'cancelScheduledPlanChange', input: {} },
      async (stripeKey) => {
        const current = await this.changeableSubscription(account);
        const { scheduleId } = toSubscriptionDetails(current.raw);
        if (scheduleId) {
          await this.stripe.releaseSchedule(scheduleId, stripeKey('release-schedule'));
          await this.syncNow(current.customerId, BillingSyncStatus.OWNER_PLAN_CHANGE, 'owner', account.businessId);
        }
        return this.billing.getOverview(caller);
      },
    );
  }

  // ---- Cancel and resume ----------------------------------------------------------------------

  async cancelSubscription(caller: AuthAccount, atPeriodEnd: boolean, idempotencyKey?: string): Promise<BillingSubscriptionModel> {
    const account = await this.accounts.getOrCreate(caller);
    return this.idempotency.run(
      { businessId: account.businessId, key: idempotencyKey, operation: 'cancelSubscription', input: { atPeriodEnd } },
      async (stripeKey) => {
        const current = await this.liveSubscription(account);
        const { scheduleId } = toSubscriptionDetails(current.raw);
        // Stripe refuses cancellation flags on a subscription a schedule manages.
        if (scheduleId) await this.stripe.releaseSchedule(scheduleId, stripeKey('release-schedule'));
        if (atPeriodEnd) await this.stripe.setCancelAtPeriodEnd(current.id, true, stripeKey('cancel-at-period-end'));
        else await this.stripe.cancelSubscriptionNow(current.id, stripeKey('cancel-now'));
        await this.syncNow(current.customerId, BillingSyncStatus.OWNER_CANCEL, 'owner', account.businessId);
        return this.billing.getSubscription(current.id);
      },
    );
  }

  /** Undoes a cancellation at period end. A subscription that is not cancelling is returned as it is. */
  async resumeSubscription(caller: AuthAccount, idempotencyKey?: string): Promise<BillingSubscriptionModel> {
    const account = await this.accounts.getOrCreate(caller);
    return this.idempotency.run(
      { businessId: account.businessId, key: idempotencyKey, operation: 'resumeSubscription', input: {} },
      async (stripeKey) => {
        const current = await this.changeableSubscription(account);
        if (current.cancelAtPeriodEnd || current.cancelAt) {
          await this.stripe.setCancelAtPeriodEnd(current.id, false, stripeKey('resume'));
        }
        await this.syncNow(current.customerId, BillingSyncStatus.OWNER_RESUME, 'owner', account.businessId);
        return this.billing.getSubscription(current.id);
      },
    );
  }

  // ---- Helpers --------------------------------------------------------------------------------

  /**
   * The ONE way this service brings an account in line with Stripe after a change it made, so
   * every caller gets the state after the change (and so there is one place to adapt the sync).
   */
  private async syncNow(
    customerId: string,
    status: BillingSyncStatus,
    source: BillingSyncSource,
    businessHint: string,
  ): Promise<void> {
    await this.sync.syncFromStripe(customerId, {
      status,
      source,
      entries: [{ eventId: null, status }],
      businessHint,
    });
  }

  /** The plan and Stripe price for a purchase; PLAN_NOT_PURCHASABLE for free, unknown, inactive or unpriced. */
  private purchasable(planKey: string, interval: BillingInterval): { plan: PlanDefinition; priceId: string } {
    const plan = this.plans.has(planKey) ? this.plans.get(planKey) : null;
    const priceId = plan && !plan.isFree && plan.active ? this.plans.priceIdFor(plan.key, interval) : undefined;
    if (!plan || !priceId) {
      const why = !plan ? 'no such plan' : plan.isFree ? 'it is free' : !plan.active ? 'it is no longer sold' : `it has no ${interval} price`;
      throw new BillingException(BillingErrorCode.PLAN_NOT_PURCHASABLE, `Plan "${planKey}" cannot be bought: ${why}`, {
        planKey,
        interval,
      });
    }
    return { plan, priceId };
  }

  /** The business's Stripe customer, created (metadata.businessId, the owner's email) and linked on first use. */
  private async customerFor(manager: EntityManager, account: BillingAccountEntity, caller: AuthAccount): Promise<string> {
    const rows: { stripe_customer_id: string | null }[] = await manager.query(
      'SELECT stripe_customer_id FROM billing_accounts WHERE business_id = $1',
      [account.businessId],
    );
    if (rows[0]?.stripe_customer_id) return rows[0].stripe_customer_id;
    const email = caller.email ?? account.billingEmail;
    const customer = await this.stripe.createCustomer(
      { businessId: account.businessId, email },
      // Stable per business and email: a retry after a crash gets the same customer back.
      `billing:customer:${account.businessId}:${email ?? ''}`,
    );
    await manager.query(
      `UPDATE billing_accounts SET stripe_customer_id = $2, billing_email = coalesce(billing_email, $3), updated_at = now()
        WHERE business_id = $1`,
      [account.businessId, customer.id, email],
    );
    return customer.id;
  }

  /**
   * An open session of this business that Stripe still reports open: reused for the same price,
   * expired otherwise (one open session per business).
   */
  private async reuseOpenSession(
    manager: EntityManager,
    businessId: string,
    planKey: string,
    interval: BillingInterval,
    stripeKey: StripeKeyFor,
  ): Promise<CheckoutSessionModel | null> {
    const open: CheckoutRow[] = await manager.query(
      `SELECT id, plan_key, interval, url, expires_at FROM checkout_sessions
        WHERE business_id = $1 AND status = 'open' ORDER BY created_at DESC`,
      [businessId],
    );
    const now = this.clock.now();
    let reusable: CheckoutSessionModel | null = null;
    for (const row of open) {
      const session = await this.stripe.retrieveCheckoutSession(row.id);
      const fresh = row.expires_at.getTime() - now.getTime() > SESSION_REUSE_MARGIN_MS;
      if (session.status === 'open' && session.url && fresh && !reusable && row.plan_key === planKey && row.interval === interval) {
        reusable = { id: session.id, url: session.url };
        continue;
      }
      let status = session.status ?? 'expired';
      if (session.status === 'open') {
        await this.stripe.expireCheckoutSession(row.id, stripeKey(`expire-${row.id}`));
        status = 'expired';
      }
      await manager.query('UPDATE checkout_sessions SET status = $2 WHERE id = $1', [row.id, status]);
    }
    return reusable;
  }

  /** The customer's current subscription from Stripe, if it still runs (any live status). */
  private async liveSubscription(account: BillingAccountEntity): Promise<StripeSubscriptionSnapshot> {
    const current = account.stripeCustomerId
      ? pickCurrentSubscription(await this.stripe.listSubscriptions(account.stripeCustomerId))
      : null;
    if (!current || !LIVE_SUBSCRIPTION_STATUSES.has(current.status)) {
      throw new BillingException(BillingErrorCode.NO_SUBSCRIPTION, 'This business has no subscription to change: buy a plan first', {
        subscriptionStatus: current?.status ?? null,
      });
    }
    return current;
  }

  /** A live subscription whose plan can change: active, trialing or past_due. */
  private async changeableSubscription(account: BillingAccountEntity): Promise<StripeSubscriptionSnapshot> {
    const current = await this.liveSubscription(account);
    if (!CHANGEABLE_STATUSES.has(current.status) || !current.priceId || !toSubscriptionDetails(current.raw).itemId) {
      throw new BillingException(
        BillingErrorCode.NO_SUBSCRIPTION,
        `The subscription is ${current.status}: it cannot be changed here (use the billing portal)`,
        { subscriptionStatus: current.status },
      );
    }
    return current;
  }

  private decideWhen(
    current: StripeSubscriptionSnapshot,
    target: PlanDefinition,
    interval: BillingInterval,
    requested: PlanChangeTimingModel | null,
  ): 'now' | 'period_end' {
    const priced = this.plans.resolvePriceId(current.priceId!);
    const currentPlan = this.plans.get(priced.planKey);
    const choice = (plan: PlanDefinition, i: BillingInterval): PricedChoice => ({
      planKey: plan.key,
      interval: i,
      sortOrder: plan.sortOrder,
      yearlyAmount: i === 'monthly' ? plan.prices.monthly * 12 : plan.prices.yearly,
    });
    const kind = classifyPlanChange(choice(currentPlan, priced.interval), choice(target, interval));
    if (kind === 'same') {
      throw new BillingException(BillingErrorCode.SAME_PLAN, `The subscription is already on ${target.key} (${interval})`, {
        planKey: target.key,
        interval,
      });
    }
    return planChangeWhen(kind, requested, priced.interval !== interval, priced.planKey === target.key);
  }

  /** Stripe's proration_date: the preview's time when given (so the charge equals the preview), else now. */
  private prorationDate(requested: Date | null, current: StripeSubscriptionSnapshot, now: Date): Date {
    if (!requested) return now;
    if (requested > now || (current.currentPeriodStart && requested < current.currentPeriodStart)) {
      throw new RequestException(
        RequestErrorCode.BAD_USER_INPUT,
        'prorationDate must lie in the current billing period and not in the future (pass the preview\'s effectiveAt)',
      );
    }
    return requested;
  }

  private returnUrl(outcome?: CheckoutOutcome): string {
    return billingReturnUrl(this.config.values.billing.appUrl, this.config.values.billing.returnPath, outcome);
  }
}
