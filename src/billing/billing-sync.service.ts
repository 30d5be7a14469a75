import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { Clock } from '../clock/clock.js';
import { lockStripeCustomer } from '../database/customer-lock.util.js';
import { limitTransactionWaits } from '../database/transaction-timeouts.util.js';
import { DomainEventsService } from '../domain-events/domain-events.service.js';
import { carryUsageWindows } from '../enforcement/usage-carry.util.js';
import { usageWindowCarries } from '../enforcement/usage-window.util.js';
import { EntitlementsService } from '../entitlements/entitlements.service.js';
import { isLiveStatus } from '../entitlements/subscription-status.constant.js';
import { AppConfigService } from '../config/app-config.service.js';
import { PlansService } from '../plans/plans.service.js';
import { StripeClientService } from '../stripe/stripe-client.service.js';
import type { StripeCustomerSnapshot, StripeSubscriptionSnapshot } from '../stripe/stripe.types.js';
import { recordSyncedTrial } from '../trials/record-trial-change.util.js';
import { trialEventRecord } from '../trials/trial-event-record.util.js';
import { BillingAccountEntity } from './billing-account.entity.js';
import type { BillingSyncSource } from './billing-sync-log.entity.js';
import { BillingSyncLogEntity } from './billing-sync-log.entity.js';
import { BillingSyncStatus } from './billing-sync-status.enum.js';
import { BillingErrorCode, BillingException } from './billing.exception.js';
import { BUMP_CUSTOMER_SYNC_VERSION, CUSTOMER_SYNC_VERSION } from './billing.sql.js';
import { type AccountBillingState, deriveAccountBilling } from './derive-account-billing.util.js';
import { liveSubscriptionIds } from './live-subscriptions.util.js';
import { pickCurrentSubscription } from './pick-current-subscription.util.js';
import { resolveBusinessLink } from './resolve-business-link.util.js';
import { resolveSubscriptionPlan } from './resolve-subscription-plan.util.js';
import { selectPlanItem } from './select-plan-item.util.js';
import { SubscriptionEntity } from './subscription.entity.js';

/** Domain event recorded when a customer has more than one live subscription (metrics, admin alert). */
export const MULTIPLE_LIVE_SUBSCRIPTIONS_EVENT = 'billing.multiple_live_subscriptions';
/** Reads of Stripe a sync makes when other syncs of the customer keep committing first. */
const MAX_SYNC_ROUNDS = 5;

export interface SyncContext {
  /** billingSyncStatus to set on the account. */
  status: BillingSyncStatus;
  source: BillingSyncSource;
  /** One history row per entry (the events a webhook sync applies); default one without an event. */
  entries?: { eventId: string | null; status: BillingSyncStatus }[];
  /**
   * The business our own server named for a customer we have not linked yet (checkout session
   * metadata.businessId). Never pass a client_reference_id here: use clientReferenceId.
   */
  businessHint?: string | null;
  /** client_reference_id seen with the customer: untrusted, recorded in the log, never links. */
  clientReferenceId?: string | null;
  /**
   * Runs inside the short transaction that applies the state, after the account is written
   * (the webhook worker marks its inbox rows and records domain events there).
   */
  afterApply?: (manager: EntityManager, result: SyncResult) => Promise<void>;
}

export interface SyncResult {
  businessId: string;
  planKey: string;
  subscriptionStatus: string | null;
  subscriptionId: string | null;
  /** Live subscriptions of the customer; more than one is recorded (possible double billing). */
  liveSubscriptionIds: string[];
}

/**
 * Brings an account in line with Stripe. The state always comes from Stripe (every
 * subscription of the customer, any status), never from an event body, so deliveries in any
 * order or number end in the same rows. Stripe is read before any lock is taken; the state is
 * then written in a short transaction under the customer's advisory lock.
 */
