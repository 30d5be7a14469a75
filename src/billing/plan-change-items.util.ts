import type { StripeSubscriptionSnapshot } from '../stripe/stripe.types.js';
import type { PlanPriceSelector, SubscriptionItemRef } from '../stripe/to-stripe-snapshot.util.js';
import { selectPlanItem } from './select-plan-item.util.js';

/** Whether a price is one of the catalog's, given the catalog's resolver (which throws for others). */
export function catalogPriceTest(resolve: (priceId: string) => unknown): (priceId: string) => boolean {
  return (priceId) => {
    try {
      resolve(priceId);
      return true;
    } catch {
      return false;
    }
  };
}

/**
 * Which of a subscription's (or one of its schedule phases') prices is the plan's, by the rule
 * billing sync applies (selectPlanItem: the only item, or the one catalog price among several),
 * so the owner API changes the item sync reads the plan from and never an add-on.
 */
export function planPriceSelector(
  subscription: StripeSubscriptionSnapshot,
  isCatalogPrice: (priceId: string) => boolean,
): PlanPriceSelector {
  return (priceIds) =>
    selectPlanItem(
      {
        ...subscription,
        priceId: priceIds[0] ?? null,
        items: priceIds.map((priceId) => ({ priceId, interval: null, currentPeriodStart: null, currentPeriodEnd: null })),
      },
      isCatalogPrice,
    ).priceId;
}

/** The items once the plan's price is `priceId`: every other item (add-ons) kept as it is, in its place. */
export function withPlanPrice(items: SubscriptionItemRef[], planPriceId: string, priceId: string): SubscriptionItemRef[] {
  return items.map((item) => (item.priceId === planPriceId ? { id: item.id, priceId, quantity: 1 } : item));
}
