import { BillingSyncStatus } from '../billing/billing-sync-status.enum.js';

/** NOTIFY channel that wakes the workers (the intake notifies after its inserts commit; see StripeWebhookService). */
export const STRIPE_EVENTS_CHANNEL = 'stripe_events';

export enum BillingDomainEvent {
  TRIAL_WILL_END = 'billing.trial_will_end',
  PAYMENT_FAILED = 'billing.payment_failed',
}

export interface EventRoute {
  /** The account's billingSyncStatus after this event is applied. */
  syncStatus: BillingSyncStatus;
  /** Emitted to the host app (e.g. for a reminder email) once the event is applied. */
  domainEvent?: BillingDomainEvent;
  /** checkout.session.completed ties the Stripe customer to the business first. */
  linksCustomer?: boolean;
}

const ROUTES: Record<string, EventRoute> = {
  'checkout.session.completed': { syncStatus: BillingSyncStatus.WEBHOOK_CHECKOUT_COMPLETED, linksCustomer: true },
  'checkout.session.async_payment_succeeded': { syncStatus: BillingSyncStatus.WEBHOOK_PAYMENT_SUCCEEDED, linksCustomer: true },
  'checkout.session.async_payment_failed': {
    syncStatus: BillingSyncStatus.WEBHOOK_PAYMENT_FAILED,
    domainEvent: BillingDomainEvent.PAYMENT_FAILED,
    linksCustomer: true,
  },
  'customer.subscription.created': { syncStatus: BillingSyncStatus.WEBHOOK_SUBSCRIPTION_CREATED },
  'customer.subscription.updated': { syncStatus: BillingSyncStatus.WEBHOOK_SUBSCRIPTION_UPDATED },
  'customer.subscription.paused': { syncStatus: BillingSyncStatus.WEBHOOK_SUBSCRIPTION_UPDATED },
  'customer.subscription.resumed': { syncStatus: BillingSyncStatus.WEBHOOK_SUBSCRIPTION_UPDATED },
  'customer.subscription.deleted': { syncStatus: BillingSyncStatus.WEBHOOK_SUBSCRIPTION_DELETED },
  'customer.subscription.trial_will_end': {
    syncStatus: BillingSyncStatus.WEBHOOK_TRIAL_WILL_END,
    domainEvent: BillingDomainEvent.TRIAL_WILL_END,
  },
  'invoice.paid': { syncStatus: BillingSyncStatus.WEBHOOK_PAYMENT_SUCCEEDED },
  'invoice.payment_succeeded': { syncStatus: BillingSyncStatus.WEBHOOK_PAYMENT_SUCCEEDED },
  'invoice.payment_failed': {
    syncStatus: BillingSyncStatus.WEBHOOK_PAYMENT_FAILED,
    domainEvent: BillingDomainEvent.PAYMENT_FAILED,
  },
  'setup_intent.succeeded': { syncStatus: BillingSyncStatus.WEBHOOK_SETUP_INTENT_SUCCEEDED },
  'payment_method.attached': { syncStatus: BillingSyncStatus.WEBHOOK_PAYMENT_METHOD_ATTACHED },
};

/** The event types to subscribe the Stripe endpoint to; anything else is stored as ignored. */
export const HANDLED_EVENT_TYPES = Object.keys(ROUTES);

export function routeEvent(type: string): EventRoute | undefined {
  return ROUTES[type];
}

/** The customer an event concerns: the event says who changed, Stripe says what the state is. */
export function customerIdOf(object: Record<string, unknown>): string | null {
  if (object.object === 'customer' && typeof object.id === 'string') return object.id;
  const customer = object.customer;
  if (typeof customer === 'string') return customer;
  if (customer && typeof customer === 'object' && typeof (customer as { id?: unknown }).id === 'string') {
    return (customer as { id: string }).id;
  }
  return null;
}

/**
 * The business a checkout session was opened for, as our own server wrote it (session
 * metadata.businessId, set through the API). client_reference_id is NOT read here: a Payment
 * Link buyer can set it (see clientReferenceOfCheckout).
 */
export function businessIdOfCheckout(object: Record<string, unknown>): string | null {
  const metadata = object.metadata as Record<string, unknown> | null | undefined;
  const fromMetadata = metadata?.businessId;
  return typeof fromMetadata === 'string' && fromMetadata ? fromMetadata : null;
}

/** client_reference_id of a checkout session: recorded, never trusted for linking. */
export function clientReferenceOfCheckout(object: Record<string, unknown>): string | null {
  return typeof object.client_reference_id === 'string' && object.client_reference_id ? object.client_reference_id : null;
}
