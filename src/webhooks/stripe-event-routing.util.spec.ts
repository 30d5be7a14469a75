import { describe, expect, it } from '@jest/globals';
import { BillingSyncStatus } from '../billing/billing-sync-status.enum.js';
import {
  BillingDomainEvent,
  businessIdOfCheckout,
  customerIdOf,
  clientReferenceOfCheckout,
  HANDLED_EVENT_TYPES,
  routeEvent,
} from './stripe-event-routing.util.js';

describe('stripe event routing', () => {
  it('handles exactly the events the service subscribes to', () => {
    expect(HANDLED_EVENT_TYPES.sort()).toEqual(
      [
        'checkout.session.async_payment_failed',
        'checkout.session.async_payment_succeeded',
        'checkout.session.completed',
        'customer.subscription.created',
        'customer.subscription.deleted',
        'customer.subscription.paused',
        'customer.subscription.resumed',
        'customer.subscription.trial_will_end',
        'customer.subscription.updated',
        'invoice.paid',
        'invoice.payment_failed',
        'invoice.payment_succeeded',
        'payment_method.attached',
        'setup_intent.succeeded',
      ].sort(),
    );
    expect(routeEvent('charge.refunded')).toBeUndefined();
  });

  it('maps each event to its billingSyncStatus and domain event', () => {
    expect(routeEvent('customer.subscription.deleted')?.syncStatus).toBe(BillingSyncStatus.WEBHOOK_SUBSCRIPTION_DELETED);
    expect(routeEvent('invoice.payment_failed')).toEqual({
      syncStatus: BillingSyncStatus.WEBHOOK_PAYMENT_FAILED,
      domainEvent: BillingDomainEvent.PAYMENT_FAILED,
    });
    expect(routeEvent('customer.subscription.trial_will_end')?.domainEvent).toBe(BillingDomainEvent.TRIAL_WILL_END);
    expect(routeEvent('checkout.session.completed')?.linksCustomer).toBe(true);
  });

  it('finds the customer of an object, expanded or not', () => {
    expect(customerIdOf({ object: 'subscription', customer: 'cus_1' })).toBe('cus_1');
    expect(customerIdOf({ object: 'invoice', customer: { id: 'cus_2', object: 'customer' } })).toBe('cus_2');
    expect(customerIdOf({ object: 'customer', id: 'cus_3' })).toBe('cus_3');
    expect(customerIdOf({ object: 'setup_intent', customer: null })).toBeNull();
  });

  it('finds the business of a checkout session in the metadata our server wrote, never in client_reference_id', () => {
    expect(businessIdOfCheckout({ client_reference_id: 'biz_1', metadata: { businessId: 'biz_2' } })).toBe('biz_2');
    expect(businessIdOfCheckout({ client_reference_id: 'biz_victim', metadata: {} })).toBeNull();
    expect(clientReferenceOfCheckout({ client_reference_id: 'biz_victim', metadata: {} })).toBe('biz_victim');
  });
});
