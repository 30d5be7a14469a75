import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Clock } from '../clock/clock.js';
import { lockStripeCustomer } from '../database/customer-lock.util.js';
import { EntitlementsService } from '../entitlements/entitlements.service.js';
import { AppConfigService } from '../config/app-config.service.js';
import { PlansService } from '../plans/plans.service.js';
import { StripeClientService } from '../stripe/stripe-client.service.js';
import type { StripeSubscriptionSnapshot } from '../stripe/stripe.types.js';
import { recordSyncedTrial } from '../trials/record-trial-change.util.js';
import type { TrialDomainEvent } from '../trials/trial.types.js';
import { BillingAccountEntity } from './billing-account.entity.js';
import type { BillingSyncSource } from './billing-sync-log.entity.js';
import { BillingSyncLogEntity } from './billing-sync-log.entity.js';
import { BillingSyncStatus } from './billing-sync-status.enum.js';
import { BillingErrorCode, BillingException } from './billing.exception.js';
import { deriveAccountBilling } from './derive-account-billing.util.js';
import { pickCurrentSubscription } from './pick-current-subscription.util.js';
import { resolveSubscriptionPlan } from './resolve-subscription-plan.util.js';
import { SubscriptionEntity } from './subscription.entity.js';

export interface SyncContext {
  /** billingSyncStatus to set on the account. */
  status: BillingSyncStatus;
  source: BillingSyncSource;
  /** One history row per entry: the events this sync applies (coalesced), or one without an event. */
  entries: { eventId: string | null; status: BillingSyncStatus }[];
  /** The business a checkout named, for a customer we have not linked yet. */
  businessHint?: string | null;
  now?: Date;
}

export interface SyncResult {
  businessId: string;
  planKey: string;
  subscriptionStatus: string | null;
  subscriptionId: string | null;
  /** Trial events to publish once the caller's transaction commits (TrialEventsService.publish). */
  trialEvents: TrialDomainEvent[];
}

/**
 * Brings an account in line with Stripe. The state always comes from Stripe (every
 * subscription of the customer, any status), never from an event body, so deliveries in any
 * order or number end in the same rows.
 */
@Injectable()
export class BillingSyncService {
  constructor(
    private readonly stripe: StripeClientService,
    private readonly plans: PlansService,
    private readonly config: AppConfigService,
    private readonly entitlements: EntitlementsService,
    private readonly clock: Clock,
  ) {}

  /** Must run inside a transaction (`manager`); it takes the customer's advisory lock. */
  async syncCustomer(manager: EntityManager, customerId: string, context: SyncContext): Promise<SyncResult> {
    await lockStripeCustomer(manager, customerId);
    const subscriptions = await this.stripe.listSubscriptions(customerId);
    const account = await this.findOrLinkAccount(manager, customerId, subscriptions, context.businessHint ?? null);
    return this.apply(manager, account, subscriptions, context, null);
  }

  /**
   * The emergency fallback, for when Stripe stays unreachable past the retry budget: applies a
   * subscription object taken from an event, but only if the event is newer than what we hold.
   * Returns null when the stored state is newer (nothing to do).
   */
  async applyEventSubscription(
    manager: EntityManager,
    snapshot: StripeSubscriptionSnapshot,
    eventCreated: Date,
    context: SyncContext,
  ): Promise<SyncResult | null> {
    await lockStripeCustomer(manager, snapshot.customerId);
    const stored = await manager.getRepository(SubscriptionEntity).findBy({ customerId: snapshot.customerId });
    const same = stored.find((row) => row.id === snapshot.id);
    if (same && (same.sourceEventCreatedAt ?? same.syncedAt) >= eventCreated) return null;
    const account = await this.findOrLinkAccount(manager, snapshot.customerId, [snapshot], context.businessHint ?? null);
    const others = stored.filter((row) => row.id !== snapshot.id).map((row) => storedSnapshot(row));
    return this.apply(manager, account, [snapshot, ...others], context, eventCreated);
  }

