import type { StripeSubscriptionItemSnapshot, StripeSubscriptionSnapshot } from '../../src/stripe/stripe.types.js';

export const SNAPSHOT_PERIOD_START = new Date('2026-11-01T00:00:00Z');
export const SNAPSHOT_PERIOD_END = new Date('2026-12-01T00:00:00Z');

/** One monthly item, in the period the subscription snapshot defaults to. */
export function subscriptionItemSnapshot(overrides: Partial<StripeSubscriptionItemSnapshot> = {}): StripeSubscriptionItemSnapshot {
  return {
    priceId: 'price_glow',
    interval: 'monthly',
    currentPeriodStart: SNAPSHOT_PERIOD_START,
    currentPeriodEnd: SNAPSHOT_PERIOD_END,
    ...overrides,
  };
}

const ITEM_FIELDS = ['priceId', 'interval', 'currentPeriodStart', 'currentPeriodEnd'] as const;

/**
 * A complete snapshot as toSubscriptionSnapshot makes it: an active monthly subscription of
 * cus_1, created when its first period starts, anchored there, nothing cancelled, no trial.
 * As there, price, interval and period are the first item's: given `items`, they follow the first
 * one; given without `items`, they make the single item. Any other override replaces its field.
 */
export function subscriptionSnapshot(overrides: Partial<StripeSubscriptionSnapshot> = {}): StripeSubscriptionSnapshot {
  const itemOverrides = Object.fromEntries(ITEM_FIELDS.filter((field) => field in overrides).map((field) => [field, overrides[field]]));
  const items = overrides.items ?? [subscriptionItemSnapshot(itemOverrides)];
  const first = items[0];
  return {
    id: 'sub_1',
    customerId: 'cus_1',
    status: 'active',
    created: first?.currentPeriodStart ?? SNAPSHOT_PERIOD_START,
    priceId: first?.priceId ?? null,
    interval: first?.interval ?? null,
    items,
    metadata: {},
    currentPeriodStart: first?.currentPeriodStart ?? null,
    currentPeriodEnd: first?.currentPeriodEnd ?? null,
    billingCycleAnchor: first?.currentPeriodStart ?? null,
    cancelAtPeriodEnd: false,
    cancelAt: null,
    canceledAt: null,
    endedAt: null,
    trialStart: null,
    trialEnd: null,
    raw: {},
    ...overrides,
  };
}
