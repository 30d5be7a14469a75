import { describe, expect, it } from '@jest/globals';
import type { StripeSubscriptionSnapshot } from '../stripe/stripe.types.js';
import { subscriptionItemSnapshot, subscriptionSnapshot } from '../../test/factories/stripe-subscription-snapshot.factory.js';
import { type ComparableBilling, diffBilling, expectedFromStripe, formatDrift, storedCurrentSubscriptionId } from './billing-drift.util.js';

const stored: ComparableBilling = {
  subscriptionId: 'sub_1',
  planKey: 'glow_up',
  subscriptionStatus: 'active',
  currentPeriodStart: new Date('2026-11-01T00:00:00Z'),
  currentPeriodEnd: new Date('2026-12-01T00:00:00Z'),
  cancelAtPeriodEnd: false,
  trialStatus: 'inactive',
  trialEndsAt: null,
};

describe('diffBilling', () => {
  it('finds nothing when both agree, dates compared to the second', () => {
    expect(diffBilling(stored, { ...stored, currentPeriodEnd: new Date('2026-12-01T00:00:00.400Z') })).toEqual([]);
  });

  it('lists each differing field with both values', () => {
    const stripe: ComparableBilling = {
      ...stored,
      planKey: 'fame_flex',
      cancelAtPeriodEnd: true,
      currentPeriodEnd: new Date('2027-01-01T00:00:00Z'),
    };
    expect(diffBilling(stored, stripe)).toEqual([
      { field: 'planKey', ours: 'glow_up', stripe: 'fame_flex' },
      { field: 'currentPeriodEnd', ours: '2026-12-01T00:00:00.000Z', stripe: '2027-01-01T00:00:00.000Z' },
      { field: 'cancelAtPeriodEnd', ours: 'false', stripe: 'true' },
    ]);
  });

  it('reports a subscription we never stored', () => {
    const ours: ComparableBilling = { ...stored, subscriptionId: null, planKey: 'free', subscriptionStatus: null };
    expect(diffBilling(ours, stored).map((drift) => drift.field)).toEqual(['subscriptionId', 'planKey', 'subscriptionStatus']);
  });

  it('treats a date against no date as a drift', () => {
    expect(diffBilling(stored, { ...stored, trialEndsAt: new Date('2026-11-15T00:00:00Z') })).toEqual([
      { field: 'trialEndsAt', ours: null, stripe: '2026-11-15T00:00:00.000Z' },
    ]);
  });
});

describe('formatDrift', () => {
  it('prints field: ours -> Stripe', () => {
    expect(formatDrift({ field: 'planKey', ours: 'glow_up', stripe: 'fame_flex' })).toBe('planKey: glow_up -> fame_flex');
    expect(formatDrift({ field: 'subscriptionId', ours: null, stripe: 'sub_1' })).toBe('subscriptionId: (none) -> sub_1');
  });
});

describe('expectedFromStripe', () => {
  const now = new Date('2026-11-10T00:00:00Z');
  const previous = { gracePeriodEndsAt: null, billingCycleAnchor: null, trialStatus: 'inactive' as const, trialStartedAt: null, trialEndsAt: null, trialConvertedAt: null };
  // A monthly subscription in the period 2026-11-01 .. 2026-12-01, anchored at its start.
  const subscription = (id: string, status: string, priceId: string, created: string) =>
    subscriptionSnapshot({ id, status, priceId, created: new Date(created) });
  const planFor = (s: StripeSubscriptionSnapshot) => ({ price_glow: 'glow_up', price_fame: 'fame_flex' })[s.priceId!]!;
  const anyPrice = () => true;

  it('takes the paying subscription over an ended one', () => {
    const expected = expectedFromStripe(
      [subscription('sub_old', 'canceled', 'price_glow', '2026-10-01'), subscription('sub_new', 'active', 'price_fame', '2026-09-01')],
      previous,
      planFor,
      'free',
      now,
      7,
      anyPrice,
    );
    expect(expected).toMatchObject({ subscriptionId: 'sub_new', planKey: 'fame_flex', subscriptionStatus: 'active' });
  });

  it('gives the default plan when nothing is paying, without resolving the ended price', () => {
    const expected = expectedFromStripe([subscription('sub_1', 'canceled', 'price_unknown', '2026-10-01')], previous, planFor, 'free', now, 7, anyPrice);
    expect(expected).toMatchObject({ subscriptionId: 'sub_1', planKey: 'free', subscriptionStatus: 'canceled' });
  });

  it('reads plan and period from the catalog item when an add-on comes first, as the sync does', () => {
    const addOnFirst: StripeSubscriptionSnapshot = {
      ...subscription('sub_addon', 'active', 'price_seat', '2026-10-01'),
      items: [
        subscriptionItemSnapshot({ priceId: 'price_seat', currentPeriodStart: new Date('2026-11-05T00:00:00Z'), currentPeriodEnd: new Date('2026-12-05T00:00:00Z') }),
        subscriptionItemSnapshot({ priceId: 'price_glow', currentPeriodStart: new Date('2026-11-01T00:00:00Z'), currentPeriodEnd: new Date('2026-12-01T00:00:00Z') }),
      ],
      currentPeriodStart: new Date('2026-11-05T00:00:00Z'),
      currentPeriodEnd: new Date('2026-12-05T00:00:00Z'),
    };
    const isCatalogPrice = (priceId: string) => priceId === 'price_glow' || priceId === 'price_fame';
    const strictPlanFor = (s: StripeSubscriptionSnapshot) => {
      const plan = ({ price_glow: 'glow_up', price_fame: 'fame_flex' } as Record<string, string>)[s.priceId!];
      if (!plan) throw new Error(`unknown price ${s.priceId}`);
      return plan;
    };
    expect(expectedFromStripe([addOnFirst], previous, strictPlanFor, 'free', now, 7, isCatalogPrice)).toMatchObject({
      subscriptionId: 'sub_addon',
      planKey: 'glow_up',
      subscriptionStatus: 'active',
      currentPeriodStart: new Date('2026-11-01T00:00:00Z'),
      currentPeriodEnd: new Date('2026-12-01T00:00:00Z'),
    });
  });

  it('gives no subscription for a customer without any', () => {
    expect(expectedFromStripe([], previous, planFor, 'free', now, 7, anyPrice)).toMatchObject({ subscriptionId: null, planKey: 'free' });
  });
});

describe('storedCurrentSubscriptionId', () => {
  it('picks by status rank, then newest', () => {
    expect(
      storedCurrentSubscriptionId([
        { id: 'a', status: 'canceled', created: new Date('2026-10-02') },
        { id: 'b', status: 'active', created: new Date('2026-10-01') },
        { id: 'c', status: 'active', created: new Date('2026-09-01') },
      ]),
    ).toBe('b');
    expect(storedCurrentSubscriptionId([])).toBeNull();
  });
});