@Injectable()
export class BillingSyncService {
  private readonly logger = new Logger(BillingSyncService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly stripe: StripeClientService,
    private readonly plans: PlansService,
    private readonly config: AppConfigService,
    private readonly entitlements: EntitlementsService,
    private readonly domainEvents: DomainEventsService,
    private readonly clock: Clock,
  ) {}

  /**
   * The entry point for every caller (webhook worker, checkout return, admin repair, scheduler).
   * Do not call it inside a transaction: it reads Stripe first (no lock held), then applies in a
   * transaction of its own, and reads again when another sync of the customer committed since.
   */
  async syncFromStripe(customerId: string, context: SyncContext): Promise<SyncResult> {
    for (let round = 1; ; round++) {
      const version = await this.syncVersion(this.dataSource.manager, customerId);
      const subscriptions = await this.stripe.listSubscriptions(customerId);
      const linked = await this.dataSource.manager.getRepository(BillingAccountEntity).existsBy({ stripeCustomerId: customerId });
      // Only an unlinked customer needs its metadata, and only before the transaction.
      const customer = linked ? null : await this.stripe.retrieveCustomer(customerId);
      const result = await this.dataSource.transaction(async (manager) => {
        await limitTransactionWaits(manager);
        await lockStripeCustomer(manager, customerId);
        if ((await this.syncVersion(manager, customerId)) !== version) return null;
        const account = await this.findOrLinkAccount(manager, customerId, subscriptions, customer, context);
        const applied = await this.apply(manager, account, customerId, subscriptions, new Set(subscriptions.map((s) => s.id)), context, null);
        await context.afterApply?.(manager, applied);
        return applied;
      });
      if (result) return result;
      if (round >= MAX_SYNC_ROUNDS) {
        throw new BillingException(
          BillingErrorCode.SYNC_CONTENDED,
          `Stripe customer ${customerId} was synced by others ${round} times while this sync read Stripe; retry`,
          { customerId },
        );
      }
      this.logger.debug({ customerId, round }, 'a newer sync committed while reading Stripe; reading again');
    }
  }

  /**
   * The emergency fallback, for when Stripe stays unreachable: applies the subscription object
   * an event carries, upserting that subscription only, and only if the event is newer than
   * what we hold. Returns null when the stored state is newer (nothing to do).
   */
  async applyEventSubscription(
    snapshot: StripeSubscriptionSnapshot,
    eventCreated: Date,
    context: SyncContext,
  ): Promise<SyncResult | null> {
    return this.dataSource.transaction(async (manager) => {
      await limitTransactionWaits(manager);
      await lockStripeCustomer(manager, snapshot.customerId);
      const stored = await manager.getRepository(SubscriptionEntity).findBy({ customerId: snapshot.customerId });
      const same = stored.find((row) => row.id === snapshot.id);
      if (same && (same.sourceEventCreatedAt ?? same.syncedAt) >= eventCreated) return null;
      const account = await this.findOrLinkAccount(manager, snapshot.customerId, [snapshot], null, context);
      const others = stored.filter((row) => row.id !== snapshot.id).map((row) => storedSnapshot(row));
      const applied = await this.apply(manager, account, snapshot.customerId, [snapshot, ...others], new Set([snapshot.id]), context, eventCreated);
      await context.afterApply?.(manager, applied);
      return applied;
    });
  }

  private async syncVersion(manager: EntityManager, customerId: string): Promise<string> {
    const [row] = await manager.query(CUSTOMER_SYNC_VERSION, [customerId]);
    return (row as { version: string } | undefined)?.version ?? '0';
  }

