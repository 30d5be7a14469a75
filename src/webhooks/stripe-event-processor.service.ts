import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { BillingSyncService, type SyncResult } from '../billing/billing-sync.service.js';
import { BillingSyncStatus } from '../billing/billing-sync-status.enum.js';
import { StripeClientService } from '../stripe/stripe-client.service.js';
import type { StripeEventEntity } from './stripe-event.entity.js';
import { businessIdOfCheckout, routeEvent } from './stripe-event-routing.util.js';

/** Applies a claimed batch of one customer's events: one sync from Stripe for all of them. */
@Injectable()
export class StripeEventProcessorService {
  constructor(
    private readonly sync: BillingSyncService,
    private readonly stripe: StripeClientService,
  ) {}

  /** Events are those of one customer, oldest first. Returns the sync result (null: no customer). */
  async process(manager: EntityManager, events: StripeEventEntity[]): Promise<SyncResult | null> {
    const customerId = events[0].customerId;
    if (!customerId) return null;
    const entries = events.map((event) => ({ eventId: event.id, status: routeEvent(event.type)!.syncStatus }));
    return this.sync.syncCustomer(manager, customerId, {
      status: entries[entries.length - 1].status,
      source: 'webhook',
      entries,
      businessHint: this.businessHint(events),
    });
  }

  /**
   * Stripe stayed unreachable past the retry budget: apply the subscription carried by the
   * newest subscription event, if it is newer than what we hold. Null when nothing applies.
   */
  async applyFallback(manager: EntityManager, events: StripeEventEntity[]): Promise<SyncResult | null> {
    const withSubscription = [...events]
      .reverse()
      .map((event) => ({ event, subscription: this.stripe.subscriptionFromEvent({ object: dataObject(event) }) }))
      .find((candidate) => candidate.subscription !== null);
    if (!withSubscription) return null;
    return this.sync.applyEventSubscription(manager, withSubscription.subscription!, withSubscription.event.stripeCreatedAt, {
      status: BillingSyncStatus.WEBHOOK_EMERGENCY_FALLBACK,
      source: 'webhook',
      entries: events.map((event) => ({ eventId: event.id, status: BillingSyncStatus.WEBHOOK_EMERGENCY_FALLBACK })),
      businessHint: this.businessHint(events),
    });
  }

  private businessHint(events: StripeEventEntity[]): string | null {
    for (const event of events) {
      if (routeEvent(event.type)?.linksCustomer) {
        const business = businessIdOfCheckout(dataObject(event));
        if (business) return business;
      }
    }
    return null;
  }
}

export function dataObject(event: StripeEventEntity): Record<string, unknown> {
  const data = event.payload.data as { object?: Record<string, unknown> } | undefined;
  return data?.object ?? {};
}