  private async apply(
    manager: EntityManager,
    account: BillingAccountEntity,
    subscriptions: StripeSubscriptionSnapshot[],
    context: SyncContext,
    fallbackEventCreated: Date | null,
  ): Promise<SyncResult> {
    const now = context.now ?? this.clock.now();
    const current = pickCurrentSubscription(subscriptions);
    const planFor = (subscription: StripeSubscriptionSnapshot) =>
      resolveSubscriptionPlan(
        subscription,
        (key) => this.plans.has(key),
        (priceId) => this.plans.resolvePriceId(priceId).planKey,
      );
    // Only a paying subscription that decides the plan must resolve: an ended one gives the
    // default plan whatever its (possibly retired) price, and must not block the downgrade.
    const paying = current && ['active', 'trialing', 'past_due'].includes(current.status);
    const currentPlan = current && paying ? planFor(current) : null;

    for (const subscription of subscriptions) {
      let planKey: string | null = null;
      try {
        planKey = subscription === current && paying ? currentPlan : planFor(subscription);
      } catch {
        planKey = null;
      }
      await manager.upsert(
        SubscriptionEntity,
        {
          id: subscription.id,
          businessId: account.businessId,
          customerId: subscription.customerId,
          status: subscription.status,
          planKey,
          priceId: subscription.priceId,
          interval: subscription.interval,
          currentPeriodStart: subscription.currentPeriodStart,
          currentPeriodEnd: subscription.currentPeriodEnd,
          cancelAtPeriodEnd: subscription.cancelAtPeriodEnd,
          cancelAt: subscription.cancelAt,
          canceledAt: subscription.canceledAt,
          endedAt: subscription.endedAt,
          trialStart: subscription.trialStart,
          trialEnd: subscription.trialEnd,
          stripeCreatedAt: subscription.created,
          stripeObject: subscription.raw as object,
          sourceEventCreatedAt: fallbackEventCreated && subscription === subscriptions[0] ? fallbackEventCreated : null,
          syncedAt: now,
        },
        ['id'],
      );
    }

    const { trialChange, ...state } = deriveAccountBilling(
      current,
      currentPlan,
      account,
      this.plans.defaultPlan().key,
      now,
      this.config.values.pastDueGraceDays,
    );
    await manager.update(BillingAccountEntity, { businessId: account.businessId }, {
      ...state,
      billingSyncStatus: context.status,
      lastSyncedAt: now,
    });
    const detail = {
      planKey: state.planKey,
      subscriptionStatus: state.subscriptionStatus,
      subscriptionId: current?.id ?? null,
      ...(context.entries.length > 1 ? { coalesced: context.entries.length } : {}),
    };
    await manager.insert(
      BillingSyncLogEntity,
      context.entries.map((entry) => ({
        businessId: account.businessId,
        status: entry.status,
        source: context.source,
        eventId: entry.eventId,
        detail,
      })),
    );
    const trialEvents = await recordSyncedTrial(manager, account.businessId, trialChange, context, now);
    // The NOTIFY goes out with this transaction's commit, to every instance.
    await this.entitlements.invalidate(account.businessId, manager);
    return {
      businessId: account.businessId,
      planKey: state.planKey,
      subscriptionStatus: state.subscriptionStatus,
      subscriptionId: current?.id ?? null,
      trialEvents,
    };
  }

  /**
   * The account of a Stripe customer: by customer id, else by the business our checkout put in
   * client_reference_id or metadata (linking the customer), else unknown, which is retried.
   */
  private async findOrLinkAccount(
    manager: EntityManager,
    customerId: string,
    subscriptions: StripeSubscriptionSnapshot[],
    businessHint: string | null,
  ): Promise<BillingAccountEntity> {
    const accounts = manager.getRepository(BillingAccountEntity);
    const linked = await accounts.findOne({ where: { stripeCustomerId: customerId }, lock: { mode: 'pessimistic_write' } });
    if (linked) return linked;

    const businessId =
      businessHint ??
      subscriptions.map((s) => s.metadata.businessId).find((id) => !!id) ??
      (await this.stripe.retrieveCustomer(customerId)).metadata.businessId ??
      null;
    if (!businessId) {
      throw new BillingException(
        BillingErrorCode.UNKNOWN_CUSTOMER,
        `Stripe customer ${customerId} is not linked to any business yet`,
        { customerId },
      );
    }
    await manager
      .createQueryBuilder()
      .insert()
      .into(BillingAccountEntity)
      .values({ businessId, planKey: this.plans.defaultPlan().key, billingSyncStatus: BillingSyncStatus.ACCOUNT_CREATED })
      .orIgnore()
      .execute();
    const account = await accounts.findOneOrFail({ where: { businessId }, lock: { mode: 'pessimistic_write' } });
    if (account.stripeCustomerId && account.stripeCustomerId !== customerId) {
      throw new BillingException(
        BillingErrorCode.CUSTOMER_MISMATCH,
        `Business ${businessId} is linked to Stripe customer ${account.stripeCustomerId}, not ${customerId}`,
        { businessId, customerId, linkedCustomerId: account.stripeCustomerId },
      );
    }
    account.stripeCustomerId = customerId;
    await accounts.update({ businessId }, { stripeCustomerId: customerId });
    return account;
  }
}

function storedSnapshot(row: SubscriptionEntity): StripeSubscriptionSnapshot {
  return {
    id: row.id,
    customerId: row.customerId,
    status: row.status,
    created: row.stripeCreatedAt,
    priceId: row.priceId,
    interval: row.interval,
    metadata: (row.stripeObject.metadata ?? {}) as Record<string, string>,
    currentPeriodStart: row.currentPeriodStart,
    currentPeriodEnd: row.currentPeriodEnd,
    cancelAtPeriodEnd: row.cancelAtPeriodEnd,
    cancelAt: row.cancelAt,
    canceledAt: row.canceledAt,
    endedAt: row.endedAt,
    trialStart: row.trialStart,
    trialEnd: row.trialEnd,
    raw: row.stripeObject,
  };
}
