import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AuthAccount } from '../auth/auth-account.types.js';
import { Clock } from '../clock/clock.js';
import { RequestErrorCode, RequestException } from '../common/exceptions/request.exception.js';
import { AppConfigService } from '../config/app-config.service.js';
import { isLiveStatus, isOpenSubscriptionStatus } from '../entitlements/subscription-status.constant.js';
import { IdempotencyService, type StripeKeyFor } from '../idempotency/idempotency.service.js';
import { markNothingChanged } from '../idempotency/idempotency.util.js';
import type { BillingInterval } from '../plans/plan-catalog.dto.js';
import type { PlanDefinition } from '../plans/plan-catalog.types.js';
import { PlansService } from '../plans/plans.service.js';
import { StripeClientService } from '../stripe/stripe-client.service.js';
import { StripeErrorCode, StripeException } from '../stripe/stripe.exception.js';
import type { StripeCheckoutSessionSnapshot, StripeSubscriptionSnapshot } from '../stripe/stripe.types.js';
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
import { ACCOUNT_CUSTOMER, LINK_CUSTOMER } from './billing.sql.js';
import {
  billingReturnUrl,
  checkoutOutcome,
  type CheckoutOutcome,
  returningSessionBusiness,
} from './checkout-outcome.util.js';
import { CheckoutSessionsService } from './checkout-sessions.service.js';
import { isDefiniteRefusal } from './definite-refusal.util.js';
import { pickCurrentSubscription } from './pick-current-subscription.util.js';
import { planPriceSelector, withPlanPrice } from './plan-change-items.util.js';
import { classifyPlanChange, planChangeWhen, type PricedChoice } from './plan-change.util.js';
import { selectPlanItem } from './select-plan-item.util.js';

/** An open session this close to its expiry is not handed out again. */
const SESSION_REUSE_MARGIN_MS = 10 * 60 * 1000;

/** The customer's current subscription, read for a change: its plan item chosen as billing sync chooses it. */
interface CurrentSubscription {
  /** Price, interval and period are the plan item's (selectPlanItem), not the first item's. */
  subscription: StripeSubscriptionSnapshot;
  /** The plan item's id, every item (add-ons kept in schedules) and the attached schedule. */
  details: ReturnType<typeof toSubscriptionDetails>;
}

/** How a subscription was set to end, so a failed change can put it back. */
type Cancellation = 'at_period_end' | 'at_date' | null;

/** What a Checkout Session offers; an open one is handed out again only for the same offer. */
interface CheckoutOffer {
  planKey: string;
  interval: BillingInterval;
  trialDays: number;
}

/**
 * The owner's side of billing: Checkout, the billing portal, plan changes, cancel and resume, and
 * the Checkout return route. Every change is made in Stripe first and then synced back from
 * Stripe in the same request, refused or not, so the answer (and `billing`) is the state after
 * it. No Stripe call happens inside a database transaction, and a request never needs two pooled
 * connections at once.
 */
