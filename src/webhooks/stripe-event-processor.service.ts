import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { BillingSyncService, type SyncResult } from '../billing/billing-sync.service.js';
import { BillingSyncStatus } from '../billing/billing-sync-status.enum.js';
import { limitTransactionWaits } from '../database/transaction-timeouts.util.js';
import { DomainEventsService } from '../domain-events/domain-events.service.js';
import { STRIPE_API_VERSION, StripeClientService } from '../stripe/stripe-client.service.js';
import type { StripeEventEntity } from './stripe-event.entity.js';
import { compareEventAge } from './stripe-event-order.util.js';
import { businessIdOfCheckout, clientReferenceOfCheckout, routeEvent } from './stripe-event-routing.util.js';
import { MARK_PROCESSED } from './webhooks.sql.js';

export type FallbackOutcome =
  /** result: the last subscription applied (null: what we hold was newer); refused: subscriptions left alone. */
  | { applied: true; result: SyncResult | null; refused?: string[] }
  | { applied: false; reason: string };

/** Applies a claimed batch of one customer's events: one sync from Stripe for all of them. */
@Injectable()
export class StripeEventProcessorService {
  constructor(
    private readonly sync: BillingSyncService,
    private readonly stripe: StripeClientService,
    private readonly domainEvents: DomainEventsService,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  /**
   * Events are those of one customer, oldest first. Reads Stripe with no lock held, then applies
   * the state, marks the events processed and records their domain events in one short
   * transaction. Returns the sync result (null: the events concern no customer).
   */
  async process(events: StripeEventEntity[]): Promise<SyncResult | null> {
    const customerId = events[0].customerId;
    if (!customerId) {
      await this.dataSource.transaction(async (manager) => {
        await limitTransactionWaits(manager);
        await markProcessed(manager, events, null);
      });
      return null;
    }
    const entries = events.map((event) => ({ eventId: event.id, status: routeEvent(event.type)!.syncStatus }));
    return this.sync.syncFromStripe(customerId, {
      status: entries[entries.length - 1].status,
      source: 'webhook',
      entries,
      ...this.checkoutHints(events),
      afterApply: async (manager, result) => {
        await markProcessed(manager, events, result.businessId);
        await this.recordDomainEvents(manager, events, result.businessId);
      },
    });
  }

  /**
   * Stripe has been unreachable for WEBHOOK_FALLBACK_AFTER: for each subscription the batch
   * carries, apply the body of its NEWEST event (compareEventAge: a tie of Stripe's whole-second
   * `created` goes to the later-received one; only that subscription, only if newer than what we
   * hold). When that newest event has another API version than the parser knows, the
   * subscription is refused, never given an older body of a readable version: that body is what
   * Stripe held before, not now. The events stay queued: a real sync overwrites this once Stripe
   * answers.
   */
  async applyFallback(events: StripeEventEntity[]): Promise<FallbackOutcome> {
    const newest = new Map<string, StripeEventEntity>();
    for (const event of events) {
      const object = dataObject(event);
      if (object.object !== 'subscription' || typeof object.id !== 'string') continue;
      const seen = newest.get(object.id);
      if (!seen || compareEventAge(event, seen) > 0) newest.set(object.id, event);
    }
    if (newest.size === 0) return { applied: false, reason: 'no event of the batch carries a subscription' };
    const refused: string[] = [];
    let applied = 0;
    let last: SyncResult | null = null;
    for (const [subscriptionId, event] of newest) {
      if (event.apiVersion !== STRIPE_API_VERSION) {
        refused.push(
          `the newest event of ${subscriptionId} (${event.id}) has api_version ${event.apiVersion ?? 'unknown'}, not ${STRIPE_API_VERSION}, which the parser knows`,
        );
        continue;
      }
      const subscription = this.stripe.subscriptionFromEvent({ object: dataObject(event) })!;
      const result = await this.sync.applyEventSubscription(subscription, event.stripeCreatedAt, {
        status: BillingSyncStatus.WEBHOOK_EMERGENCY_FALLBACK,
        source: 'webhook',
        entries: [{ eventId: event.id, status: BillingSyncStatus.WEBHOOK_EMERGENCY_FALLBACK }],
        ...this.checkoutHints(events),
      });
      applied++;
      last = result ?? last;
    }
    if (applied === 0) return { applied: false, reason: refused.join('; ') };
    return { applied: true, result: last, ...(refused.length > 0 ? { refused } : {}) };
  }

  /** One outbox row per (domain event, Stripe event): replays never emit twice. */
  private async recordDomainEvents(manager: EntityManager, events: StripeEventEntity[], businessId: string): Promise<void> {
    for (const event of events) {
      const name = routeEvent(event.type)?.domainEvent;
      if (!name) continue;
      await this.domainEvents.record(manager, {
        name,
        businessId,
        key: event.id,
        payload: { stripeEventId: event.id, stripeEventType: event.type, object: dataObject(event) },
      });
    }
  }

  private checkoutHints(events: StripeEventEntity[]): { businessHint: string | null; clientReferenceId: string | null } {
    let businessHint: string | null = null;
    let clientReferenceId: string | null = null;
    for (const event of events) {
      if (!routeEvent(event.type)?.linksCustomer) continue;
      businessHint ??= businessIdOfCheckout(dataObject(event));
      clientReferenceId ??= clientReferenceOfCheckout(dataObject(event));
    }
    return { businessHint, clientReferenceId };
  }
}

/**
 * Marks applied events processed, in the transaction that applied them. Only open events: one a
 * replay or another instance already settled is left alone.
 */
async function markProcessed(manager: EntityManager, events: StripeEventEntity[], businessId: string | null): Promise<void> {
  await manager.query(MARK_PROCESSED, [events.map((event) => event.id), businessId]);
}

export function dataObject(event: StripeEventEntity): Record<string, unknown> {
  const data = event.payload.data as { object?: Record<string, unknown> } | undefined;
  return data?.object ?? {};
}