  private async apply(
    manager: EntityManager,
    account: BillingAccountEntity,
    customerId: string,
    fetched: StripeSubscriptionSnapshot[],
    upsertIds: Set<string>,
    context: SyncContext,
    fallbackEventCreated: Date | null,
  ): Promise<SyncResult> {
    const now = this.clock.now();
    const subscriptions = fetched.map((subscription) => selectPlanItem(subscription, (priceId) => this.plans.isCatalogPrice(priceId)));
    const current = pickCurrentSubscription(subscriptions) as (typeof subscriptions)[number] | null;
    const planFor = (subscription: (typeof subscriptions)[number]) =>
      resolveSubscriptionPlan(
        subscription,
        (key) => this.plans.has(key),
        (priceId) => this.plans.resolvePriceId(priceId).planKey,
      );
    // Only a paying subscription that decides the plan must resolve: an ended one gives the
    // default plan whatever its (possibly retired) price, and must not block the downgrade.
    const paying = current && isLiveStatus(current.status);
    const currentPlan = current && paying ? planFor(current) : null;
    const live = liveSubscriptionIds(subscriptions);

    for (const subscription of subscriptions.filter((s) => upsertIds.has(s.id))) {
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
          billingCycleAnchor: subscription.billingCycleAnchor,
          cancelAtPeriodEnd: subscription.cancelAtPeriodEnd,
          cancelAt: subscription.cancelAt,
          canceledAt: subscription.canceledAt,
          endedAt: subscription.endedAt,
          trialStart: subscription.trialStart,
          trialEnd: subscription.trialEnd,
          stripeCreatedAt: subscription.created,
          stripeObject: subscription.raw as object,
          sourceEventCreatedAt: fallbackEventCreated,
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
      liveSubscriptionCount: live.length,
    });
    // A new anchor (interval change, resume, new subscription) moves the window that contains now:
    // the new one starts with the old one's count, in this transaction, so no switch is a free reset
    // (a window back to back with the old one, a renewal, starts fresh: usageWindowCarries).
    const windowsOf = (fields: Pick<AccountBillingState, 'billingCycleAnchor' | 'currentPeriodStart' | 'currentPeriodEnd'>) => ({
      billingCycleAnchor: fields.billingCycleAnchor,
      currentPeriodStart: fields.currentPeriodStart,
      currentPeriodEnd: fields.currentPeriodEnd,
      accountCreatedAt: account.createdAt,
    });
    const carries = usageWindowCarries(this.plans.metrics, windowsOf(account), windowsOf(state), now);
    await carryUsageWindows(manager, account.businessId, carries, now);
    await manager.query(BUMP_CUSTOMER_SYNC_VERSION, [customerId]);
    const entries = context.entries ?? [{ eventId: null, status: context.status }];
    const detail = {
      planKey: state.planKey,
      subscriptionStatus: state.subscriptionStatus,
      subscriptionId: current?.id ?? null,
      ...(entries.length > 1 ? { coalesced: entries.length } : {}),
      ...(live.length > 1 ? { multipleLiveSubscriptions: live } : {}),
      ...(context.clientReferenceId && context.clientReferenceId !== account.businessId
        ? { ignoredClientReferenceId: context.clientReferenceId }
        : {}),
    };
    await manager.insert(
      BillingSyncLogEntity,
      entries.map((entry) => ({
        businessId: account.businessId,
        status: entry.status,
        source: context.source,
        eventId: entry.eventId,
        detail,
      })),
    );
    if (live.length > 1) {
      // Kept picking by rank (the plan stays right), but someone must look: the customer may be
      // billed twice. Keyed by the set of subscriptions, so it is reported once per occurrence.
      this.logger.warn({ businessId: account.businessId, customerId, subscriptions: live }, 'customer has several live subscriptions');
      await this.domainEvents.record(manager, {
        name: MULTIPLE_LIVE_SUBSCRIPTIONS_EVENT,
        businessId: account.businessId,
        key: `${customerId}:${live.join(',')}`,
        payload: { customerId, subscriptionIds: live, chosenSubscriptionId: current?.id ?? null },
      });
    }
    // Trial events go to the outbox in this transaction: emitted after commit, once per trial.
    const trialEvents = await recordSyncedTrial(manager, account.businessId, trialChange, { source: context.source, entries }, now);
    await this.domainEvents.recordMany(manager, trialEvents.map(trialEventRecord));
    // The NOTIFY goes out with this transaction's commit, to every instance.
    await this.entitlements.invalidate(account.businessId, manager);
    return {
      businessId: account.businessId,
      planKey: state.planKey,
      subscriptionStatus: state.subscriptionStatus,
      subscriptionId: current?.id ?? null,
      liveSubscriptionIds: live,
    };
  }

  /**
   * The account of a Stripe customer: by customer id, else by the business our own server named
   * (checkout session, subscription or customer metadata `businessId`), linking the customer.
   * client_reference_id never links (a Payment Link buyer can set it). Metadata naming another
   * business than the link, or a business linked to another customer, is CUSTOMER_MISMATCH.
   */
  private async findOrLinkAccount(
    manager: EntityManager,
    customerId: string,
    subscriptions: StripeSubscriptionSnapshot[],
    customer: StripeCustomerSnapshot | null,
    context: SyncContext,
  ): Promise<BillingAccountEntity> {
    const accounts = manager.getRepository(BillingAccountEntity);
    const link = resolveBusinessLink({
      trusted: [context.businessHint, ...subscriptions.map((s) => s.metadata.businessId), customer?.metadata.businessId],
      clientReferenceId: context.clientReferenceId ?? null,
    });
    const linked = await accounts.findOne({ where: { stripeCustomerId: customerId }, lock: { mode: 'pessimistic_write' } });
    if (linked) {
      const others = link.kind === 'conflict' ? link.businessIds : link.kind === 'link' ? [link.businessId] : [];
      const foreign = others.filter((id) => id !== linked.businessId);
      if (foreign.length > 0) {
        throw new BillingException(
          BillingErrorCode.CUSTOMER_MISMATCH,
          `Stripe customer ${customerId} is linked to business ${linked.businessId}, but our metadata names ${foreign.join(', ')}`,
          { customerId, linkedBusinessId: linked.businessId, metadataBusinessIds: foreign },
        );
      }
      return linked;
    }
    if (link.kind === 'conflict') {
      throw new BillingException(
        BillingErrorCode.CUSTOMER_MISMATCH,
        `Stripe customer ${customerId} carries metadata of several businesses (${link.businessIds.join(', ')})`,
        { customerId, metadataBusinessIds: link.businessIds },
      );
    }
    if (link.kind === 'none') {
      throw new BillingException(
        BillingErrorCode.UNKNOWN_CUSTOMER,
        `Stripe customer ${customerId} is not linked to any business` +
          (link.clientReferenceId ? ` (client_reference_id ${link.clientReferenceId} is not trusted for linking)` : ''),
        { customerId, clientReferenceId: link.clientReferenceId },
      );
    }
    const businessId = link.businessId;
    await manager
      .createQueryBuilder()
      .insert()
      .into(BillingAccountEntity)
      .values({
        businessId,
        planKey: this.plans.defaultPlan().key,
        billingSyncStatus: BillingSyncStatus.ACCOUNT_CREATED,
        // The Clock's time, not the database's: usage windows step from it until a subscription anchors them.
        createdAt: this.clock.now(),
      })
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
  const item = {
    priceId: row.priceId,
    interval: row.interval,
    currentPeriodStart: row.currentPeriodStart,
    currentPeriodEnd: row.currentPeriodEnd,
  };
  return {
    id: row.id,
    customerId: row.customerId,
    status: row.status,
    created: row.stripeCreatedAt,
    ...item,
    items: [item],
    metadata: (row.stripeObject.metadata ?? {}) as Record<string, string>,
    billingCycleAnchor: row.billingCycleAnchor,
    cancelAtPeriodEnd: row.cancelAtPeriodEnd,
    cancelAt: row.cancelAt,
    canceledAt: row.canceledAt,
    endedAt: row.endedAt,
    trialStart: row.trialStart,
    trialEnd: row.trialEnd,
    raw: row.stripeObject,
  };
}
