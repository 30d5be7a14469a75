import type { PlanPriceSelector, SubscriptionItemRef } from '../stripe/to-stripe-snapshot.util.js';
import { planItemIndex } from './select-plan-item.util.js';

/**
 * Which of a subscription's (or one of its schedule phases') prices is the plan's, by the rule
 * billing sync applies (planItemIndex, as selectPlanItem: the only item, or the one catalog price
 * among several), so the owner API changes the item sync reads the plan from and never an add-on.
 * Only the prices are needed, so the billing read can use it on the stored Stripe object as is.
 */
export function planPriceSelector(isCatalogPrice: (priceId: string) => boolean): PlanPriceSelector {
  return (priceIds) => {
    const index = planItemIndex(priceIds, isCatalogPrice);
    return index === null ? null : priceIds[index];
  };
}

/** The items once the plan's price is `priceId`: every other item (add-ons) kept as it is, in its place. */
export function withPlanPrice(items: SubscriptionItemRef[], planPriceId: string, priceId: string): SubscriptionItemRef[] {
  return items.map((item) => (item.priceId === planPriceId ? { id: item.id, priceId, quantity: 1 } : item));
}
