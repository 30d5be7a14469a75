import type Stripe from 'stripe';
import type {
  StripeCheckoutSessionSnapshot,
  StripeCustomerSnapshot,
  StripeSubscriptionItemSnapshot,
  StripeSubscriptionSnapshot,
} from './stripe.types.js';

const toDate = (seconds: number | null | undefined): Date | null =>
  typeof seconds === 'number' ? new Date(seconds * 1000) : null;

const idOf = (value: string | { id: string } | null | undefined): string | null =>
  value == null ? null : typeof value === 'string' ? value : value.id;

function toItemSnapshot(item: Stripe.SubscriptionItem): StripeSubscriptionItemSnapshot {
  const recurring = item.price?.recurring?.interval;
  return {
    priceId: item.price?.id ?? null,
    interval: recurring === 'month' ? 'monthly' : recurring === 'year' ? 'yearly' : null,
    currentPeriodStart: toDate(item.current_period_start),
    currentPeriodEnd: toDate(item.current_period_end),
  };
}

export function toSubscriptionSnapshot(subscription: Stripe.Subscription): StripeSubscriptionSnapshot {
  const items = (subscription.items?.data ?? []).map(toItemSnapshot);
  const first = items[0];
  return {
    id: subscription.id,
    customerId: idOf(subscription.customer)!,
    status: subscription.status,
    created: new Date(subscription.created * 1000),
    priceId: first?.priceId ?? null,
    interval: first?.interval ?? null,
    items,
    metadata: { ...subscription.metadata },
    currentPeriodStart: first?.currentPeriodStart ?? null,
    currentPeriodEnd: first?.currentPeriodEnd ?? null,
    cancelAtPeriodEnd: subscription.cancel_at_period_end,
    cancelAt: toDate(subscription.cancel_at),
    canceledAt: toDate(subscription.canceled_at),
    endedAt: toDate(subscription.ended_at),
    trialStart: toDate(subscription.trial_start),
    trialEnd: toDate(subscription.trial_end),
    raw: subscription as unknown as Record<string, unknown>,
  };
}

export function toCheckoutSessionSnapshot(session: Stripe.Checkout.Session): StripeCheckoutSessionSnapshot {
  return {
    id: session.id,
    customerId: idOf(session.customer),
    subscriptionId: idOf(session.subscription),
    clientReferenceId: session.client_reference_id,
    metadata: { ...(session.metadata ?? {}) },
    status: session.status,
    paymentStatus: session.payment_status,
  };
}

export function toCustomerSnapshot(customer: Stripe.Customer | Stripe.DeletedCustomer): StripeCustomerSnapshot {
  if (customer.deleted) return { id: customer.id, email: null, metadata: {}, deleted: true };
  return { id: customer.id, email: customer.email, metadata: { ...customer.metadata }, deleted: false };
}
