import type Stripe from 'stripe';
import type {
  StripeCheckoutSessionSnapshot,
  StripeCustomerSnapshot,
  StripeInvoicePreview,
  StripeSubscriptionDetails,
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
    billingCycleAnchor: toDate(subscription.billing_cycle_anchor),
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
    url: session.url ?? null,
    expiresAt: toDate(session.expires_at),
  };
}

/** One item of a subscription or of a schedule phase, as a change must name it again. */
export interface SubscriptionItemRef {
  /** Null in a schedule phase (phases name prices, not items). */
  id: string | null;
  priceId: string;
  quantity: number;
}

/**
 * Which of several prices decides the plan. Required: Stripe's order (the first item) would take
 * an add-on listed first for the plan; billing passes its catalog rule (planPriceSelector).
 */
export type PlanPriceSelector = (priceIds: string[]) => string | null;

/**
 * Reads the plan item and the attached schedule from a subscription as Stripe returned it (or as
 * stored in subscriptions.stripe_object). `planPriceOf` says which item is the plan's when there
 * are several (billing's catalog rule, so add-ons are never taken for the plan); the
 * scheduled change is the next phase whose plan price differs. The schedule's phases are known
 * only when it was expanded (`expand: ['schedule']`, as every read of ours asks); a bare id gives
 * no change.
 */
export function toSubscriptionDetails(
  raw: Record<string, unknown>,
  planPriceOf: PlanPriceSelector,
): StripeSubscriptionDetails & { items: SubscriptionItemRef[] } {
  const subscription = raw as unknown as Stripe.Subscription;
  const items: SubscriptionItemRef[] = (subscription.items?.data ?? []).map((item) => ({
    id: item.id,
    priceId: item.price.id,
    quantity: item.quantity ?? 1,
  }));
  const planPrice = planPriceOf(items.map((item) => item.priceId));
  const item = items.find((candidate) => candidate.priceId === planPrice);
  const schedule = subscription.schedule;
  const scheduleId = idOf(schedule ?? null);
  let scheduledChange: StripeSubscriptionDetails['scheduledChange'] = null;
  if (schedule && typeof schedule === 'object' && ['active', 'not_started'].includes(schedule.status)) {
    const currentStart = schedule.current_phase?.start_date ?? 0;
    const next = schedule.phases.find((phase) => phase.start_date > currentStart);
    const nextPrices = (next?.items ?? []).map((phaseItem) => idOf(phaseItem.price)).filter((id): id is string => id !== null);
    const nextPrice = next ? planPriceOf(nextPrices) : null;
    if (next && nextPrice && nextPrice !== planPrice) {
      scheduledChange = { priceId: nextPrice, effectiveAt: new Date(next.start_date * 1000) };
    }
  }
  return { itemId: item?.id ?? null, scheduleId, scheduledChange, items };
}

export function toInvoicePreview(invoice: Stripe.Invoice): StripeInvoicePreview {
  return {
    amountDue: invoice.amount_due,
    total: invoice.total,
    currency: invoice.currency,
    periodEnd: toDate(invoice.period_end),
  };
}

export function toCustomerSnapshot(customer: Stripe.Customer | Stripe.DeletedCustomer): StripeCustomerSnapshot {
  if (customer.deleted) return { id: customer.id, email: null, metadata: {}, deleted: true };
  return { id: customer.id, email: customer.email, metadata: { ...customer.metadata }, deleted: false };
}