@Injectable()
export class OwnerBillingService {
  private readonly logger = new Logger(OwnerBillingService.name);
  private readonly isCatalogPrice = (priceId: string) => this.plans.isCatalogPrice(priceId);
  private readonly planPriceOf = planPriceSelector(this.isCatalogPrice);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly accounts: BillingAccountsService,
    private readonly billing: BillingService,
    private readonly sync: BillingSyncService,
    private readonly checkoutSessions: CheckoutSessionsService,
    private readonly stripe: StripeClientService,
    private readonly plans: PlansService,
    private readonly idempotency: IdempotencyService,
    private readonly config: AppConfigService,
    private readonly clock: Clock,
  ) {}

  // ---- Checkout -------------------------------------------------------------------------------

  /**
   * A Checkout Session for a paid plan. Per business one caller at a time opens sessions (a claim
   * row, see CheckoutSessionsService), and an open, unexpired session with the same offer (plan,
   * interval, trial days) is handed out again, so concurrent calls (with or without an
   * Idempotency-Key) leave at most one open session.
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
        this.checkoutSessions.withBusinessClaim(account.businessId, async (holder) => {
          const customerId = await this.customerFor(account, caller);
          const live = (await this.stripe.listSubscriptions(customerId)).find((s) => isOpenSubscriptionStatus(s.status));
          if (live) {
            throw new BillingException(
              BillingErrorCode.ALREADY_SUBSCRIBED,
              `This business already has a ${live.status} subscription: change its plan instead`,
              { subscriptionStatus: live.status },
            );
          }
          const trialDays = input.withTrial === false ? 0 : await this.billing.stripeTrialDaysFor(account.businessId, plan.key);
          const offer: CheckoutOffer = { planKey: plan.key, interval: input.interval, trialDays };
          const reused = await this.reuseOpenSession(account.businessId, offer, stripeKey);
          if (reused) return reused;
          const session = await this.step(() =>
            this.stripe.createCheckoutSession(
              {
                customerId,
                priceId,
                businessId: account.businessId,
                planKey: plan.key,
                successUrl: `${this.config.values.billing.publicUrl}/billing/checkout/return?session_id={CHECKOUT_SESSION_ID}`,
                cancelUrl: this.returnUrl('cancel'),
                trialDays,
              },
              stripeKey('session'),
            ),
          );
          if (!session.url) {
            throw new StripeException(StripeErrorCode.STRIPE_UNAVAILABLE, 'Stripe returned a Checkout Session without a URL');
          }
          const now = this.clock.now();
          const expiresAt = session.expiresAt ?? new Date(now.getTime() + 24 * 3600_000);
          const recorded = await this.checkoutSessions.record(
            account.businessId,
            holder,
            { id: session.id, ...offer, url: session.url, expiresAt },
            now,
          );
          if (!recorded) {
            // We outlived our claim and another caller may be opening a session now: ours must not stay open beside it.
            const tooLong = new BillingException(BillingErrorCode.CHECKOUT_IN_PROGRESS, 'Opening the checkout took too long; retry');
            try {
              await this.stripe.expireCheckoutSession(session.id, stripeKey('expire-unclaimed'));
            } catch (error) {
              // Still open at Stripe: a retry under the same Idempotency-Key resumes this attempt, gets
              // this very session back from Stripe and records it, rather than opening a second one.
              this.logger.error({ err: error, sessionId: session.id }, 'checkout: could not expire an unrecorded session');
              throw tooLong;
            }
            throw markNothingChanged(tooLong);
          }
          return { id: session.id, url: session.url };
        }),
    );
  }

  /**
   * GET /billing/checkout/return: where Stripe sends the browser after Checkout. Syncs the
   * customer from Stripe at once (the owner sees the paid plan even before the webhook) and
   * answers the URL to redirect to. Never throws: a bad or foreign session gives
   * `checkout=error`, a failure on our side once Stripe knows the session `checkout=pending`.
   */
  async completeCheckoutReturn(sessionId: unknown): Promise<string> {
    return this.returnUrl(await this.checkoutReturnOutcome(sessionId));
  }

  private async checkoutReturnOutcome(sessionId: unknown): Promise<CheckoutOutcome> {
    if (typeof sessionId !== 'string' || !/^cs_[A-Za-z0-9_]{1,250}$/.test(sessionId)) return 'error';
    let session: StripeCheckoutSessionSnapshot;
    try {
      session = await this.stripe.retrieveCheckoutSession(sessionId);
    } catch (error) {
      this.logger.warn({ err: error, sessionId }, 'checkout return: session not retrievable');
      // Stripe down: the payment may well have gone through; the webhook will tell.
      return error instanceof StripeException && error.code === StripeErrorCode.STRIPE_UNAVAILABLE ? 'pending' : 'error';
    }
    try {
      return await this.settleReturnedSession(session);
    } catch (error) {
      // Our side (the database, the sync) failed with a real session in hand: it may be paid, and the webhook will apply it.
      this.logger.warn({ err: error, sessionId }, 'checkout return: could not settle the session now; the webhook will catch up');
      return 'pending';
    }
  }

  /** A session Stripe returned: checked to be one we opened, then its customer synced when it completed. */
  private async settleReturnedSession(session: StripeCheckoutSessionSnapshot): Promise<CheckoutOutcome> {
    const openedBy = await this.checkoutSessions.openerOf(session.id);
    const [account]: Pick<BillingAccountEntity, 'stripeCustomerId'>[] = openedBy
      ? await this.dataSource.query(ACCOUNT_CUSTOMER, [openedBy])
      : [];
    const businessId = returningSessionBusiness({
      openedBy,
      metadataBusinessId: session.metadata.businessId ?? null,
      account: account ?? null,
      customerId: session.customerId,
    });
    if (!businessId) {
      this.logger.warn(
        { sessionId: session.id, openedBy, clientReferenceId: session.clientReferenceId },
        'checkout return: a session this service did not open for that business',
      );
      return 'error';
    }
    if (session.status === 'complete' || session.status === 'expired') {
      await this.checkoutSessions.setStatus(session.id, session.status, true);
    }
    if (session.status !== 'complete' || !session.customerId) return checkoutOutcome(session);
    await this.syncNow(session.customerId, BillingSyncStatus.CHECKOUT_RETURN, 'checkout-return', businessId, session.clientReferenceId);
    return checkoutOutcome(session);
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
        const session = await this.step(() => this.stripe.createBillingPortalSession(customerId, this.returnUrl(), stripeKey('portal')));
        return { url: session.url };
      },
    );
  }

  // ---- Plan changes ---------------------------------------------------------------------------

  /**
   * What changePlan would charge and what would be over the new limits. A move to the free plan
   * is a cancellation at the period end: nothing is charged, and it is exactly where overLimit
   * matters.
   */
  async previewPlanChange(caller: AuthAccount, input: PreviewPlanChangeInput): Promise<PlanChangePreviewModel> {
    const target = this.plans.has(input.planKey) ? this.plans.get(input.planKey) : null;
    if (target?.isFree) return this.previewCancellation(await this.accounts.getOrCreate(caller), target);
    const { plan, priceId } = this.purchasable(input.planKey, input.interval);
    const account = await this.accounts.getOrCreate(caller);
    const { subscription, details } = await this.changeableSubscription(account);
    const now = this.clock.now();
    const when = this.decideWhen(subscription, plan, input.interval, null);
    const base = { subscriptionId: subscription.id, itemId: details.itemId!, priceId };
    // The next regular invoice at the new price (no proration): what the owner pays from then on.
    const next = await this.stripe.previewPriceChange({ ...base, proration: 'none', prorationDate: now });
    const dueNow = when === 'now' ? await this.stripe.previewPriceChange({ ...base, proration: 'always_invoice', prorationDate: now }) : null;
    const usage = await this.billing.usageFor(account, plan, now);
    return {
      amountDueNow: dueNow?.amountDue ?? 0,
      currency: (dueNow ?? next).currency,
      nextInvoiceAmount: next.amountDue,
      effectiveAt: when === 'now' ? now : (subscription.currentPeriodEnd ?? now),
      overLimit: overLimitOf(usage),
    };
  }

  /**
   * Upgrade now with proration (charged at once; refused with PAYMENT_DECLINED and nothing
   * changed if the charge fails), downgrade at the period end through a subscription schedule
   * (visible as subscription.scheduledChange). Changing to the free plan is cancelSubscription
   * (at the period end unless `when` is NOW).
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
        const { subscription } = current;
        const when = this.decideWhen(subscription, plan, input.interval, input.when ?? null);
        // Checked before anything is sent to Stripe.
        const prorationDate = when === 'now' ? this.prorationDate(input.prorationDate ?? null, subscription, this.clock.now()) : null;
        await this.changeThenSync(subscription.customerId, BillingSyncStatus.OWNER_PLAN_CHANGE, account.businessId, () =>
          prorationDate ? this.changePriceNow(current, priceId, prorationDate, stripeKey) : this.schedulePrice(current, priceId, stripeKey),
        );
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
        const { subscription, details } = await this.changeableSubscription(account);
        const { scheduleId } = details;
        if (scheduleId) {
          await this.changeThenSync(subscription.customerId, BillingSyncStatus.OWNER_PLAN_CHANGE, account.businessId, () =>
            this.step(() => this.stripe.releaseSchedule(scheduleId, stripeKey('release-schedule'))),
          );
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
        const { subscription, details } = current;
        await this.changeThenSync(subscription.customerId, BillingSyncStatus.OWNER_CANCEL, account.businessId, async () => {
          // Stripe refuses cancellation flags on a subscription a schedule manages; a refused
          // cancellation puts the scheduled change back.
          const { scheduleId } = details;
          if (scheduleId) await this.step(() => this.stripe.releaseSchedule(scheduleId, stripeKey('release-schedule')));
          await this.step(
            async () => {
              if (atPeriodEnd) await this.stripe.setCancelAtPeriodEnd(subscription.id, true, stripeKey('cancel-at-period-end'));
              else await this.stripe.cancelSubscriptionNow(subscription.id, stripeKey('cancel-now'));
            },
            details.scheduledChange ? () => this.restoreSchedule(current, stripeKey) : null,
          );
        });
        return this.billing.getSubscription(subscription.id);
      },
    );
  }

  /**
   * Undoes a cancellation, whether set with cancel_at_period_end or for a date (cancel_at, as the
   * billing portal sets it). A subscription that is not cancelling is returned as it is.
   */
  async resumeSubscription(caller: AuthAccount, idempotencyKey?: string): Promise<BillingSubscriptionModel> {
    const account = await this.accounts.getOrCreate(caller);
    return this.idempotency.run(
      { businessId: account.businessId, key: idempotencyKey, operation: 'resumeSubscription', input: {} },
      async (stripeKey) => {
        const { subscription } = await this.changeableSubscription(account);
        await this.changeThenSync(subscription.customerId, BillingSyncStatus.OWNER_RESUME, account.businessId, async () => {
          await this.step(() => this.clearCancellation(subscription, () => stripeKey('resume')));
        });
        return this.billing.getSubscription(subscription.id);
      },
    );
  }

  // ---- Steps of a change ----------------------------------------------------------------------

  /**
   * The price now, prorated and charged at once. An attached schedule (a scheduled downgrade)
   * would undo the change at the period end, so it is released first, and put back when the
   * charge is refused, or when its outcome is unknown and Stripe still shows the old price: a
   * declined or lost upgrade leaves everything as it was. (A schedule without a change to come has
   * nothing to put back.)
   */
  private async changePriceNow(current: CurrentSubscription, priceId: string, prorationDate: Date, stripeKey: StripeKeyFor): Promise<void> {
    const { subscription, details } = current;
    const { scheduleId } = details;
    if (scheduleId) await this.step(() => this.stripe.releaseSchedule(scheduleId, stripeKey('release-schedule')));
    await this.step(
      () =>
        this.declinedAsPaymentDeclined(() =>
          this.stripe.changeSubscriptionPrice(
            { subscriptionId: subscription.id, itemId: details.itemId!, priceId, proration: 'always_invoice', prorationDate },
            stripeKey('change-price'),
          ),
        ),
      details.scheduledChange ? () => this.restoreSchedule(current, stripeKey) : null,
      // Unknown outcome: put the schedule back only if the price did not change (a restored
      // schedule's first phase has the old items: over a price that did change, it would revert a
      // paid upgrade). A failed read says nothing: the state is left as Stripe holds it.
      async () => {
        const now = selectPlanItem(await this.stripe.retrieveSubscription(subscription.id), this.isCatalogPrice);
        return now.priceId === subscription.priceId;
      },
    );
  }

  /**
   * The price at the period end, through a schedule whose phases keep every other item. A
   * schedule cannot be combined with a pending cancellation: the newer wish (keep paying, on
   * another plan) wins, and the cancellation is put back if the schedule cannot be made, also
   * when its outcome is unknown: Stripe refuses cancellation flags on a subscription a schedule
   * manages, so putting it back over a schedule that was made fails and changes nothing.
   */
  private async schedulePrice(current: CurrentSubscription, priceId: string, stripeKey: StripeKeyFor): Promise<void> {
    const { subscription, details } = current;
    const cleared = await this.step(() => this.clearCancellation(subscription, () => stripeKey('uncancel')));
    await this.step(
      () =>
        this.stripe.schedulePriceChange(
          {
            subscriptionId: subscription.id,
            scheduleId: details.scheduleId,
            currentItems: details.items,
            nextItems: withPlanPrice(details.items, subscription.priceId!, priceId),
            periodEnd: subscription.currentPeriodEnd!,
          },
          stripeKey('schedule'),
        ),
      cleared ? () => this.restoreCancellation(subscription, cleared, stripeKey('recancel')) : null,
      async () => true,
    );
  }

  /** Puts back the scheduled change a failed step released (a new schedule, same phases). */
  private async restoreSchedule(current: CurrentSubscription, stripeKey: StripeKeyFor): Promise<void> {
    const { subscription, details } = current;
    const change = details.scheduledChange!;
    await this.stripe.schedulePriceChange(
      {
        subscriptionId: subscription.id,
        scheduleId: null,
        currentItems: details.items,
        nextItems: withPlanPrice(details.items, subscription.priceId!, change.priceId),
        periodEnd: change.effectiveAt,
      },
      stripeKey('restore-schedule'),
    );
  }

  /**
   * Clears a pending cancellation the way it was set; says which, for restoreCancellation. The
   * key is asked for only when there is one to clear: asking says a change was sent to Stripe.
   */
  private async clearCancellation(subscription: StripeSubscriptionSnapshot, idempotencyKey: () => string): Promise<Cancellation> {
    if (subscription.cancelAtPeriodEnd) {
      await this.stripe.setCancelAtPeriodEnd(subscription.id, false, idempotencyKey());
      return 'at_period_end';
    }
    if (subscription.cancelAt) {
      await this.stripe.setCancelAt(subscription.id, null, idempotencyKey());
      return 'at_date';
    }
    return null;
  }

  private async restoreCancellation(subscription: StripeSubscriptionSnapshot, how: Exclude<Cancellation, null>, idempotencyKey: string) {
    if (how === 'at_period_end') await this.stripe.setCancelAtPeriodEnd(subscription.id, true, idempotencyKey);
    else await this.stripe.setCancelAt(subscription.id, subscription.cancelAt, idempotencyKey);
  }

  /**
   * One Stripe call of a change, made after the step `undoEarlier` puts back (null: no earlier
   * step, or one with nothing to put back). A definite refusal (isDefiniteRefusal) says the call
   * was not applied: then the earlier step is put back and, once it is, the error is tagged as
   * leaving nothing at Stripe (markNothingChanged), so the same Idempotency-Key runs a new attempt
   * with new Stripe keys. On any other failure (a timeout, Stripe down) the call may have gone
   * through, and putting the earlier step back blindly could undo it: the earlier step is put back
   * only when `undoSafeWhenUnknown` says so (it reads Stripe; false or a failed read leaves the
   * state as Stripe holds it, the sync shows it, and a retry under the same key resumes the
   * attempt with the same Stripe keys). An undo that fails is logged and leaves the error untagged.
   */
  private async step<T>(
    call: () => Promise<T>,
    undoEarlier: (() => Promise<unknown>) | null = null,
    undoSafeWhenUnknown: (() => Promise<boolean>) | null = null,
  ): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof Error)) throw error;
      if (!isDefiniteRefusal(error)) {
        if (!undoEarlier || !undoSafeWhenUnknown || !(await undoSafeWhenUnknown().catch(() => false))) throw error;
      }
      if (undoEarlier) {
        try {
          await undoEarlier();
        } catch (undoError) {
          this.logger.error({ err: undoError, cause: error }, 'could not undo the first half of a refused change; billing shows what Stripe holds');
          throw error;
        }
      }
      throw markNothingChanged(error);
    }
  }

  /**
   * Makes the change in Stripe, then syncs the customer from Stripe, also when the change failed
   * half-way: whatever Stripe took is what `billing` shows.
   */
  private async changeThenSync(customerId: string, status: BillingSyncStatus, businessId: string, change: () => Promise<unknown>): Promise<void> {
    try {
      await change();
    } catch (error) {
      await this.syncNow(customerId, status, 'owner', businessId).catch((syncError: unknown) =>
        this.logger.warn({ err: syncError, businessId }, 'sync after a failed change failed; the webhooks will bring billing up to date'),
      );
      throw error;
    }
    await this.syncNow(customerId, status, 'owner', businessId);
  }

  /** A charge Stripe declined (402) is the owner's payment problem, with a code of its own, not a gateway failure. */
  private async declinedAsPaymentDeclined<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (error instanceof StripeException && error.details.stripeStatus === 402) {
        throw new BillingException(
          BillingErrorCode.PAYMENT_DECLINED,
          'The payment for this change was declined, so nothing was changed: update the payment method (billing portal) and retry',
          { stripeCode: error.details.stripeCode ?? null },
        );
      }
      throw error;
    }
  }

  // ---- Helpers --------------------------------------------------------------------------------

  /**
   * The ONE way this service brings an account in line with Stripe after a change it made, so
   * every caller gets the state after the change (and so there is one place to adapt the sync).
   * `businessHint` is what our server knows; `clientReferenceId` is only recorded, never trusted.
   */
  private async syncNow(
    customerId: string,
    status: BillingSyncStatus,
    source: BillingSyncSource,
    businessHint: string,
    clientReferenceId: string | null = null,
  ): Promise<void> {
    await this.sync.syncFromStripe(customerId, {
      status,
      source,
      entries: [{ eventId: null, status }],
      businessHint,
      clientReferenceId,
    });
  }

  /** A move to free, previewed: the cancellation at the period end changePlan would make. */
  private async previewCancellation(account: BillingAccountEntity, free: PlanDefinition): Promise<PlanChangePreviewModel> {
    const { subscription } = await this.liveSubscription(account);
    const now = this.clock.now();
    const usage = await this.billing.usageFor(account, free, now);
    return {
      amountDueNow: 0,
      currency: typeof subscription.raw.currency === 'string' ? subscription.raw.currency : free.currency,
      nextInvoiceAmount: 0,
      effectiveAt: subscription.currentPeriodEnd ?? now,
      overLimit: overLimitOf(usage),
    };
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

  /**
   * The business's Stripe customer, created (metadata.businessId, the owner's email) and linked on
   * first use. Runs under the business's checkout claim; a customer linked meanwhile by a sync wins.
   */
  private async customerFor(account: BillingAccountEntity, caller: AuthAccount): Promise<string> {
    const linked = async () =>
      ((await this.dataSource.query(ACCOUNT_CUSTOMER, [account.businessId])) as Pick<BillingAccountEntity, 'stripeCustomerId'>[])[0]
        ?.stripeCustomerId ?? null;
    const existing = await linked();
    if (existing) return existing;
    const email = caller.email ?? account.billingEmail;
    const customer = await this.stripe.createCustomer(
      { businessId: account.businessId, email },
      // Stable per business and email: a retry after a crash gets the same customer back, and so
      // does a new attempt under the same Idempotency-Key, which is why this is not a key of the attempt.
      `billing:customer:${account.businessId}:${email ?? ''}`,
    );
    await this.dataSource.query(LINK_CUSTOMER, [account.businessId, customer.id, email]);
    return (await linked()) ?? customer.id;
  }

  /**
   * Expires the business's open Checkout Sessions that offer trial days, under its checkout
   * claim, so a session being opened right now is recorded (and seen here) first. Called once a
   * card-less trial has started: paying such a session would give a second trial. Best effort:
   * a failure is logged and leaves the session to Stripe's own expiry, and to reuseOpenSession,
   * which never hands out a session whose trial offer no longer holds.
   */
  async withdrawTrialOffers(businessId: string): Promise<void> {
    try {
      await this.checkoutSessions.withBusinessClaim(businessId, async () => {
        const now = this.clock.now();
        for (const row of await this.checkoutSessions.openOf(businessId)) {
          // Sessions recorded before trial_days was kept: the plan's own trial days tell.
          const offered = row.trialDays ?? (this.plans.has(row.planKey) ? this.plans.get(row.planKey).trialDays : 0);
          if (offered === 0 || row.expiresAt <= now) continue;
          try {
            const expired = await this.stripe.expireCheckoutSession(row.id, `billing:trial-withdraws-offer:${row.id}`);
            await this.checkoutSessions.setStatus(row.id, expired.status === 'complete' ? 'complete' : 'expired');
          } catch (error) {
            this.logger.warn({ err: error, businessId, sessionId: row.id }, 'a Checkout Session offering a trial could not be expired');
          }
        }
      });
    } catch (error) {
      this.logger.warn({ err: error, businessId }, 'withdrawing the Checkout Sessions that offer a trial failed');
    }
  }

  /**
   * An open session of this business that Stripe still reports open, for the same offer: handed
   * out again. Any other open one (another plan or interval, or a trial offer the caller no
   * longer gets, or now gets) is expired: one open session per business.
   */
  private async reuseOpenSession(businessId: string, offer: CheckoutOffer, stripeKey: StripeKeyFor): Promise<CheckoutSessionModel | null> {
    const open = await this.checkoutSessions.openOf(businessId);
    const now = this.clock.now();
    let reusable: CheckoutSessionModel | null = null;
    for (const row of open) {
      const session = await this.stripe.retrieveCheckoutSession(row.id);
      const fresh = row.expiresAt.getTime() - now.getTime() > SESSION_REUSE_MARGIN_MS;
      const sameOffer = row.planKey === offer.planKey && row.interval === offer.interval && row.trialDays === offer.trialDays;
      if (session.status === 'open' && session.url && fresh && sameOffer && !reusable) {
        reusable = { id: session.id, url: session.url };
        continue;
      }
      if (session.status === 'open') await this.stripe.expireCheckoutSession(row.id, stripeKey(`expire-${row.id}`));
      await this.checkoutSessions.setStatus(row.id, session.status === 'complete' ? 'complete' : 'expired');
    }
    return reusable;
  }

  /** The customer's current subscription from Stripe, if it still runs (any live status). */
  private async liveSubscription(account: BillingAccountEntity): Promise<CurrentSubscription> {
    const all = account.stripeCustomerId ? await this.stripe.listSubscriptions(account.stripeCustomerId) : [];
    const current = pickCurrentSubscription(all);
    if (!current || !isOpenSubscriptionStatus(current.status)) {
      throw new BillingException(BillingErrorCode.NO_SUBSCRIPTION, 'This business has no subscription to change: buy a plan first', {
        subscriptionStatus: current?.status ?? null,
      });
    }
    return {
      subscription: selectPlanItem(current, this.isCatalogPrice),
      details: toSubscriptionDetails(current.raw, this.planPriceOf),
    };
  }

  /** A live subscription whose plan can change: active, trialing or past_due, with one plan item. */
  private async changeableSubscription(account: BillingAccountEntity): Promise<CurrentSubscription> {
    const current = await this.liveSubscription(account);
    const { subscription, details } = current;
    if (!isLiveStatus(subscription.status) || !subscription.priceId || !details.itemId) {
      throw new BillingException(
        BillingErrorCode.NO_SUBSCRIPTION,
        `The subscription is ${subscription.status}${subscription.priceId ? '' : ' with no single plan item'}: it cannot be changed here (use the billing portal)`,
        { subscriptionStatus: subscription.status },
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
