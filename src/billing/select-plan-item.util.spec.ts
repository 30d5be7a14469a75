import { describe, expect, it } from '@jest/globals';
import type { StripeSubscriptionItemSnapshot } from '../stripe/stripe.types.js';
import { subscriptionItemSnapshot, subscriptionSnapshot } from '../../test/factories/stripe-subscription-snapshot.factory.js';
import { planItemIndex, selectPlanItem } from './select-plan-item.util.js';

const item = (priceId: string, end: number) =>
  subscriptionItemSnapshot({ priceId, currentPeriodStart: new Date(0), currentPeriodEnd: new Date(end) });
// Price, interval and period at the top follow the first item, as Stripe's mapping gives them.
const sub = (items: StripeSubscriptionItemSnapshot[]) => subscriptionSnapshot({ items });
const catalog = (priceId: string) => priceId.startsWith('price_plan');

describe('selectPlanItem', () => {
  it('keeps a single-item subscription as it is, catalog price or not', () => {
    expect(selectPlanItem(sub([item('price_unknown', 5)]), catalog).priceId).toBe('price_unknown');
  });

  it('reads price and period from the catalog item when an add-on comes first', () => {
    const selected = selectPlanItem(sub([item('price_addon', 5), item('price_plan_glow', 9)]), catalog);
    expect(selected.priceId).toBe('price_plan_glow');
    expect(selected.currentPeriodEnd).toEqual(new Date(9));
    expect(selected.ambiguousItems).toBeUndefined();
  });

  it('leaves no price (and says which items) when several items and none or two are plans', () => {
    expect(selectPlanItem(sub([item('price_a', 1), item('price_b', 1)]), catalog)).toMatchObject({
      priceId: null,
      ambiguousItems: ['price_a', 'price_b'],
    });
    expect(selectPlanItem(sub([item('price_plan_a', 1), item('price_plan_b', 1)]), catalog).priceId).toBeNull();
  });
});

describe('planItemIndex', () => {
  it('is the only item, the one catalog item among several, or none', () => {
    expect(planItemIndex(['price_unknown'], catalog)).toBe(0);
    expect(planItemIndex(['price_addon', 'price_plan_glow'], catalog)).toBe(1);
    expect(planItemIndex(['price_plan_a', 'price_plan_b'], catalog)).toBeNull();
    expect(planItemIndex(['price_a', null], catalog)).toBeNull();
    expect(planItemIndex([], catalog)).toBeNull();
  });
});
